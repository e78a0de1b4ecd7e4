install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.8"
  to              = "2.8"
  system_database = "mysql"
  migrate_to      = "operator" # ERROR: Migration of an operator-based install
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
