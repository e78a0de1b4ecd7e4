# For a site that runs 3scale 2.8 deployed by the 3scale operator on
# OpenShift 4.8, upgraded in one plan to 2.15: seven hops, one operator
# channel at a time (threescale-2.9 ... threescale-2.15), each gated by the
# checks of the one before. OpenShift must be upgraded to 4.12 between 3scale
# 2.13.1 and 2.14: ampc warns, and the runbook stops at
# 2.13-2.14/preflight-openshift until the cluster runs it. At 2.15 the
# operator replaces every DeploymentConfig with a Deployment; the plan ends
# there (2.16 needs the databases moved out: see 2.9-to-2.16-operator.hcl).
# The hops follow fact sheets, not guides: ampc hops says how sure each is.
install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.8"
  to              = "2.15"
  system_database = "mysql"
  openshift       = "4.8"
  backup_dir      = "backups/3scale-2.8"
}

operator {
  namespace = "3scale-operator"
}
