# For a site installed from the templates at 3scale 2.6 with its system
# database on PostgreSQL (the system-postgresql DeploymentConfig), taking
# only the 2.6 → 2.7 step: the images, the system-postgresql image stream
# instead of system-mysql, and AMP_RELEASE kept as a ConfigMap reference.
install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.6"
  to              = "2.7"
  system_database = "postgresql"
}
