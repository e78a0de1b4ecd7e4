install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
operator {
  namespace   = "3scale-operator"
  tenant_name = "acme" # ERROR: tenant_name without a migration
}
