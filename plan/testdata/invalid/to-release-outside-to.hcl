install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  to_release      = "2.15.6" # ERROR: to_release outside to
  system_database = "oracle"
}
operator {
  namespace = "3scale-operator"
}
