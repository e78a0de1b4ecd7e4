# The operator-based upgrade every operator hop repeats: change the 3scale
# operator's Subscription to the next channel, and wait for OLM and the
# operator to upgrade the install. The guides give it in the same words at
# every release (seed 000 chapter 2 for 2.7 → 2.8; the 2.10, 2.11, 2.13 and
# 2.14 "Migrating 3scale" chapters, see ../../../shared/guides/SUMMARY.md):
#
#   1. in the operator's project, Installed Operators > 3scale > Subscription
#      > Channel: pick threescale-2.X and save (from 2.11 on, after checking
#      that the latest CSV of the current channel runs: with manual
#      approval, approve every pending InstallPlan first);
#   2. wait until the upgrade of the APIManager completes, then `oc get
#      pods` until every pod of the new version runs ready;
#   3. log in to the Admin Portal and check that it works;
#   4. `oc get apimanager <name> -o yaml`: the annotations
#      apps.3scale.net/apimanager-threescale-version (the release) and
#      apps.3scale.net/threescale-operator-version (the operator's).
#
# A module places the groups below with use, with its own steps between
# them (backups before the operator's database moves, checks of what the
# operator did on its own), and says in its hop block which operator
# version ships with its release (operator_version) and which OpenShift
# versions it runs on (openshift_min, openshift_max). ../README.md
# describes shared files.

applies_to = ["operator"]

locals {
  channel_from = "threescale-${hop.from}"
  channel_to   = "threescale-${hop.to}"
  dir          = "$BACKUP_DIR/${hop.from}-${hop.to}"

  # The workloads of the 3scale operator's install, under the names of the
  # amp template (the DeploymentConfigs up to 2.14, Deployments of the same
  # names from 2.15; system-sphinx became system-searchd at 2.14). A site
  # with external databases has fewer.
  workloads = [
    "apicast-production", "apicast-staging", "backend-cron", "backend-listener",
    "backend-redis", "backend-worker", "system-app", "system-memcache", "system-mysql",
    "system-postgresql", "system-redis", "system-searchd", "system-sidekiq", "system-sphinx",
    "zync", "zync-database", "zync-que",
  ]
}


# Oracle: the 3scale operator supports an Oracle system database from 2.10
# (operator 0.7.0; guides/operator-2.8-2.9.md and operator-2.9-2.10.md), and
# the guides give an operator-based Oracle procedure only from 2.14 on (the
# custom system image of guides/operator-2.13-2.14.md, section 1.3); for the
# hops in between the sheets found none (operator-2.10-2.11.md,
# operator-2.11-2.12.md, operator-2.12-2.13.md: "unknown").
refuse "oracle-operator" {
  when    = plan.system_database == "oracle" && !version_at_least(hop.from, "2.13")
  summary = "No operator-based Oracle procedure for this hop"
  at      = ["install.system_database"]
  detail  = <<-EOT
    %{ if !version_at_least(hop.from, "2.10") }The 3scale operator runs an Oracle system database from 3scale 2.10
    (operator 0.7.0) on: an operator-based ${hop.from} site cannot have one.
    Check install.system_database.%{ else }The public guides give no procedure for upgrading an operator-based
    site with an Oracle system database from ${hop.from} to ${hop.to} (the custom
    system image each release needs is documented from 2.14 on), and ampc
    does not invent one. Follow Red Hat support's instructions for this hop,
    then compile a plan from the next version.%{ endif }
  EOT
}

steps "operator-preflight" {
  step "preflight-operator" {
    title    = "Check that the latest CSV of the ${local.channel_from} channel runs the 3scale operator"
    kind     = "verify"
    requires = ["APIManager/*"]
    note     = <<-EOT
      The guides' prerequisite from 2.11 on ("the latest CSV of the
      previous channel"), checked before every channel change: the
      Subscription is on ${local.channel_from}, OLM reports it at the latest
      CSV it knows, which is the installed one, and no InstallPlan waits for
      approval. Under manual approval, approve the pending InstallPlans and
      run again (the next one shows only once the first is installed). A
      site that skipped a micro release it needs (2.13.1 before OpenShift
      4.12) is stopped here.
    EOT
    run      = "subscription_current '${plan.operator_subscription}' '${plan.operator_namespace}' ${local.channel_from} '3scale operator'"
  }

  step "preflight-openshift" {
    title = "Check the OpenShift version for 3scale ${hop.to}"
    kind  = "verify"
    when  = hop.openshift_min != "" || hop.openshift_max != ""
    note  = <<-EOT
      The OpenShift versions the ${hop.to} release runs on, as the fact
      sheet of this hop gives them (guides/SUMMARY.md, "OCP ordering
      gates"):%{ if hop.openshift_min != "" } at least ${hop.openshift_min}%{ endif }%{ if hop.openshift_max != "" } and at most ${hop.openshift_max}%{ endif }. The
      runbook reads clusterversion/version and stops with what to do first.
    EOT
    run   = "openshift_between '${hop.openshift_min}' '${hop.openshift_max}' '3scale ${hop.from} to ${hop.to}'"
  }

  step "channel-check" {
    title = "Check that the operator catalog offers the ${local.channel_to} channel"
    kind  = "verify"
    note  = <<-EOT
      Not in the guides, whose console lists only the channels the catalog
      has. A Subscription pointed at a channel its catalog lacks never
      upgrades (OLM reports ResolutionFailed), so the runbook checks the
      package manifest of the Subscription's package and catalog first (an
      air-gapped site must have mirrored the ${hop.to} operator into its
      catalog).
    EOT
    run   = "catalog_offers_channel '${plan.operator_subscription}' '${plan.operator_namespace}' '${local.channel_to}'"
  }
}

steps "operator-backup" {
  step "backup" {
    title = "Save the APIManager, the operator's Subscription, the workloads, ConfigMaps and Secrets"
    kind  = "backup"
    note  = <<-EOT
      The guides have no backup step for the channel change. The runbook
      saves the APIManager, the Subscription and the project's workloads,
      ConfigMaps and Secrets into ${local.dir} before the channel changes,
      and records the operator version (CSV) installed now, which the wait
      for the new operator compares against. A file that exists is kept, so
      a re-run never overwrites the state from before the hop. The
      databases are dumped by the steps of the hops whose operator moves
      them; for a full backup see "Operating 3scale", backup and restore.
    EOT
    run   = <<-EOT
      dir="${local.dir}"
      mkdir -p "$dir"
      save_once "$dir/apimanager.yaml" get apimanager -o yaml
      save_once "$dir/subscription.yaml" get subscriptions.operators.coreos.com '${plan.operator_subscription}' --namespace='${plan.operator_namespace}' -o yaml
      save_once "$dir/installed-csv" get subscriptions.operators.coreos.com '${plan.operator_subscription}' --namespace='${plan.operator_namespace}' -o jsonpath='{.status.installedCSV}'
      [ -s "$dir/installed-csv" ] || fail "subscriptions.operators.coreos.com/${plan.operator_subscription} in ${plan.operator_namespace} shows no installed operator (status.installedCSV)"
      for object in dc deployment cm secrets; do
        save_once "$dir/$object.yaml" get "$object" -o yaml
      done
      echo "backup written to $dir; the operator installed now is $(<"$dir/installed-csv")"
    EOT
  }
}

steps "operator-channel" {
  step "subscription-channel" {
    title = "Move the 3scale operator's Subscription to the ${local.channel_to} channel"
    kind  = "patch"
    note  = <<-EOT
      The guides' console edit of the Subscription's channel, as a JSON
      patch of the Subscription in the operator's project, pinned by a test
      of the current channel (${local.channel_from}).
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

  step "wait-operator" {
    title = "Wait for OLM to install the ${hop.to} operator"
    kind  = "shell"
    note  = <<-EOT
      "This starts the upgrade process": the runbook polls the Subscription
      for up to 20 minutes until it has installed another operator version
      than the one the backup recorded and that version's
      ClusterServiceVersion has succeeded. Under manual approval the step
      stops at the InstallPlan and says how to approve it.
    EOT
    run   = <<-EOT
      old=$(<"${local.dir}/installed-csv")
      [ -n "$old" ] || fail "no operator version recorded by step ${hop.from}-${hop.to}/backup"
      wait_operator_csv '${plan.operator_subscription}' '${plan.operator_namespace}' 20 "$old"
    EOT
  }

  step "wait-apimanager" {
    title = "Wait for the operator to upgrade the APIManager to ${hop.to}"
    kind  = "shell"
    note  = <<-EOT
      "Wait until the upgrade process completes for the APIManager": the
      runbook polls, for up to 20 minutes, the APIManager's
      apps.3scale.net/apimanager-threescale-version annotation, which the
      new operator sets to ${hop.to} when it has upgraded the install.
    EOT
    run   = "wait_apimanager_version ${hop.to} 20 '' 'see oc get apimanager -o yaml (status.conditions) and the logs of the operator in project ${plan.operator_namespace}'"
  }
}

steps "operator-settle" {
  step "wait-rollouts" {
    title   = "Wait for every workload to roll out"
    kind    = "wait"
    note    = "The guides watch `oc get pods`; the runbook first waits for each workload of the project (as the model of the site holds them at this point: DeploymentConfigs up to 2.14, Deployments from 2.15) to finish rolling out on the images it follows."
    rollout = [for w in local.workloads : has("Deployment", w) ? "Deployment/${w}" : w if has("DeploymentConfig", w) || has("Deployment", w)]
  }

  step "wait-pods" {
    title = "Wait until every pod runs ready, without errors"
    kind  = "verify"
    note  = <<-EOT
      The guides' `oc get pods`, checked by eye "until all new versions run
      and are ready without errors", for about 5 to 10 minutes, through
      transient errors. The runbook polls for up to 15 minutes until the
      pods of every workload's latest deployment run with all their
      containers ready, in two checks 10 seconds apart, then prints them.
      Pods that have ended (a failed deployer or hook pod, an evicted pod)
      do not count.
    EOT
    run   = "wait_pods_ready 15"
  }

  step "portal-check" {
    title        = "Log in to the 3scale Admin Portal and check that it works"
    kind         = "manual"
    instructions = <<-EOT
      Log in to the 3scale Admin Portal and check that it works as
      expected: your products, backends and applications are listed and
      the analytics show traffic. The Admin Portal's address is the host of
      the route whose name ends in -admin, which this command lists:

        oc get routes --namespace=${plan.namespace} -o custom-columns=NAME:.metadata.name,HOST:.spec.host

      Continue when the portal works. If it does not, stop here: the
      runbook's backup (${local.dir}) holds the APIManager and the
      Subscription as they were.
    EOT
  }

  step "apimanager-verify" {
    title = "Check the APIManager's version annotations"
    kind  = "verify"
    note  = <<-EOT
      The guides read `oc get apimanager <name> -o yaml` for
      apps.3scale.net/apimanager-threescale-version "${hop.to}" and
      apps.3scale.net/threescale-operator-version "${hop.operator_version}.x".
      The runbook finds the project's APIManager itself and accepts any
      ${hop.operator_version} operator: the ${local.channel_to} channel also
      delivers the later micro releases.
    EOT
    run   = "check_apimanager ${hop.to} ${hop.operator_version}"
  }
}

# From 2.9 to 2.14 the operator tags each image stream with the release and
# moves the DeploymentConfigs' ImageChange triggers to that tag
# (3scale/3scale-operator, 3scale-2.9-stable to 3scale-2.14-stable); the
# rollout waits see the images the triggers name, so a DeploymentConfig the
# operator left on the previous tag would pass them on the old image.
steps "operator-images" {
  step "operator-images-verify" {
    title = "Check that every DeploymentConfig follows the ${hop.to} image stream tags"
    kind  = "verify"
    # has() here, not in a local: a local sees the model as the hop starts,
    # before the operator's own moves (operator_reconciles).
    when  = [for w in local.workloads : w if has("DeploymentConfig", w)] != []
    note  = <<-EOT
      The ${hop.to} operator tags each image stream ${hop.to} and moves the
      DeploymentConfigs' automatic ImageChange triggers to those tags; the
      waits before checked that each runs the image its triggers name. A
      DeploymentConfig left on an earlier tag runs the earlier release,
      however ready its pods are: this check fails on it.
    EOT
    run   = "triggers_on ${hop.to} %{ for w in local.workloads }%{ if has("DeploymentConfig", w) }${w} %{ endif }%{ endfor }"
  }
}

# Oracle (2.13 → 2.14, guides/operator-2.13-2.14.md section 1.3, and, by
# the same procedure, later hops): the system image with Oracle support is
# the site's own build, which must exist for the target release before the
# operator is upgraded; the Subscription keeps manual approval ("do not set
# automatic updates"); after the upgrade the APIManager is pointed at the
# new image.
steps "operator-oracle-prepare" {
  step "oracle-approval" {
    title = "Oracle: check that the Subscription has manual approval"
    kind  = "verify"
    when  = plan.system_database == "oracle"
    note  = "With an Oracle database the guide says not to set automatic updates: the operator must not upgrade before its system image is built."
    run   = <<-EOT
      approval=$(oc get subscriptions.operators.coreos.com '${plan.operator_subscription}' --namespace='${plan.operator_namespace}' -o jsonpath='{.spec.installPlanApproval}')
      [ "$approval" = Manual ] || fail "the Subscription's installPlanApproval is '$approval': with an Oracle database the guide says not to set automatic updates; set it to Manual (console: Subscription > Update approval), then re-run"
      echo "the Subscription has manual approval"
    EOT
  }

  step "oracle-system-image-build" {
    title        = "Oracle: build the ${hop.to} system image with Oracle support"
    kind         = "manual"
    when         = plan.system_database == "oracle"
    note         = "Step 1 of the guide's Oracle procedure (2.14, section 1.3: the image system-oracle-3scale-2.14.0-1); for later releases the same procedure with the release's name, which the sheets infer."
    instructions = <<-EOT
      Build the 3scale ${hop.to} system image with Oracle Database support
      before the operator is upgraded: follow "Preparing the Oracle
      Database" and the custom system image procedure of the Installing
      3scale guide of ${hop.to} (image system-oracle-3scale-${hop.to}.0-1), and
      push it to a registry the cluster pulls from.

      When you continue, give its full reference in AMPC_ORACLE_SYSTEM_IMAGE
      (a later step sets it in the APIManager):
        AMPC_ORACLE_SYSTEM_IMAGE=registry.example.com/3scale/system-oracle-3scale-${hop.to}.0-1 ./runbook.sh --ack ${hop.from}-${hop.to}/oracle-system-image-build
    EOT
  }
}

steps "operator-oracle-image" {
  step "oracle-system-image" {
    title    = "Oracle: point the APIManager at the ${hop.to} system image"
    kind     = "shell"
    when     = plan.system_database == "oracle"
    requires = ["APIManager/*"]
    note     = "Step 3 of the guide's Oracle procedure: the image built in oracle-system-image-build, from AMPC_ORACLE_SYSTEM_IMAGE, set as spec.system.image of the APIManager with a merge patch (the reference is known at run time only); then the system workloads roll out on it."
    run      = <<-EOT
      image=$${AMPC_ORACLE_SYSTEM_IMAGE:-}
      [ -n "$image" ] || fail "AMPC_ORACLE_SYSTEM_IMAGE is not set: give the system image built in step ${hop.from}-${hop.to}/oracle-system-image-build"
      [[ $image =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] || fail "AMPC_ORACLE_SYSTEM_IMAGE is not an image reference"
      name=$(oc get apimanager -o jsonpath='{.items[0].metadata.name}')
      oc patch apimanager "$name" --type=merge -p "$(jq -cn --arg image "$image" '{spec: {system: {image: $image}}}')"
    EOT
  }
}
