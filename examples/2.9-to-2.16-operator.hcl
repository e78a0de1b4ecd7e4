# For a site that runs 3scale 2.9 deployed by the 3scale operator on
# OpenShift 4.8 (the APIManager in project 3scale, the operator and its
# Subscription in project 3scale-operator), upgraded in one plan to 2.16:
# seven hops, one operator channel at a time (threescale-2.10 ... 2.16),
# each gated by the checks of the one before (the latest CSV of the current
# channel, the OpenShift range of the next release). OpenShift must go to
# 4.12 between 3scale 2.13.1 and 2.14: ampc warns, and the runbook stops at
# 2.13-2.14/preflight-openshift until the cluster runs it. The operator
# moves the databases it runs (Redis 3.2 → 5 at 2.11, MySQL 5.7 → 8.0 at
# 2.12, Redis 5 → 6 at 2.14): the runbook dumps them first and checks them
# after. 3scale 2.16 runs no database inside 3scale: the externalize block
# moves them to project 3scale-db (2.16 guide, chapter 3). The hops between
# 2.8 and 2.15 follow fact sheets, not guides: see ampc hops for how sure
# each is. Compile against an export of both projects to pin the site:
#
#   mkdir export
#   oc get -o yaml -n 3scale apimanager,dc,deployment,is,pvc,svc,cm,secret > export/3scale.yaml
#   oc get -o yaml -n 3scale-operator subscription,deployment > export/3scale-operator.yaml
#   ampc compile examples/2.9-to-2.16-operator.hcl -o bundle --snapshot export
install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.9"
  to              = "2.16"
  system_database = "mysql"
  openshift       = "4.8"
  backup_dir      = "backups/3scale-2.9"
}

operator {
  namespace = "3scale-operator"
}

externalize {
  system_database = "on-cluster"
  redis           = "on-cluster"
  namespace       = "3scale-db"
}
