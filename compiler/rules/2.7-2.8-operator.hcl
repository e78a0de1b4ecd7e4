# 3scale 2.7 → 2.8, operator-based install.
#
# Source: ../shared/seeds/000_fb66213bb7713c41.txt, chapter 2 ("3scale Operator
# 기반 업그레이드 가이드: 2.7에서 2.8까지"), section 2.1. Steps run in the order
# below; each names the section it comes from. See README.md beside this file
# for the words of the rule language.
#
# The guide works in the OpenShift console: in the operator's project, open
# Installed Operators > 3scale Operator > Subscription > Channel, pick the 2.8
# channel and save; the operator then upgrades the APIManager. The runbook
# does the same from the command line:
#   - the channel change is a JSON patch of the Subscription in the operator's
#     project (plan.operator_namespace; its name is plan.operator_subscription,
#     "3scale-operator" unless the plan says otherwise);
#   - "wait until the upgrade completes" becomes waits with timeouts: for OLM
#     to install the new operator, for the operator to upgrade the APIManager,
#     for the rollouts, and for every pod to run ready (the guide's `oc get
#     pods`);
#   - the portal check is a manual step, the APIManager annotations a verify.
# The APIManager is found at run time: the 3scale operator manages one per
# project, and the hop changes nothing in it, so the plan does not name it.

hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "operator"
  seed       = "000_fb66213bb7713c41.txt"
  title      = "3scale 2.7 to 2.8, operator-based (chapter 2)"
}

locals {
  # Shell variables of the operator's Subscription; both values are
  # validated DNS names.
  operator = <<-EOT
    subscription='${plan.operator_subscription}'
    operator_ns='${plan.operator_namespace}'
  EOT

  # The DeploymentConfigs the 0.4 and 0.5 operators deploy (those of the amp
  # template); a site with external databases has fewer.
  all_dcs = [
    "apicast-production", "apicast-staging", "backend-cron", "backend-listener",
    "backend-redis", "backend-worker", "system-app", "system-memcache", "system-mysql",
    "system-postgresql", "system-redis", "system-sidekiq", "system-sphinx", "zync",
    "zync-database", "zync-que",
  ]

  channel_from = "threescale-${hop.from}"
  channel_to   = "threescale-${hop.to}"
}

# ------------------------------------------------------------------ backup

step "backup" {
  title   = "Save the APIManager, the operator's Subscription and the installed operator version"
  kind    = "backup"
  section = "2.1"
  note    = <<-EOT
    The guide has no backup step. The runbook saves the APIManager, the
    Subscription and the DeploymentConfigs, ConfigMaps and Secrets of the
    project before the channel changes, and records the operator version
    (CSV) installed now, which the wait for the new operator compares
    against. The databases are not dumped: see the 2.8 guide "Operating
    3scale", backup and restore, for that.
  EOT
  run = <<-EOT
    ${local.operator}
    dir="$BACKUP_DIR/2.7-2.8"
    mkdir -p "$dir"
    oc get apimanager -o yaml > "$dir/apimanager.yaml"
    oc get subscriptions.operators.coreos.com "$subscription" --namespace="$operator_ns" -o yaml > "$dir/subscription.yaml"
    for object in dc cm secrets; do
      oc get -o yaml "$object" > "$dir/$object.yaml"
    done
    if [ ! -s "$dir/installed-csv" ]; then
      csv=$(oc get subscriptions.operators.coreos.com "$subscription" --namespace="$operator_ns" -o jsonpath='{.status.installedCSV}')
      [ -n "$csv" ] || fail "subscriptions.operators.coreos.com/$subscription in $operator_ns shows no installed operator (status.installedCSV)"
      echo "$csv" > "$dir/installed-csv"
    fi
    echo "backup written to $dir; the operator installed now is $(<"$dir/installed-csv")"
  EOT
}

# ------------------------------------------------------- 2.1 channel change

step "channel-check" {
  title   = "Check that the operator catalog offers the threescale-2.8 channel"
  kind    = "verify"
  section = "2.1"
  note    = <<-EOT
    Not in the guide, whose console only lists the channels the catalog
    has. A Subscription pointed at a channel its catalog lacks never
    upgrades, so the runbook checks the package manifest of the
    Subscription's package and catalog first (an air-gapped site must have
    mirrored the 2.8 operator into its catalog).
  EOT
  run = "catalog_offers_channel '${plan.operator_subscription}' '${plan.operator_namespace}' '${local.channel_to}'"
}

step "subscription-channel" {
  title   = "Move the 3scale operator's Subscription to the threescale-2.8 channel"
  kind    = "patch"
  section = "2.1"
  note    = <<-EOT
    The guide's console edit of the Subscription's channel becomes a JSON
    patch, pinned by a test of the current channel. The guide (this
    translation) names the channel "3scale-2.8"; the channels of the
    3scale-operator package are named threescale-2.X (threescale-2.8 at this
    release, threescale-2.15 in the 2.15 operator fixture), and a channel
    the catalog lacks would stop the upgrade, so ampc writes threescale-2.8
    and tests threescale-2.7.
  EOT
  patch "Subscription" "3scale-operator" {
    name      = plan.operator_subscription
    namespace = plan.operator_namespace
    set "/spec/channel" {
      value  = local.channel_to
      expect = local.channel_from
    }
  }
}

# --------------------------------------------------------------- 2.1 waits

step "wait-operator" {
  title   = "Wait for OLM to install the 2.8 operator"
  kind    = "shell"
  section = "2.1"
  note    = <<-EOT
    "This starts the upgrade process": the runbook polls the Subscription
    for up to 20 minutes until it has installed another operator version
    than the one the backup recorded and that version's
    ClusterServiceVersion has succeeded. A Subscription with manual approval
    waits for its install plan: the step then stops and says how to approve
    it (the guide's console flow assumes automatic approval).
  EOT
  run = <<-EOT
    old=$(<"$BACKUP_DIR/2.7-2.8/installed-csv")
    [ -n "$old" ] || fail "no operator version recorded by step 2.7-2.8/backup"
    wait_operator_csv '${plan.operator_subscription}' '${plan.operator_namespace}' 20 "$old"
  EOT
}

step "wait-apimanager" {
  title   = "Wait for the operator to upgrade the APIManager to 2.8"
  kind    = "shell"
  section = "2.1"
  note    = <<-EOT
    "Wait until the upgrade process completes for the APIManager": the
    runbook polls, for up to 20 minutes, the APIManager's
    apps.3scale.net/apimanager-threescale-version annotation, which the new
    operator sets to 2.8 when it has upgraded the install.
  EOT
  run = "wait_apimanager_version ${hop.to} 20 '' 'there must be exactly one APIManager: see oc get apimanager -o yaml and the operator logs'"
}

step "wait-rollouts" {
  title   = "Wait for every DeploymentConfig to roll out"
  kind    = "wait"
  section = "2.1"
  note    = "The guide watches `oc get pods`; the runbook first waits for each DeploymentConfig of the project (as the snapshot or the standard layout holds them) to finish rolling out."
  rollout = [for dc in local.all_dcs : dc if has("DeploymentConfig", dc)]
}

step "wait-pods" {
  title   = "Wait until every pod runs ready, without errors"
  kind    = "verify"
  section = "2.1"
  note    = <<-EOT
    The guide's `oc get pods`, checked by eye "until all new versions run
    and are ready without errors", for about 5 to 10 minutes, through
    transient errors. The runbook polls for up to 15 minutes until the pods
    of every DeploymentConfig's latest deployment (and every Deployment's
    latest ReplicaSet) run with all their containers ready, in two checks
    10 seconds apart, then prints the pods. Pods that have ended, such as a
    failed deployer or hook pod of an earlier deployment or an evicted pod,
    linger on a cluster and are not "new versions": they do not count.
  EOT
  run = "wait_pods_ready 15"
}

# ----------------------------------------------------------- 2.1 the checks

step "portal-check" {
  title        = "Log in to the 3scale Admin Portal and check that it works"
  kind         = "manual"
  section      = "2.1"
  instructions = <<-EOT
    Log in to the 3scale Admin Portal and check that it works as expected:
    your products, backends and applications are listed and the analytics
    show traffic. The Admin Portal's address is the host of the route whose
    name ends in -admin, which this command lists:

      oc get routes --namespace=${plan.namespace} -o custom-columns=NAME:.metadata.name,HOST:.spec.host

    Continue when the portal works. If it does not, stop here: the runbook's
    backup (in the backup directory, 2.7-2.8) holds the APIManager and the
    Subscription as they were.
  EOT
}

step "apimanager-verify" {
  title   = "Check the APIManager's version annotations"
  kind    = "verify"
  section = "2.1"
  note    = <<-EOT
    The guide reads `oc get apimanager <myapimanager> -o yaml` for
    apps.3scale.net/apimanager-threescale-version "2.8" and
    apps.3scale.net/threescale-operator-version "0.5.0". The runbook finds
    the project's APIManager itself and accepts any 0.5 operator: the
    threescale-2.8 channel also delivers the later 0.5 z-stream releases.
  EOT
  run = "check_apimanager ${hop.to} 0.5"
}
