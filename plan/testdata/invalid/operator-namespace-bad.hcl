install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
}
operator {
  namespace         = "3scale_operator" # ERROR: Invalid namespace
  apicast_namespace = "APIcast" # ERROR: Invalid apicast_namespace
}
