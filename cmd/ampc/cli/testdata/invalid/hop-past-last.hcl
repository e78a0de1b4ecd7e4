install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.99" # ERROR: Unsupported hop
  system_database = "mysql"
}
