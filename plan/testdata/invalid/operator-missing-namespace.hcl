install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
}
operator { # ERROR: Missing required argument
  apicast_namespace = "apicast"
}
