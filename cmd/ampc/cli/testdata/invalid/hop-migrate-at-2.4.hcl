install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.4"
  to              = "2.4"
  system_database = "mysql"
  migrate_to      = "operator" # ERROR: Unsupported hop
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
