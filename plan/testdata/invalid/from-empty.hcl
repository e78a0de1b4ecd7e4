install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "" # ERROR: Invalid version
  to              = "2.8"
  system_database = "mysql"
}
