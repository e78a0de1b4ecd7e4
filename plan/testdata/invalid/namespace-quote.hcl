install {
  namespace       = "3scale'" # ERROR: Invalid namespace
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
