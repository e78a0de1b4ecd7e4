# For a site installed from the amp template (no S3) at 3scale 2.5, with the
# system database on the bundled MySQL and the template's default
# WILDCARD_POLICY (None), upgrading to 2.6: the move to the authenticated
# registry.redhat.io (the site creates its own threescale-registry-auth pull
# secret when the runbook stops for it), the new 2.6 objects carried in the
# bundle, and the WildcardRouter replaced by Zync's routes. A site deployed
# with WILDCARD_POLICY=Subdomain writes wildcard_policy = "Subdomain".
# Compile it against an export of the namespace that includes its routes and
# services:
#
#   oc get -o yaml dc,is,cm,secret,route,svc,sa > 3scale-export.yaml
#   ampc compile examples/2.5-to-2.6-mysql.hcl -o bundle --snapshot 3scale-export.yaml
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.5"
  to              = "2.6"
  system_database = "mysql"
  wildcard_policy = "None"
  backup_dir      = "backups/3scale-2.5"
}
