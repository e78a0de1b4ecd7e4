install {
  namespace       = "3scale"
  deployment      = true # ERROR: Incorrect attribute value type
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
