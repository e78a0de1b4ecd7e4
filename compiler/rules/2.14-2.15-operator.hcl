# 3scale 2.14 → 2.15, operator-based install.
#
# Source: ../shared/guides/operator-2.14-2.15.md (confidence LOW-MEDIUM):
# the 2.15 upgrade chapter was not found, only its preface; the steps are
# the common channel change, the prerequisites those every chapter from
# 2.11 to 2.16 has (the latest CSV of threescale-2.14; OpenShift at least
# 4.12, which 2.14 and 2.16 both state; the exact 2.15 list is unknown, so
# no maximum is checked). What the 0.12 operator does was read in its code
# (3scale-2.15-stable, pkg/upgrade/*_2.15.go): it refuses a hop of more
# than one minor and external databases below MySQL 8.0.0, PostgreSQL
# 10.0.0 or Redis 6.2.0 (its preflights stall the upgrade, rechecking every
# 10 minutes); it replaces every DeploymentConfig by a Deployment of the
# same name (the databases' deleted without waiting), deletes the image
# streams, makes system-app's hooks Jobs, and moves searchd to Manticore
# (claim system-searchd-manticore, Job system-searchd-manticore-reindex).
# From here on every command addresses deployment/, not dc/ (seed 004).

hop {
  from             = "2.14"
  to               = "2.15"
  deployment       = "operator"
  seed             = "guides/operator-2.14-2.15.md"
  title            = "3scale 2.14 to 2.15, operator-based (fact sheet)"
  confidence       = "low-medium: no chapter found; common steps and prerequisites, the operator's changes read in its 2.15 code"
  operator_version = "0.12"
  openshift_min    = "4.12"
}

locals {
  external = field("APIManager", "*", "/spec/highAvailability/enabled") == true || field("APIManager", "*", "/spec/externalComponents/system/database") == true || field("APIManager", "*", "/spec/externalComponents/system/redis") == true || field("APIManager", "*", "/spec/externalComponents/backend/redis") == true
}

use "operator-preflight" {
  section = "prerequisites"
}

step "external-versions" {
  title        = "Confirm that the external databases meet the 2.15 operator's minimums"
  kind         = "manual"
  section      = "what the 0.12 operator does, 1"
  when         = local.external || plan.system_database == "oracle"
  note         = "The 0.12 operator checks external databases against the minimums of its CSV before it upgrades anything, and stalls until they are met. The runbook cannot reach a database 3scale does not run, so it asks; the operator's own check still applies."
  instructions = <<-EOT
    The 3scale 2.15 operator upgrades only when the databases 3scale uses
    outside the project meet these minimums (it rechecks every 10 minutes
    and does nothing else until then): MySQL 8.0.0, PostgreSQL 10.0.0,
    backend Redis 6.2.0, system Redis 6.2.0 (Oracle is not checked).
    Upgrade those that do not before you continue.
  EOT
}

use "operator-oracle-prepare" {
  section = "branches: Oracle (inferred)"
}

use "operator-backup" {
  section = "procedure"
}

use "operator-channel" {
  section = "procedure"
}

use "operator-oracle-image" {
  section = "branches: Oracle (inferred)"
}

# The 0.12 operator's move to Deployments (migrate_deployment_config_2.15.go,
# delete_image_streams_2.15.go, system_searchd_reconciler.go), for the
# model of the steps and hops after: each DeploymentConfig becomes the
# Deployment of the 2.15 layout, the claims, Services and ConfigMaps take
# the 2.15 operator's labels, the image streams go, searchd's claim is
# replaced.
operator_reconciles "deployments" {
  note = "DeploymentConfigs become Deployments"
  move "PersistentVolumeClaim" "system-searchd" {
    to_name = "system-searchd-manticore"
  }
  move "DeploymentConfig" "*" {
    to_kind = "Deployment"
  }
  move "PersistentVolumeClaim" "*" {}
  move "Service" "*" {}
  move "ConfigMap" "*" {}
  drop "ImageStream" "*" {}
}

use "operator-settle" {
  section = "procedure"
}

step "deployments-verify" {
  title   = "Check that Deployments replaced the DeploymentConfigs and the image streams are gone"
  kind    = "verify"
  section = "verification"
  note    = <<-EOT
    The sheet's verification: no DeploymentConfig of 3scale is left (the
    operator deletes each once its Deployment is healthy; a left one means
    the move stopped), every workload is a Deployment (wait-rollouts waited
    for each), and none of the image streams the operator deletes is left.
  EOT
  run     = <<-EOT
    left=$(oc get dc -o json | jq -r '[.items[]?.metadata.name] | join(" ")')
    [ -z "$left" ] || fail "DeploymentConfigs left: $left: the 2.15 operator has not finished moving to Deployments (see oc get apimanager -o yaml, status.conditions)"
    streams=$(oc get imagestreams -o json | jq -r '[.items[]?.metadata.name | select(IN("amp-apicast", "amp-backend", "amp-system", "amp-zync", "backend-redis", "system-memcached", "system-mysql", "system-redis", "system-searchd", "zync-database-postgresql"))] | join(" ")')
    [ -z "$streams" ] || fail "image streams the 2.15 operator deletes are left: $streams"
    oc get deployment
  EOT
}

step "reindex-wait" {
  title   = "Wait for the search reindex job"
  kind    = "verify"
  section = "what the 0.12 operator does, 5"
  note    = "The 0.12 operator replaces the searchd claim with system-searchd-manticore and, once system-searchd is available, runs the Job system-searchd-manticore-reindex (bundle exec rake searchd:optimal_index); search is partial until it completes. The runbook waits up to 30 minutes for it and stops at once if it failed."
  when    = has("Deployment", "system-searchd")
  run     = <<-EOT
    wait_job 30 system-searchd-manticore-reindex
    gone pvc/system-searchd
    phase=$(oc get pvc system-searchd-manticore -o jsonpath='{.status.phase}') || fail "no claim system-searchd-manticore"
    [ "$phase" = Bound ] || fail "claim system-searchd-manticore is '$phase', not Bound"
  EOT
}
