install {
  namespace       = lower("3SCALE") # ERROR: Function calls not allowed
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
