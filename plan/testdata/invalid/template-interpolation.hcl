install {
  namespace       = "${var.x}" # ERROR: Variables not allowed
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
