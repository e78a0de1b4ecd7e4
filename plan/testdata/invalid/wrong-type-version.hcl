install {
  namespace       = "3scale"
  deployment      = "template"
  from            = 2.7 # ERROR: Incorrect attribute value type
  to              = "2.8"
  system_database = "mysql"
}
