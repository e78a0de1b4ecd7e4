install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
  backup_dir      = "-rf" # ERROR: Invalid backup_dir
}
