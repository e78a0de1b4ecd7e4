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
  wildcard_domain = "3scale.example.com"
  tenant_name     = "acme.corp" # ERROR: Invalid tenant_name
}
