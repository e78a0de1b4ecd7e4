install {
  namespace       = "3scale"
  deployment      = "operator" # ERROR: Missing operator block
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
}
