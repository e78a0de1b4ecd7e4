# For a site that runs 3scale 2.7 deployed by the 3scale operator on
# OpenShift 4 (installed from OperatorHub: the APIManager in project 3scale,
# the operator and its Subscription in project 3scale-operator), and for the
# reviewers of its upgrade to 2.8 (chapter 2 of 000_fb66213bb7713c41.txt):
# the runbook moves the Subscription to the threescale-2.8 channel, waits for
# OLM and the operator to upgrade the APIManager, and checks the result. The
# console names the Subscription after the package, 3scale-operator; give
# subscription only if yours has another name. Compile against an export of
# both projects to pin the Subscription as it is:
#
#   mkdir export
#   oc get -o yaml -n 3scale apimanager,dc > export/3scale.yaml
#   oc get -o yaml -n 3scale-operator subscription > export/3scale-operator.yaml
#   ampc compile examples/2.7-to-2.8-operator.hcl -o bundle --snapshot export
install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
  backup_dir      = "backups/3scale-2.7"
}

operator {
  namespace    = "3scale-operator"
  subscription = "3scale-operator"
}
