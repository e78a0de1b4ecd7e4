install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "postgresql"
}
operator {
  namespace = "3scale-operator"
}
externalize { # ERROR: No choice for the internal system database
  redis     = "on-cluster"
  namespace = "3scale-db"
}
