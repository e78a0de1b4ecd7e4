install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.3" # ERROR: Unsupported hop
  to              = "2.8"
  system_database = "mysql"
}
