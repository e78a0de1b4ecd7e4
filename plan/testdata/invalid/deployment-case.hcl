install {
  namespace       = "3scale"
  deployment      = "Template" # ERROR: Invalid deployment
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
