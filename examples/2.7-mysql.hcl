# For a site installed from the amp template (no S3) at 3scale 2.7, with the
# system database on the bundled MySQL, upgrading to 2.8: the most common
# template-based site. Compile it with:
#
#   ampc compile examples/2.7-mysql.hcl -o bundle
#
# and, better, against an export of the namespace:
#
#   ampc compile examples/2.7-mysql.hcl -o bundle --snapshot 3scale-export.yaml
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
