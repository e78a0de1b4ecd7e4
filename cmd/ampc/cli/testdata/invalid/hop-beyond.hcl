install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8" # ERROR: Unsupported hop
  to              = "2.15"
  system_database = "mysql"
}
