install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.6" # ERROR: Unsupported hop
  to              = "2.7"
  system_database = "mysql"
}
operator {
  namespace = "3scale-operator"
}
