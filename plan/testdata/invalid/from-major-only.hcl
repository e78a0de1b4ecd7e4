install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2" # ERROR: Invalid version
  to              = "2.8"
  system_database = "mysql"
}
