install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com" # ERROR: wildcard_domain without a migration
}
