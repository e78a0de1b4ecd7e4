install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "postgresql"
  migrate_to      = "operator"
}
operator { # ERROR: Missing wildcard_domain
  namespace = "3scale-operator"
}
