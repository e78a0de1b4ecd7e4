install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
registry {
  mirror = "https://mirror.example.com" # ERROR: Invalid mirror
}
