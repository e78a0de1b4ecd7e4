# 3scale 2.9 → 2.10, operator-based install.
#
# Source: ../shared/guides/operator-2.9-2.10.md: "Migrating 3scale" 2.10,
# chapter 3, seen verbatim (confidence HIGH). Prerequisites: 3scale 2.9
# deployed with the operator, OpenShift 4.x. The procedure is the common
# channel change (threescale-2.10) and its checks; the 0.7 operator retags
# the image streams (2.10) and moves the DeploymentConfigs' triggers from
# the 2.9 tags on its own (3scale-2.10-stable), which the runbook checks
# once the operator reports 2.10.

hop {
  from             = "2.9"
  to               = "2.10"
  deployment       = "operator"
  seed             = "guides/operator-2.9-2.10.md"
  title            = "3scale 2.9 to 2.10, operator-based (fact sheet)"
  confidence       = "high: chapter 3 of the 2.10 guide seen verbatim"
  operator_version = "0.7"
  openshift_min    = "4.1"
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-backup" {
  section = "procedure 1-3"
}

use "operator-channel" {
  section = "procedure 4"
}

use "operator-settle" {
  section = "procedure 5-7"
}

use "operator-images" {
  section = "what the 0.7.0 operator does on its own"
}
