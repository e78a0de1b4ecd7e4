# Zync's routes after zync-database restarted on an empty volume, in the
# template hops whose image change redeploys zync-database (2.6 → 2.7,
# 2.7 → 2.8). The templates give zync-database an emptyDir for its data
# (/var/lib/pgsql/data): a new deployment starts on an empty database, and
# zync loses what it knew of the tenants' and services' routes. A module
# places the step with use "zync-resync", after the wait for zync-database
# (see ../README.md, "Shared steps").

applies_to = ["template"]

locals {
  # zync-database's volumes as the snapshot shows them (null on the
  # standard layout, which does not know them): the step is left out when
  # the snapshot shows none that is an emptyDir; the run checks the volume
  # it mounts at /var/lib/pgsql/data again.
  zync_db_volumes = field("DeploymentConfig", "zync-database", "/spec/template/spec/volumes")
}

locals {
  zync_db_ephemeral = local.zync_db_volumes == null ? true : [for i, v in local.zync_db_volumes : i if field("DeploymentConfig", "zync-database", "/spec/template/spec/volumes/${i}/emptyDir") != null] != []
}

steps "zync-resync" {
  step "zync-resync" {
    title    = "Make Zync recreate its routes after zync-database restarted on an empty volume"
    kind     = "shell"
    when     = has("DeploymentConfig", "zync-database") && local.zync_db_ephemeral
    requires = ["DeploymentConfig/system-sidekiq", "DeploymentConfig/zync"]
    note     = <<-EOT
      Not in the guide. zync-database keeps its data on an emptyDir, and the
      image change redeploys it: the new pod starts on an empty database.
      The runbook waits for that rollout, redeploys zync when its pods
      started before it (zync creates its schema when it starts: `rails
      db:setup || rails db:migrate` in the zync image's .s2i/bin/run), and
      runs the resync that the 2.5 → 2.6 guide (section 2.9) and the 2.8
      restore procedure use, `bundle exec rake zync:resync:domains`, in a
      running system-sidekiq pod, without a terminal. A second resync is
      harmless. On a zync-database whose data volume is persistent the step
      does nothing.
    EOT
    run = <<-EOT
      volume=$(oc get dc zync-database -o json | jq -r '
        [.spec.template.spec.containers[]?.volumeMounts[]? | select(.mountPath == "/var/lib/pgsql/data") | .name][0] as $name
        | [.spec.template.spec.volumes[]? | select(.name == $name)][0]
        | if . == null or .emptyDir != null then "ephemeral" else "persistent" end')
      if [ "$volume" = persistent ]; then
        echo "zync-database keeps its data on a persistent volume: nothing to resync"
        return 0
      fi
      wait_rollout zync-database
      database=$(oc get dc zync-database -o jsonpath='{.status.latestVersion}')
      zync=$(oc get dc zync -o jsonpath='{.status.latestVersion}')
      database_at=$(oc get "replicationcontroller/zync-database-$database" -o jsonpath='{.metadata.creationTimestamp}')
      zync_at=$(oc get "replicationcontroller/zync-$zync" -o jsonpath='{.metadata.creationTimestamp}')
      if [[ ! $zync_at > $database_at ]]; then
        echo "zync-$zync started before zync-database-$database: redeploying zync so that it sets up its schema"
        rollout_once zync "$BACKUP_DIR/${hop.from}-${hop.to}/zync-rollout-from"
      fi
      wait_rollout zync
      pod=$(pod_of system-sidekiq)
      [ -n "$pod" ] || fail "no running system-sidekiq pod to run the resync in"
      oc exec "$pod" -- bash -c 'bundle exec rake zync:resync:domains'
    EOT
  }
}
