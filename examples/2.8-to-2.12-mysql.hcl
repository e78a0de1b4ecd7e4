# For a site installed from the amp template at 3scale 2.8, with the system
# database on the bundled MySQL, going to 2.12, the last release deployed
# with templates, in one plan: the 2.8 → 2.9 and 2.9 → 2.10 hops (see
# 2.8-to-2.10-mysql.hcl), then the 2.10 → 2.11 hop (BACKEND_ROUTE, zync's annotations,
# backend-cron's memory, the 2.11 images with Redis 3.2 → 5: the Redis
# instances are dumped first and checked after) and the 2.11 → 2.12 hop
# (AMP_RELEASE and the MESSAGE_BUS settings removed, MySQL 5.7 → 8.0: the
# system database is dumped first and checked after). Neither hop has a
# seed guide: their source is the fact sheet
# ../shared/guides/template-after-2.10.md, which rates 2.11 → 2.12 partly
# guesswork (a manual step asks to confirm it against the guide). Past
# 2.12 a template site migrates to the operator (migrate_to).
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.12"
  system_database = "mysql"
}
