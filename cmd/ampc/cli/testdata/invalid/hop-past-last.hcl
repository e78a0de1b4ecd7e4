install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.99" # ERROR: Template-based installs end at 2.12
  system_database = "mysql"
}
