install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.7" # ERROR: Target version not above installed version
  system_database = "mysql"
}
