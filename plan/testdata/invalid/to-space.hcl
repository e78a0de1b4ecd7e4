install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = " 2.8" # ERROR: Invalid version
  system_database = "mysql"
}
