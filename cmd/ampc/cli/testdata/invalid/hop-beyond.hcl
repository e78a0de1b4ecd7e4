install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.98" # ERROR: Unsupported hop
  to              = "2.99"
  system_database = "mysql"
}
