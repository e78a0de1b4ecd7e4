install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "oracle" # ERROR: 3scale 2.16.0 does not support Oracle
}
operator {
  namespace = "3scale-operator"
}
externalize {
  redis = "external"
}
