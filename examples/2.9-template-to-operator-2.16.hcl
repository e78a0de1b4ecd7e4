# For a site deployed from the 3scale 2.9 templates on OpenShift 3.11 that
# moves to an operator-based install on OpenShift 4 and goes on to 3scale
# 2.16 there. The migration runs at the site's version, 2.9 (the chapter
# "from template to operator-based deployments" of the 2.9 guide, the same
# as 2.8's chapter 3: guides/template-after-2.10.md); on the new cluster the
# operator hops take it from 2.9 to 2.16, each channel in turn. With
# migrate_at = "2.10", the template hop 2.9 → 2.10 would run first on
# OpenShift 3.11 and the migration at 2.10. wildcard_domain is the
# WILDCARD_DOMAIN the templates were deployed with (THREESCALE_SUPERDOMAIN
# in configmap system-environment). The backup directory holds the site's
# Secrets and database dumps: keep it where Secrets belong. 3scale 2.16
# runs no database of its own: the 2.15 → 2.16 hop moves them to
# Deployments in project 3scale-db (externalize).
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.9"
  to              = "2.16"
  system_database = "mysql"
  migrate_to      = "operator"
  backup_dir      = "backups/3scale-migration"
}

operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}

externalize {
  system_database = "on-cluster"
  redis           = "on-cluster"
  namespace       = "3scale-db"
}
