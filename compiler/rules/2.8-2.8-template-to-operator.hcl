# 3scale 2.8, template-based on OpenShift 3.11 → operator-based on OpenShift 4.
#
# Source: ../shared/seeds/000_fb66213bb7713c41.txt, chapter 3 ("3scale API
# Management 마이그레이션 가이드: 템플릿에서 Operator 기반 배포로"), sections 3.1
# and 3.2. A plan asks for it with migrate_to = "operator" (from = "2.8", or
# a lower from: the template hops run first; or migrate_at = "2.8"); see
# README.md beside this file for the words of the rule language.
#
# The guide's procedure is four lines: back up the template-based site, deploy
# 3scale with the operator, restore the backup into it, point the
# WILDCARD_DOMAIN (3scale.example.com) at the OpenShift 4 cluster
# (ocp4.example.com instead of ocp3.example.com). Its prerequisites: 3scale
# 2.8 on both sides, and a WILDCARD_DOMAIN distinct from both clusters'
# domains. For the backup and the restore it refers to the 3scale 2.8 guide
# "Operating 3scale", chapter "3scale backup and restore", whose procedures
# these steps follow (each step's note says where they depart from it):
#   - the OpenShift 3.11 side: check the site, save its objects (the list of
#     chapter 1, 1.2.1) and the Secrets and ConfigMaps the restore needs, stop
#     what writes, copy the system storage (PVC sites), dump the system
#     database, zync-database, backend-redis and system-redis;
#   - a manual step to log in to the OpenShift 4 cluster; every later step
#     checks that oc talks to another cluster than the one the backup came
#     from, and every earlier one that it talks to that one;
#   - the OpenShift 4 side: the operator from OperatorHub (manual), the
#     Secrets and ConfigMaps, the APIManager (a manifest of the bundle), the
#     databases, the system storage, the Redis data, a restart of system and
#     the route resync;
#   - the DNS change (manual), the portal check (manual) and the APIManager's
#     version check;
#   - a rollback section that restarts the template-based site.
# Databases outside the project (external MySQL, Redis, ...) are not covered:
# the APIManager created here runs them in the project.
#
# The same module serves 2.9 to 2.12 (the version blocks of its hop block,
# see README.md, "One migration at several versions"): the migration
# chapter of the 2.9, 2.10, 2.11 and 2.12 guides is this one with only the
# version changed (guides/template-after-2.10.md). What the steps need of
# the version comes from hop.*: hop.name for the step ids and the backup
# folder, hop.to for the operator channel and the APIManager's version,
# hop.operator_version for the operator (0.5 at 2.8 to 0.9 at 2.12), the
# OpenShift range for target-check. What differs between the versions and
# matters here, checked in the operator's pkg/3scale/amp/component/images.go
# (branches 3scale-2.9-stable to 3scale-2.12-stable) against the templates:
# nothing the dumps and restores depend on, since the template and the
# operator of one release run the same database majors (Redis 3.2 at 2.9
# and 2.10, 5 at 2.11 and 2.12; MySQL 5.7 up to 2.11, 8.0 at 2.12;
# PostgreSQL 10), and the operators up to 0.9 create the claims at the
# same default sizes (1Gi, system-storage 100Mi) and leave existing ones.
# The notes that cite operator v0.5.0 code describe 2.8; a 2.12 template
# site has no AMP_RELEASE (the 2.12 templates dropped it), so the runbook's
# start, which reads it (shared/site-version.hcl), needs the 2.12 template
# work's way of reading that site's version.

hop {
  from             = "2.8"
  to               = "2.8"
  deployment       = "template-to-operator"
  seed             = "000_fb66213bb7713c41.txt"
  title            = "3scale 2.8 template-based (OpenShift 3.11) to operator-based (OpenShift 4) (chapter 3)"
  operator_version = "0.5"

  # The same migration at 2.9 to 2.12: the 2.9, 2.10, 2.11 and 2.12 guides
  # have the chapter of 2.8's chapter 3 with only the version changed
  # (guides/template-after-2.10.md, "Migration chapter"). Each block names
  # the operator of its version and the OpenShift versions the target
  # cluster may run (target-check reads it); the steps take the version
  # from hop.to (operator channel, annotations) and hop.name (step ids,
  # the backup folder).
  # The 0.6 operator: OpenShift 4.x (guides/operator-2.8-2.9.md); its CRDs
  # are apiextensions v1beta1 (deploy/crds of 3scale-operator
  # 3scale-2.9-stable), which OpenShift 4.9 (Kubernetes 1.22) removed: 4.8
  # at the latest, as the 0.7 operator (guides/operator-2.10-2.11.md).
  version "2.9" {
    seed             = "guides/template-after-2.10.md"
    title            = "3scale 2.9 template-based (OpenShift 3.11) to operator-based (OpenShift 4) (fact sheet)"
    confidence       = "medium: the migration chapter (the 4 steps of the 2.8 guide's chapter 3) seen verbatim for 2.9 to 2.12; its backup and restore follow the 2.8 Operating 3scale procedures, not re-read at this version"
    operator_version = "0.6"
    openshift_min    = "4.1"
    openshift_max    = "4.8"
    sections = {
      "3.1" = "migration chapter, prerequisites"
      "3.2" = "migration chapter, steps 1 to 4"
    }
  }

  # The 0.7 operator: OpenShift 4.x (guides/operator-2.9-2.10.md), before
  # 4.9 (guides/operator-2.10-2.11.md: v1beta1 CRDs).
  version "2.10" {
    seed             = "guides/template-after-2.10.md"
    title            = "3scale 2.10 template-based (OpenShift 3.11) to operator-based (OpenShift 4) (fact sheet)"
    confidence       = "medium: the migration chapter (the 4 steps of the 2.8 guide's chapter 3) seen verbatim for 2.9 to 2.12; its backup and restore follow the 2.8 Operating 3scale procedures, not re-read at this version"
    operator_version = "0.7"
    openshift_min    = "4.1"
    openshift_max    = "4.8"
    sections = {
      "3.1" = "migration chapter, prerequisites"
      "3.2" = "migration chapter, steps 1 to 4"
    }
  }

  # The 0.8 operator: OpenShift 4.6 (guides/operator-2.10-2.11.md) to 4.11
  # (olm.maxOpenShiftVersion of
  # bundle/manifests/3scale-operator.clusterserviceversion.yaml,
  # 3scale-operator 3scale-2.11-stable; the 2.11 → 2.12 hop runs on 4.10
  # at the latest).
  version "2.11" {
    seed             = "guides/template-after-2.10.md"
    title            = "3scale 2.11 template-based (OpenShift 3.11) to operator-based (OpenShift 4) (fact sheet)"
    confidence       = "medium: the migration chapter (the 4 steps of the 2.8 guide's chapter 3) seen verbatim for 2.9 to 2.12; its backup and restore follow the 2.8 Operating 3scale procedures, not re-read at this version"
    operator_version = "0.8"
    openshift_min    = "4.6"
    openshift_max    = "4.11"
    sections = {
      "3.1" = "migration chapter, prerequisites"
      "3.2" = "migration chapter, steps 1 to 4"
    }
  }

  # The 0.9 operator: OpenShift 4.6 to 4.11 (guides/operator-2.11-2.12.md:
  # CSV 0.9.0, olm.maxOpenShiftVersion 4.11).
  version "2.12" {
    seed             = "guides/template-after-2.10.md"
    title            = "3scale 2.12 template-based (OpenShift 3.11) to operator-based (OpenShift 4) (fact sheet)"
    confidence       = "medium: the migration chapter (the 4 steps of the 2.8 guide's chapter 3) seen verbatim for 2.9 to 2.12; its backup and restore follow the 2.8 Operating 3scale procedures, not re-read at this version"
    operator_version = "0.9"
    openshift_min    = "4.6"
    openshift_max    = "4.11"
    sections = {
      "3.1" = "migration chapter, prerequisites"
      "3.2" = "migration chapter, steps 1 to 4"
    }
  }
}

locals {
  mysql      = plan.system_database == "mysql"
  postgresql = plan.system_database == "postgresql"

  # The Secrets and ConfigMaps the operator-based restore applies before the
  # APIManager exists (Operating 3scale, "Restoring an operator-based
  # deployment"), and aws-auth, which the APIManager of an S3 site names.
  restore_secrets    = "system-smtp system-seed system-database backend-internal-api system-events-hook system-app system-recaptcha system-redis zync system-master-apicast%{ if plan.s3 } aws-auth%{ endif }"
  restore_configmaps = "system-environment apicast-environment"

  # The claims whose data the restore moves, named alike by the 2.8
  # templates and the 0.5 operator (system_mysql.go, system_postgresql.go,
  # system.go and redis.go of 3scale-operator v0.5.0), whose sizes the
  # operator fixes (1Gi each, system-storage 100Mi).
  claims = "%{ if plan.system_database == "postgresql" }postgresql-data%{ else }mysql-storage%{ endif }%{ if !plan.s3 } system-storage%{ endif } backend-redis-storage system-redis-storage"

  # Everything of the site that writes, but the databases and system-app
  # (whose pod the storage copy needs); system-app follows after the copy.
  writers = [
    for dc in ["apicast-production", "apicast-staging", "backend-listener", "backend-worker", "backend-cron", "system-sidekiq", "system-sphinx", "zync", "zync-que"] :
    dc if has("DeploymentConfig", dc)
  ]
  all_dcs = [
    for dc in [
      "apicast-production", "apicast-staging", "backend-cron", "backend-listener", "backend-redis",
      "backend-worker", "system-app", "system-memcache", "system-mysql", "system-postgresql",
      "system-redis", "system-sidekiq", "system-sphinx", "zync", "zync-database", "zync-que",
    ] : dc if has("DeploymentConfig", dc)
  ]

  # Shell helpers, each pasted into the steps that need it.
  dir = "dir=\"$BACKUP_DIR/${hop.name}\""

  # mysql_in POD [ARGS...]: the mysql client as root in a system-mysql pod
  # (the pod expands MYSQL_ROOT_PASSWORD: its value never reaches this host).
  mysql_in = <<-EOT
    # mysql_in is called through mysql_table_counts; the $ names expand in
    # the pod.
    # shellcheck disable=SC2016,SC2317
    mysql_in() {
      local pod=$1
      shift
      oc exec -i "$pod" -- bash -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -h system-mysql -u root "$@"' mysql "$@"
    }
  EOT

  # The workloads that write into the system database and zync-database
  # on the operator-based site, stopped for the restores: the APIManager
  # sets the replicas of system-app, system-sidekiq, zync and zync-que (the
  # 0.5 operator scales them back to its counts), system-sphinx is scaled.
  apimanager_writers = "{\"spec\":{\"system\":{\"appSpec\":{\"replicas\":0},\"sidekiqSpec\":{\"replicas\":0}},\"zync\":{\"appSpec\":{\"replicas\":0},\"queSpec\":{\"replicas\":0}}}}"
  target_writers     = "system-app system-sidekiq system-sphinx zync zync-que"

  # on_source and on_target stop a step that would run on the wrong
  # cluster: the template-based site's API server is recorded by the first
  # backup step.
  on_source = <<-EOT
    on_source() {
      local here there
      [ -s "$BACKUP_DIR/${hop.name}/source-server" ] || fail "no source cluster recorded: step ${hop.name}/backup-objects records it"
      here=$(oc whoami --show-server)
      there=$(<"$BACKUP_DIR/${hop.name}/source-server")
      [ "$here" = "$there" ] || fail "oc is logged in to $here, not to the template-based site's cluster $there, where this step runs"
    }
  EOT
  on_target = <<-EOT
    on_target() {
      local here there
      [ -s "$BACKUP_DIR/${hop.name}/source-server" ] || fail "no source cluster recorded: step ${hop.name}/backup-objects records it"
      here=$(oc whoami --show-server)
      there=$(<"$BACKUP_DIR/${hop.name}/source-server")
      [ "$here" != "$there" ] || fail "oc is still logged in to the template-based site's cluster $there: log in to the OpenShift 4 cluster first (step ${hop.name}/switch-to-target)"
    }
  EOT
}

# The tenant whose Admin Portal is TENANT-admin.DOMAIN and whose backend is
# backend-TENANT.DOMAIN: the template's TENANT_NAME (3scale by default, in
# the system-seed Secret and the backend route's host, amp.yml at
# 2.8.0.GA), which the APIManager must name as tenantName (3scale by default,
# apimanager_types.go of operator 0.5.0), or the backend's host changes with
# the DNS switch. A snapshot shows it in route/backend's host.
locals {
  backend_host = field("Route", "backend", "/spec/host")
}

locals {
  snapshot_tenant = match("^backend-([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.${plan.wildcard_domain}$", local.backend_host)
}

locals {
  tenant_name = plan.tenant_name != "" ? plan.tenant_name : (local.snapshot_tenant != "" ? local.snapshot_tenant : "3scale")
}

# ------------------------------------------------------------- refusals

refuse "oracle" {
  when    = plan.system_database == "oracle"
  summary = "Migration with an Oracle system database"
  at      = ["install.system_database"]
  detail  = <<-EOT
    ampc migrates sites whose system database is MySQL or PostgreSQL in the
    3scale project. An operator-based install with Oracle needs an external
    Oracle database and a custom system image, which the template-to-operator
    guide does not describe; migrate such a site by hand with the 3scale
    operator installation guide.
  EOT
}

refuse "tenant-name-mismatch" {
  when    = plan.tenant_name != "" && local.snapshot_tenant != "" && plan.tenant_name != local.snapshot_tenant
  summary = "The plan's tenant_name is not the site's"
  at      = ["operator.tenant_name"]
  detail  = <<-EOT
    The plan says tenant_name = "${plan.tenant_name}", but the snapshot's
    backend route has the host ${local.backend_host == null ? "" : local.backend_host}: the site's TENANT_NAME
    is ${local.snapshot_tenant}. The APIManager's tenantName makes the backend's host
    backend-TENANT.${plan.wildcard_domain} on the new cluster, and the
    tenants' applications call the site's. Set tenant_name =
    "${local.snapshot_tenant}", or leave it out: ampc takes it from the snapshot.
  EOT
}

refuse "system-database-outside" {
  when    = (local.mysql && !has("DeploymentConfig", "system-mysql")) || (local.postgresql && !has("DeploymentConfig", "system-postgresql"))
  summary = "The system database is not in the project"
  at      = ["install.migrate_to", "install.system_database"]
  detail  = <<-EOT
    The migration dumps the system database from its DeploymentConfig in
    the 3scale project and restores it into the database the operator
    deploys (chapter 3), but this site has no system-${plan.system_database}
    DeploymentConfig%{ if plan.installed_at == "2.4" } (a site installed at 2.4 ran
    its ${plan.system_database} system database outside the project: the 2.4
    templates deploy system-mysql only)%{ endif }. A system database outside
    the project stays where it is, and the operator-based install needs the
    APIManager's external database settings instead, which the guide does
    not describe. Migrate such a site by hand with the 3scale operator
    installation guide, or, if the database does run in the project, export
    the namespace with --snapshot.
  EOT
}

# ============================================ the template-based site (OCP3)

step "source-check" {
  title   = "Check the template-based site: 3scale ${hop.to} on the plan's wildcard domain"
  kind    = "verify"
  cluster = "source"
  section = "3.1"
  note    = <<-EOT
    The guide's prerequisites (3.2): 3scale ${hop.to} on both sides (the runbook's
    start checks AMP_RELEASE) and a WILDCARD_DOMAIN distinct from the
    clusters' domains. The APIManager this migration creates takes the
    plan's wildcard_domain, so the runbook stops when the site's
    THREESCALE_SUPERDOMAIN (the template's WILDCARD_DOMAIN) is another, and
    tenantName ${local.tenant_name} (the plan's tenant_name, the snapshot's
    backend route, or the template's default), so it stops when the site's
    TENANT_NAME is another: the guide does not say, and the backend's host
    would change with the DNS switch. A project that holds an APIManager
    is operator-based (the new cluster's, once the migration has deployed
    3scale there), not the site this migration moves: the step stops
    there, so that a run of this bundle with oc on the new cluster (its
    state file lost) changes nothing. On OpenShift 3.11 without the
    operator the kind is unknown, which counts as none; any other failed
    read stops the step (a lost connection is not a project without an
    APIManager).
  EOT
  run = <<-EOT
    am=$(kind_names apimanagers.apps.3scale.net)
    [ -z "$am" ] || fail "project $NAMESPACE holds $am: 3scale there is operator-based, not the template-based site this bundle migrates (is oc logged in to the new cluster?)"
    domain=$(oc get configmap system-environment -o jsonpath='{.data.THREESCALE_SUPERDOMAIN}')
    [ "$domain" = '${plan.wildcard_domain}' ] \
      || fail "the site's wildcard domain (THREESCALE_SUPERDOMAIN in configmap/system-environment) is '$domain', not ${plan.wildcard_domain} as the plan's wildcard_domain says"
    # TENANT_NAME is compared, never printed (system-seed is a Secret).
    # A failed read stops the step as it is (exists, and the read itself):
    # only a missing Secret or key reads as no tenant name.
    tenant=
    if exists secret system-seed; then
      tenant=$(oc get secret system-seed -o jsonpath='{.data.TENANT_NAME}')
      tenant=$(base64 -d <<<"$tenant") || tenant=
    fi
    [ "$tenant" = '${local.tenant_name}' ] \
      || fail "the site's TENANT_NAME (in secret/system-seed) is not ${local.tenant_name}, the tenantName of the APIManager this bundle creates: the backend's host would change from backend-TENANT.${plan.wildcard_domain} with the DNS switch. Set operator.tenant_name in the plan to the site's TENANT_NAME (oc get secret system-seed -o jsonpath='{.data.TENANT_NAME}' | base64 -d) and compile again"
    unset tenant
    oc get dc system-app >/dev/null || fail "project $NAMESPACE has no dc/system-app: it is not a template-based 3scale site"
    echo "template-based 3scale in $NAMESPACE on wildcard domain $domain, on $(oc whoami --show-server)"
  EOT
}

step "backup-objects" {
  title   = "Back up the project's objects, and the Secrets and ConfigMaps the restore needs"
  kind    = "backup"
  cluster = "source"
  section = "3.2"
  note    = <<-EOT
    "Create a backup of the template-based deployment": the project as
    chapter 1 (1.2.1) saves it, without `oc get --export` (oc 4 clients lack
    it), and the Secrets and ConfigMaps that Operating 3scale's restore
    applies, saved as JSON without the fields the source cluster owns (uid,
    resourceVersion, ownerReferences, ...), which `oc apply` on another
    cluster refuses. The step records the source cluster's API server and
    the size and access modes of each claim whose data moves (${local.claims}),
    for step ${hop.name}/create-claims; a file that exists is kept, so a re-run
    on the other cluster cannot overwrite the backup. The files hold the
    site's Secrets: keep the backup directory accordingly.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_source}
    mkdir -p "$dir/project" "$dir/restore"
    if [ -s "$dir/source-server" ]; then
      on_source
    else
      oc whoami --show-server > "$dir/source-server"
    fi
    for component in %{ for dc in local.all_dcs }${dc} %{ endfor }; do
      save_once "$dir/project/$${component}_dc.yml" get -o yaml dc "$component"
    done
    save_once "$dir/project/threescale-project-elements.yaml" get -o yaml all
    for object in rolebindings serviceaccounts secrets imagestreamtags cm rolebindingrestrictions limitranges resourcequotas pvc templates cronjobs statefulsets hpa deployments replicasets poddisruptionbudget endpoints; do
      save_once "$dir/project/$object.yaml" get -o yaml "$object"
    done
    clean='del(.metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp, .metadata.selfLink, .metadata.generation, .metadata.managedFields, .metadata.ownerReferences, .metadata.namespace, .metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"], .status)'
    for name in ${local.restore_secrets}; do
      file="$dir/restore/secret-$name.json"
      [ -s "$file" ] && continue
      oc get secret "$name" -o json | jq "$clean" > "$file.tmp"
      mv "$file.tmp" "$file"
    done
    for name in ${local.restore_configmaps}; do
      file="$dir/restore/configmap-$name.json"
      [ -s "$file" ] && continue
      oc get configmap "$name" -o json | jq "$clean" > "$file.tmp"
      mv "$file.tmp" "$file"
    done
    record_claims "$dir/claims.tsv" ${local.claims}
    echo "backup written to $dir (source cluster $(<"$dir/source-server"))"
  EOT
}

step "scale-down-source" {
  title   = "Stop the template-based site's components that write, but system-app and the databases"
  kind    = "shell"
  cluster = "source"
  section = "3.2"
  note    = <<-EOT
    The guide says the migration interrupts the service. ampc stops the old
    site before the dumps, so that nothing is written there after the
    backup; the databases keep running for the dumps, and system-app for the
    storage copy (it stops next). Each replica count is saved once, for the
    rollback section `--rollback ${hop.name}/source`, which restarts the site.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    save_replicas "$dir/replicas.json" %{ for dc in local.writers }${dc} %{ endfor }
    scale_down %{ for dc in local.writers }${dc} %{ endfor }
  EOT
}

step "backup-system-storage" {
  title   = "Copy the system storage (uploaded files) out of system-app"
  kind    = "backup"
  cluster = "source"
  section = "3.2"
  when    = !plan.s3
  note    = <<-EOT
    Operating 3scale's `oc rsync` of /opt/system/public/system, from a
    running system-app pod rather than `.items[0]`. A site on S3 keeps its
    files in the bucket, which the APIManager is pointed at instead.
  EOT
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/system-storage.done\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    pod=$(pod_of system-app)
    [ -n "$pod" ] || fail "no running system-app pod to copy the system storage from"
    mkdir -p "$dir/system-storage"
    oc rsync "$pod:/opt/system/public/system" "$dir/system-storage" --container=system-master
    touch "$dir/system-storage.done"
    echo "system storage copied into $dir/system-storage"
  EOT
}

step "scale-down-system-app" {
  title   = "Stop system-app"
  kind    = "shell"
  cluster = "source"
  section = "3.2"
  run     = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    save_replicas "$dir/replicas.json" system-app
    scale_down system-app
  EOT
}

step "backup-system-mysql" {
  title    = "Dump the system database (system-mysql)"
  kind     = "backup"
  cluster  = "source"
  section  = "3.2"
  when     = local.mysql
  requires = ["DeploymentConfig/system-mysql"]
  note     = <<-EOT
    Operating 3scale's mysqldump, run with `oc exec` instead of `oc rsh`
    (which allocates a terminal when the runbook has one, and then corrupts
    the piped dump) and compressed in the pod; the dump is kept only when it
    ends with mysqldump's completion line. With it the step records the rows
    of every table of the system database (exact COUNT(*), everything that
    writes stopped), which the restore is checked against.
  EOT
  done_if = "[ -s \"$BACKUP_DIR/${hop.name}/system-mysql-backup.gz\" ] && [ -f \"$BACKUP_DIR/${hop.name}/system-mysql-backup.counts\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_source}
    ${local.mysql_in}
    on_source
    # The pod expands MYSQL_ROOT_PASSWORD; its value never reaches this host.
    # shellcheck disable=SC2016
    dump_gz system-mysql "$dir/system-mysql-backup.gz" 'export MYSQL_PWD=$${MYSQL_ROOT_PASSWORD}; mysqldump --single-transaction -hsystem-mysql -uroot system' "^-- Dump completed"
    pod=$(pod_of system-mysql)
    [ -n "$pod" ] || fail "no running system-mysql pod to count the rows in"
    mysql_table_counts system mysql_in "$pod" > "$dir/system-mysql-backup.counts.tmp"
    mv "$dir/system-mysql-backup.counts.tmp" "$dir/system-mysql-backup.counts"
    seal "$dir/system-mysql-backup.counts"
    echo "rows of the $(wc -l < "$dir/system-mysql-backup.counts") tables of the system database recorded"
  EOT
}

step "backup-system-postgresql" {
  title    = "Dump the system database (system-postgresql)"
  kind     = "backup"
  cluster  = "source"
  section  = "3.2"
  when     = local.postgresql
  requires = ["DeploymentConfig/system-postgresql"]
  note     = "Operating 3scale's pg_dumpall -c --if-exists, run with `oc exec` and compressed in the pod; the dump is kept only when it is complete. With it the step records the rows of every table of the system database (exact count(*), everything that writes stopped), which the restore is checked against."
  done_if  = "[ -s \"$BACKUP_DIR/${hop.name}/system-postgresql-backup.gz\" ] && [ -f \"$BACKUP_DIR/${hop.name}/system-postgresql-backup.counts\" ]"
  run      = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    dump_gz system-postgresql "$dir/system-postgresql-backup.gz" "pg_dumpall -c --if-exists" "PostgreSQL database cluster dump complete"
    pod=$(pod_of system-postgresql)
    [ -n "$pod" ] || fail "no running system-postgresql pod to count the rows in"
    pg_table_counts "pod/$pod" postgres system > "$dir/system-postgresql-backup.counts.tmp"
    mv "$dir/system-postgresql-backup.counts.tmp" "$dir/system-postgresql-backup.counts"
    seal "$dir/system-postgresql-backup.counts"
    echo "rows of the $(wc -l < "$dir/system-postgresql-backup.counts") tables of the system database recorded"
  EOT
}

step "backup-zync-database" {
  title    = "Dump zync-database"
  kind     = "backup"
  cluster  = "source"
  section  = "3.2"
  requires = ["DeploymentConfig/zync-database"]
  note     = "Operating 3scale's pg_dumpall -c --if-exists, run with `oc exec` and compressed in the pod; the dump is kept only when it is complete. With it the step records the rows of every table of zync_production (exact count(*), zync stopped), which the restore is checked against."
  done_if  = "[ -s \"$BACKUP_DIR/${hop.name}/zync-database-backup.gz\" ] && [ -f \"$BACKUP_DIR/${hop.name}/zync-database-backup.counts\" ]"
  run      = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    dump_gz zync-database "$dir/zync-database-backup.gz" "pg_dumpall -c --if-exists" "PostgreSQL database cluster dump complete"
    pod=$(pod_of zync-database)
    [ -n "$pod" ] || fail "no running zync-database pod to count the rows in"
    pg_table_counts "pod/$pod" postgres zync_production > "$dir/zync-database-backup.counts.tmp"
    mv "$dir/zync-database-backup.counts.tmp" "$dir/zync-database-backup.counts"
    seal "$dir/zync-database-backup.counts"
    echo "rows of the $(wc -l < "$dir/zync-database-backup.counts") tables of zync_production recorded"
  EOT
}

step "backup-redis" {
  title    = "Copy the backend-redis and system-redis data (dump.rdb)"
  kind     = "backup"
  cluster  = "source"
  section  = "3.2"
  requires = ["DeploymentConfig/backend-redis", "DeploymentConfig/system-redis"]
  note     = <<-EOT
    Operating 3scale's `oc cp` of /var/lib/redis/data/dump.rdb, after a
    `redis-cli SAVE`, so that the copy holds everything written before the
    site stopped rather than the last background save. With each copy the
    step records the keys of each logical database (redis-cli INFO
    keyspace), which the restore is checked against.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_source}
    on_source
    for component in backend-redis system-redis; do
      file="$dir/$component-dump.rdb"
      if [ -s "$file" ] && [ -f "$dir/$component-dump.keys" ]; then
        echo "kept $file from an earlier run"
        continue
      fi
      pod=$(pod_of "$component")
      [ -n "$pod" ] || fail "no running $component pod to copy from"
      oc exec "$pod" -- redis-cli SAVE
      oc cp "$pod:/var/lib/redis/data/dump.rdb" "$file.tmp"
      [ -s "$file.tmp" ] || fail "the copy of $component's dump.rdb in $file.tmp is empty"
      redis_keys "$pod" > "$dir/$component-dump.keys.tmp"
      mv "$dir/$component-dump.keys.tmp" "$dir/$component-dump.keys"
      mv "$file.tmp" "$file"
      seal "$file" "$dir/$component-dump.keys"
      echo "$component data copied into $file, its key counts into $dir/$component-dump.keys"
    done
  EOT
}

# ============================================================ switch cluster

step "switch-to-target" {
  title        = "Log in to the OpenShift 4 cluster and create the project"
  kind         = "manual"
  cluster      = "target"
  section      = "3.2"
  instructions = <<-EOT
    The template-based site is backed up and stopped. The rest of the
    migration runs on the OpenShift 4 cluster, from this directory: the
    runbook reads the backup (the backup directory, AMPC_BACKUP_DIR or
    ${plan.backup_dir}, folder ${hop.name}) and its state file from here.

      1. Log in to the OpenShift 4 cluster as a user who may create projects
         and install operators (cluster-admin):
           oc login https://api.<OpenShift 4 cluster domain>:6443
      2. Create the project for 3scale, with the same name, and make it the
         current project:
           oc new-project ${plan.namespace}
         If the project exists, it must be empty; switch to it with
           oc project ${plan.namespace}

    The next step checks that oc no longer talks to the OpenShift 3.11
    cluster the backup came from.
  EOT
}

# ========================================================= the OpenShift 4 side

step "target-check" {
  title   = "Check that oc talks to another cluster, in a project without 3scale"
  kind    = "verify"
  cluster = "target"
  section = "3.2"
  note    = "Not in the guide: it keeps the restore from running against the cluster of the template-based site.%{ if hop.openshift_min != "" || hop.openshift_max != "" } It also reads the cluster's OpenShift version (clusterversion/version), which the ${hop.operator_version} operator of 3scale ${hop.to} supports from ${hop.openshift_min} to ${hop.openshift_max} (the fact sheets, see the hop block).%{ endif }"
  run     = <<-EOT
    ${local.on_target}
    on_target
    %{ if hop.openshift_min != "" || hop.openshift_max != "" }openshift_between '${hop.openshift_min}' '${hop.openshift_max}' 'the 3scale ${hop.to} operator'
    %{ endif }project=$(command oc project -q)
    [ "$project" = "$NAMESPACE" ] || fail "the current project is $project, not $NAMESPACE: run oc project $NAMESPACE"
    names=$(kind_names apimanagers.apps.3scale.net)
    others=
    for name in $names; do
      name=$${name#*/}
      [ "$name" = apimanager ] || others+=" $name"
    done
    others=$${others# }
    [ -z "$others" ] || fail "project $NAMESPACE already has APIManager $others; the migration creates apimanager in an empty project"
    if exists dc system-app && ! exists apimanager apimanager; then
      fail "project $NAMESPACE on $(oc whoami --show-server) runs a 3scale the migration did not create"
    fi
    echo "migrating into project $NAMESPACE on $(oc whoami --show-server)"
  EOT
}

step "operator-install" {
  title        = "Install the 3scale operator from OperatorHub"
  kind         = "manual"
  cluster      = "target"
  section      = "3.2"
  instructions = <<-EOT
    "Deploy 3scale using the operator": install the 3scale operator from
    OperatorHub, channel threescale-${hop.to}, in project ${plan.operator_namespace},
    watching project ${plan.namespace}. ampc creates the APIManager itself,
    after it has restored the site's Secrets: do not create one.

    From the command line (as cluster-admin):

      oc new-project ${plan.operator_namespace}    # unless the project exists
      oc apply -f - <<'YAML'
      apiVersion: operators.coreos.com/v1
      kind: OperatorGroup
      metadata:
        name: 3scale-operator
        namespace: ${plan.operator_namespace}
      spec:
        targetNamespaces:
        - ${plan.namespace}
      ---
      apiVersion: operators.coreos.com/v1alpha1
      kind: Subscription
      metadata:
        name: ${plan.operator_subscription}
        namespace: ${plan.operator_namespace}
      spec:
        channel: threescale-${hop.to}
        installPlanApproval: Automatic
        name: 3scale-operator
        source: redhat-operators
        sourceNamespace: openshift-marketplace
      YAML

    An air-gapped cluster names its mirrored catalog as source instead of
    redhat-operators. With installPlanApproval: Manual, approve the first
    install plan (oc get installplan --namespace=${plan.operator_namespace}).
    When the operator's project is the 3scale project itself and the
    Subscription is named 3scale-operator, the console does the same:
    Operators > OperatorHub, "Red Hat Integration - 3scale", Install, update
    channel threescale-${hop.to}, installation mode "A specific namespace on the
    cluster": ${plan.namespace}.

    Continue when the operator is installed; the next step checks it.
  EOT
}

step "operator-verify" {
  title   = "Check that the ${hop.to} operator is installed"
  kind    = "verify"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    Polls for up to 10 minutes until the Subscription is on threescale-${hop.to}
    and the operator version it installed has succeeded, then checks that
    this version is a ${hop.operator_version} one, the ${hop.to} operator (as apimanager-verify
    does): a Subscription moved to threescale-${hop.to} from an earlier channel
    keeps its earlier operator, succeeded, until OLM upgrades it (under
    manual approval, until someone approves the InstallPlan), and that
    operator would deploy the APIManager at its own release. Without the
    version check the step passed on such a cluster.
  EOT
  run     = <<-EOT
    ${local.on_target}
    on_target
    wait_operator_csv '${plan.operator_subscription}' '${plan.operator_namespace}' 10
    channel=$(oc get subscriptions.operators.coreos.com '${plan.operator_subscription}' --namespace='${plan.operator_namespace}' -o jsonpath='{.spec.channel}')
    [ "$channel" = threescale-${hop.to} ] || fail "subscriptions.operators.coreos.com/${plan.operator_subscription} in ${plan.operator_namespace} follows channel '$channel', not threescale-${hop.to}"
    installed=$(oc get subscriptions.operators.coreos.com '${plan.operator_subscription}' --namespace='${plan.operator_namespace}' -o jsonpath='{.status.installedCSV}')
    case $${installed#*.v} in
      ${hop.operator_version}.*) echo "$installed is the ${hop.to} operator" ;;
      *) fail "subscriptions.operators.coreos.com/${plan.operator_subscription} in ${plan.operator_namespace} installed $installed, not a ${hop.operator_version} operator (3scale ${hop.to}): approve its pending InstallPlan (oc get installplan --namespace=${plan.operator_namespace}) or wait until OLM has upgraded it, then re-run" ;;
    esac
  EOT
}

step "restore-objects" {
  title   = "Restore the site's Secrets and ConfigMaps before the APIManager"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    Operating 3scale, "Restoring an operator-based deployment": the Secrets
    (system-smtp, system-seed, system-database, backend-internal-api,
    system-events-hook, system-app, system-recaptcha, system-redis, zync,
    system-master-apicast, and aws-auth on S3 sites) and ConfigMaps
    (system-environment, apicast-environment) are applied before the
    APIManager is created, so that the operator keeps the credentials and
    tokens the restored databases hold. An object that exists is left as it
    is, so a re-run cannot undo what the operator did since.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    for file in "$dir"/restore/*.json; do
      [ -s "$file" ] || fail "no saved object in $dir/restore: step ${hop.name}/backup-objects writes them"
      object=$(jq -r '"\(.kind | ascii_downcase)/\(.metadata.name)"' "$file")
      if exists "$object"; then
        echo "$object exists: left as it is"
      else
        oc apply -f "$file"
      fi
    done
  EOT
}

step "create-claims" {
  title   = "Create the claims of the databases and the system storage at the site's sizes"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    Not in the guide. The 0.5 operator creates the claims of the system
    database, the system storage and the Redis pods at fixed sizes (1Gi,
    system-storage 100Mi; the APIManager has no field for them) and leaves
    a claim that exists as it is (its CreateOnlyPVCReconciler). A site whose
    data outgrew those sizes would fail its restore halfway with a full
    disk, so this step creates each claim first, asking for the size the
    site's claim had on the OpenShift 3.11 cluster (recorded by step
    ${hop.name}/backup-objects, read there when it ran) with its access modes,
    on the cluster's default storage class as the operator's would be. A
    claim that exists and asks for less stops the step, before the
    APIManager exists and any data moves.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    [ -s "$dir/claims.tsv" ] || fail "no recorded claim sizes in $dir/claims.tsv: step ${hop.name}/backup-objects records them on the template-based site's cluster"
    create_recorded_claims "$dir/claims.tsv"
  EOT
}

step "apimanager" {
  title              = "Create the APIManager"
  kind               = "create"
  cluster            = "target"
  section            = "3.2"
  manifests          = ["2.8-2.8/apimanager.yaml.tmpl"]
  note               = <<-EOT
    The guide's "deploy 3scale using the operator" as one object in the
    bundle: wildcardDomain is the plan's wildcard_domain (the template's
    WILDCARD_DOMAIN, so that the restored tenants keep their host names);
    tenantName is the site's TENANT_NAME, ${local.tenant_name} (the guide sets
    none: the operator's default, 3scale, would give a site with another
    TENANT_NAME another backend host);
    an S3 site's file storage is its aws-auth Secret, a PostgreSQL site's
    system database PostgreSQL.
  EOT
}

step "wait-deployment" {
  title   = "Wait for the operator to deploy 3scale"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = "Polls for up to 30 minutes until every DeploymentConfig of the template-based site exists again, deployed by the operator, with all its pods ready."
  run     = <<-EOT
    ${local.on_target}
    on_target
    for ((i = 0; i < 180; i++)); do
      waiting=
      for component in %{ for dc in local.all_dcs }${dc} %{ endfor }; do
        ready=$(oc get dc "$component" -o json 2>/dev/null | jq -r '(.spec.replicas // 0) == (.status.readyReplicas // 0)') || ready=false
        [ "$ready" = true ] || waiting="$waiting $component"
      done
      if [ -z "$waiting" ]; then
        echo "3scale is deployed in $NAMESPACE"
        return 0
      fi
      sleep 10
    done
    fail "not ready after 30 minutes:$waiting (see oc get apimanager apimanager -o yaml and oc get pods)"
  EOT
}

step "restore-system-storage" {
  title   = "Copy the system storage into system-app"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  when    = !plan.s3
  note    = "Operating 3scale's `oc rsync` of the saved files into /opt/system/public/system of a running system-app pod; it runs once, before system-app stops for the database restores."
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/system-storage.restored\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    [ -d "$dir/system-storage/system" ] || fail "$dir/system-storage/system is missing: step ${hop.name}/backup-system-storage writes it"
    pod=$(pod_of system-app)
    [ -n "$pod" ] || fail "no running system-app pod to copy the system storage into"
    oc rsync "$dir/system-storage/system/" "$pod:/opt/system/public/system" --container=system-master
    touch "$dir/system-storage.restored"
  EOT
}

step "stop-writers" {
  title   = "Stop what writes into the databases on the operator-based site"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    Not in the guide, which restores the databases while the operator's
    system-app, system-sidekiq, system-sphinx, zync and zync-que run: a
    PostgreSQL dump's DROP DATABASE then fails on their connections and the
    restore leaves the operator's freshly seeded data (psql exits 0), and
    anything they write during a restore mixes with it. The 0.5 operator
    scales system-app, system-sidekiq, zync and zync-que back to the
    APIManager's replicas (DeploymentConfigReconcileReplicas of
    3scale-operator v0.5.0), so the runbook sets those to 0 in the
    APIManager, saving its counts once for the start-writers step, and
    scales system-sphinx (which the operator leaves as it is), then waits
    until no pod of any of them is left.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    saved="$dir/target-apimanager-replicas.json"
    if [ ! -s "$saved" ]; then
      oc get apimanager apimanager -o json \
        | jq -c '{spec: {system: {appSpec: {replicas: (.spec.system.appSpec.replicas // 1)}, sidekiqSpec: {replicas: (.spec.system.sidekiqSpec.replicas // 1)}}, zync: {appSpec: {replicas: (.spec.zync.appSpec.replicas // 1)}, queSpec: {replicas: (.spec.zync.queSpec.replicas // 1)}}}}' > "$saved.tmp"
      mv "$saved.tmp" "$saved"
    fi
    save_replicas "$dir/target-replicas.json" system-sphinx
    oc patch apimanager apimanager --type=merge -p '${local.apimanager_writers}'
    scale_down ${local.target_writers}
  EOT
}

step "restore-system-mysql" {
  title    = "Restore the system database into system-mysql"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  when     = local.mysql
  requires = ["DeploymentConfig/system-mysql"]
  note     = <<-EOT
    Operating 3scale's restore of system-mysql, with the dump streamed into
    `oc exec` instead of `oc cp`, `gzip -d` and `oc rsh`, with nothing
    writing (stop-writers). mysql stops at the first failed statement; the
    rows of every table are then compared with those the dump recorded. A
    marker in the backup directory records a checked restore, so it runs
    once; a restore that failed runs again whole (the dump drops and
    recreates each table).
  EOT
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/system-mysql.restored\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    ${local.mysql_in}
    on_target
    dump="$dir/system-mysql-backup.gz"
    if [ ! -s "$dump" ] || [ ! -f "$dir/system-mysql-backup.counts" ]; then
      fail "$dump or its .counts is missing: step ${hop.name}/backup-system-mysql writes them"
    fi
    check_seal "$dump" "$dir/system-mysql-backup.counts"
    writers_gone "run step ${hop.name}/stop-writers first" ${local.target_writers}
    pod=$(pod_of system-mysql)
    [ -n "$pod" ] || fail "no running system-mysql pod to restore into"
    # The pod expands MYSQL_ROOT_PASSWORD; its value never reaches this host.
    # shellcheck disable=SC2016
    oc exec -i "$pod" -- bash -c 'set -o pipefail; export MYSQL_PWD=$${MYSQL_ROOT_PASSWORD}; gzip -dc | mysql -hsystem-mysql -uroot system' < "$dump"
    counts_match "$dir/system-mysql-backup.counts" mysql_table_counts system mysql_in "$pod" \
      || fail "the tables of the system database do not hold the rows of the dump (above: < restored, > dumped): see mysql's errors above; nothing points 3scale at it yet (system-app is stopped)"
    touch "$dir/system-mysql.restored"
    echo "restored: every table of the system database holds the rows of the dump"
  EOT
}

step "restore-system-postgresql" {
  title    = "Restore the system database into system-postgresql"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  when     = local.postgresql
  requires = ["DeploymentConfig/system-postgresql"]
  note     = <<-EOT
    Operating 3scale's restore of system-postgresql, with the dump streamed
    into `oc exec` and psql, with nothing writing (stop-writers), and
    ON_ERROR_STOP: the guide's psql exits 0 after failed statements. The
    only statements that always fail, pg_dumpall's DROP ROLE and CREATE
    ROLE of postgres, the role the restore runs as, are left out. The rows
    of every table are then compared with those the dump recorded. A marker
    in the backup directory records a checked restore, so it runs once; a
    restore that failed runs again whole (the dump drops and recreates the
    database).
  EOT
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/system-postgresql.restored\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    dump="$dir/system-postgresql-backup.gz"
    if [ ! -s "$dump" ] || [ ! -f "$dir/system-postgresql-backup.counts" ]; then
      fail "$dump or its .counts is missing: step ${hop.name}/backup-system-postgresql writes them"
    fi
    check_seal "$dump" "$dir/system-postgresql-backup.counts"
    writers_gone "run step ${hop.name}/stop-writers first" ${local.target_writers}
    pod=$(pod_of system-postgresql)
    [ -n "$pod" ] || fail "no running system-postgresql pod to restore into"
    pg_load_cluster "$pod" "$dump" "$dir/system-postgresql-restore.log"
    counts_match "$dir/system-postgresql-backup.counts" pg_table_counts "pod/$pod" postgres system \
      || fail "the tables of the system database do not hold the rows of the dump (above: < restored, > dumped); nothing points 3scale at it yet (system-app is stopped)"
    touch "$dir/system-postgresql.restored"
    echo "restored: every table of the system database holds the rows of the dump"
  EOT
}

step "restore-zync-database" {
  title    = "Restore zync-database"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  requires = ["DeploymentConfig/zync", "DeploymentConfig/zync-que", "DeploymentConfig/zync-database"]
  note     = <<-EOT
    Operating 3scale's restore of zync-database, with zync and zync-que
    stopped: the guide scales them with `oc patch dc`, which the 0.5
    operator undoes; stop-writers set them to 0 in the APIManager. The dump
    is streamed into `oc exec` and psql with ON_ERROR_STOP (pg_dumpall's
    DROP ROLE and CREATE ROLE of postgres, which always fail, left out), and
    the rows of every table of zync_production are compared with those the
    dump recorded. A marker records a checked restore, so it runs once.
  EOT
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/zync-database.restored\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    dump="$dir/zync-database-backup.gz"
    if [ ! -s "$dump" ] || [ ! -f "$dir/zync-database-backup.counts" ]; then
      fail "$dump or its .counts is missing: step ${hop.name}/backup-zync-database writes them"
    fi
    check_seal "$dump" "$dir/zync-database-backup.counts"
    writers_gone "run step ${hop.name}/stop-writers first" ${local.target_writers}
    pod=$(pod_of zync-database)
    [ -n "$pod" ] || fail "no running zync-database pod to restore into"
    pg_load_cluster "$pod" "$dump" "$dir/zync-database-restore.log"
    counts_match "$dir/zync-database-backup.counts" pg_table_counts "pod/$pod" postgres zync_production \
      || fail "the tables of zync_production do not hold the rows of the dump (above: < restored, > dumped); zync is stopped"
    touch "$dir/zync-database.restored"
    echo "restored: every table of zync_production holds the rows of the dump"
  EOT
}

step "redis-restore-mode" {
  title    = "Turn off Redis persistence for the restore (configmap redis-config)"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  requires = ["DeploymentConfig/backend-redis", "DeploymentConfig/system-redis"]
  note     = <<-EOT
    Operating 3scale's `oc edit configmap redis-config` (comment out the
    save lines, appendonly no) becomes an edit of redis.conf with jq; the
    ConfigMap as the operator made it is saved first, once, and the
    redis-normal-mode step puts it back. The edit also adds `save ""`:
    without any save line Redis keeps its default save points, and the
    redeploy of the restore-redis step would then make it save what it
    holds over the copied dump.rdb when it stops (SIGTERM), which loses the
    restore. Both Redis DeploymentConfigs read
    this ConfigMap, so both are redeployed, each unless its running server
    has no save points and no append-only file already (CONFIG GET,
    `redis_persistence`): a re-run after a lost connection starts no second
    rollout, and one after the redis-normal-mode step (to load a dump
    again) does redeploy. Once both are restored, a re-run skips the step.
  EOT
  done_if = "[ -e \"$BACKUP_DIR/${hop.name}/backend-redis.restored\" ] && [ -e \"$BACKUP_DIR/${hop.name}/system-redis.restored\" ]"
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    saved="$dir/target-redis-config.json"
    if [ ! -s "$saved" ]; then
      oc get configmap redis-config -o json > "$saved.tmp"
      mv "$saved.tmp" "$saved"
    fi
    patch=$(jq -c '{data: {"redis.conf": ((.data["redis.conf"] | gsub("(?m)^save "; "#save ") | gsub("(?m)^appendonly yes"; "appendonly no")) + "\nsave \"\"\n")}}' "$saved")
    oc patch configmap redis-config --type=merge -p "$patch"
    for component in backend-redis system-redis; do
      wait_rollout "dc/$component"
      pod=$(pod_of "$component")
      [ -n "$pod" ] || fail "no running $component pod"
      mode=$(redis_persistence "$pod")
      if [ "$mode" = off ]; then
        echo "$component runs without persistence already; no redeploy"
      else
        redeploy "$component"
      fi
    done
  EOT
}

step "restore-redis" {
  title    = "Load the saved dump.rdb into backend-redis and system-redis"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  requires = ["DeploymentConfig/backend-redis", "DeploymentConfig/system-redis"]
  note     = <<-EOT
    Operating 3scale's restore of backend-redis and system-redis: move the
    pod's dump.rdb and appendonly.aof aside, copy the saved dump.rdb in,
    redeploy, check that the instance holds the keys the dump recorded,
    then rewrite the append-only file (BGREWRITEAOF) and wait until
    aof_rewrite_in_progress is 0, which the guide checks by hand, and until
    the rewrite is not only scheduled, and stop unless the rewrite reports
    ok (aof_last_bgrewrite_status): the next step makes Redis load that
    file. Each is done once (a marker records it). The dump is copied in
    once the instance's rollout is done (a pod runs), and the redeploy is
    made once (`redeploy_once`, which records the deployment it starts
    from): a re-run after a lost connection at the redeploy (the cluster
    took it, the client saw an error) waits for that rollout instead of
    finding no running pod, and starts no second one. Only keys found
    missing make the re-run load the dump again; a failed read of them
    does not.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    for component in backend-redis system-redis; do
      if [ -e "$dir/$component.restored" ]; then
        echo "$component restored before, skipped"
        continue
      fi
      file="$dir/$component-dump.rdb"
      if [ ! -s "$file" ] || [ ! -f "$dir/$component-dump.keys" ]; then
        fail "$file or its .keys is missing: step ${hop.name}/backup-redis writes them"
      fi
      check_seal "$file" "$dir/$component-dump.keys"
      if [ ! -e "$dir/$component.copied" ]; then
        wait_rollout "dc/$component"
        pod=$(pod_of "$component")
        [ -n "$pod" ] || fail "no running $component pod to restore into"
        # shellcheck disable=SC2016 # $f is the pod's
        oc exec "$pod" -- bash -c 'cd /var/lib/redis/data && for f in dump.rdb appendonly.aof; do if [ -e "$f" ]; then mv "$f" "$f-old"; fi; done'
        oc cp "$file" "$pod:/var/lib/redis/data/dump.rdb"
        touch "$dir/$component.copied"
      fi
      redeploy_once "$component" "$dir/$component-restore-from"
      pod=$(pod_of "$component")
      [ -n "$pod" ] || fail "no running $component pod after the redeploy"
      loaded=0
      redis_keys_cover "$dir/$component-dump.keys" "$pod" || loaded=$?
      case $loaded in
        0) ;;
        1)
          # The re-run copies the dump in and redeploys again.
          rm -f "$dir/$component.copied" "$dir/$component-restore-from"
          fail "$component did not load the keys of $file; nothing points 3scale at it yet: re-run to load it again"
          ;;
        *) fail "could not read the keys of $pod (see the error above): re-run when the cluster answers" ;;
      esac
      oc exec "$pod" -- redis-cli BGREWRITEAOF
      redis_aof_wait "$pod" 60 "re-run to write it again (the instance holds the dump's keys)"
      touch "$dir/$component.restored"
      echo "$component restored from $file"
    done
  EOT
}

step "redis-normal-mode" {
  title    = "Turn Redis persistence back on (configmap redis-config)"
  kind     = "shell"
  cluster  = "target"
  section  = "3.2"
  requires = ["DeploymentConfig/backend-redis", "DeploymentConfig/system-redis"]
  note     = "Puts back the redis.conf the redis-restore-mode step saved (the guide's second `oc edit`) and redeploys both Redis DeploymentConfigs, which then load the rewritten append-only files; each unless its running server persists already (CONFIG GET, `redis_persistence`), so that a re-run after a lost connection starts no second rollout."
  run      = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    saved="$dir/target-redis-config.json"
    [ -s "$saved" ] || fail "$saved is missing: step ${hop.name}/redis-restore-mode writes it"
    patch=$(jq -c '{data: {"redis.conf": .data["redis.conf"]}}' "$saved")
    oc patch configmap redis-config --type=merge -p "$patch"
    for component in backend-redis system-redis; do
      wait_rollout "dc/$component"
      pod=$(pod_of "$component")
      [ -n "$pod" ] || fail "no running $component pod"
      mode=$(redis_persistence "$pod")
      if [ "$mode" = on ]; then
        echo "$component runs with persistence already; no redeploy"
      else
        redeploy "$component"
      fi
    done
  EOT
}

step "redis-verify-keys" {
  title   = "Check that backend-redis and system-redis hold the keys of the dumps"
  kind    = "verify"
  cluster = "target"
  section = "3.2"
  note    = "A check the guide does not have: after the restart with persistence on, which loads the rewritten append-only files, each instance holds at least the keys of each logical database that the dump recorded (at least: 3scale's readiness probe writes liveness-probe). It runs before system and zync start again."
  run     = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    for component in backend-redis system-redis; do
      recorded="$dir/$component-dump.keys"
      [ -f "$recorded" ] || fail "$recorded is missing: step ${hop.name}/backup-redis records it"
      check_seal "$recorded"
      pod=$(pod_of "$component")
      [ -n "$pod" ] || fail "no running $component pod"
      redis_keys_verify "$recorded" "$pod" "$component lost keys of the dump when it loaded its append-only file: load the dump again (re-run from ${hop.name}/redis-restore-mode after removing $dir/$component.restored)"
    done
  EOT
}

step "restart-system" {
  title   = "Start system and zync again on the restored data"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    Puts back the APIManager's replicas of system-app, system-sidekiq, zync
    and zync-que and system-sphinx's count, which stop-writers saved, and
    waits until each wants and has that many pods ready (`wait_replicas`):
    the operator scales the DeploymentConfigs some time after the
    APIManager changes, and a wait on ready against wanted pods alone
    would pass at once on their 0 of 0, leaving resync-routes without a
    system-sidekiq pod. Not in the guide: system-memcache is
    redeployed too, once (`redeploy_once`), so that it drops what it cached
    from the operator's fresh databases before the restore.
  EOT
  run = <<-EOT
    ${local.dir}
    ${local.on_target}
    on_target
    saved="$dir/target-apimanager-replicas.json"
    [ -s "$saved" ] || fail "$saved is missing: step ${hop.name}/stop-writers writes it"
    oc patch apimanager apimanager --type=merge -p "$(<"$saved")"
    restore_replicas "$dir/target-replicas.json" system-sphinx
    if exists dc system-memcache; then
      redeploy_once system-memcache "$dir/system-memcache-restart-from"
    fi
    counts=$(jq -r '[.spec.system.appSpec.replicas, .spec.system.sidekiqSpec.replicas, .spec.zync.appSpec.replicas, .spec.zync.queSpec.replicas] | @tsv' "$saved")
    read -r app sidekiq zync que <<<"$counts"
    wait_replicas system-app "$app" "the 3scale operator scales it to the APIManager's spec.system.appSpec.replicas: see its logs"
    wait_replicas system-sidekiq "$sidekiq" "the 3scale operator scales it to the APIManager's spec.system.sidekiqSpec.replicas: see its logs"
    wait_replicas zync "$zync" "the 3scale operator scales it to the APIManager's spec.zync.appSpec.replicas: see its logs"
    wait_replicas zync-que "$que" "the 3scale operator scales it to the APIManager's spec.zync.queSpec.replicas: see its logs"
    sphinx=$(saved_replicas "$dir/target-replicas.json" system-sphinx)
    wait_replicas system-sphinx "$sphinx"
  EOT
}

step "resync-routes" {
  title   = "Recreate the tenants' routes (zync:resync:domains)"
  kind    = "shell"
  cluster = "target"
  section = "3.2"
  note    = <<-EOT
    The new cluster has the routes the operator created, not the tenants'
    ones, which zync makes from the restored system database: the 2.8
    restore procedure's `bundle exec rake zync:resync:domains`, run in a
    system-sidekiq pod with `oc exec`.
  EOT
  run = <<-EOT
    ${local.on_target}
    on_target
    pod=$(pod_of system-sidekiq)
    [ -n "$pod" ] || fail "no running system-sidekiq pod to run the resync in"
    oc exec "$pod" -- bash -c 'bundle exec rake zync:resync:domains'
  EOT
}

step "routes-verify" {
  title   = "Check the routes of the wildcard domain"
  kind    = "verify"
  cluster = "target"
  section = "3.2"
  note    = "Polls for up to 10 minutes (zync creates routes in the background) until routes for the master and the Admin Portal of the wildcard domain exist, then lists every route of it. The host list is searched as a whole (grep on a here-string), so that a site with thousands of routes passes too."
  run     = <<-EOT
    domain='${plan.wildcard_domain}'
    for ((i = 0; i < 60; i++)); do
      hosts=$(oc get routes -o json | jq -r --arg d ".$domain" '[.items[]?.spec.host | select(endswith($d))] | sort | .[]')
      # Here-strings, not printf | grep -q: grep -q exits at the first match,
      # and under pipefail the printf it leaves writing to a closed pipe
      # (SIGPIPE) fails the test on a site with many routes.
      if grep -q '^master\.' <<<"$hosts" && grep -q -- '-admin\.' <<<"$hosts"; then
        printf '%s\n' "$hosts"
        return 0
      fi
      sleep 10
    done
    fail "no master and Admin Portal routes of $domain in $NAMESPACE after 10 minutes: see the zync-que logs"
  EOT
}

# ========================================================== point the domain

step "dns-switch" {
  title        = "Point the wildcard domain at the OpenShift 4 cluster"
  kind         = "manual"
  cluster      = "target"
  section      = "3.2"
  instructions = <<-EOT
    The guide's last step: *.${plan.wildcard_domain} resolves to the
    OpenShift 3.11 cluster now; point it at the OpenShift 4 cluster.

      1. Find the address of the OpenShift 4 default router:
           oc get service router-default --namespace=openshift-ingress -o jsonpath='{.status.loadBalancer.ingress[0]}'
         (a host name or an IP address; on a cluster without a load
         balancer, the addresses of the nodes that run the router pods).
      2. In the DNS zone of ${plan.wildcard_domain}, change the record of
         *.${plan.wildcard_domain}: a CNAME to that host name, or A records
         to those addresses.
      3. Wait until the old record's TTL has passed, then check that a
         3scale host resolves to the new address:
           dig +short master.${plan.wildcard_domain}

    Continue when it does.
  EOT
}

step "portal-check" {
  title        = "Log in to the Admin Portal on the new cluster and check it"
  kind         = "manual"
  cluster      = "target"
  section      = "3.2"
  instructions = <<-EOT
    Log in to the 3scale Admin Portal, https://TENANT-admin.${plan.wildcard_domain}
    (TENANT is TENANT_NAME of secret system-seed, 3scale by default), and
    check that the site is the migrated one: your products, backends,
    applications and developer accounts are there, the developer portal
    shows your content, and a call through the staging APIcast of one of
    your products is authorized. Continue when it works.

    If it does not, the template-based site can run again: log back in to
    the OpenShift 3.11 cluster (oc login, oc project ${plan.namespace}),
    run ./runbook.sh --rollback ${hop.name}/source and point the DNS record
    back at the OpenShift 3.11 router.
  EOT
}

step "apimanager-verify" {
  title   = "Check the APIManager's version annotations"
  kind    = "verify"
  cluster = "target"
  section = "3.2"
  note    = "As at the end of chapter 2: apps.3scale.net/apimanager-threescale-version ${hop.to} and apps.3scale.net/threescale-operator-version of a ${hop.operator_version} operator."
  run     = <<-EOT
    ${local.on_target}
    on_target
    check_apimanager ${hop.to} ${hop.operator_version} apimanager
  EOT
}

# ================================================================= rollback

rollback "source" {
  title   = "Restart the template-based site on OpenShift 3.11"
  section = "3.2"
  # Once the old site was stopped.
  offer_from = "scale-down-source"
  run        = <<-EOT
    ${local.dir}
    ${local.on_source}
    # Run it logged in to the OpenShift 3.11 cluster, in project $NAMESPACE.
    on_source
    if [ -s "$dir/replicas.json" ]; then
      names=$(jq -r 'keys[]' "$dir/replicas.json")
      stopped=()
      [ -z "$names" ] || mapfile -t stopped <<<"$names"
      restore_replicas "$dir/replicas.json" "$${stopped[@]}"
      for component in "$${stopped[@]}"; do
        wait_ready "$component"
      done
    fi
    # The dumps and copies belong to the window this rollback closes: the
    # site writes again, and a later attempt dumps and restores again.
    set_aside "$dir/system-storage" "$dir/system-storage.done" \
      "$dir/system-mysql-backup.gz" "$dir/system-mysql-backup.counts" "$dir/system-postgresql-backup.gz" "$dir/system-postgresql-backup.counts" \
      "$dir/zync-database-backup.gz" "$dir/zync-database-backup.counts" \
      "$dir/backend-redis-dump.rdb" "$dir/backend-redis-dump.keys" "$dir/system-redis-dump.rdb" "$dir/system-redis-dump.keys" \
      "$dir/system-storage.restored" "$dir/system-mysql.restored" "$dir/system-postgresql.restored" "$dir/zync-database.restored" \
      "$dir/backend-redis.restored" "$dir/system-redis.restored" "$dir/system-memcache-restart-from"
    forget_from ${hop.name}/scale-down-source
    echo "the template-based site runs again; point *.${plan.wildcard_domain} back at the OpenShift 3.11 router"
  EOT
}

# The target as the operator leaves it, for the model of the operator hops a
# plan may go on with (to > 2.8): the operator installed by hand in
# operator-install (its Subscription and Deployment in the operator's
# project), the DeploymentConfigs the APIManager made (under the template's
# names), and the claims, Services and ConfigMaps it created, as the
# standard layout of an operator install at 2.8 has them. The restored
# Secrets stay the site's; one the template did not have, the operator
# creates (as the layout has it). It stands after the last step, so the
# migration's own steps see the model they always did.
operator_reconciles "target" {
  note = "the operator-based install on the target cluster"
  move "DeploymentConfig" "*" {}
  add "Subscription" "*" {
    operator_namespace = true
  }
  add "Deployment" "*" {
    operator_namespace = true
  }
  add "PersistentVolumeClaim" "*" {}
  add "Service" "*" {}
  add "ConfigMap" "*" {}
  add "Secret" "*" {}
}
