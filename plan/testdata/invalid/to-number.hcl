install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = 2.8 # ERROR: Incorrect attribute value type
  system_database = "mysql"
}
