install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "oracle" # ERROR: Migration with an Oracle system database
  migrate_to      = "operator"
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
