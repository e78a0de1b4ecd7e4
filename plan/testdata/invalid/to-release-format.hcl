install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  to_release      = "2.16.1-1" # ERROR: Invalid to_release
  system_database = "oracle"
}
operator {
  namespace = "3scale-operator"
}
