install {
  namespace       = "3scale\tx" # ERROR: Control character in value
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
