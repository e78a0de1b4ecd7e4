# For a site installed from the amp template at 3scale 2.4 (file storage on a
# persistent volume, not S3), with the system database on the bundled MySQL
# (system-mysql), upgrading to 2.5. The bundle moves the MySQL user and
# password of system-mysql into the system-database Secret (section 2.3) and
# zync-database from PostgreSQL 9.5 to 10 (section 2.5), with the guide's
# rollback: runbook.sh --rollback 2.4-2.5/zync-database.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.4"
  to              = "2.5"
  system_database = "mysql"
  backup_dir      = "backups/3scale-2.4"
}
