install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
operator { # ERROR: Operator block on a template-based install
  namespace = "3scale-operator"
}
