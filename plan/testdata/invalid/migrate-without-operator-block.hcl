install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "mysql"
  migrate_to      = "operator" # ERROR: Missing operator block
}
