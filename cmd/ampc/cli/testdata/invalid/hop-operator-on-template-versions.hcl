install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.4" # ERROR: Unsupported hop
  to              = "2.5"
  system_database = "mysql"
}
operator {
  namespace = "3scale-operator"
}
