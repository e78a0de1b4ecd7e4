# 3scale 2.4 → 2.5, template-based install.
#
# Source: ../shared/seeds/002_fcdd7c3ee9f6ca34.txt, chapter 2 ("Upgrading
# 3scale 2.4 to 2.5"), sections 2.1 to 2.5.6. Steps run in the order below;
# each names the section it comes from. See README.md beside this file for
# the words of the rule language.
#
# Branches of the guide and where they are:
#   - Oracle system database: 2.1 builds the system image from
#     bc/3scale-amp-system-oracle instead of tagging amp-system:latest, and
#     2.4 opens a maintenance window for the Accounts table (opened before the
#     image build, see oracle-window-scale-down).
#   - MySQL on system-mysql: 2.3 moves MYSQL_USER and MYSQL_PASSWORD into the
#     system-database Secret. The section names system-mysql only; a site on
#     PostgreSQL or Oracle has no system-mysql DeploymentConfig and skips it.
#   - 2.5 (zync-database on PostgreSQL 10) is "highly recommended"; ampc does
#     it on every site, with the guide's rollback as `--rollback
#     2.4-2.5/zync-database`.

hop {
  from       = "2.4"
  to         = "2.5"
  deployment = "template"
  seed       = "002_fcdd7c3ee9f6ca34.txt"
  title      = "3scale 2.4 to 2.5, template-based (chapter 2)"
}

locals {
  latest_note = <<-EOT
    The guide appends a second tag named latest with `add /spec/tags/-`, which
    leaves two latest entries in spec.tags, a duplicate key; ampc replaces the
    existing latest tag where it stands, pinned by a test of its name.
  EOT

  oracle = plan.system_database == "oracle"
  mysql  = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")

  # The replica counts the hop saves before it scales a DeploymentConfig
  # down (save_replicas of the shell library, rules/lib).
  replicas = "$BACKUP_DIR/2.4-2.5/replicas.json"
}

# ------------------------------------------------------------ 2.1 images

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.1"
}

# Oracle: the person prepares the build context of the system image first,
# before the backup and the maintenance window of 2.4, so that the download
# from Oracle does not lengthen the outage (shared/oracle-build.hcl).
use "oracle-build-context" {
  section = "2.1"
}

step "backup" {
  title   = "Back up the objects this upgrade changes"
  kind    = "backup"
  section = "2.1"
  note    = <<-EOT
    The guide backs up only in 2.3 and 2.5.1; ampc also saves, before
    anything changes, the image streams, ConfigMaps and DeploymentConfigs
    that 2.1 and 2.2 change (the rolling_updates.yml edit of 2.2 in
    particular), so that each can be restored with `oc replace`. A file that
    exists is kept, so a re-run never overwrites the state before the
    upgrade. Files are readable by their owner only.
  EOT
  run     = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    mkdir -p "$dir"
    for object in imagestream/amp-system imagestream/amp-apicast imagestream/amp-backend imagestream/amp-zync imagestream/amp-wildcard-router configmap/system-environment configmap/system dc/system-app dc/system-sidekiq dc/system-sphinx%{ if local.oracle } bc/3scale-amp-system-oracle%{ endif }; do
      save_once "$dir/$${object/\//-}.yaml" get -o yaml "$object"
    done
    echo "backup written to $dir"
  EOT
}

# 2.4 opens its maintenance window here on Oracle sites: see the note.
step "oracle-window-scale-down" {
  title    = "Oracle: scale system-app, system-sidekiq and system-sphinx down to 0 for the Accounts table maintenance"
  kind     = "shell"
  section  = "2.4"
  when     = local.oracle
  requires = ["DeploymentConfig/system-app", "DeploymentConfig/system-sidekiq", "DeploymentConfig/system-sphinx"]
  note     = <<-EOT
    The guide lists the Accounts table maintenance window (2.4) after 2.1 to
    2.3, but asks that the multitenant user interface and API not be
    reachable while the constraints are removed and recreated. The 2.5
    system image runs its database migrations in the system-app pre-hook as
    soon as it rolls out (in 2.1), so ampc opens the window before the
    image is built and closes it after 2.2's restart and the migration
    check. The replica counts are known only on the cluster: they are saved
    into the backup directory once (a re-run never overwrites them with the
    zeros of a scaled-down site) and restored by oracle-window-scale-up.
  EOT
  run      = <<-EOT
    save_replicas "${local.replicas}" system-app system-sidekiq system-sphinx
    jq -e '[.["system-app", "system-sidekiq", "system-sphinx"] | numbers] | length == 3 and add > 0' "${local.replicas}" >/dev/null \
      || fail "${local.replicas} does not hold the replica counts of system-app, system-sidekiq and system-sphinx (all 0?): write them there by hand, as {\"system-app\": N, ...}, then re-run"
    scale_down system-app system-sidekiq system-sphinx
  EOT
}

step "image-amp-system" {
  title   = "Point amp-system at the 2.5.0 system image"
  kind    = "patch"
  section = "2.1"
  when    = !local.oracle
  note    = local.latest_note
  patch "ImageStream" "amp-system" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp25/system"
      display_name = "AMP system 2.5.0"
    }
    tag "latest" {
      tag          = "2.5.0"
      display_name = "AMP system (latest)"
    }
  }
}

step "image-amp-system-oracle" {
  title   = "Oracle: add the 2.5.0 system image to amp-system, the base of the Oracle build"
  kind    = "patch"
  section = "2.1"
  when    = local.oracle
  note    = "On Oracle sites the guide adds the 2.5.0 tag only: amp-system:latest is the output of the 3scale-amp-system-oracle build, which the next steps run on the 2.5.0 image."
  patch "ImageStream" "amp-system" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp25/system"
      display_name = "AMP system 2.5.0"
    }
  }
}

step "oracle-build-config" {
  title   = "Oracle: build 3scale-amp-system-oracle from amp-system:2.5.0"
  kind    = "patch"
  section = "2.1"
  when    = local.oracle
  note    = "A test of the current base image (amp-system:2.4.0, as build.yml of the 2.4 templates writes it) refuses the patch on a BuildConfig in another state."
  patch "BuildConfig" "3scale-amp-system-oracle" {
    set "/spec/strategy/dockerStrategy/from/name" {
      value  = "amp-system:2.5.0"
      expect = "amp-system:2.4.0"
    }
  }
}

# The build context was prepared before the window opened (use
# "oracle-build-context" at the top); the build itself is shared with 2.5 →
# 2.6 (shared/oracle-build.hcl).
use "oracle-build" {
  section = "2.1"
}

step "image-amp-apicast" {
  title   = "Point amp-apicast at the 2.5.0 APIcast image"
  kind    = "patch"
  section = "2.1"
  note    = local.latest_note
  patch "ImageStream" "amp-apicast" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp25/apicast-gateway"
      display_name = "AMP APIcast 2.5.0"
    }
    tag "latest" {
      tag          = "2.5.0"
      display_name = "AMP APIcast (latest)"
    }
  }
}

step "image-amp-backend" {
  title   = "Point amp-backend at the 2.5.0 backend image"
  kind    = "patch"
  section = "2.1"
  note    = local.latest_note
  patch "ImageStream" "amp-backend" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp25/backend"
      display_name = "AMP Backend 2.5.0"
    }
    tag "latest" {
      tag          = "2.5.0"
      display_name = "AMP Backend (latest)"
    }
  }
}

step "image-amp-zync" {
  title   = "Point amp-zync at the 2.5.0 zync image"
  kind    = "patch"
  section = "2.1"
  note    = local.latest_note
  patch "ImageStream" "amp-zync" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp25/zync"
      display_name = "AMP Zync 2.5.0"
    }
    tag "latest" {
      tag          = "2.5.0"
      display_name = "AMP Zync (latest)"
    }
  }
}

step "image-amp-wildcard-router" {
  title   = "Add the 2.5.0 tag to amp-wildcard-router"
  kind    = "patch"
  section = "2.1"
  note    = "The 2.5.0 tag points at the same 3scale-amp22/wildcard-router image as 2.4.0, as the guide and the 2.5 template have it; the router is not rebuilt for 2.5. ${local.latest_note}"
  patch "ImageStream" "amp-wildcard-router" {
    tag "2.5.0" {
      image        = "registry.access.redhat.com/3scale-amp22/wildcard-router"
      display_name = "AMP APIcast Wildcard Router 2.5.0"
    }
    tag "latest" {
      tag          = "2.5.0"
      display_name = "AMP APIcast Wildcard Router (latest)"
    }
  }
}

step "wait-images" {
  title   = "Wait for the DeploymentConfigs that follow the image streams to redeploy"
  kind    = "wait"
  section = "2.1"
  note    = <<-EOT
    The guide does not wait here. ampc waits so that the restart of 2.2 does
    not collide with the rollouts the new images start (`oc rollout latest`
    refuses a DeploymentConfig whose rollout is in progress).
  EOT
  rollout = [
    "system-app", "system-sidekiq", "system-sphinx", "apicast-staging", "apicast-production",
    "backend-listener", "backend-worker", "backend-cron", "zync", "apicast-wildcard-router",
  ]
}

# The guide's `oc set env dc/system-app AMP_RELEASE=2.5.0` becomes the
# shared steps of shared/amp-release.hcl (2.4.0 → 2.5.0, the micro releases
# the 2.4 and 2.5 templates write). The restart of 2.2 redeploys system-app.
use "amp-release" {
  section = "2.1"
}

# ------------------------------------------------- 2.2 system ConfigMap

# rolling_updates.yml as the snapshot shows it, and with the guide's two
# flags set: a key that is there is set to true where it stands, a missing
# one is added first under production (the run-time step's jq does the
# same on the live text).
locals {
  rolling_old = field("ConfigMap", "system", "/data/rolling_updates.yml")
}

locals {
  rolling_mesh = (match("(?:^|\n)[ \t]+service_mesh_integration:", local.rolling_old) != ""
    ? regex_replace("((^|\n)[ \t]+)service_mesh_integration:[^\n]*", local.rolling_old, "$${1}service_mesh_integration: true")
  : regex_replace("((^|\n)production:[^\n]*\n)([ \t]+)", local.rolling_old, "$${1}$${3}service_mesh_integration: true\n$${3}"))
}

locals {
  rolling_new = (match("(?:^|\n)[ \t]+policy_registry:", local.rolling_mesh) != ""
    ? regex_replace("((^|\n)[ \t]+)policy_registry:[^\n]*", local.rolling_mesh, "$${1}policy_registry: true")
  : regex_replace("((^|\n)production:[^\n]*\n)([ \t]+)", local.rolling_mesh, "$${1}$${3}policy_registry: true\n$${3}"))
}

refuse "rolling-updates-no-production" {
  when    = snapshot && local.rolling_old != null && match("(?:^|\n)production:", local.rolling_old) == ""
  summary = "rolling_updates.yml has no production section"
  at      = ["install.from"]
  detail  = <<-EOT
    The snapshot's configmap/system holds a rolling_updates.yml without a
    production: section, where 2.2 of the guide turns on
    service_mesh_integration and policy_registry. Check the site's
    ConfigMap (oc get configmap system -o yaml): add the section with its
    flags by hand, take a new snapshot and compile again.
  EOT
}

step "rolling-updates-patch" {
  title    = "Turn on service_mesh_integration and policy_registry in rolling_updates.yml"
  kind     = "patch"
  section  = "2.2"
  when     = snapshot && local.rolling_old != null && local.rolling_new != local.rolling_old
  requires = ["ConfigMap/system"]
  note     = <<-EOT
    The guide's `$ $ oc edit configmap system` has a doubled prompt and
    opens an editor, which a runbook cannot drive. Compiled against a
    snapshot, the new rolling_updates.yml is computed from the snapshot's
    text: a key that is there is set to true where it stands, a missing one
    is added first under production; the site's other flags stay as they
    are. The patch tests the old text, so a site changed since the
    snapshot refuses it instead of being overwritten (take a new snapshot).
  EOT
  patch "ConfigMap" "system" {
    set "/data/rolling_updates.yml" {
      value  = local.rolling_new
      expect = local.rolling_old
    }
  }
}

step "rolling-updates" {
  title    = "Turn on service_mesh_integration and policy_registry in rolling_updates.yml"
  kind     = "shell"
  section  = "2.2"
  when     = !snapshot
  requires = ["ConfigMap/system"]
  note     = <<-EOT
    The guide's `$ $ oc edit configmap system` has a doubled prompt and
    opens an editor, which a runbook cannot drive. rolling_updates.yml is
    YAML inside the ConfigMap and a site may have changed other flags, so
    ampc edits only the two keys, at run time, with jq: a key that is there
    is set to true where it stands, a missing one is added under
    production. The JSON patch tests the old text, so a concurrent edit
    makes it fail instead of being overwritten. A re-run finds both flags
    true and does nothing.
  EOT
  done_if  = "oc get configmap system -o json | jq -e '.data[\"rolling_updates.yml\"] // \"\" | test(\"(^|\\n)[ \\t]+service_mesh_integration:[ \\t]*true[ \\t]*(\\n|$)\") and test(\"(^|\\n)[ \\t]+policy_registry:[ \\t]*true[ \\t]*(\\n|$)\")' >/dev/null"
  run      = <<-EOT
    patch=$(oc get configmap system -o json | jq -c '
      def flag($k):
        if test("(^|\n)[ \t]+" + $k + ":")
        then gsub("(?<a>(^|\n)[ \t]+)" + $k + ":[^\n]*"; "\(.a)" + $k + ": true")
        else sub("(?<p>(^|\n)production:[^\n]*\n)(?<i>[ \t]+)"; "\(.p)\(.i)" + $k + ": true\n\(.i)")
        end;
      (.data["rolling_updates.yml"] // "") as $old
      | if ($old | test("(^|\n)production:")) then . else error("rolling_updates.yml of configmap/system has no production section") end
      | [{op: "test", path: "/data/rolling_updates.yml", value: $old},
         {op: "replace", path: "/data/rolling_updates.yml", value: ($old | flag("service_mesh_integration") | flag("policy_registry"))}]')
    oc patch configmap system --type=json -p "$patch"
  EOT
}

step "rolling-updates-verify" {
  title   = "Check that rolling_updates.yml turns on service_mesh_integration and policy_registry"
  kind    = "verify"
  section = "2.2"
  run     = <<-EOT
    # shellcheck disable=SC2016 # $k is jq's (holds runs jq)
    for flag in service_mesh_integration policy_registry; do
      holds configmap/system --arg k "$flag" '.data["rolling_updates.yml"] // "" | test("(^|\n)[ \t]+" + $k + ":[ \t]*true[ \t]*(\n|$)")' \
        || fail "rolling_updates.yml of configmap/system does not set $flag: true"
    done
    echo "rolling_updates.yml sets service_mesh_integration and policy_registry to true"
  EOT
}

step "restart-system" {
  title    = "Restart system-app and system-sidekiq"
  kind     = "shell"
  section  = "2.2"
  requires = ["DeploymentConfig/system-app", "DeploymentConfig/system-sidekiq"]
  note     = <<-EOT
    The guide's "restart these pods" becomes `oc rollout latest`, after any
    rollout in progress has finished. It also makes system-app read the
    AMP_RELEASE set in 2.1, which the guide's `oc set env` did by
    redeploying: one restart serves both sections. Each DeploymentConfig
    restarts once (restart_dc_once): a re-run after a lost connection
    that the cluster had taken does not start a second deployment.
  EOT
  run      = <<-EOT
    for dc in system-app system-sidekiq; do
      restart_dc_once "$dc" "$BACKUP_DIR/${hop.from}-${hop.to}/$dc-restart-from"
    done
  EOT
}

step "wait-restart" {
  title   = "Wait for system-app and system-sidekiq to redeploy"
  kind    = "wait"
  section = "2.2"
  rollout = ["system-app", "system-sidekiq"]
}

# ------------------------------------------- 2.3 system-database Secret (MySQL)

step "system-mysql-check" {
  title   = "Check that system-mysql exists and runs a pod"
  kind    = "verify"
  section = "2.3"
  when    = local.mysql
  note    = "The guide greps `oc get pod`; the runbook selects the pods by their deploymentConfig label and counts the running ones."
  run     = <<-EOT
    oc get dc system-mysql >/dev/null
    running=$(oc get pods -l deploymentConfig=system-mysql -o json | jq '[.items[]? | select(.status.phase == "Running")] | length')
    [ "$running" -gt 0 ] || fail "dc/system-mysql has no running pod"
    echo "dc/system-mysql runs $running pod(s)"
  EOT
}

step "system-mysql-backup" {
  title   = "Back up the system-mysql env, the system-database Secret and dc/system-mysql"
  kind    = "backup"
  section = "2.3"
  when    = local.mysql
  note    = <<-EOT
    The guide's `oc set env --list` and `oc get -o yaml` outputs go into
    files, never to the terminal or the log, since they hold the MySQL
    passwords; the files are readable by their owner only, and a file that
    exists is kept, so a re-run never overwrites the state before the
    change.
  EOT
  run     = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    mkdir -p "$dir"
    save_once "$dir/system-mysql-env.txt" set env dc/system-mysql --list
    save_once "$dir/secret-system-database.yaml" get secret system-database -o yaml
    save_once "$dir/dc-system-mysql.yaml" get dc system-mysql -o yaml
  EOT
}

step "system-database-secret" {
  title    = "Copy MYSQL_USER and MYSQL_PASSWORD of system-mysql into the system-database Secret as DB_USER and DB_PASSWORD"
  kind     = "shell"
  section  = "2.3"
  when     = local.mysql
  requires = ["Secret/system-database", "DeploymentConfig/system-mysql"]
  note     = <<-EOT
    The values are known only on the cluster, so they are copied at run
    time. Unlike the guide, the runbook never echoes them and never puts
    them on a command line: jq reads dc/system-mysql and the Secret from one
    pipe and `oc replace` reads the new Secret from its standard input (the
    resourceVersion makes it fail rather than overwrite a concurrent
    change). The container is selected by its name, system-mysql, rather
    than the guide's containers[0]. The copy is skipped when the Secret
    already holds both keys, so a re-run after system-mysql reads them
    cannot blank them.
  EOT
  done_if  = "oc get secret system-database -o json | jq -e '(.data.DB_USER // \"\") != \"\" and (.data.DB_PASSWORD // \"\") != \"\"' >/dev/null"
  run      = <<-EOT
    { oc get dc system-mysql -o json; oc get secret system-database -o json; } \
      | jq -s '
          .[0] as $dc | .[1] as $secret
          | ([$dc.spec.template.spec.containers[]? | select(.name == "system-mysql") | .env // []][0] // []) as $env
          | ([$env[] | select(.name == "MYSQL_USER") | .value // empty][0] // "") as $user
          | ([$env[] | select(.name == "MYSQL_PASSWORD") | .value // empty][0] // "") as $password
          | if $user == "" or $password == "" then error("container system-mysql of dc/system-mysql has no literal MYSQL_USER or MYSQL_PASSWORD to copy") else . end
          | $secret
          | .data.DB_USER = ($user | @base64)
          | .data.DB_PASSWORD = ($password | @base64)' \
      | oc replace -f -
  EOT
}

step "system-database-secret-verify" {
  title   = "Check that DB_USER and DB_PASSWORD of system-database equal MYSQL_USER and MYSQL_PASSWORD of system-mysql"
  kind    = "verify"
  section = "2.3"
  when    = local.mysql
  note    = "The guide decodes and prints both values to compare them by eye; the runbook compares them without printing either. An env var that already reads the Secret key counts as equal."
  run     = <<-EOT
    { oc get dc system-mysql -o json; oc get secret system-database -o json; } \
      | jq -se '
          .[0] as $dc | .[1] as $secret
          | ([$dc.spec.template.spec.containers[]? | select(.name == "system-mysql") | .env // []][0] // []) as $env
          | [["MYSQL_USER", "DB_USER"], ["MYSQL_PASSWORD", "DB_PASSWORD"]]
          | all(.[0] as $var | .[1] as $key
                | ($secret.data[$key] // "") as $stored
                | ([$env[] | select(.name == $var)][0] // {}) as $e
                | $stored != ""
                  and (($e.valueFrom.secretKeyRef == {"name": "system-database", "key": $key})
                       or ($e.value != null and $e.value == ($stored | @base64d))))' >/dev/null \
      || fail "secret/system-database does not hold MYSQL_USER and MYSQL_PASSWORD of dc/system-mysql as DB_USER and DB_PASSWORD"
    echo "secret/system-database holds DB_USER and DB_PASSWORD"
  EOT
}

step "system-mysql-env" {
  title   = "Point MYSQL_USER and MYSQL_PASSWORD of system-mysql at the system-database Secret"
  kind    = "patch"
  section = "2.3"
  when    = local.mysql
  note    = <<-EOT
    The guide's `oc edit dc $MYSQL_DC` becomes a JSON patch that replaces
    both entries where they stand, each pinned by a test of its name; the
    old values are not tested, so that no password reaches the bundle. It
    redeploys system-mysql (a short outage, as the guide warns); the guide's
    optional maintenance window for system-app, system-sidekiq and
    system-sphinx is not taken, and the next steps check that they recover.
  EOT
  patch "DeploymentConfig" "system-mysql" {
    env {
      containers = ["system-mysql"]
      var "MYSQL_USER" {
        secret = "system-database"
        key    = "DB_USER"
      }
      var "MYSQL_PASSWORD" {
        secret = "system-database"
        key    = "DB_PASSWORD"
      }
    }
  }
}

step "wait-system-mysql" {
  title   = "Wait for system-mysql to redeploy"
  kind    = "wait"
  section = "2.3"
  when    = local.mysql
  rollout = ["system-mysql"]
}

step "system-mysql-verify" {
  title   = "Check that system-mysql reads its user and password from system-database, and that the system pods recovered"
  kind    = "verify"
  section = "2.3"
  when    = local.mysql
  note    = <<-EOT
    The guide's `oc set env --list` would print the other literal passwords
    of system-mysql; the runbook checks the two references with jq. Its
    additional notes expect system-app, system-sidekiq and system-sphinx to
    recover from the restart; the runbook waits up to 20 minutes for each to
    have its pods ready, and stops with the command to redeploy one that
    has not.
  EOT
  run     = <<-EOT
    # shellcheck disable=SC2016 # $env is jq's (holds runs jq)
    holds dc/system-mysql '
      [.spec.template.spec.containers[] | select(.name == "system-mysql") | .env[]] as $env
      | ([$env[] | select(.name == "MYSQL_USER")][0].valueFrom.secretKeyRef == {"name": "system-database", "key": "DB_USER"})
        and ([$env[] | select(.name == "MYSQL_PASSWORD")][0].valueFrom.secretKeyRef == {"name": "system-database", "key": "DB_PASSWORD"})' \
      || fail "dc/system-mysql does not read MYSQL_USER and MYSQL_PASSWORD from secret system-database"
    echo "MYSQL_USER from secret system-database, key DB_USER"
    echo "MYSQL_PASSWORD from secret system-database, key DB_PASSWORD"
    for dc in system-mysql system-app system-sidekiq system-sphinx; do
      wait_ready "$dc" "redeploy it with oc rollout latest dc/$dc, then re-run"
    done
  EOT
}

# ------------------------------------------- 2.4 Accounts table (Oracle only)

step "oracle-accounts-migration" {
  title        = "Oracle: make the Accounts table migration while system is scaled down"
  kind         = "manual"
  section      = "2.4"
  when         = local.oracle
  note         = "The guide says only \"Make the migration\"; the instructions say how, with the system-app pod template of the new image."
  instructions = <<-EOT
    system-app, system-sidekiq and system-sphinx are scaled down to 0 pods
    (step oracle-window-scale-down), and system-app now has the 3scale 2.5
    system image with Oracle support. While no system pod serves the
    multitenant user interface or the API, migrate the Oracle database,
    which removes and recreates the constraints of the Accounts table:

    1. Check that no system pod runs (each command lists no Running pod):
         oc -n ${plan.namespace} get pods -l deploymentConfig=system-app
         oc -n ${plan.namespace} get pods -l deploymentConfig=system-sidekiq
         oc -n ${plan.namespace} get pods -l deploymentConfig=system-sphinx
    2. Run the database migrations of the 2.5 image in a one-off pod of the
       system-app template (it applies only the migrations not applied yet,
       so it is harmless if the system-app pre-hook already ran them):
         oc -n ${plan.namespace} debug dc/system-app -c system-master --one-container -- bash -c 'bundle exec rake db:migrate'
       It must end without an error. If it stops on the Accounts table
       (duplicate domains), have your Oracle DBA resolve the duplicates and
       run it again.
    3. Confirm (type done, or re-run with --ack 2.4-2.5/oracle-accounts-migration);
       the next step scales the pods back up to their saved counts.
  EOT
}

step "oracle-window-scale-up" {
  title    = "Oracle: scale system-app, system-sidekiq and system-sphinx back up"
  kind     = "shell"
  section  = "2.4"
  when     = local.oracle
  requires = ["DeploymentConfig/system-app", "DeploymentConfig/system-sidekiq", "DeploymentConfig/system-sphinx"]
  note     = "Restores the replica counts oracle-window-scale-down saved, and waits until every pod is ready (the guide does not wait)."
  run      = <<-EOT
    [ -s "${local.replicas}" ] || fail "${local.replicas} is missing: scale system-app, system-sidekiq and system-sphinx back up by hand"
    restore_replicas "${local.replicas}" system-app system-sidekiq system-sphinx
    for dc in system-app system-sidekiq system-sphinx; do
      wait_ready "$dc"
    done
  EOT
}

# ----------------------------------- 2.5 zync-database PostgreSQL 9.5 → 10

step "zync-database-backup" {
  title    = "Back up the postgresql image stream and dc/zync-database"
  kind     = "backup"
  section  = "2.5.1"
  requires = ["ImageStream/postgresql", "DeploymentConfig/zync-database"]
  note     = "The image stream is saved as YAML, as the guide says, and as JSON, which the rollback reads to recreate the 9.5 tag. A file that exists is kept."
  run      = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    mkdir -p "$dir"
    save_once "$dir/imagestream-postgresql.yaml" get imagestream/postgresql -o yaml
    save_once "$dir/imagestream-postgresql.json" get imagestream/postgresql -o json
    save_once "$dir/dc-zync-database.yaml" get dc/zync-database -o yaml
  EOT
}

step "zync-import-policy" {
  title   = "Save the import policy of the postgresql:9.5 tag"
  kind    = "shell"
  section = "2.5.1"
  note    = <<-EOT
    The guide reads `.spec.tags[0]`; ampc reads the tag named 9.5, wherever
    it stands. The value (true or false, null meaning false) is saved into
    the backup directory, since later steps and a re-run need it; once
    saved, it is not read again (the cleanup of 2.5.5 removes the tag).
  EOT
  done_if = "[ -s \"$BACKUP_DIR/2.4-2.5/postgresql-import-insecure\" ] && [[ $(<\"$BACKUP_DIR/2.4-2.5/postgresql-import-insecure\") =~ ^(true|false)$ ]]"
  run     = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    mkdir -p "$dir"
    insecure=$(oc get imagestream postgresql -o json | jq -r '[.spec.tags[]? | select(.name == "9.5")][0] // error("imagestream/postgresql has no tag 9.5") | .importPolicy.insecure // false')
    case $insecure in
      true | false) ;;
      *) fail "the import policy of postgresql:9.5 is '$insecure', neither true nor false" ;;
    esac
    echo "$insecure" > "$dir/postgresql-import-insecure"
    echo "postgresql:9.5 imports with insecure=$insecure"
  EOT
}

step "zync-scale-down" {
  title    = "Scale zync down to 0 pods"
  kind     = "shell"
  section  = "2.5.2"
  requires = ["DeploymentConfig/zync"]
  note     = <<-EOT
    The guide scales zync back up in 2.5.4 with `--replicas=$${ZYNC_REPLICAS}`,
    a variable it never sets. The runbook saves the replica count into the
    backup directory before scaling down (once, so a re-run never saves the
    0), and waits until no zync pod runs.
  EOT
  run      = <<-EOT
    save_replicas "${local.replicas}" zync
    scale_down zync
  EOT
}

step "zync-database-dump" {
  title   = "Dump the zync-database database"
  kind    = "backup"
  section = "2.5.2"
  note    = <<-EOT
    The guide runs pg_dumpall through `oc rsh`, which allocates a terminal
    when the runbook runs on one and then corrupts the piped dump, and
    compresses it with gzip on the workstation. The runbook uses `oc exec`
    and compresses in the pod, so that it needs only oc on this host, and
    checks that the dump is complete before keeping it. A dump that exists
    is kept: after 2.5.3 the database is the new, empty one. With the dump
    it records the rows of every table of zync_production (exact count(*),
    zync scaled down), which the import is checked against.
  EOT
  done_if = "[ -s \"$BACKUP_DIR/2.4-2.5/zync-database-backup-for-2.5.gz\" ] && [ -f \"$BACKUP_DIR/2.4-2.5/zync-database-backup-for-2.5.counts\" ]"
  run     = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    mkdir -p "$dir"
    dump_gz zync-database "$dir/zync-database-backup-for-2.5.gz" pg_dumpall "PostgreSQL database cluster dump complete"
    pg_table_counts dc/zync-database postgres zync_production > "$dir/zync-database-backup-for-2.5.counts.tmp"
    mv "$dir/zync-database-backup-for-2.5.counts.tmp" "$dir/zync-database-backup-for-2.5.counts"
    seal "$dir/zync-database-backup-for-2.5.counts"
    echo "rows of the $(wc -l < "$dir/zync-database-backup-for-2.5.counts") tables of zync_production recorded"
  EOT
}

step "zync-database-tag" {
  title   = "Add the PostgreSQL 10 tag to the postgresql image stream"
  kind    = "patch"
  section = "2.5.3"
  note    = <<-EOT
    The guide's `oc tag --source=docker ... postgresql:10` becomes a patch,
    so that the new tag is reviewed with the others (and moved to the plan's
    registry mirror, if it has one). With a snapshot, the tag imports as
    the snapshot's postgresql:9.5 does (the guide's
    `--insecure=$${IMPORT_POLICY_VAL}`, read from the snapshot's tag 9.5:
    the patch shows it); without one, the import policy, known only on the
    cluster, is set by the next step.
  EOT
  patch "ImageStream" "postgresql" {
    tag "10" {
      image        = "registry.access.redhat.com/rhscl/postgresql-10-rhel7"
      display_name = "PostgreSQL 10"
      insecure     = snapshot ? field("ImageStream", "postgresql", "/spec/tags/name=9.5/importPolicy/insecure") == true : null
    }
  }
}

step "zync-database-tag-import-policy" {
  title   = "Give postgresql:10 the import policy of postgresql:9.5"
  kind    = "shell"
  section = "2.5.3"
  note    = "The guide's `--insecure=$${IMPORT_POLICY_VAL}`, from the value saved in 2.5.1; the patch is pinned by a test of the tag's name at its index. With a snapshot, the zync-database-tag patch sets the snapshot's policy already and this step is skipped, unless tag 9.5 of the live cluster imports otherwise than the snapshot's did (then the live value wins, as the guide's does)."
  done_if = "oc get imagestream postgresql -o json | jq -e --arg v \"$(<\"$BACKUP_DIR/2.4-2.5/postgresql-import-insecure\")\" '[.spec.tags[]? | select(.name == \"10\") | (.importPolicy.insecure // false) | tostring == $v] | any' >/dev/null"
  run     = <<-EOT
    insecure=$(<"$BACKUP_DIR/2.4-2.5/postgresql-import-insecure")
    case $insecure in
      true | false) ;;
      *) fail "no import policy saved by step 2.4-2.5/zync-import-policy" ;;
    esac
    # A tag that already imports that way is left alone: a re-run (its
    # done_if read may have failed) must not rewrite an equal policy, which
    # bumps the tag's generation and imports it again.
    patch=$(oc get imagestream postgresql -o json | jq -c --argjson insecure "$insecure" '
      (.spec.tags | map(.name) | index("10")) as $i
      | if $i == null then error("imagestream/postgresql has no tag 10") else . end
      | if (.spec.tags[$i].importPolicy.insecure // false) == $insecure then []
        else [{op: "test", path: "/spec/tags/\($i)/name", value: "10"},
              {op: "add", path: "/spec/tags/\($i)/importPolicy", value: ((.spec.tags[$i].importPolicy // {}) + {insecure: $insecure})}] end')
    if [ "$patch" = "[]" ]; then
      echo "postgresql:10 imports with insecure=$insecure already"
    else
      oc patch imagestream postgresql --type=json -p "$patch"
    fi
  EOT
}

step "zync-database-tag-verify" {
  title   = "Wait until postgresql:10 is imported"
  kind    = "verify"
  section = "2.5.3"
  note    = "The guide says to run `oc get imagestream postgresql -o yaml` until the status shows tag 10 with a sha256 image; the runbook polls for up to 10 minutes, then checks the image stream tag."
  run     = <<-EOT
    for ((i = 0; i < 60; i++)); do
      if oc get imagestream postgresql -o json | jq -e '[.status.tags[]? | select(.tag == "10") | .items[0].image // "" | startswith("sha256:")] | any' >/dev/null; then
        oc get imagestreamtag postgresql:10
        return 0
      fi
      sleep 10
    done
    fail "postgresql:10 is not imported after 10 minutes: see oc describe imagestream postgresql"
  EOT
}

step "zync-database-trigger" {
  title   = "Point the zync-database image trigger at postgresql:10"
  kind    = "patch"
  section = "2.5.3"
  note    = <<-EOT
    The guide's `oc edit dc zync-database` becomes a JSON patch of the
    trigger that names container postgresql, pinned by tests of its type,
    its containers and its current tag (postgresql:9.5). It redeploys
    zync-database on PostgreSQL 10, with an empty database.
  EOT
  patch "DeploymentConfig" "zync-database" {
    trigger "postgresql" {
      from   = "postgresql:10"
      expect = "postgresql:9.5"
    }
  }
}

step "wait-zync-database" {
  title   = "Wait for zync-database to redeploy"
  kind    = "wait"
  section = "2.5.3"
  rollout = ["zync-database"]
}

step "zync-database-verify" {
  title   = "Check that zync-database runs a ready pod of the PostgreSQL 10 image"
  kind    = "verify"
  section = "2.5.3"
  note    = "The guide's three checks by eye (desired and current count, a recent Running pod, its image) become one poll, for up to 10 minutes, for a ready zync-database pod whose image is PostgreSQL 10."
  run     = <<-EOT
    for ((i = 0; i < 60; i++)); do
      pod=$(oc get pods -l deploymentConfig=zync-database -o json | jq -r '[.items[]? | select(.status.phase == "Running" and .metadata.deletionTimestamp == null and (.spec.containers[0].image | contains("postgresql-10")) and ((.status.containerStatuses // []) | length > 0 and all(.ready)))][0].metadata.name // empty')
      if [ -n "$pod" ]; then
        echo "pod $pod runs $(oc get pod "$pod" -o jsonpath='{.spec.containers[0].image}')"
        return 0
      fi
      sleep 10
    done
    fail "zync-database has no ready pod of a postgresql-10 image after 10 minutes"
  EOT
}

step "zync-database-restore" {
  title   = "Import the zync-database dump into PostgreSQL 10"
  kind    = "shell"
  section = "2.5.4"
  note    = <<-EOT
    As in 2.5.2, `oc exec` replaces `oc rsh` and the dump is decompressed in
    the pod. psql reports that the roles and the database the new pod
    created already exist; those errors are expected, and psql exits 0
    after any failed statement: the runbook fails the step on any other
    error psql reports (its messages are kept in the backup directory), and
    checks that every table then holds the rows the dump recorded. The import is skipped when
    zync_production already has tables that hold them, so that a re-run
    never imports twice; tables that do not (an import that stopped
    halfway) stop the step with what to do.
  EOT
  run     = <<-EOT
    dump="$BACKUP_DIR/2.4-2.5/zync-database-backup-for-2.5.gz"
    [ -s "$dump" ] || fail "$dump is missing: it is written by step 2.4-2.5/zync-database-dump"
    pod=$(pod_of zync-database)
    [ -n "$pod" ] || fail "no running zync-database pod to import into"
    counts="$BACKUP_DIR/2.4-2.5/zync-database-backup-for-2.5.counts"
    [ -f "$counts" ] || fail "$counts is missing: re-run from step 2.4-2.5/zync-database-dump, which records it"
    check_seal "$dump" "$counts"
    tables=$(oc exec "$pod" -- psql -d zync_production -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
    if [ "$tables" != 0 ]; then
      counts_match "$counts" pg_table_counts "pod/$pod" postgres zync_production \
        || fail "zync_production holds $tables tables, but not the rows of the dump (above: < now, > dumped): an import that stopped halfway? Drop and create it again (oc exec $pod -- psql -c 'DROP DATABASE zync_production' -c 'CREATE DATABASE zync_production OWNER zync'), then re-run, or roll back with --rollback 2.4-2.5/zync-database"
      echo "zync_production already holds the rows of the dump: imported before, skipped"
      return 0
    fi
    log="$BACKUP_DIR/2.4-2.5/zync-database-restore.log"
    status=0
    oc exec -i "$pod" -- bash -c 'set -o pipefail; gzip -dc | psql -d postgres -f -' < "$dump" > "$log" 2>&1 || status=$?
    cat "$log"
    [ "$status" = 0 ] || fail "psql failed (status $status, messages in $log); zync is still scaled down"
    # The errors the guide expects (2.5.4): the roles and the database the
    # new pod created already exist. Any other fails the step.
    unexpected=$(grep 'ERROR:' "$log" | grep -vE 'ERROR:  (role "[^"]+"|database "zync_production") already exists$' || true)
    [ -z "$unexpected" ] || fail "psql reported errors the guide does not expect (messages in $log): $unexpected; zync is still scaled down"
    counts_match "$counts" pg_table_counts "pod/$pod" postgres zync_production \
      || fail "the tables of zync_production do not hold the rows of the dump (above: < imported, > dumped): see psql's errors above; zync is still scaled down"
    echo "imported: every table of zync_production holds the rows of the dump"
  EOT
}

step "zync-scale-up" {
  title   = "Scale zync back up"
  kind    = "shell"
  section = "2.5.4"
  note    = "Restores the replica count zync-scale-down saved (the guide's unset $${ZYNC_REPLICAS}) and waits until the zync pods are ready, which shows that zync reads the restored database."
  run     = <<-EOT
    restore_replicas "${local.replicas}" zync
    wait_ready zync
  EOT
}

step "zync-database-cleanup" {
  title   = "Remove the PostgreSQL 9.5 tag"
  kind    = "shell"
  section = "2.5.5"
  note    = <<-EOT
    The guide removes the tag "if all the pods are correctly using the new
    database version": the runbook checks that zync-database no longer
    follows postgresql:9.5 and runs a PostgreSQL 10 image first. It is a
    run-time step, not a patch, so the bundle's model of the image stream
    keeps the 9.5 tag; the 2.5 → 2.6 guide deletes the whole image stream.
    The rollback recreates the tag if it is needed again.
  EOT
  done_if = "oc get imagestream postgresql -o json | jq -e '[.spec.tags[]? | select(.name == \"9.5\")] | length == 0' >/dev/null"
  run     = <<-EOT
    holds dc/zync-database '[.spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name] | index("postgresql:9.5") == null' \
      || fail "dc/zync-database still follows postgresql:9.5; the tag is kept"
    holds dc/zync-database '.spec.template.spec.containers[0].image | contains("postgresql-10")' \
      || fail "dc/zync-database does not run a PostgreSQL 10 image; the 9.5 tag is kept"
    oc tag -d postgresql:9.5
  EOT
}

step "zync-database-cleanup-verify" {
  title   = "Check that the postgresql image stream has tag 10 and no tag 9.5"
  kind    = "verify"
  section = "2.5.5"
  run     = <<-EOT
    holds imagestream/postgresql '[.spec.tags[]?.name] | index("10") != null and index("9.5") == null' \
      || fail "imagestream/postgresql does not have tag 10 without tag 9.5"
    if exists imagestreamtag postgresql:9.5; then
      fail "imagestreamtag postgresql:9.5 still exists"
    fi
    echo "imagestream/postgresql has tag 10 and no tag 9.5"
  EOT
}

# ------------------------------------------------------------ 2.5.6 rollback

rollback "zync-database" {
  title   = "Roll zync-database back to PostgreSQL 9.5 and reimport the 2.4 dump"
  section = "2.5.6"
  # Once zync-database was moved off 9.5 (the dump is taken by then).
  offer_from = "zync-database-tag"
  run        = <<-EOT
    dir="$BACKUP_DIR/2.4-2.5"
    dump="$dir/zync-database-backup-for-2.5.gz"
    counts="$dir/zync-database-backup-for-2.5.counts"
    [ -s "$dump" ] || fail "$dump is missing: the rollback reimports the dump of step 2.4-2.5/zync-database-dump"
    [ -f "$counts" ] || fail "$counts is missing: the rollback checks the reimport against the rows step 2.4-2.5/zync-database-dump recorded"
    check_seal "$dump" "$counts"
    # 1. Scale zync down, keeping the count saved before the upgrade.
    save_replicas "${local.replicas}" zync
    oc scale dc/zync --replicas=0
    wait_gone zync
    # The 9.5 tag is gone after 2.5.5: recreate it from the saved image stream.
    if ! exists imagestreamtag postgresql:9.5; then
      image=$(jq -r '[.spec.tags[] | select(.name == "9.5" and .from.kind == "DockerImage")][0].from.name // empty' "$dir/imagestream-postgresql.json")
      [ -n "$image" ] || fail "$dir/imagestream-postgresql.json has no 9.5 tag to recreate"
      insecure=$(<"$dir/postgresql-import-insecure")
      oc tag --source=docker "$image" postgresql:9.5 --insecure="$insecure"
    fi
    # 2.-4. Point the trigger back at postgresql:9.5, which redeploys zync-database.
    patch=$(oc get dc zync-database -o json | jq -c '
      ([.spec.triggers | to_entries[] | select(.value.type == "ImageChange" and ((.value.imageChangeParams.containerNames // []) | index("postgresql") != null)) | .key][0]) as $i
      | if $i == null then error("dc/zync-database has no image change trigger for container postgresql") else . end
      | if .spec.triggers[$i].imageChangeParams.from.name == "postgresql:9.5" then []
        else [{op: "test", path: "/spec/triggers/\($i)/imageChangeParams/from/name", value: "postgresql:10"},
              {op: "replace", path: "/spec/triggers/\($i)/imageChangeParams/from/name", value: "postgresql:9.5"}] end')
    if [ "$patch" != "[]" ]; then
      oc patch dc zync-database --type=json -p "$patch"
    fi
    wait_rollout zync-database
    for ((i = 0; i < 60; i++)); do
      pod=$(oc get pods -l deploymentConfig=zync-database -o json | jq -r '[.items[]? | select(.status.phase == "Running" and .metadata.deletionTimestamp == null and (.spec.containers[0].image | contains("postgresql-95")) and ((.status.containerStatuses // []) | length > 0 and all(.ready)))][0].metadata.name // empty')
      [ -n "$pod" ] && break
      sleep 10
    done
    [ -n "$pod" ] || fail "zync-database has no ready PostgreSQL 9.5 pod after 10 minutes"
    # 5. Reimport the dump as 2.5.4 does, into the new, empty database (a
    # zync-database that never left 9.5 keeps its data). What zync wrote on
    # PostgreSQL 10 is not in the dump.
    # An import this rollback started is marked until its rows are checked:
    # a re-run that finds tables then checks them rather than keep an
    # import cut short.
    marker="$dir/zync-database-rollback.importing"
    tables=$(oc exec "$pod" -- psql -d zync_production -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
    if [ "$tables" = 0 ]; then
      : > "$marker"
      oc exec -i "$pod" -- bash -c 'set -o pipefail; gzip -dc | psql -d postgres -f -' < "$dump"
    fi
    if [ "$tables" = 0 ] || [ -f "$marker" ]; then
      counts_match "$counts" pg_table_counts "pod/$pod" postgres zync_production \
        || fail "zync_production does not hold the rows of $dump after the reimport (above: < now, > dumped); zync is still scaled down: drop and create it again (oc exec $pod -- psql -c 'DROP DATABASE zync_production' -c 'CREATE DATABASE zync_production OWNER zync'), then run the rollback again"
      rm -f "$marker"
      echo "reimported: every table of zync_production holds the rows of the dump"
    else
      echo "zync_production has $tables tables: its data is kept, the dump is not imported"
    fi
    # 6. Scale zync back up.
    oc scale dc/zync --replicas="$(saved_replicas "${local.replicas}" zync)"
    wait_ready zync
    echo "zync-database runs PostgreSQL 9.5 with the dump of $dump"
  EOT
}
