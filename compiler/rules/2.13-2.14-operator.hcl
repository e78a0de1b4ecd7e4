# 3scale 2.13 → 2.14, operator-based install.
#
# Source: ../shared/guides/operator-2.13-2.14.md: "Migrating Red Hat 3scale
# API Management" 2.14, chapter 1 (seen verbatim; confidence MEDIUM-HIGH:
# the Customer Portal solution its warning points to was not found).
# Prerequisites: OpenShift 4.12, 4.13 or 4.14 (at least 4.12 before the
# 3scale update: 2.13.1 → OpenShift 4.12 → 2.14); the latest CSV of
# threescale-2.13; with Oracle, manual approval (section 1.3: build the
# system image, upgrade the operator, set spec.system.image). The 0.11
# operator (3scale-2.14-stable) replaces system-sphinx (DeploymentConfig and
# Service) with system-searchd (DeploymentConfig, Service on port 9306, claim
# system-searchd) and moves the internal Redis instances from Redis 5 to 6:
# ampc dumps them first, checks them after, and checks the search move.

hop {
  from             = "2.13"
  to               = "2.14"
  deployment       = "operator"
  seed             = "guides/operator-2.13-2.14.md"
  title            = "3scale 2.13 to 2.14, operator-based (fact sheet)"
  confidence       = "medium-high: chapter 1 of the 2.14 guide seen verbatim; the solution article its warning names was not found"
  operator_version = "0.11"
  openshift_min    = "4.12"
  openshift_max    = "4.14"
}

step "kcs-warning" {
  title        = "Read the Red Hat solution the 2.14 guide requires before this upgrade"
  kind         = "manual"
  section      = "prerequisites (warning)"
  note         = "The guide warns that the 2.13 → 2.14 upgrade may fail to complete and asks to follow a Customer Portal solution first; its content was not found (the sheet), so ampc cannot encode it and stops here for the person to do it."
  instructions = <<-EOT
    The 3scale 2.14 migration guide warns that in some cases the upgrade
    from 2.13 to 2.14 might fail to complete, and asks you to follow the
    tested steps of the Red Hat Customer Portal solution it links to before
    you attempt the upgrade. ampc does not know that solution's steps.

    Open "Migrating Red Hat 3scale API Management" 2.14, chapter 1, follow
    the solution it links to, and continue only when it is done.
  EOT
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-oracle-prepare" {
  section = "1.3"
}

use "operator-backup" {
  section = "procedure 1-4"
}

use "redis-backup" {
  section = "what the 0.11 operator does on its own (Redis 5 to 6)"
}

use "operator-channel" {
  section = "procedure 4"
}

use "operator-oracle-image" {
  section = "1.3"
}

# The 0.11 operator's search move (system_searchd_reconciler.go,
# upgradeFromSphinx), for the model of the steps after.
operator_reconciles "searchd" {
  note = "system-sphinx becomes system-searchd"
  move "DeploymentConfig" "system-sphinx" {
    to_name = "system-searchd"
  }
  drop "Service" "system-sphinx" {}
  add "Service" "system-searchd" {}
  add "PersistentVolumeClaim" "system-searchd" {}
  add "ConfigMap" "redis-config" {}
}

use "operator-settle" {
  section = "procedure 5-7"
}

use "operator-images" {
  section = "what the 0.11 operator does on its own"
}

use "redis-verify" {
  section = "verification"
}

step "searchd-verify" {
  title   = "Check that system-searchd replaced system-sphinx"
  kind    = "verify"
  section = "verification"
  note    = <<-EOT
    The sheet's verification: no system-sphinx DeploymentConfig or Service
    is left, system-searchd's claim is bound, and its DeploymentConfig
    rolled out (wait-rollouts waited for it). The new index starts empty;
    the 2.14 operator has no reindex job (the 2.15 one adds one): search in
    the Developer Portal fills as system reindexes.
  EOT
  run     = <<-EOT
    gone dc/system-sphinx service/system-sphinx
    phase=$(oc get pvc system-searchd -o jsonpath='{.status.phase}') || fail "no claim system-searchd: the 2.14 operator has not created system-searchd"
    [ "$phase" = Bound ] || fail "claim system-searchd is '$phase', not Bound"
    exists dc/system-searchd || fail "no DeploymentConfig system-searchd"
    echo "system-searchd replaced system-sphinx (claim Bound)"
  EOT
}
