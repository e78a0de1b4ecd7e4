install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
operator {
  namespace    = "3scale-operator"
  subscription = "x'; oc delete project 3scale; '" # ERROR: Invalid subscription
}
