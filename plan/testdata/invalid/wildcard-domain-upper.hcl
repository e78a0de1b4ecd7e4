install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "mysql"
  migrate_to      = "operator"
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.Example.com" # ERROR: Invalid wildcard_domain
}
