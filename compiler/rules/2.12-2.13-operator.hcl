# 3scale 2.12 → 2.13, operator-based install.
#
# Source: ../shared/guides/operator-2.12-2.13.md: "Migrating 3scale" 2.13,
# chapter 1 (seen verbatim; confidence HIGH). Prerequisites: OpenShift 4.8,
# 4.9, 4.10 or 4.11; the latest CSV of threescale-2.12; and the chapter's
# note: 3scale 2.13.1 brings OpenShift 4.12 support, so a site must run
# 2.13.1 before OpenShift is upgraded to 4.12. The next hop's
# preflight-operator (the latest CSV of threescale-2.13) and
# preflight-openshift (4.12 at least) make that order. The 0.10 operator
# upgrades through its regular reconciliation; there is no database change.

hop {
  from             = "2.12"
  to               = "2.13"
  deployment       = "operator"
  seed             = "guides/operator-2.12-2.13.md"
  title            = "3scale 2.12 to 2.13, operator-based (fact sheet)"
  confidence       = "high: chapter 1 of the 2.13 guide seen verbatim"
  operator_version = "0.10"
  openshift_min    = "4.8"
  openshift_max    = "4.11"
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-backup" {
  section = "procedure"
}

use "operator-channel" {
  section = "procedure"
}

use "operator-settle" {
  section = "procedure"
}

use "operator-images" {
  section = "what the 0.10 operator does"
}

step "openshift-upgrade-note" {
  title        = "Before OpenShift 4.12: let the channel deliver 3scale 2.13.1"
  kind         = "manual"
  section      = "prerequisites (note)"
  note         = "The 2.13 chapter's note, verbatim in the sheet. The runbook cannot tell whether the site means to upgrade OpenShift next, so it says what the order must be; the 2.13 → 2.14 hop checks it (its preflight needs the latest threescale-2.13 CSV and OpenShift 4.12)."
  instructions = <<-EOT
    3scale 2.13.1 (operator 0.10.1) brings OpenShift 4.12 support; 2.13.0
    does not run on OpenShift 4.12. If OpenShift is to be upgraded to 4.12
    (as 3scale 2.14 needs), first let the threescale-2.13 channel deliver
    2.13.1, and upgrade OpenShift only then:

      oc get subscriptions.operators.coreos.com ${plan.operator_subscription} --namespace=${plan.operator_namespace} -o jsonpath='{.status.installedCSV}{"\n"}'

    must print 3scale-operator.v0.10.1 or later. Under manual approval,
    approve the pending InstallPlans in project ${plan.operator_namespace}.
    To scale components during the upgrade, set the replicas in the
    APIManager (spec.<component>.replicas), not with oc scale: the operator
    scales them back.
  EOT
}
