install { # ERROR: Unclosed configuration block
  namespace       = "3scale"
  deployment      = "template"
