# For a site installed from the amp template at 3scale 2.8, with the system
# database on the bundled MySQL, going to 2.10 in one maintenance window: the
# 2.8 → 2.9 hop (BASE_URL removed from system-master-apicast, AMP_RELEASE,
# every image stream moved off its latest tag to a 2.9 tag) runs first, then
# 2.9 → 2.10 (the 2.10 tags) against the state the first hop leaves. Neither
# hop has a seed guide: their sources are the fact sheets
# ../shared/guides/template-2.8-2.9.md and template-2.9-2.10.md.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.10"
  system_database = "mysql"
  backup_dir      = "backups/3scale-2.8"
}
