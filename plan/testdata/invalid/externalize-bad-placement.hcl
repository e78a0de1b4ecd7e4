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
externalize {
  system_database = "rds" # ERROR: Invalid system_database
  redis           = "elasticache" # ERROR: Invalid redis
}
