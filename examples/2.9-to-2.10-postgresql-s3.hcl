# For a site installed from the amp-s3 template at 3scale 2.7 (file storage
# on Amazon S3), with the system database on the bundled PostgreSQL, and
# upgraded to 2.9: the 2.9 → 2.10 hop (AMP_RELEASE and the 2.10 tags; its
# source is the fact sheet ../shared/guides/template-2.9-2.10.md). Without
# a snapshot the site is modeled by running ampc's 2.7 → 2.8 and 2.8 → 2.9
# hops on the 2.7 layout (installed_at).
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.9"
  to              = "2.10"
  installed_at    = "2.7"
  system_database = "postgresql"
  s3              = true
}
