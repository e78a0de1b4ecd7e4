install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "02.7" # ERROR: Invalid version
  to              = "2.8"
  system_database = "mysql"
}
