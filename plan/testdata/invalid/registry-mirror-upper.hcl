install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
registry {
  mirror = "Mirror.Example.com" # ERROR: Invalid mirror
}
