# For a site installed at 3scale 2.7 with its system database on PostgreSQL
# (the system-postgresql DeploymentConfig) instead of MySQL, upgrading to 2.8.
# The backups and the image streams follow the database: system-postgresql is
# tagged 2.8 instead of system-mysql.
install {
  namespace       = "3scale-prod"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "postgresql"
}
