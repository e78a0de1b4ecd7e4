# For a site installed from the amp template at 3scale 2.6, with the system
# database on the bundled MySQL, going to 2.8 in one maintenance window: the
# 2.6 → 2.7 hop (images, AMP_RELEASE) runs first, then 2.7 → 2.8 against the
# state the first hop leaves.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.6"
  to              = "2.8"
  system_database = "mysql"
}
