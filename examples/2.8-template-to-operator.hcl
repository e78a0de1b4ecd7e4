# For a site deployed from the 3scale 2.8 templates on OpenShift 3.11 that
# moves to an operator-based install on OpenShift 4 (chapter 3 of
# 000_fb66213bb7713c41.txt), and for the team that runs the migration: the
# runbook backs the site up and stops it on OpenShift 3.11, stops for you to
# log in to the OpenShift 4 cluster and install the operator, restores the
# site's Secrets, creates the APIManager, restores the databases and files,
# and stops again for the DNS change. wildcard_domain is the WILDCARD_DOMAIN
# the templates were deployed with (THREESCALE_SUPERDOMAIN in configmap
# system-environment); the APIManager keeps it, so the tenants keep their
# host names. The backup directory holds the site's Secrets and database
# dumps: keep it where Secrets belong.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "mysql"
  migrate_to      = "operator"
  backup_dir      = "backups/3scale-migration"
}

operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
