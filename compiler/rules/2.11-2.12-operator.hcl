# 3scale 2.11 → 2.12, operator-based install.
#
# Source: ../shared/guides/operator-2.11-2.12.md (confidence MEDIUM): the
# 3scale chapter of the 2.12 guide was not found; its prerequisites are
# those of the 2.12 APIcast chapter, seen verbatim (OpenShift 4.6, 4.8, 4.9
# or 4.10; the latest CSV of threescale-2.11), and its steps the common
# channel change. The 0.9 operator (3scale-2.12-stable, PR #682) moves an
# internal system-mysql from MySQL 5.7 to 8.0 on its own, upgrading the
# data directory in place, and removes AMP_RELEASE: ampc dumps the system
# database first (the sheet: "back up the DB first") and checks it after.
# The 0.9 CSV's maxOpenShiftVersion is 4.11; the 2.12 list stops at 4.10.

hop {
  from             = "2.11"
  to               = "2.12"
  deployment       = "operator"
  seed             = "guides/operator-2.11-2.12.md"
  title            = "3scale 2.11 to 2.12, operator-based (fact sheet)"
  confidence       = "medium: the 3scale chapter was not found; prerequisites from the 2.12 APIcast chapter, steps the common channel change, the operator's changes read in its 2.12 code"
  operator_version = "0.9"
  openshift_min    = "4.6"
  openshift_max    = "4.10"
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-backup" {
  section = "procedure"
}

use "mysql-backup" {
  section = "branches: internal MySQL"
}

use "operator-channel" {
  section = "procedure"
}

# The 0.9 operator's Deployment has another name than the one before
# (install.spec.deployments of its CSV), for the model of the later hops.
operator_reconciles "operator-deployment" {
  note = "the operator's Deployment is threescale-operator-controller-manager-v2"
  move "Deployment" "threescale-operator-controller-manager" {
    to_name            = "threescale-operator-controller-manager-v2"
    operator_namespace = true
  }
}

use "operator-settle" {
  section = "procedure"
}

use "operator-images" {
  section = "what the 0.9.0 operator does on its own, 3"
}

use "mysql-verify" {
  section = "verification"
}
