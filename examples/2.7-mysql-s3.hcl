# For a site installed from the amp-s3 template at 3scale 2.7 (file storage on
# Amazon S3, credentials in the aws-auth Secret), with the system database on
# the bundled MySQL, upgrading to 2.8. s3 = true adds section 1.2.7 of the
# guide: the bucket and region move from system-environment into aws-auth.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
  s3              = true
  backup_dir      = "backups/3scale-2.7"
}
