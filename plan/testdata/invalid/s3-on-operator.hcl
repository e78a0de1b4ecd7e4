install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "mysql"
  s3              = true # ERROR: s3 applies to template-based installs
}
operator {
  namespace = "3scale-operator"
}
