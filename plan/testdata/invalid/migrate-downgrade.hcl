install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.9"
  to              = "2.8" # ERROR: Target version not above installed version
  system_database = "mysql"
  migrate_to      = "operator"
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
