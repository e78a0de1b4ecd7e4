install {
  namespace       = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" # ERROR: Invalid namespace
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
