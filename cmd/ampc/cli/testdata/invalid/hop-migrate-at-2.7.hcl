install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.6"
  to              = "2.7"
  system_database = "mysql"
  migrate_to      = "operator" # ERROR: Unsupported hop
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
