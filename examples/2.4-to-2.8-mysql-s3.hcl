# For a site installed from the amp-s3 template at 3scale 2.4 (MySQL system
# database, file storage on S3) that goes to 2.8 in one plan: the four
# template hops run in order against one model, each seeing what the one
# before left. A real site should compile this against a snapshot taken just
# before the window (`--snapshot`), since four hops touch a great many fields.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.4"
  to              = "2.8"
  system_database = "mysql"
  s3              = true
  backup_dir      = "backups/3scale-upgrade"
}
