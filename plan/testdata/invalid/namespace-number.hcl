install {
  namespace       = 3 # ERROR: Incorrect attribute value type
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
