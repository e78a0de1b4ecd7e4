# 3scale 2.5 → 2.6, template-based install.
#
# Source: ../shared/seeds/001_94522790b066fb62.txt, part I ("3SCALE API
# MANAGEMENT アップグレードガイド: 2.5 から 2.6 へ"), chapter 1 and sections
# 2.1 to 2.9. Steps run in the order below; each names the section it comes
# from. See README.md beside this file for the words of the rule language.
#
# The guide's `oc patch` commands read patch files from an archive
# (templates-migration-2.5-to-2.6) downloaded from a Red Hat site, and its
# section 2.3 renders the 2.6 amp.yml template with `oc new-app`. ampc
# carries every patch and every new object in the bundle instead
# (compiler/rules/manifests/2.5-2.6/), so an air-gapped site downloads
# nothing.

hop {
  from       = "2.5"
  to         = "2.6"
  deployment = "template"
  seed       = "001_94522790b066fb62.txt"
  title      = "3scale 2.5 to 2.6, template-based (part I)"
}

locals {
  latest_note = <<-EOT
    The guide appends a second tag named latest with `add /spec/tags/-`, which
    leaves two latest entries in spec.tags, a duplicate key; ampc replaces the
    existing latest tag where it stands, pinned by a test of its name.
  EOT

  download_note = <<-EOT
    The guide's command reads its patch from the templates-migration-2.5-to-2.6
    archive, downloaded from a Red Hat site; the bundle carries the patch
    itself, so an air-gapped site needs no download.
  EOT

  dump_note = <<-EOT
    The runbook works in the first running pod of the DeploymentConfig,
    where the guide takes `.items[0]`, which may be a finished deploy pod,
    and uses `oc exec` where the guide uses `oc rsh`, which allocates a
    terminal that can corrupt a piped dump. A dump is compressed in the pod
    and kept only when it ends with its tool's completion line, with its
    SHA-256 beside it (.sha256); a dump that exists is kept, so a re-run
    (--from, --only) never overwrites the backup of the site as it was.
  EOT

  merge_note = <<-EOT
    Its strategic-merge patch becomes JSON patch operations: each env var is
    appended after a test that pins the list's last entry, and each container
    is pinned by a test of its name.
  EOT

  # Every DeploymentConfig section 2.2 moves to the amp service account, in
  # the guide's order (THREESCALE_DC_NAMES), with system-postgresql for a
  # PostgreSQL system database; steps keep the ones the site has.
  all_dcs = [
    "apicast-production", "apicast-staging", "apicast-wildcard-router", "backend-cron",
    "backend-listener", "backend-redis", "backend-worker", "system-app", "system-memcache",
    "system-mysql", "system-postgresql", "system-redis", "system-sidekiq", "system-sphinx",
    "zync", "zync-database",
  ]

  routes_subdomain = <<-EOT
    The site was deployed with WILDCARD_POLICY=Subdomain: every new route
    must use the same base WildcardDomain as the old wildcard route.
  EOT

  routes_none = <<-EOT
    The site was deployed without WILDCARD_POLICY=Subdomain: every new route
    must have the host of a route you deleted, including the default routes
    3scale 2.5 created.
  EOT

  # Whether the site runs the WildcardRouter that section 2.9 retires, as
  # the hop starts.
  wildcard_router = has("DeploymentConfig", "apicast-wildcard-router")
}

# The PostgreSQL system database. The 2.5 templates have none (amp.yml
# deploys system-mysql), so a site on PostgreSQL runs one of its own making;
# section 2.7 moves it onto the 2.6 system-postgresql image stream, which is
# PostgreSQL 10 (amp-postgresql.yml at 2.6.0.GA:
# registry.redhat.io/rhscl/postgresql-10-rhel7), and PostgreSQL does not
# start on the data directory of another major version.
locals {
  # backend-listener's app label in the snapshot, as Kubernetes allows a
  # label value (the runbook's shell holds it in single quotes); "" for
  # anything else, none, or no snapshot.
  snapshot_app_label = snapshot ? match("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$", field("DeploymentConfig", "backend-listener", "/spec/template/metadata/labels/app")) : ""
}

locals {
  # The site's APP_LABEL and IMAGESTREAM_TAG_IMPORT_INSECURE, which the guide
  # passes to `oc new-app` (2.3): with a snapshot, backend-listener's pod
  # template label and whether a tag of amp-system that imports an image
  # imports it insecurely, so that the manifests of the new objects hold the
  # site's values and a reviewer sees them; without one, the template's
  # defaults, and new-objects-site-values carries the site's over at run
  # time.
  site_app_label = local.snapshot_app_label != "" ? local.snapshot_app_label : "3scale-api-management"
  site_insecure = snapshot && field("ImageStream", "amp-system", "/spec/tags") != null ? length([
    for tag in field("ImageStream", "amp-system", "/spec/tags") : tag
    if try(tag.from.kind == "DockerImage" && tag.importPolicy.insecure == true, false)
  ]) > 0 : false
  postgresql       = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  postgresql_image = field("DeploymentConfig", "system-postgresql", "/spec/template/spec/containers/0/image")
  postgresql_todo  = <<-EOT
    Upgrade the system database to PostgreSQL 10 first: dump it (pg_dumpall)
    and restore the dump into a PostgreSQL 10 deployment, or upgrade its data
    directory with pg_upgrade; then run this hop.
  EOT
}

locals {
  # The major version the image's name shows (postgresql-95-rhel7,
  # postgresql-10-rhel7, postgres:9.6, postgresql:10), or "".
  postgresql_major = match("postgres(?:ql)?[-:]([0-9]+)", local.postgresql_image)
}

refuse "system-postgresql-version" {
  when    = local.postgresql && local.postgresql_major != "" && local.postgresql_major != "10"
  summary = "The system database is not PostgreSQL 10"
  at      = ["install.system_database"]
  detail  = <<-EOT
    The snapshot's system-postgresql DeploymentConfig runs
    ${local.postgresql_image}, not PostgreSQL 10. This hop moves it onto the
    2.6 system-postgresql image stream (section 2.7), PostgreSQL 10, which
    does not start on the data directory of another major version: the
    system database would not come back. ${local.postgresql_todo} Then take
    a new snapshot and compile again.
  EOT
}

# ---------------------------------------------------------- 1 before you begin

step "system-environment-check" {
  title   = "Check that the system-environment ConfigMap exists"
  kind    = "verify"
  section = "1"
  note    = "The guide asks sites upgraded from before 2.4 to check for the ConfigMap by hand; the runbook stops when it is missing."
  run     = <<-EOT
    oc get configmap system-environment >/dev/null \
      || fail "configmap/system-environment is missing: create it as the 2.4 upgrade guide's \"Creating the ConfigMap\" says, then re-run"
  EOT
}

step "wildcard-policy-check" {
  title   = "Check that the plan's wildcard_policy is the site's WILDCARD_POLICY"
  kind    = "verify"
  section = "2.9"
  when    = local.wildcard_router
  note    = <<-EOT
    Section 2.9 branches on the WILDCARD_POLICY the site was deployed with,
    which the plan states as wildcard_policy; the runbook checks it against
    the apicast-wildcard-router route before anything changes. Only a route
    that is not there (NotFound) is taken as deleted already: a read that
    fails otherwise stops the step.
  EOT
  run     = <<-EOT
    if ! exists route apicast-wildcard-router; then
      echo "no apicast-wildcard-router route (deleted already): nothing to check"
      return 0
    fi
    policy=$(oc get route apicast-wildcard-router -o jsonpath='{.spec.wildcardPolicy}')
    [ "$${policy:-None}" = ${plan.wildcard_policy} ] \
      || fail "route/apicast-wildcard-router has wildcardPolicy '$${policy:-None}', but the plan says wildcard_policy = \"${plan.wildcard_policy}\": correct the plan and recompile"
  EOT
}

# Oracle plans: the site's system database is checked first
# (shared/template-site.hcl).
use "oracle-site-check" {
  section = "2.8"
}

# Oracle: the person prepares the build context of the 2.6 system image
# before the hop changes anything (shared/oracle-build.hcl).
use "oracle-build-context" {
  section = "2.8"
}

step "system-postgresql-version-check" {
  title   = "Check that the system database runs PostgreSQL 10"
  kind    = "verify"
  section = "1"
  when    = local.postgresql
  note    = <<-EOT
    The guide covers MySQL only, and the 2.5 templates deploy no PostgreSQL:
    a site's system-postgresql is its own. Section 2.7 moves it onto the 2.6
    image stream, PostgreSQL 10, which does not start on the data directory
    of another major version; the runbook reads the version the running
    server's psql reports and stops, before anything changes, when it is not
    10.
  EOT
  run     = <<-EOT
    pod=$(pod_of system-postgresql)
    [ -n "$pod" ] || fail "no running system-postgresql pod to read the PostgreSQL version from"
    version=$(oc exec "$pod" -- bash -c 'psql --version' | sed -n 's/.*(PostgreSQL) \([0-9][0-9.]*\).*/\1/p')
    version=$${version%%$'\n'*}
    case $version in
      10 | 10.*) echo "system-postgresql runs PostgreSQL $version" ;;
      "") fail "psql --version in pod $pod of system-postgresql printed no PostgreSQL version: check by hand that the system database is PostgreSQL 10, which the 2.6 image stream runs" ;;
      *) fail "system-postgresql runs PostgreSQL $version, and section 2.7 moves it onto the 2.6 image stream, PostgreSQL 10 (registry.redhat.io/rhscl/postgresql-10-rhel7), which does not start on the data directory of another major version. Upgrade the system database to PostgreSQL 10 first (dump it and restore the dump into PostgreSQL 10, or upgrade its data directory with pg_upgrade), then re-run: nothing has been changed yet." ;;
    esac
  EOT
}

# ---------------------------------------------------------------- 2.1 backup

step "backup-directories" {
  title   = "Create the backup directory layout"
  kind    = "backup"
  section = "2.1"
  note    = "The guide's {BACKUP_DIR} is the runbook's \"$BACKUP_DIR/2.5-2.6\"."
  run     = <<-EOT
    dir="$BACKUP_DIR/2.5-2.6"
    mkdir -p "$dir/system-database" "$dir/zync-database" "$dir/system-redis" "$dir/backend-redis" "$dir/system-app" "$dir/openshift"
    mkdir -p "$dir/openshift/configmaps" "$dir/openshift/deploymentConfigs" "$dir/openshift/imageStreams" "$dir/openshift/other" "$dir/openshift/routes" "$dir/openshift/secrets" "$dir/openshift/services"
  EOT
}

step "backup-system-mysql" {
  title   = "Dump the system database (MySQL)"
  kind    = "backup"
  section = "2.1.1"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = local.dump_note
  done_if = "[ -s \"$BACKUP_DIR/2.5-2.6/system-database/system-mysql-backup.gz\" ]"
  run     = <<-EOT
    # MYSQL_ROOT_PASSWORD is the pod's own variable.
    # shellcheck disable=SC2016
    dump_gz system-mysql "$BACKUP_DIR/2.5-2.6/system-database/system-mysql-backup.gz" 'export MYSQL_PWD=$${MYSQL_ROOT_PASSWORD}; mysqldump --single-transaction -hsystem-mysql -uroot system' "^-- Dump completed"
  EOT
}

step "backup-system-postgresql" {
  title   = "Dump the system database (PostgreSQL)"
  kind    = "backup"
  section = "2.1.1"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "The guide dumps a MySQL system database only; a PostgreSQL one is dumped with pg_dumpall, as the guide does for zync-database in 2.1.2. ${local.dump_note}"
  done_if = "[ -s \"$BACKUP_DIR/2.5-2.6/system-database/system-postgresql-backup.gz\" ]"
  run     = <<-EOT
    dump_gz system-postgresql "$BACKUP_DIR/2.5-2.6/system-database/system-postgresql-backup.gz" "pg_dumpall -c --if-exists" "PostgreSQL database cluster dump complete"
  EOT
}

step "backup-zync-database" {
  title   = "Dump the zync database"
  kind    = "backup"
  section = "2.1.2"
  note    = local.dump_note
  done_if = "[ -s \"$BACKUP_DIR/2.5-2.6/zync-database/zync-database-backup.gz\" ]"
  run     = <<-EOT
    dump_gz zync-database "$BACKUP_DIR/2.5-2.6/zync-database/zync-database-backup.gz" "pg_dumpall -c --if-exists" "PostgreSQL database cluster dump complete"
  EOT
}

step "backup-redis" {
  title   = "Copy the system-redis and backend-redis dumps"
  kind    = "backup"
  section = "2.1.3"
  note    = "Sections 2.1.3 and 2.1.4; a Redis that runs outside the project (no DeploymentConfig) is skipped. The guide copies dump.rdb as Redis last wrote it; the runbook runs redis-cli SAVE first, so that the copy holds every key now and exists on a Redis that never saved (the copy failed there: found on the simulated cluster). ${local.dump_note}"
  run     = <<-EOT
    for redis in system-redis backend-redis; do
      exists dc "$redis" || continue
      file="$BACKUP_DIR/2.5-2.6/$redis/$redis-dump.rdb"
      if [ -s "$file" ]; then
        echo "kept $file from an earlier run"
        continue
      fi
      pod=$(pod_of "$redis")
      [ -n "$pod" ] || fail "no running $redis pod to copy the dump from"
      oc exec "$pod" -- redis-cli SAVE
      oc cp "$pod:/var/lib/redis/data/dump.rdb" "$file.tmp"
      [ "$(head -c 5 "$file.tmp")" = REDIS ] || fail "$file.tmp is not a Redis dump file"
      mv "$file.tmp" "$file"
      seal "$file"
    done
  EOT
}

step "backup-system-app" {
  title   = "Copy the system-app persistent data"
  kind    = "backup"
  section = "2.1.5"
  when    = !plan.s3
  note    = "On S3 sites (amp-s3) the files are in the bucket, and there is nothing to copy. ${local.dump_note}"
  run     = <<-EOT
    pod=$(pod_of system-app)
    [ -n "$pod" ] || fail "no running system-app pod to copy the persistent data from"
    oc rsync "$pod:/opt/system/public/system" "$BACKUP_DIR/2.5-2.6/system-app/"
  EOT
}

step "backup-objects" {
  title   = "Back up the OpenShift objects, one file per object, and the other resources"
  kind    = "backup"
  section = "2.1.6"
  note    = <<-EOT
    Sections 2.1.6 to 2.1.12. The guide exports with `oc get --export`,
    which oc 4.x clients no longer have and which drops fields a restore
    needs; ampc keeps the full objects. The guide's name filters
    (`awk`/`grep -v NAME`, and `grep -v default` for the token Secrets of
    the default, builder and deployer service accounts) become object lists
    and name prefixes. On Oracle sites the BuildConfigs are saved too: the
    Oracle build of 2.8 changes 3scale-amp-system-oracle. The files hold
    Secret values: keep the directory where Secrets belong. Each list of
    names is read before its loop: a list that fails stops the step (in a
    for loop's word list, its failure would leave that kind out of the
    backup without a word).
  EOT
  run     = <<-EOT
    dir="$BACKUP_DIR/2.5-2.6/openshift"
    names=$(oc get dc -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      oc get -o yaml dc "$object" > "$dir/deploymentConfigs/$${object}_dc.yaml"
    done
    names=$(oc get is -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      oc get -o yaml is "$object" > "$dir/imageStreams/$${object}_is.yaml"
    done
    names=$(oc get secret -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      case $object in
        default-*|builder-*|deployer-*) continue ;;
      esac
      oc get -o yaml secret "$object" > "$dir/secrets/$${object}_secret.yaml"
    done
    names=$(oc get svc -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      oc get -o yaml svc "$object" > "$dir/services/$${object}_svc.yaml"
    done
    names=$(oc get routes -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      oc get -o yaml route "$object" > "$dir/routes/$${object}_route.yaml"
    done
    names=$(oc get cm -o jsonpath='{.items[*].metadata.name}')
    for object in $names; do
      oc get -o yaml cm "$object" > "$dir/configmaps/$${object}_cm.yaml"
    done
    oc get -o yaml all > "$dir/other/threescale-project-elements.yaml"
    for object in rolebindings serviceaccounts secrets imagestreamtags cm rolebindingrestrictions limitranges resourcequotas pvc templates cronjobs statefulsets hpa deployments replicasets poddisruptionbudget endpoints%{ if plan.system_database == "oracle" } buildconfigs%{ endif }; do
      oc get -o yaml "$object" > "$dir/other/$object.yaml"
    done
    empty=$(find "$BACKUP_DIR/2.5-2.6" -type f -empty | head -n 1)
    [ -z "$empty" ] || fail "backup file $empty is empty"
    echo "backup written to $BACKUP_DIR/2.5-2.6"
  EOT
}

step "backup-oracle" {
  title        = "Back up the Oracle system database"
  kind         = "manual"
  section      = "1"
  when         = plan.system_database == "oracle"
  note         = "The guide's tools section asks for a database backup whose procedure depends on the database; its 2.1.1 covers MySQL only."
  instructions = <<-EOT
    This site keeps its system database on Oracle, outside the project, so
    the backup step could not dump it. Back up the Oracle system database
    with your database team's procedure now, before anything changes.
  EOT
}

# --------------------------------------------------- 2.2 authenticated registry

step "registry-auth-secret" {
  title   = "Create the threescale-registry-auth pull secret for registry.redhat.io"
  kind    = "manual"
  section = "2.2"
  note    = <<-EOT
    The bundle never holds credentials: the site creates its own pull secret.
    Skipped when the Secret exists already.
  EOT
  done_if      = "exists secret threescale-registry-auth"
  instructions = <<-EOT
    From 2.6 on, the 3scale images come from the authenticated registry
    registry.redhat.io. The pods pull them with a Secret named
    threescale-registry-auth in project ${plan.namespace}, which only you can
    create: ampc never puts credentials into a bundle.

    1. Create a registry service account (a registry token) for this site in
       the Red Hat Customer Portal, under Registry Service Accounts (see
       "Red Hat Container Registry Authentication").
    2. Create the Secret, in one of these ways:

       a. with the token's user name and password:

          oc create secret docker-registry threescale-registry-auth \
            --namespace=${plan.namespace} \
            --docker-server=registry.redhat.io \
            --docker-username='12345678|account-name' \
            --docker-password='the-token'

          (the password then stays in your shell history: clear it, or use b
          or c);

       b. from the OpenShift Secret the Service Accounts panel lets you
          download (tab "OpenShift Secret"): change metadata.name in the file
          to threescale-registry-auth, then

          oc create --namespace=${plan.namespace} -f the-secret-name.yml

       c. from a Docker config file that holds the registry login:

          oc create secret generic threescale-registry-auth \
            --namespace=${plan.namespace} \
            --type=kubernetes.io/dockerconfigjson \
            --from-file=.dockerconfigjson=path/to/config.json

    3. Check that it exists, without printing it:

          oc get secret threescale-registry-auth --namespace=${plan.namespace}
  EOT
}

step "registry-auth-secret-verify" {
  title   = "Check that threescale-registry-auth exists and is a registry pull secret"
  kind    = "verify"
  section = "2.2"
  note    = "The guide shows the Secret with its contents; the runbook checks its existence and type only, so that no credential reaches the terminal or the log."
  run     = <<-EOT
    secret_type=$(oc get secret threescale-registry-auth -o jsonpath='{.type}') \
      || fail "secret/threescale-registry-auth is missing: create it (step 2.5-2.6/registry-auth-secret), then re-run"
    [ "$secret_type" = kubernetes.io/dockerconfigjson ] \
      || fail "secret/threescale-registry-auth has type $secret_type, not kubernetes.io/dockerconfigjson"
  EOT
}

step "amp-service-account" {
  title     = "Create the amp service account that pulls with threescale-registry-auth"
  kind      = "create"
  section   = "2.2"
  when      = !has("ServiceAccount", "amp")
  note      = "The guide's amp-sa.yml, carried in the bundle. A site that created amp ahead of the window (its snapshot has it) skips this step, and an amp service account that exists when the runbook runs is left as it is; the next step checks its pull secret either way."
  manifests = ["2.5-2.6/serviceaccount-amp.yaml"]
}

step "amp-service-account-verify" {
  title   = "Check that the amp service account lists threescale-registry-auth"
  kind    = "verify"
  section = "2.2"
  run     = <<-EOT
    holds serviceaccount/amp '(.imagePullSecrets // []) | map(.name) | index("threescale-registry-auth") != null' \
      || fail "serviceaccount/amp does not list threescale-registry-auth in imagePullSecrets: add it (oc secrets link amp threescale-registry-auth --for=pull), then re-run"
  EOT
}

step "amp-service-account-permissions" {
  title   = "Give amp the permissions of the project's default service account"
  kind    = "shell"
  section = "2.2"
  note    = <<-EOT
    Step 9 of the section asks that the permissions of the project's default
    service account be replicated to amp before the DeploymentConfigs move
    to it, and gives the view cluster role of service discovery as the
    example. The runbook compares them instead of assuming that one: each
    RoleBinding of the project that names default gets a twin that names
    amp (amp-NAME, the same role); the cluster role bindings and the
    security context constraints that name default and not amp, which only
    a cluster administrator can grant, are listed with the commands that
    grant them, and the step stops until they are granted. Where the
    runbook's user cannot read them, it stops with what to verify, and
    --ack of the step confirms it.
  EOT
  run     = <<-EOT
    # sa(NAME): the subject is service account NAME of the project, as a
    # ServiceAccount or as its user name. (jq, not shell: its $ are jq's.)
    # shellcheck disable=SC2016
    subjects='def sa($n): (.kind == "ServiceAccount" and .name == $n and ((.namespace // $ns) == $ns)) or (.kind == "User" and .name == "system:serviceaccount:\($ns):\($n)");'
    bindings=$(oc get rolebindings -o json | jq -c --arg ns "$NAMESPACE" "$subjects"'
      [.items[] | select(any(.subjects[]?; sa("amp"))) | .roleRef] as $amp
      | .items[] | select(any(.subjects[]?; sa("default"))) | .roleRef as $r | select(any($amp[]; . == $r) | not)
      | {apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: {name: ("amp-" + .metadata.name)[0:253]}, roleRef: $r, subjects: [{kind: "ServiceAccount", name: "amp", namespace: $ns}]}')
    while IFS= read -r binding; do
      [ -n "$binding" ] || continue
      printf '%s\n' "$binding" | oc apply -f -
    done <<<"$bindings"
    grants=() unreadable=()
    if crbs=$(oc get clusterrolebindings -o json 2>/dev/null); then
      roles=$(jq -r --arg ns "$NAMESPACE" "$subjects"'
        ([.items[] | select(any(.subjects[]?; sa("default"))) | .roleRef.name] - [.items[] | select(any(.subjects[]?; sa("amp"))) | .roleRef.name]) | unique[]' <<<"$crbs")
      while IFS= read -r role; do
        [ -z "$role" ] || grants+=("oc adm policy add-cluster-role-to-user $role system:serviceaccount:$NAMESPACE:amp")
      done <<<"$roles"
    else
      unreadable+=("cluster role bindings")
    fi
    if sccs=$(oc get securitycontextconstraints -o json 2>/dev/null); then
      names=$(jq -r --arg ns "$NAMESPACE" '.items[] | select((.users // []) as $u | ($u | index("system:serviceaccount:\($ns):default")) and ($u | index("system:serviceaccount:\($ns):amp") | not)) | .metadata.name' <<<"$sccs")
      while IFS= read -r scc; do
        [ -z "$scc" ] || grants+=("oc adm policy add-scc-to-user $scc -z amp -n $NAMESPACE")
      done <<<"$names"
    else
      unreadable+=("security context constraints")
    fi
    if [ "$${#grants[@]}" -gt 0 ]; then
      fail "the default service account of $NAMESPACE has cluster-wide permissions that amp lacks; have a cluster administrator run: $(printf '%s; ' "$${grants[@]}")then re-run"
    fi
    if [ "$${#unreadable[@]}" -gt 0 ]; then
      if is_acked "$CURRENT_STEP"; then
        echo "$${unreadable[*]} not readable here; confirmed with --ack $CURRENT_STEP"
      else
        fail "cannot read the $${unreadable[*]} to compare amp with default: have a cluster administrator check that system:serviceaccount:$NAMESPACE:amp holds every cluster role and security context constraint that system:serviceaccount:$NAMESPACE:default holds (oc adm policy add-cluster-role-to-user ROLE system:serviceaccount:$NAMESPACE:amp, oc adm policy add-scc-to-user SCC -z amp -n $NAMESPACE; service discovery with service account authentication needs the view cluster role), then re-run with --ack $CURRENT_STEP"
      fi
    fi
    echo "amp holds the permissions of the default service account"
  EOT
}

step "service-account-dcs" {
  title   = "Run every DeploymentConfig with the amp service account"
  kind    = "patch"
  section = "2.2"
  note    = <<-EOT
    The guide's loop of strategic-merge patches over THREESCALE_DC_NAMES
    becomes one JSON patch per DeploymentConfig the site has; a site without
    a listed DeploymentConfig (external Redis, another system database, no
    WildcardRouter) gets no patch for it instead of a failing command.
  EOT
  # One patch per DeploymentConfig of the list; the WildcardRouter, the
  # Redis DeploymentConfigs and the system database's only where the site
  # has them, every other one where it must.
  patch "DeploymentConfig" "each" {
    for_each = local.all_dcs
    name     = each.value
    when     = has("DeploymentConfig", each.value) || !(each.value == "apicast-wildcard-router" || each.value == "backend-redis" || each.value == "system-mysql" || each.value == "system-postgresql" || each.value == "system-redis")
    set "/spec/template/spec/serviceAccountName" { value = "amp" }
  }
}

step "wait-service-account" {
  title   = "Wait for every DeploymentConfig to redeploy with the amp service account"
  kind    = "wait"
  section = "2.2"
  note    = "The guide waits until `oc get dc` and `oc get pods` show every DeploymentConfig ready; the runbook waits for each rollout."
  rollout = [for dc in local.all_dcs : dc if has("DeploymentConfig", dc)]
}

step "service-account-verify" {
  title   = "Check that every DeploymentConfig runs with the amp service account"
  kind    = "verify"
  section = "2.2"
  run     = <<-EOT
    for component in %{ for dc in local.all_dcs }%{ if has("DeploymentConfig", dc) }${dc} %{ endif }%{ endfor }; do
      account=$(oc get dc "$component" -o jsonpath='{.spec.template.spec.serviceAccountName}')
      echo "$component serviceAccountName: $account"
      [ "$account" = amp ] || fail "dc/$component runs with service account '$account', not amp"
    done
  EOT
}

# ------------------------------------------------ 2.3 new OpenShift resources

step "new-image-streams" {
  title   = "Create the database image streams of the 2.6 template"
  kind    = "create"
  section = "2.3"
  note    = <<-EOT
    The guide renders the whole 2.6 amp.yml with `oc new-app` and expects
    errors for the objects that exist; ampc creates only the new ones, from
    manifests written from the 2.6 template and carried in the bundle. The
    template's WILDCARD_DOMAIN parameter, which the guide reads from
    system-environment, is used by none of them. An object that exists
    already is left as it is.
  EOT
  manifests = [
    "2.5-2.6/imagestream-zync-database-postgresql.yaml.tmpl",
    "2.5-2.6/imagestream-backend-redis.yaml.tmpl",
    "2.5-2.6/imagestream-system-redis.yaml.tmpl",
    "2.5-2.6/imagestream-system-memcached.yaml.tmpl",
  ]
}

step "new-image-stream-system-mysql" {
  title     = "Create the system-mysql image stream of the 2.6 template"
  kind      = "create"
  section   = "2.3"
  when      = plan.system_database == "mysql"
  manifests = ["2.5-2.6/imagestream-system-mysql.yaml.tmpl"]
}

step "new-image-stream-system-postgresql" {
  title     = "Create the system-postgresql image stream of the 2.6 template"
  kind      = "create"
  section   = "2.3"
  when      = plan.system_database == "postgresql"
  note      = "The guide (amp.yml) creates system-mysql; a site with a PostgreSQL system database gets the 2.6 system-postgresql image stream instead, which the 2.6 → 2.7 guide updates."
  manifests = ["2.5-2.6/imagestream-system-postgresql.yaml.tmpl"]
}

step "new-zync-que" {
  title   = "Create zync-que: its role, service account, role binding and DeploymentConfig"
  kind    = "create"
  section = "2.3"
  note    = "From the 2.6 template, carried in the bundle. The zync-que pod fails until section 2.8 points amp-zync at the 2.6 image, as the guide expects."
  manifests = [
    "2.5-2.6/role-zync-que-role.yaml",
    "2.5-2.6/serviceaccount-zync-que-sa.yaml",
    "2.5-2.6/rolebinding-zync-que-rolebinding.yaml",
    "2.5-2.6/deploymentconfig-zync-que.yaml.tmpl",
  ]
}

step "new-objects-site-values" {
  title    = "Give the new objects the site's app label and image import policy"
  kind     = "shell"
  section  = "2.3"
  requires = ["DeploymentConfig/backend-listener", "ImageStream/amp-system"]
  note     = <<-EOT
    The guide passes the site's APP_LABEL (from backend-listener's pod
    template) and IMAGESTREAM_TAG_IMPORT_INSECURE (from amp-system) to
    `oc new-app`. With a snapshot, the manifests of the new objects hold the
    snapshot's values (a reviewer sees them in the bundle); without one,
    the template's defaults (3scale-api-management, false). This step reads
    the live site's values and changes the new objects only where they
    differ from the manifests' (a site compiled without a snapshot and
    deployed with other values, or one that changed since the snapshot
    under AMPC_IGNORE_DRIFT=1): on a site like its snapshot it changes
    nothing. The guide reads .spec.tags[0].importPolicy.insecure, which is
    the latest tag's and always empty; ampc reads the tags that import an
    image.
  EOT
  run      = <<-EOT
    app_label=$(oc get dc backend-listener -o json | jq -r '.spec.template.metadata.labels.app // empty')
    [ -n "$app_label" ] || fail "dc/backend-listener has no app label in its pod template"
    insecure=$(oc get imagestream amp-system -o json | jq -r '[.spec.tags[] | select(.from.kind == "DockerImage") | .importPolicy.insecure == true] | any')
    echo "APP_LABEL=$app_label IMAGESTREAM_TAG_IMPORT_INSECURE=$insecure (the manifests: ${local.site_app_label}, ${local.site_insecure})"
    for stream in zync-database-postgresql backend-redis system-redis system-memcached system-mysql system-postgresql; do
      exists imagestream "$stream" || continue
      if [ "$app_label" != '${local.site_app_label}' ]; then
        oc label imagestream "$stream" "app=$app_label" --overwrite
      fi
      if [ "$insecure" != ${local.site_insecure} ]; then
        ops=$(oc get imagestream "$stream" -o json | jq -c --argjson insecure "$insecure" '[.spec.tags | to_entries[] | select(.value.from.kind == "DockerImage") | {op: "add", path: "/spec/tags/\(.key)/importPolicy", value: {insecure: $insecure}}]')
        oc patch imagestream "$stream" --type=json -p "$ops"
      fi
    done
    if [ "$app_label" != '${local.site_app_label}' ]; then
      oc label dc zync-que "app=$app_label" --overwrite
      oc patch dc zync-que --type=json -p "$(jq -cn --arg app "$app_label" '[{op: "replace", path: "/spec/template/metadata/labels/app", value: $app}]')"
    fi
  EOT
}

step "new-objects-verify" {
  title   = "Check that the new image streams and the zync-que objects exist"
  kind    = "verify"
  section = "2.3"
  note    = "The zync-que pod is expected to fail until section 2.8; only the objects are checked."
  run     = <<-EOT
    for object in is/zync-database-postgresql is/backend-redis is/system-redis is/system-memcached %{ if plan.system_database == "mysql" }is/system-mysql %{ endif }%{ if plan.system_database == "postgresql" }is/system-postgresql %{ endif }role/zync-que-role sa/zync-que-sa rolebinding/zync-que-rolebinding dc/zync-que; do
      oc get "$object" >/dev/null || fail "$object is missing"
    done
  EOT
}

# ------------------------------- 2.4 Redis Enterprise and Sentinel (system)

step "system-redis-secret" {
  title   = "Add the Redis Enterprise and Sentinel keys to the system-redis Secret"
  kind    = "patch"
  section = "2.4"
  note    = <<-EOT
    The guide's `oc patch secret/system-redis` with stringData sets every
    key to an empty value, which would overwrite the settings of a site that
    uses Sentinel or Redis Enterprise already. ampc adds each key only where
    it is missing: one JSON patch per key, which the runbook skips when the
    Secret has the key (whatever its value), and which a snapshot that shows
    the key leaves out. The values are the guide's empty defaults, not
    credentials: a site that uses Sentinel or Redis Enterprise fills them in
    later.
  EOT
  patch "Secret" "system-redis" {
    set "/data/MESSAGE_BUS_SENTINEL_HOSTS" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/MESSAGE_BUS_SENTINEL_ROLE" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/SENTINEL_HOSTS" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/SENTINEL_ROLE" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/MESSAGE_BUS_NAMESPACE" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/MESSAGE_BUS_URL" {
      value = ""
      keep  = true
    }
  }
  patch "Secret" "system-redis" {
    set "/data/NAMESPACE" {
      value = ""
      keep  = true
    }
  }
}

step "system-app-redis-env" {
  title   = "Add the Redis Enterprise and Sentinel env to the system-app containers"
  kind    = "patch"
  section = "2.4"
  note    = <<-EOT
    ${local.download_note} ${local.merge_note} The guide names "system-secret"
    as the source; the 2.6 template reads the system-redis Secret, and
    backend-redis for BACKEND_REDIS_SENTINEL_*, as ampc does.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master", "system-provider", "system-developer"]
      var "MESSAGE_BUS_REDIS_URL" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_URL"
      }
      var "REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "NAMESPACE"
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_NAMESPACE"
      }
      var "REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "SENTINEL_HOSTS"
      }
      var "REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "SENTINEL_ROLE"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_HOSTS"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_ROLE"
      }
      var "BACKEND_REDIS_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_HOSTS"
      }
      var "BACKEND_REDIS_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_ROLE"
      }
    }
  }
}

step "wait-system-app-redis" {
  title   = "Wait for system-app to redeploy"
  kind    = "wait"
  section = "2.4"
  rollout = ["system-app"]
}

step "prehook-redis-env" {
  title   = "Add the Redis Enterprise and Sentinel env to the system-app pre-hook pod"
  kind    = "patch"
  section = "2.4"
  note    = <<-EOT
    ${local.download_note} The guide's JSON patch appends to the pre-hook's
    env list; ampc appends the same entries after a test that pins the
    list's last entry. The pre-hook is not part of the pod template, so the
    patch starts no rollout: the next deployment runs it.
  EOT
  patch "DeploymentConfig" "system-app" {
    env {
      hook = "pre"
      var "MESSAGE_BUS_REDIS_URL" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_URL"
      }
      var "REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "NAMESPACE"
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_NAMESPACE"
      }
      var "REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "SENTINEL_HOSTS"
      }
      var "REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "SENTINEL_ROLE"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_HOSTS"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_ROLE"
      }
      var "BACKEND_REDIS_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_HOSTS"
      }
      var "BACKEND_REDIS_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_ROLE"
      }
    }
  }
}

step "sidekiq-redis-env" {
  title   = "Add the Redis Enterprise and Sentinel env to system-sidekiq and its init container"
  kind    = "patch"
  section = "2.4"
  note    = <<-EOT
    ${local.download_note} ${local.merge_note} The guide calls the init
    container "system-sidekiq"; the template names it check-svc.
  EOT
  patch "DeploymentConfig" "system-sidekiq" {
    env {
      containers = ["system-sidekiq"]
      var "MESSAGE_BUS_REDIS_URL" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_URL"
      }
      var "REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "NAMESPACE"
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_NAMESPACE"
      }
      var "REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "SENTINEL_HOSTS"
      }
      var "REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "SENTINEL_ROLE"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_HOSTS"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_ROLE"
      }
      var "BACKEND_REDIS_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_HOSTS"
      }
      var "BACKEND_REDIS_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_ROLE"
      }
    }
    env {
      init_containers = ["check-svc"]
      var "MESSAGE_BUS_REDIS_URL" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_URL"
      }
      var "REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "NAMESPACE"
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_NAMESPACE"
      }
      var "REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "SENTINEL_HOSTS"
      }
      var "REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "SENTINEL_ROLE"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_HOSTS"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_ROLE"
      }
    }
  }
}

step "wait-sidekiq-redis" {
  title   = "Wait for system-sidekiq to redeploy"
  kind    = "wait"
  section = "2.4"
  rollout = ["system-sidekiq"]
}

step "sphinx-redis-env" {
  title   = "Add the Redis env to system-sphinx"
  kind    = "patch"
  section = "2.4"
  note    = "${local.download_note} ${local.merge_note}"
  patch "DeploymentConfig" "system-sphinx" {
    env {
      containers = ["system-sphinx"]
      var "REDIS_URL" {
        secret = "system-redis"
        key    = "URL"
      }
      var "MESSAGE_BUS_REDIS_URL" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_URL"
      }
      var "REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "NAMESPACE"
      }
      var "MESSAGE_BUS_REDIS_NAMESPACE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_NAMESPACE"
      }
      var "REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "SENTINEL_HOSTS"
      }
      var "REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "SENTINEL_ROLE"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_HOSTS" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_HOSTS"
      }
      var "MESSAGE_BUS_REDIS_SENTINEL_ROLE" {
        secret = "system-redis"
        key    = "MESSAGE_BUS_SENTINEL_ROLE"
      }
    }
  }
}

step "wait-sphinx-redis" {
  title   = "Wait for system-sphinx to redeploy"
  kind    = "wait"
  section = "2.4"
  rollout = ["system-sphinx"]
}

step "system-redis-env-verify" {
  title   = "Check that every system pod reads the Redis Enterprise and Sentinel env"
  kind    = "verify"
  section = "2.4"
  note    = "The guide lists each env with `oc set env --list` or jq for a person to compare; the runbook checks each variable's source and stops when one is wrong."
  run     = <<-EOT
    system_env='{"MESSAGE_BUS_REDIS_URL": ["system-redis", "MESSAGE_BUS_URL"], "REDIS_NAMESPACE": ["system-redis", "NAMESPACE"], "MESSAGE_BUS_REDIS_NAMESPACE": ["system-redis", "MESSAGE_BUS_NAMESPACE"], "REDIS_SENTINEL_HOSTS": ["system-redis", "SENTINEL_HOSTS"], "REDIS_SENTINEL_ROLE": ["system-redis", "SENTINEL_ROLE"], "MESSAGE_BUS_REDIS_SENTINEL_HOSTS": ["system-redis", "MESSAGE_BUS_SENTINEL_HOSTS"], "MESSAGE_BUS_REDIS_SENTINEL_ROLE": ["system-redis", "MESSAGE_BUS_SENTINEL_ROLE"]}'
    backend_env='{"BACKEND_REDIS_SENTINEL_HOSTS": ["backend-redis", "REDIS_STORAGE_SENTINEL_HOSTS"], "BACKEND_REDIS_SENTINEL_ROLE": ["backend-redis", "REDIS_STORAGE_SENTINEL_ROLE"]}'
    url_env='{"REDIS_URL": ["system-redis", "URL"]}'
    # reads DC FILTER WANT...: the env list FILTER selects in dc/DC reads each
    # variable of each WANT ({"NAME": [SECRET, KEY]}) from that Secret key.
    reads() {
      local dc=$1 filter=$2 want
      shift 2
      want=$(printf '%s\n' "$@" | jq -s 'add')
      # shellcheck disable=SC2016 # the $ names are jq's (holds runs jq)
      holds "dc/$dc" --argjson want "$want" "$filter"' | . as $env | $want | to_entries | all(.key as $n | .value as $v | [$env[] | select(.name == $n)] | length == 1 and .[0].valueFrom.secretKeyRef.name == $v[0] and .[0].valueFrom.secretKeyRef.key == $v[1])'
    }
    reads system-app '.spec.strategy.rollingParams.pre.execNewPod.env' "$system_env" "$backend_env" \
      || fail "the system-app pre-hook pod does not read every Redis Enterprise and Sentinel variable"
    for c in system-master system-provider system-developer; do
      reads system-app ".spec.template.spec.containers[] | select(.name == \"$c\") | .env" "$system_env" "$backend_env" \
        || fail "container $c of dc/system-app does not read every Redis Enterprise and Sentinel variable"
    done
    reads system-sidekiq '.spec.template.spec.containers[] | select(.name == "system-sidekiq") | .env' "$system_env" "$backend_env" \
      || fail "dc/system-sidekiq does not read every Redis Enterprise and Sentinel variable"
    reads system-sidekiq '.spec.template.spec.initContainers[] | select(.name == "check-svc") | .env' "$system_env" "$url_env" \
      || fail "the check-svc init container of dc/system-sidekiq does not read every Redis Enterprise and Sentinel variable"
    reads system-sphinx '.spec.template.spec.containers[] | select(.name == "system-sphinx") | .env' "$system_env" "$url_env" \
      || fail "dc/system-sphinx does not read every Redis variable"
  EOT
}

# ------------------------------------------- 2.5 Redis Sentinel env (backend)

step "backend-worker-redis-env" {
  title   = "Add the Redis Sentinel env to the backend-worker init container"
  kind    = "patch"
  section = "2.5"
  note    = <<-EOT
    ${local.download_note} ${local.merge_note} The guide calls the init
    container "backend-worker"; the template names it backend-redis-svc.
  EOT
  patch "DeploymentConfig" "backend-worker" {
    env {
      init_containers = ["backend-redis-svc"]
      var "CONFIG_REDIS_PROXY" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_URL"
      }
      var "CONFIG_REDIS_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_HOSTS"
      }
      var "CONFIG_REDIS_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_ROLE"
      }
      var "CONFIG_QUEUES_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_QUEUES_SENTINEL_HOSTS"
      }
      var "CONFIG_QUEUES_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_QUEUES_SENTINEL_ROLE"
      }
      var "RACK_ENV" {
        config_map = "backend-environment"
        key        = "RACK_ENV"
      }
    }
  }
}

step "wait-backend-worker-redis" {
  title   = "Wait for backend-worker to redeploy"
  kind    = "wait"
  section = "2.5"
  rollout = ["backend-worker"]
}

step "backend-cron-redis-env" {
  title   = "Add the Redis Sentinel env to the backend-cron init container"
  kind    = "patch"
  section = "2.5"
  note    = <<-EOT
    ${local.download_note} ${local.merge_note} The guide calls the init
    container "backend-cron"; the template names it backend-redis-svc.
  EOT
  patch "DeploymentConfig" "backend-cron" {
    env {
      init_containers = ["backend-redis-svc"]
      var "CONFIG_REDIS_PROXY" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_URL"
      }
      var "CONFIG_REDIS_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_HOSTS"
      }
      var "CONFIG_REDIS_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_STORAGE_SENTINEL_ROLE"
      }
      var "CONFIG_QUEUES_SENTINEL_HOSTS" {
        secret = "backend-redis"
        key    = "REDIS_QUEUES_SENTINEL_HOSTS"
      }
      var "CONFIG_QUEUES_SENTINEL_ROLE" {
        secret = "backend-redis"
        key    = "REDIS_QUEUES_SENTINEL_ROLE"
      }
      var "RACK_ENV" {
        config_map = "backend-environment"
        key        = "RACK_ENV"
      }
    }
  }
}

step "wait-backend-cron-redis" {
  title   = "Wait for backend-cron to redeploy"
  kind    = "wait"
  section = "2.5"
  rollout = ["backend-cron"]
}

step "backend-redis-env-verify" {
  title   = "Check the Redis Sentinel env of the backend-worker and backend-cron init containers"
  kind    = "verify"
  section = "2.5"
  note    = "The guide lists the init container env before and after each patch for a person to compare; the runbook checks each variable's source."
  run     = <<-EOT
    # shellcheck disable=SC2016 # the $ names are jq's (holds runs jq)
    for dc in backend-worker backend-cron; do
      holds "dc/$dc" '.spec.template.spec.initContainers[] | select(.name == "backend-redis-svc") | .env as $env
        | {CONFIG_REDIS_PROXY: "REDIS_STORAGE_URL", CONFIG_REDIS_SENTINEL_HOSTS: "REDIS_STORAGE_SENTINEL_HOSTS", CONFIG_REDIS_SENTINEL_ROLE: "REDIS_STORAGE_SENTINEL_ROLE", CONFIG_QUEUES_SENTINEL_HOSTS: "REDIS_QUEUES_SENTINEL_HOSTS", CONFIG_QUEUES_SENTINEL_ROLE: "REDIS_QUEUES_SENTINEL_ROLE"}
        | to_entries | all(.key as $n | .value as $k | [$env[] | select(.name == $n)] | length == 1 and .[0].valueFrom.secretKeyRef.name == "backend-redis" and .[0].valueFrom.secretKeyRef.key == $k)
        and ([$env[] | select(.name == "RACK_ENV")] | length == 1 and .[0].valueFrom.configMapKeyRef.name == "backend-environment")' \
        || fail "the backend-redis-svc init container of dc/$dc does not read every Redis Sentinel variable"
    done
  EOT
}

# --------------------------------------------------------------- 2.6 zync env

step "zync-env" {
  title   = "Add POD_NAME and POD_NAMESPACE to zync"
  kind    = "patch"
  section = "2.6"
  note    = <<-EOT
    ${local.merge_note} The guide's fieldRef carries apiVersion v1, which is
    the server's default; ampc writes the 2.6 template's entry, without it.
  EOT
  patch "DeploymentConfig" "zync" {
    env {
      containers = ["zync"]
      var "POD_NAME" {
        field_path = "metadata.name"
      }
      var "POD_NAMESPACE" {
        field_path = "metadata.namespace"
      }
    }
  }
}

# ------------------------------------- 2.7 database DeploymentConfigs → image streams

step "backend-redis-image-stream" {
  title   = "Move backend-redis to the backend-redis image stream"
  kind    = "patch"
  section = "2.7"
  when    = has("DeploymentConfig", "backend-redis")
  note    = <<-EOT
    ${local.download_note} The triggers are set whole, as in the 2.6
    template: a ConfigChange trigger and an ImageChange trigger on
    backend-redis:latest, which sets the container's image.
  EOT
  patch "DeploymentConfig" "backend-redis" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["backend-redis"]
            from           = { kind = "ImageStreamTag", name = "backend-redis:latest" }
          }
        },
      ]
    }
  }
}

step "wait-backend-redis-image-stream" {
  title   = "Wait for backend-redis to redeploy"
  kind    = "wait"
  section = "2.7"
  when    = has("DeploymentConfig", "backend-redis")
  note    = "backend-worker, backend-cron and backend-listener may fail until backend-redis is back, as the guide says."
  rollout = ["backend-redis"]
}

step "system-redis-image-stream" {
  title   = "Move system-redis to the system-redis image stream"
  kind    = "patch"
  section = "2.7"
  when    = has("DeploymentConfig", "system-redis")
  note    = <<-EOT
    ${local.download_note} The triggers are set whole, as in the 2.6
    template. The guide says the new trigger refers to the backend-redis
    image stream; it refers to system-redis.
  EOT
  patch "DeploymentConfig" "system-redis" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["system-redis"]
            from           = { kind = "ImageStreamTag", name = "system-redis:latest" }
          }
        },
      ]
    }
  }
}

step "wait-system-redis-image-stream" {
  title   = "Wait for system-redis to redeploy"
  kind    = "wait"
  section = "2.7"
  when    = has("DeploymentConfig", "system-redis")
  rollout = ["system-redis"]
}

step "system-memcache-image-stream" {
  title   = "Move system-memcache to the system-memcached image stream"
  kind    = "patch"
  section = "2.7"
  note    = "${local.download_note} The triggers are set whole, as in the 2.6 template."
  patch "DeploymentConfig" "system-memcache" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["memcache"]
            from           = { kind = "ImageStreamTag", name = "system-memcached:latest" }
          }
        },
      ]
    }
  }
}

step "wait-system-memcache-image-stream" {
  title   = "Wait for system-memcache to redeploy"
  kind    = "wait"
  section = "2.7"
  rollout = ["system-memcache"]
}

step "system-mysql-image-stream" {
  title   = "Move system-mysql to the system-mysql image stream"
  kind    = "patch"
  section = "2.7"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  note    = "${local.download_note} The triggers are set whole, as in the 2.6 template."
  patch "DeploymentConfig" "system-mysql" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["system-mysql"]
            from           = { kind = "ImageStreamTag", name = "system-mysql:latest" }
          }
        },
      ]
    }
  }
}

step "wait-system-mysql-image-stream" {
  title   = "Wait for system-mysql to redeploy"
  kind    = "wait"
  section = "2.7"
  when    = plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql")
  rollout = ["system-mysql"]
}

step "system-postgresql-image-stream" {
  title   = "Move system-postgresql to the system-postgresql image stream"
  kind    = "patch"
  section = "2.7"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  note    = "The guide moves system-mysql only; a PostgreSQL system database gets the same move to its 2.6 image stream, which the 2.6 → 2.7 guide then updates."
  patch "DeploymentConfig" "system-postgresql" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["system-postgresql"]
            from           = { kind = "ImageStreamTag", name = "system-postgresql:latest" }
          }
        },
      ]
    }
  }
}

step "wait-system-postgresql-image-stream" {
  title   = "Wait for system-postgresql to redeploy"
  kind    = "wait"
  section = "2.7"
  when    = plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql")
  rollout = ["system-postgresql"]
}

step "zync-database-image-stream" {
  title   = "Move zync-database to the zync-database-postgresql image stream"
  kind    = "patch"
  section = "2.7"
  note    = <<-EOT
    ${local.download_note} The guide's strategic-merge patch becomes one
    JSON patch that sets the triggers whole, as in the 2.6 template: the
    ImageChange trigger moves from postgresql:10 to
    zync-database-postgresql:latest.
  EOT
  patch "DeploymentConfig" "zync-database" {
    set "/spec/triggers" {
      value = [
        { type = "ConfigChange" },
        {
          type = "ImageChange"
          imageChangeParams = {
            automatic      = true
            containerNames = ["postgresql"]
            from           = { kind = "ImageStreamTag", name = "zync-database-postgresql:latest" }
          }
        },
      ]
    }
  }
}

step "wait-zync-database-image-stream" {
  title   = "Wait for zync-database and zync to be ready again"
  kind    = "wait"
  section = "2.7"
  note    = "zync may fail until zync-database is back; the guide waits for both."
  rollout = ["zync-database", "zync"]
}

step "postgresql-image-stream-delete" {
  title   = "Delete the postgresql image stream, which nothing uses any more"
  kind    = "delete"
  section = "2.7"
  when    = has("ImageStream", "postgresql")
  delete "ImageStream" "postgresql" {}
}

step "database-image-streams-verify" {
  title   = "Check that every database DeploymentConfig follows its image stream"
  kind    = "verify"
  section = "2.7"
  note    = "The guide asks a person to look at the ImageChange triggers and their lastTriggeredImage; the runbook checks both and prints the image."
  run     = <<-EOT
    for pair in %{ if has("DeploymentConfig", "backend-redis") }backend-redis=backend-redis %{ endif }%{ if has("DeploymentConfig", "system-redis") }system-redis=system-redis %{ endif }system-memcache=system-memcached %{ if plan.system_database == "mysql" && has("DeploymentConfig", "system-mysql") }system-mysql=system-mysql %{ endif }%{ if plan.system_database == "postgresql" && has("DeploymentConfig", "system-postgresql") }system-postgresql=system-postgresql %{ endif }zync-database=zync-database-postgresql; do
      dc=$${pair%%=*}
      stream=$${pair#*=}
      image=$(oc get dc "$dc" -o json | jq -r --arg tag "$stream:latest" '[.spec.triggers[] | select(.type == "ImageChange" and .imageChangeParams.from.name == $tag) | .imageChangeParams.lastTriggeredImage // ""][0] // empty')
      [ -n "$image" ] || fail "dc/$dc has no ImageChange trigger on $stream:latest that has fired yet"
      echo "$dc follows $stream:latest: $image"
    done
  EOT
}

# ------------------------------------------------------------ 2.8 2.6 images

step "image-amp-system" {
  title   = "Point amp-system at the 2.6 system image"
  kind    = "patch"
  section = "2.8"
  when    = plan.system_database != "oracle"
  note    = local.latest_note
  patch "ImageStream" "amp-system" {
    tag "2.6" {
      image        = "registry.redhat.io/3scale-amp26/system"
      display_name = "AMP system 2.6"
    }
    tag "latest" {
      tag          = "2.6"
      display_name = "AMP system (latest)"
    }
  }
}

step "image-amp-system-oracle" {
  title   = "Oracle: add the 2.6 system image to amp-system, the base of the Oracle build"
  kind    = "patch"
  section = "2.8"
  when    = plan.system_database == "oracle"
  note    = <<-EOT
    The guide tags 2.6 and points latest at it, then rebuilds the image with
    Oracle support, which runs system on the stock image, without the Oracle
    client, until the build is done. ampc adds the 2.6 tag only, as the 2.4 →
    2.5 guide does on Oracle sites (002_fcdd7c3ee9f6ca34.txt 2.1):
    amp-system:latest stays the build's output until the next steps rebuild
    it on 2.6.
  EOT
  patch "ImageStream" "amp-system" {
    tag "2.6" {
      image        = "registry.redhat.io/3scale-amp26/system"
      display_name = "AMP system 2.6"
    }
  }
}

step "oracle-build-config" {
  title   = "Oracle: build 3scale-amp-system-oracle from amp-system:2.6"
  kind    = "patch"
  section = "2.8"
  when    = plan.system_database == "oracle"
  note    = <<-EOT
    The guide only says to rebuild the image; the BuildConfig still builds
    from amp-system:2.5.0, where the 2.4 → 2.5 guide pointed it, so the
    build would give a 2.5 image again (its Docker strategy's from replaces
    the Dockerfile's FROM). ampc points it at the 2.6 tag, as the 2.4 → 2.5
    guide does for 2.5.0; a test of the current base refuses the patch on a
    BuildConfig in another state.
  EOT
  patch "BuildConfig" "3scale-amp-system-oracle" {
    set "/spec/strategy/dockerStrategy/from/name" {
      value  = "amp-system:2.6"
      expect = "amp-system:2.5.0"
    }
  }
}

# The build context was prepared at the start of the hop (use
# "oracle-build-context"); shared/oracle-build.hcl.
use "oracle-build" {
  section = "2.8"
}

step "wait-system" {
  title   = "Wait for system-app, system-sphinx and system-sidekiq to redeploy"
  kind    = "wait"
  section = "2.8"
  rollout = ["system-app", "system-sphinx", "system-sidekiq"]
}

step "image-amp-apicast" {
  title   = "Point amp-apicast at the 2.6 APIcast image"
  kind    = "patch"
  section = "2.8"
  note    = local.latest_note
  patch "ImageStream" "amp-apicast" {
    tag "2.6" {
      image        = "registry.redhat.io/3scale-amp26/apicast-gateway"
      display_name = "AMP APIcast 2.6"
    }
    tag "latest" {
      tag          = "2.6"
      display_name = "AMP APIcast (latest)"
    }
  }
}

step "wait-apicast" {
  title   = "Wait for apicast-production and apicast-staging to redeploy"
  kind    = "wait"
  section = "2.8"
  rollout = ["apicast-production", "apicast-staging"]
}

step "image-amp-backend" {
  title   = "Point amp-backend at the 2.6 backend image"
  kind    = "patch"
  section = "2.8"
  note    = local.latest_note
  patch "ImageStream" "amp-backend" {
    tag "2.6" {
      image        = "registry.redhat.io/3scale-amp26/backend"
      display_name = "AMP Backend 2.6"
    }
    tag "latest" {
      tag          = "2.6"
      display_name = "AMP Backend (latest)"
    }
  }
}

step "wait-backend" {
  title   = "Wait for backend-listener, backend-worker and backend-cron to redeploy"
  kind    = "wait"
  section = "2.8"
  rollout = ["backend-listener", "backend-worker", "backend-cron"]
}

step "image-amp-zync" {
  title   = "Point amp-zync at the 2.6 zync image"
  kind    = "patch"
  section = "2.8"
  note    = local.latest_note
  patch "ImageStream" "amp-zync" {
    tag "2.6" {
      image        = "registry.redhat.io/3scale-amp26/zync"
      display_name = "AMP Zync 2.6"
    }
    tag "latest" {
      tag          = "2.6"
      display_name = "AMP Zync (latest)"
    }
  }
}

step "wait-zync" {
  title   = "Wait for zync and zync-que to redeploy"
  kind    = "wait"
  section = "2.8"
  note    = "zync-que, failing since section 2.3, comes up with the 2.6 image."
  rollout = ["zync", "zync-que"]
}

# The guide's `oc set env dc/system-app AMP_RELEASE=2.6` becomes the shared
# steps of shared/amp-release.hcl (2.5.0, the micro release a 2.5 site
# holds, → 2.6), and its side effect a redeploy of system-app.
use "amp-release" {
  section = "2.8"
}

use "redeploy-system-app" {
  section = "2.8"
}

use "images-verify" {
  section = "2.8"
}

# ---------------------------------------- 2.9 WildcardRouter → Zync routes

step "routes-certificates-record" {
  title        = "Record the custom certificates of the routes"
  kind         = "manual"
  section      = "2.9"
  note         = "The guide's warning before the procedure; the backup step has saved every route with its tls section."
  instructions = <<-EOT
    Zync replaces the routes of tenants and services in the next steps.
    If you installed SSL certificates by hand on some routes, note now which
    route carries which certificate: you install them on Zync's new routes
    at the end. The backup step saved every route, with its tls section,
    under ${plan.backup_dir}/2.5-2.6/openshift/routes/ (or under
    $AMPC_BACKUP_DIR if you set it).
  EOT
}

step "deployment-options" {
  title        = "Set the deployment option of services whose APIcast Zync must not route"
  kind         = "manual"
  section      = "2.9"
  note         = "Step 1 of the procedure, needed only for services that use a self-managed APIcast gateway."
  instructions = <<-EOT
    Services are migrated with the hosted deployment option, and Zync then
    creates their routes. For each service of each tenant whose APIcast is
    not to be routed by Zync, set deployment_option to self_managed, when:
      - its APIcast is linked to a custom route in OpenShift;
      - its APIcast runs outside OpenShift;
      - APICAST_PATH_ROUTING is true.
    Every other service keeps hosted. Either in the admin portal (Integration,
    edit integration settings, choose the deployment option, save), or with
    the API:

      curl -XPUT "$TENANT_URL/admin/api/services/$ID.json" -d deployment_option=self_managed -d access_token="$ACCESS_TOKEN"

    (deployment_option=hosted for a service on the hosted APIcast). If no
    service uses a self-managed gateway, there is nothing to do.
  EOT
}

step "default-routes-delete" {
  title   = "Delete the default routes that 3scale 2.5 created"
  kind    = "delete"
  section = "2.9"
  note    = "Zync creates their equivalents in the resync below."
  delete "Route" "system-master" {}
  delete "Route" "system-provider-admin" {}
  delete "Route" "system-developer" {}
  delete "Route" "api-apicast-production" {}
  delete "Route" "api-apicast-staging" {}
}

step "wildcard-route-delete" {
  title   = "Delete the wildcard route (the site was deployed with WILDCARD_POLICY=Subdomain)"
  kind    = "delete"
  section = "2.9"
  when    = plan.wildcard_policy == "Subdomain" && local.wildcard_router
  delete "Route" "apicast-wildcard-router" {}
}

step "manual-routes-delete" {
  title        = "Delete the routes created by hand for tenants and services"
  kind         = "manual"
  section      = "2.9"
  when         = plan.wildcard_policy != "Subdomain"
  note         = "Only sites deployed without WILDCARD_POLICY=Subdomain made routes by hand; ampc cannot tell them from others, so a person deletes them."
  instructions = <<-EOT
    This site was deployed without WILDCARD_POLICY=Subdomain, so the routes
    of its tenants and services were created by hand. Delete each of them
    now, or Zync's routes will duplicate them:

      oc get routes --namespace=${plan.namespace}
      oc delete route NAME --namespace=${plan.namespace}

    Keep the backend route. The default routes are deleted already, and
    apicast-wildcard-router is removed with the WildcardRouter at the end.
    When this is done, no route of a tenant or service is left.
  EOT
}

step "zync-resync" {
  title    = "Make Zync create the routes of every tenant and service"
  kind     = "shell"
  section  = "2.9"
  requires = ["DeploymentConfig/system-sidekiq"]
  note     = <<-EOT
    The guide picks the pod with `oc get pods | grep sidekiq`, which also
    matches deploy pods and may give several names, and runs `oc exec -it`,
    which needs a terminal; the runbook takes the first running
    system-sidekiq pod and runs without a terminal. A second resync is
    harmless.
  EOT
  run      = <<-EOT
    pod=$(pod_of system-sidekiq)
    [ -n "$pod" ] || fail "no running system-sidekiq pod to run the resync in"
    oc exec "$pod" -- bash -c 'bundle exec rake zync:resync:domains'
  EOT
}

step "routes-check" {
  title        = "Check that Zync created the routes of every tenant and service"
  kind         = "manual"
  section      = "2.9"
  instructions = <<-EOT
    Depending on the number of tenants and services, Zync takes a few
    minutes. List the routes:

      oc get routes --namespace=${plan.namespace}

    There must be one master admin portal route; for each tenant, an admin
    portal route and a developer portal route; for each service, an APIcast
    staging route and an APIcast production route.
    ${plan.wildcard_policy == "Subdomain" ? local.routes_subdomain : local.routes_none}
  EOT
}

step "routes-certificates-install" {
  title        = "Install the custom certificates on Zync's routes"
  kind         = "manual"
  section      = "2.9"
  instructions = <<-EOT
    If the old wildcard route, or routes created by hand, used custom SSL
    certificates (recorded before the routes were deleted), install each on
    the equivalent route Zync created: edit the route in the OpenShift web
    console and add the certificate. If there were none, there is nothing to
    do.
  EOT
}

step "routes-resolve-check" {
  title        = "Check that the existing tenants and services resolve through the new routes"
  kind         = "manual"
  section      = "2.9"
  instructions = <<-EOT
    For services and tenants that existed before this migration, check that
    each of these resolves through the new routes:
      a. the APIcast production URL of an existing service;
      b. the APIcast staging URL of an existing service;
      c. the admin portal of an existing tenant.
    Then check that Zync manages new routes:
      a. create a tenant from the master portal: within seconds, its routes
         appear in OpenShift (oc get routes);
      b. create a service in an existing tenant: within seconds, its routes
         appear.
  EOT
}

step "wildcard-router-service-delete" {
  title   = "Delete the apicast-wildcard-router service"
  kind    = "delete"
  section = "2.9"
  when    = local.wildcard_router
  delete "Service" "apicast-wildcard-router" {}
}

step "wildcard-router-delete" {
  title   = "Delete the WildcardRouter: its image stream and DeploymentConfig"
  kind    = "delete"
  section = "2.9"
  when    = local.wildcard_router
  delete "ImageStream" "amp-wildcard-router" {}
  delete "DeploymentConfig" "apicast-wildcard-router" {}
}

step "wildcard-router-route-delete" {
  title   = "Delete the apicast-wildcard-router route, whose service is gone"
  kind    = "delete"
  section = "2.9"
  when    = plan.wildcard_policy != "Subdomain" && local.wildcard_router
  note    = <<-EOT
    The guide deletes the wildcard route only on sites deployed with
    WILDCARD_POLICY=Subdomain; every 2.5 site has the route (with
    wildcardPolicy None otherwise), and after the service is deleted it
    leads nowhere, so ampc deletes it here too.
  EOT
  delete "Route" "apicast-wildcard-router" {}
}
