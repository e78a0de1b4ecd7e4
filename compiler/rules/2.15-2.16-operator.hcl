# 3scale 2.15 → 2.16, operator-based install.
#
# Source: ../shared/seeds/004_c69374ff7b8e3f6e.txt, every chapter: 1 (the
# upgrade, its prerequisites and the Oracle procedure), 2 (the APIcast
# operator), 3 (externalizing the databases on the cluster), 4 to 6 (to AWS
# RDS and ElastiCache) and 7 (troubleshooting, which the runbook prints where
# a database step fails). Steps run in the order below; each names the
# section it follows. Several headings of the guide are missing from the
# seed (3.2.2, 3.2.4, 3.2.5, 3.2.8, 3.3.2 to 3.3.4, 3.4.2, 3.4.4 to 3.4.7,
# 3.4.9, 3.4.12, 4.2.1 to 4.2.5, 4.2.7, the same in 5 and 6.2.1, 6.2.3,
# 6.2.6); their numbers are inferred from the neighbours. Chapter 1's
# procedure is cited as 1.2 (steps numbered as the guide numbers them), the
# Oracle procedure as 1.3, chapter 2's as 2.2.
#
# Branches of the guide and where they are:
#   - Oracle (preface warning): refused for 2.16.0 (refuse "oracle-2.16.0");
#     with install.to_release set to a later micro release, the custom system
#     image procedure of 1.3 (oracle-* steps), and manual approval of the
#     InstallPlan (the preface: no automatic updates with Oracle).
#   - Every database external before the channel change (1.1.1), as the
#     plan's externalize block chooses:
#       system_database = "on-cluster": PostgreSQL 10 → 15 in a new
#         Deployment (3.2, pg-*), or MySQL kept and detached from the
#         operator (3.3, mysql-*);
#       system_database = "aws": MySQL to RDS (4, mysql-rds-*) or PostgreSQL
#         to RDS (5, pg-rds-*);
#       redis = "on-cluster": both Redis 6 → 7 in new Deployments (3.4,
#         redis-*); redis = "aws": ElastiCache (6, elasticache-*);
#       "external": already external, nothing to do but confirm the versions.
#     A 2.16 plan with an internal database and no choice is refused.
#   - The APIcast operator (chapter 2) when operator.apicast_namespace is set.
#
# One maintenance window. Each section of chapters 3 to 6 is a procedure of
# its own that scales 3scale down and back up; ampc opens one window for all
# the databases the plan moves (save the replica counts, scale the operator
# and 3scale down, move each database, scale back up), so that a plan moving
# the system database and Redis stops 3scale once. The Deployments a section
# keeps running for its dumps (the databases) keep running.
#
# Run-time values. Replica counts, Secret values and the AWS endpoints and
# credentials are known only on the cluster or to the person running the
# runbook: they are read at run time (the AWS ones from AMPC_* variables
# that the manual steps name), never written into the bundle, and never put
# on a command line. Dumps are streamed through `oc exec` into the backup
# directory instead of `oc cp` (no pod name lookup, no tar in the image,
# a copy kept for the rollbacks).

hop {
  from       = "2.15"
  to         = "2.16"
  deployment = "operator"
  seed       = "004_c69374ff7b8e3f6e.txt"
  title      = "3scale 2.15 to 2.16, operator-based (chapters 1 to 7)"
}

# ------------------------------------------------------------- refusals

refuse "oracle-2.16.0" {
  when    = plan.system_database == "oracle" && (plan.to_release == "" || plan.to_release == "2.16.0")
  summary = "3scale 2.16.0 does not support Oracle"
  at      = ["install.to_release", "install.system_database"]
  detail  = <<-EOT
    The 2.16 migration guide (004_c69374ff7b8e3f6e.txt, preface) warns: "DO
    NOT ATTEMPT TO INSTALL OR UPGRADE TO 3scale 2.16 IF YOUR DEPLOYMENT USES
    ORACLE DATABASE. 3scale 2.16 is currently not compatible with Oracle DB.
    Upgrading from 2.15 to 2.16 in such environments will lead to severe
    issues preventing the system from operating correctly. Deployments using
    Oracle DB must stay on version 2.15 until compatibility is added in a
    future maintenance release (planned for 2.16.1)."

    Stay on 2.15. Once a 2.16 micro release supports Oracle, name it in the
    install block, for example to_release = "2.16.1": the bundle then builds
    the custom Oracle system image of that release (guide section 1.3) and
    stops for the approval of its InstallPlan, and no other.
  EOT
}

refuse "oracle-placement" {
  when    = plan.system_database == "oracle" && (plan.externalize_system_database == "on-cluster" || plan.externalize_system_database == "aws")
  summary = "An Oracle system database is external already"
  at      = ["externalize.system_database"]
  detail  = <<-EOT
    3scale never runs Oracle itself: the system database of an Oracle site is
    external, and the guide's on-cluster and AWS procedures (chapters 3 to 5)
    are for MySQL and PostgreSQL. Set system_database = "external" in the
    externalize block, or leave it out.
  EOT
}

refuse "apimanager" {
  when    = !has("APIManager", "*")
  summary = "No single APIManager in the project"
  at      = ["install.namespace"]
  detail  = <<-EOT
    The 2.15 → 2.16 hop reads and patches the APIManager of the 3scale
    project, and the snapshot holds none or several in namespace
    ${plan.namespace} (the operator manages one per project). Export the
    project's APIManager into the snapshot (oc get apimanager -n
    ${plan.namespace} -o yaml), or check install.namespace.
  EOT
}

refuse "system-database-choice" {
  when    = has("APIManager", "*") && (plan.system_database != "oracle" && plan.externalize_system_database == "" && field("APIManager", "*", "/spec/externalComponents/system/database") != true && field("APIManager", "*", "/spec/highAvailability/enabled") != true)
  summary = "No choice for the internal system database"
  at      = ["externalize", "install.to"]
  detail  = <<-EOT
    3scale 2.16 does not support internal databases (guide section 1.1.1):
    before the channel change, the system database must stop being managed
    by the operator. The APIManager manages it (it has no
    spec.externalComponents.system.database: true; without a snapshot, ampc
    assumes the operator's default). Choose in the plan's externalize block:

      system_database = "on-cluster"  %{ if plan.system_database == "mysql" }keep system-mysql and detach it from the operator (section 3.3)%{ else }move PostgreSQL 10 to a new PostgreSQL 15 Deployment (section 3.2)%{ endif }
      system_database = "aws"         move it to Amazon RDS (chapter %{ if plan.system_database == "mysql" }4%{ else }5%{ endif })
      system_database = "external"    it is external already
  EOT
}

refuse "redis-choice" {
  when    = has("APIManager", "*") && (plan.externalize_redis == "" && field("APIManager", "*", "/spec/highAvailability/enabled") != true && (field("APIManager", "*", "/spec/externalComponents/backend/redis") != true || field("APIManager", "*", "/spec/externalComponents/system/redis") != true))
  summary = "No choice for the internal Redis"
  at      = ["externalize", "install.to"]
  detail  = <<-EOT
    3scale 2.16 does not support internal databases (guide section 1.1.1):
    before the channel change, backend-redis and system-redis must stop being
    managed by the operator. The APIManager manages them (no
    spec.externalComponents.backend.redis and system.redis: true; without a
    snapshot, ampc assumes the operator's default). Choose in the plan's
    externalize block:

      redis = "on-cluster"  move both to new Redis 7 Deployments (section 3.4)
      redis = "aws"         move both to Amazon ElastiCache (chapter 6)
      redis = "external"    they are external already
  EOT
}

refuse "system-database-not-external" {
  when    = has("APIManager", "*") && (plan.system_database != "oracle" && plan.externalize_system_database == "external" && field("APIManager", "*", "/spec/externalComponents/system/database") != true && field("APIManager", "*", "/spec/highAvailability/enabled") != true)
  summary = "The system database is not external"
  at      = ["externalize.system_database"]
  detail  = <<-EOT
    The plan says the system database is external, but the snapshot's
    APIManager manages it (no spec.externalComponents.system.database: true).
    Choose "on-cluster" or "aws" to externalize it first (guide section
    1.1.1), or take the snapshot again if it was externalized since.
  EOT
}

refuse "system-database-already-external" {
  when    = has("APIManager", "*") && ((plan.externalize_system_database == "on-cluster" || plan.externalize_system_database == "aws") && (field("APIManager", "*", "/spec/externalComponents/system/database") == true || field("APIManager", "*", "/spec/highAvailability/enabled") == true))
  summary = "The system database is external already"
  at      = ["externalize.system_database"]
  detail  = <<-EOT
    The snapshot's APIManager no longer manages the system database
    (spec.externalComponents.system.database is true), so there is nothing to
    move. Set system_database = "external" in the externalize block.
  EOT
}

refuse "redis-not-external" {
  when    = has("APIManager", "*") && (plan.externalize_redis == "external" && field("APIManager", "*", "/spec/highAvailability/enabled") != true && (field("APIManager", "*", "/spec/externalComponents/backend/redis") != true || field("APIManager", "*", "/spec/externalComponents/system/redis") != true))
  summary = "Redis is not external"
  at      = ["externalize.redis"]
  detail  = <<-EOT
    The plan says Redis is external, but the snapshot's APIManager manages
    backend-redis or system-redis (no spec.externalComponents.backend.redis
    and system.redis: true). Choose "on-cluster" or "aws" to externalize them
    first (guide section 1.1.1), or take the snapshot again.
  EOT
}

refuse "redis-already-external" {
  when    = has("APIManager", "*") && ((plan.externalize_redis == "on-cluster" || plan.externalize_redis == "aws") && (field("APIManager", "*", "/spec/highAvailability/enabled") == true || field("APIManager", "*", "/spec/externalComponents/backend/redis") == true || field("APIManager", "*", "/spec/externalComponents/system/redis") == true))
  summary = "Redis is external already"
  at      = ["externalize.redis"]
  detail  = <<-EOT
    The snapshot's APIManager no longer manages backend-redis or system-redis
    (spec.externalComponents marks one or both external). The guide moves
    both instances together (3.4, 6); with both external set redis =
    "external"; with one external, move the other by hand and say so in the
    change review.
  EOT
}

refuse "database-namespace" {
  when    = plan.externalize_namespace == "" && ((plan.system_database == "postgresql" && plan.externalize_system_database == "on-cluster") || plan.externalize_redis == "on-cluster")
  summary = "No namespace for the on-cluster databases"
  at      = ["externalize", "install.to"]
  detail  = <<-EOT
    The on-cluster databases of sections 3.2 and 3.4 are new Deployments in a
    project of their own ("It is also possible to deploy the new database in
    the same namespace where 3scale is installed, but it is not
    recommended"). Name it in the externalize block, for example
    namespace = "3scale-db"; the runbook creates it when it does not exist.
  EOT
}

# ------------------------------------------------------------- locals

locals {
  dir         = "$BACKUP_DIR/2.15-2.16"
  operator_ns = plan.operator_namespace
  apicast_ns  = plan.apicast_namespace
  db_ns       = plan.externalize_namespace

  # The APIManager: one per project; its name comes from the snapshot (or
  # the standard layout's apimanager-sample).
  apimanager = field("APIManager", "*", "/metadata/name") == null ? "" : field("APIManager", "*", "/metadata/name")

  oracle           = plan.system_database == "oracle"
  mysql_on_cluster = plan.system_database == "mysql" && plan.externalize_system_database == "on-cluster"
  pg_on_cluster    = plan.system_database == "postgresql" && plan.externalize_system_database == "on-cluster"
  mysql_aws        = plan.system_database == "mysql" && plan.externalize_system_database == "aws"
  pg_aws           = plan.system_database == "postgresql" && plan.externalize_system_database == "aws"
  redis_on_cluster = plan.externalize_redis == "on-cluster"
  redis_aws        = plan.externalize_redis == "aws"
  redis_moves      = plan.externalize_redis == "on-cluster" || plan.externalize_redis == "aws"
  # The maintenance window opens when any database moves.
  window = plan.system_database != "oracle" && (plan.externalize_system_database == "on-cluster" || plan.externalize_system_database == "aws") || plan.externalize_redis == "on-cluster" || plan.externalize_redis == "aws"
  # Something already external, whose version only the site can confirm.
  confirm_external = plan.system_database == "oracle" || plan.externalize_system_database == "external" || plan.externalize_redis == "external"

  # The Deployments that serve 3scale, which the window stops: the guide's
  # lists without their duplicates, those this site has.
  apps = [for d in ["apicast-production", "apicast-staging", "backend-cron", "backend-listener", "backend-worker", "system-app", "system-memcache", "system-searchd", "system-sidekiq", "zync", "zync-database", "zync-que"] : d if has("Deployment", d)]
  # Every Deployment whose replica count the window saves, databases too.
  saved = [for d in ["apicast-production", "apicast-staging", "backend-cron", "backend-listener", "backend-redis", "backend-worker", "system-app", "system-memcache", "system-mysql", "system-postgresql", "system-redis", "system-searchd", "system-sidekiq", "zync", "zync-database", "zync-que"] : d if has("Deployment", d)]

  # The guide writes its commands for DeploymentConfigs (operators before
  # 2.15) and for Deployments (2.15 and later): this hop starts at 2.15.
  workload = hop.from == "2.15" ? "deployment" : "dc"

  # The Redis configuration of 3.4.5 (restore the dumps: no snapshots, no
  # append-only file), as manifests/2.15-2.16/redis-config-external.yaml
  # holds it, and the one 3.4.7 turns it into.
  redis_conf_restore = <<-EOT
    protected-mode no

    port 6379

    timeout 0
    tcp-keepalive 300

    daemonize no
    supervised no

    loglevel notice

    databases 16

    #save 900 1
    #save 300 10
    #save 60 10000
    save ""

    stop-writes-on-bgsave-error yes

    rdbcompression yes
    rdbchecksum yes

    dbfilename dump.rdb

    slave-serve-stale-data yes
    slave-read-only yes

    repl-diskless-sync no
    repl-disable-tcp-nodelay no

    appendonly no
    appendfilename "appendonly.aof"
    appendfsync everysec
    no-appendfsync-on-rewrite no
    auto-aof-rewrite-percentage 100
    auto-aof-rewrite-min-size 64mb
    aof-load-truncated yes

    lua-time-limit 5000

    activerehashing no

    aof-rewrite-incremental-fsync yes
    dir /var/lib/redis/data

    rename-command REPLICAOF ""
    rename-command SLAVEOF ""
  EOT
  redis_conf_persist = <<-EOT
    protected-mode no

    port 6379

    timeout 0
    tcp-keepalive 300

    daemonize no
    supervised no

    loglevel notice

    databases 16

    save 900 1
    save 300 10
    save 60 10000

    stop-writes-on-bgsave-error yes

    rdbcompression yes
    rdbchecksum yes

    dbfilename dump.rdb

    slave-serve-stale-data yes
    slave-read-only yes

    repl-diskless-sync no
    repl-disable-tcp-nodelay no

    appendonly yes
    appendfilename "appendonly.aof"
    appendfsync everysec
    no-appendfsync-on-rewrite no
    auto-aof-rewrite-percentage 100
    auto-aof-rewrite-min-size 64mb
    aof-load-truncated yes

    lua-time-limit 5000

    activerehashing no

    aof-rewrite-incremental-fsync yes
    dir /var/lib/redis/data

    rename-command REPLICAOF ""
    rename-command SLAVEOF ""
  EOT

}

# Shell helpers pasted into the steps that need them (the shell library of
# rules/lib has the others); this block sees the locals of the one above.
locals {
  # The server versions, as the guide's `mysql --version`, `psql --version`
  # and `redis-server --version` print them, run in the database's pod:
  # NAME_version DEPLOYMENT [OC-FLAGS].
  mysql_version = <<-EOT
    mysql_version() {
      oc exec "deployment/$1" "$${@:2}" -- mysql --version | sed -n -e 's/.*Distrib \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' -e 's/.* Ver \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1
    }
  EOT
  postgresql_version = <<-EOT
    postgresql_version() {
      oc exec "deployment/$1" "$${@:2}" -- psql --version | sed -n 's/.*(PostgreSQL) \([0-9][0-9]*\(\.[0-9][0-9]*\)\{0,1\}\).*/\1/p' | head -n 1
    }
  EOT
  redis_version = <<-EOT
    redis_version() {
      oc exec "deployment/$1" "$${@:2}" -- redis-server --version | sed -n 's/.*v=\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1
    }
  EOT

  # The replica counts the window saves (save_replicas of the shell
  # library).
  replicas = "${local.dir}/replicas.json"

  # Chapter 7, printed where a database connection fails.
  troubleshoot_database = <<-EOT
    If system-app or the system-app-pre Job logs "ActiveRecord::ConnectionNotEstablished: Unknown server host" or "Unknown database",
    the system-database Secret is wrong or the database is unreachable (guide 7.1.1.2): check its URL, DB_USER and DB_PASSWORD
    (oc get secret system-database -o jsonpath='{.data.URL}' | base64 -d), that the database name exists, and that the cluster
    reaches the database (network policies, security groups); 3scale does not support TLS to the system database (7.1.1.1).
    See oc logs job/system-app-pre and oc logs deployment/system-app.
  EOT
  troubleshoot_redis = <<-EOT
    If system-app, system-sidekiq or backend-worker logs "Redis::CannotConnectError" or "Error connecting to Redis queue storage",
    the backend-redis or system-redis Secret is wrong or Redis is unreachable (guide 7.1.2.2): check REDIS_STORAGE_URL and
    REDIS_QUEUES_URL of backend-redis and URL of system-redis, and that the cluster reaches Redis; 3scale supports neither Redis
    ACLs nor TLS (7.1.2.1). "OOM command not allowed" means Redis is out of memory (7.1.2.3).
  EOT
}

# The texts of the steps that chapters 4 and 5, and 3.4 and 6, share.
locals {
  rds_note         = "Done before the window opens, as the guide orders it. The runbook reads the endpoint and the credentials from AMPC_RDS_* variables at run time: they never reach the bundle, the log or a command line."
  rds_instructions = <<-EOT
    Create the RDS instance the system database moves to (guide %{ if local.mysql_aws }4.1 and 4.2.2%{ else }5.1 and 5.2.2%{ endif }),
    with the networking it needs (VPC, subnets, security groups) so that the
    cluster reaches it:

    1. Follow the AWS guide %{ if local.mysql_aws }"Create a MySQL DB instance"
       (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_GettingStarted.CreatingConnecting.MySQL.html)
       or "Create and Connect to a MySQL Database with Amazon RDS"%{ else }"Creating and connecting to a PostgreSQL DB instance"
       (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_GettingStarted.CreatingConnecting.PostgreSQL.html)%{ endif }.
       Choose %{ if local.mysql_aws }MySQL 8.0%{ else }PostgreSQL 15%{ endif } or later: 3scale 2.16 needs it (guide 1.1.1).
       Review storage autoscaling, automated backups and maintenance.
       3scale does not support TLS to the system database (guide 7.1.1.1).
    2. Check that a pod of the cluster reaches the instance's endpoint on its
       port (%{ if local.mysql_aws }3306%{ else }5432%{ endif } by default).
    3. When you continue (now or after the --ack), export in the shell that
       runs the runbook, without writing them into a file the bundle keeps:
         export AMPC_RDS_HOST=<AWS RDS Hostname>
         export AMPC_RDS_USER=<AWS RDS Admin Username>
         export AMPC_RDS_PASSWORD=<AWS RDS Admin Password>
         export AMPC_RDS_PORT=<port>      # only when not %{ if local.mysql_aws }3306%{ else }5432%{ endif }
       then run ./runbook.sh --ack 2.15-2.16/%{ if local.mysql_aws }mysql-rds-create%{ else }pg-rds-create%{ endif }
  EOT

  redis_dump_note = <<-EOT
    The guide asks to give Redis "some minutes" to save before copying
    dump.rdb with `oc cp`; the runbook runs SAVE in each instance, so the
    dump holds every key now, and streams it into the backup directory with
    `oc exec ... cat`, checking that it is an RDB file. Dumps that exist are
    kept (a re-run after the instances are stopped has nothing to dump).
  EOT
  redis_dump = <<-EOT
    dir="${local.dir}"
    mkdir -p "$dir"
    for redis in backend-redis system-redis; do
      oc exec "deployment/$redis" -- redis-cli SAVE
      oc exec "deployment/$redis" -- cat /var/lib/redis/data/dump.rdb > "$dir/$redis-dump.rdb.tmp"
      [ "$(head -c 5 "$dir/$redis-dump.rdb.tmp")" = REDIS ] || fail "$dir/$redis-dump.rdb.tmp is not a Redis dump file"
      redis_keys "deployment/$redis" > "$dir/$redis-dump.keys.tmp"
      mv "$dir/$redis-dump.keys.tmp" "$dir/$redis-dump.keys"
      mv "$dir/$redis-dump.rdb.tmp" "$dir/$redis-dump.rdb"
      seal "$dir/$redis-dump.rdb" "$dir/$redis-dump.keys"
      echo "$redis dumped into $dir/$redis-dump.rdb, its key counts in $dir/$redis-dump.keys"
    done
  EOT
  redis_dump_done = "[ -s \"${local.dir}/backend-redis-dump.rdb\" ] && [ -s \"${local.dir}/system-redis-dump.rdb\" ] && [ -f \"${local.dir}/backend-redis-dump.keys\" ] && [ -f \"${local.dir}/system-redis-dump.keys\" ]"
}

# The RDS moves of chapters 4 and 5: the variables, the client that
# reaches the instance from the database's pod, and the texts the MySQL
# and PostgreSQL steps share. (Each locals block sees the blocks before it.)
locals {
  rds_port = local.mysql_aws ? "3306" : "5432"
  rds_client_mysql = <<-EOT
    # The $ names expand in the pod, not here; some steps call rds only
    # through counts_match.
    # shellcheck disable=SC2016,SC2317
    rds() {
      { printf '%s\n' "$AMPC_RDS_HOST" "$port" "$AMPC_RDS_USER" "$AMPC_RDS_PASSWORD"; cat; } \
        | oc exec -i deployment/system-mysql -- bash -c 'IFS= read -r host; IFS= read -r port; IFS= read -r user; IFS= read -r MYSQL_PWD; export MYSQL_PWD
            mysql -h "$host" -P "$port" -u "$user" "$@"' mysql "$@"
    }
  EOT
  rds_client_pg = <<-EOT
    # The $ names expand in the pod, not here; some steps call rds only
    # through counts_match.
    # shellcheck disable=SC2016,SC2317
    rds() {
      { printf '%s\n' "$AMPC_RDS_HOST" "$port" "$AMPC_RDS_USER" "$AMPC_RDS_PASSWORD"; cat; } \
        | oc exec -i deployment/system-postgresql -- bash -c 'IFS= read -r host; IFS= read -r port; IFS= read -r user; IFS= read -r PGPASSWORD; export PGPASSWORD
            psql -h "$host" -p "$port" -U "$user" "$@"' psql "$@"
    }
  EOT
  # The database on RDS, as the guide names it, and its rows per table.
  rds_database = local.mysql_aws ? "threescale" : "system"
  rds_counts   = local.mysql_aws ? "mysql_table_counts threescale rds" : "pg_table_counts_via rds -d system"
  rds_dump     = local.mysql_aws ? "cleaned_system_mysql_backup.sql" : "system_postgres_backup.psql"
  rds_rollback = "--rollback 2.15-2.16/${local.mysql_aws ? "mysql-rds" : "postgresql-rds"}"
  rds_counts_file = "${local.dir}/${local.mysql_aws ? "system_mysql_backup" : "system_postgres_backup"}.counts"
  rds_dump_step   = "2.15-2.16/${local.mysql_aws ? "mysql" : "pg"}-rds-dump"
  rds_import_step = "2.15-2.16/${local.mysql_aws ? "mysql" : "pg"}-rds-import"
  rds_verify_note = <<-EOT
    A check the guide does not have: the rows of every table of the
    database on RDS, counted, are the rows the dump recorded, before the
    Secret points 3scale at it. Once it does, 3scale writes there and the
    counts part from the dump's: the step is then done.
  EOT
}

locals {
  rds_env  = <<-EOT
    [[ -n $${AMPC_RDS_HOST:-} && -n $${AMPC_RDS_USER:-} && -n $${AMPC_RDS_PASSWORD:-} ]] \
      || fail "AMPC_RDS_HOST, AMPC_RDS_USER and AMPC_RDS_PASSWORD must be set: see step 2.15-2.16/${local.mysql_aws ? "mysql" : "pg"}-rds-create"
    [[ $AMPC_RDS_HOST =~ ^[A-Za-z0-9.-]+$ ]] || fail "AMPC_RDS_HOST is not a host name"
    port=$${AMPC_RDS_PORT:-${local.rds_port}}
    [[ $port =~ ^[0-9]+$ ]] || fail "AMPC_RDS_PORT is not a port"
  EOT
  # rds ARG...: the database client (psql or mysql) with ARG... against the
  # RDS instance, run in the on-cluster database's pod, which reaches it.
  # The endpoint and the credentials go to the pod on standard input,
  # ahead of what rds is given there (every call gives it one), and the
  # password into the client's environment: never on a command line.
  rds_client       = local.mysql_aws ? local.rds_client_mysql : local.rds_client_pg
  rds_done     = "[ -s \"${local.dir}/rds_import.done\" ] && [ \"$(<\"${local.dir}/rds_import.done\")\" = \"$(sha256sum < \"${local.dir}/${local.rds_dump}\")\" ]"
  rds_state_mysql = <<-EOT
    now=$(${local.rds_counts}) || fail "cannot read database threescale at $AMPC_RDS_HOST:$port as $AMPC_RDS_USER from system-mysql's pod"
  EOT
  rds_state_pg = <<-EOT
    exists=$(rds -d postgres -tA -v ON_ERROR_STOP=1 -c "SELECT datname FROM pg_database WHERE datname = 'system'" </dev/null) \
      || fail "cannot reach PostgreSQL at $AMPC_RDS_HOST:$port as $AMPC_RDS_USER from system-postgresql's pod"
    now=
    if [ -n "$exists" ]; then
      now=$(${local.rds_counts}) || fail "cannot read database system at $AMPC_RDS_HOST:$port"
    fi
  EOT
  # A database on RDS that holds tables this window did not import stops
  # the step: ampc never imports over them.
  rds_foreign = <<-EOT
    target="$AMPC_RDS_HOST:$port/${local.rds_database}"
    if [ -n "$now" ] && [ "$(cat "$dir/rds-import.target" 2>/dev/null)" != "$target" ]; then
      fail "database ${local.rds_database} on $AMPC_RDS_HOST holds $(wc -l <<<"$now") tables that this runbook did not import: ampc imports into an empty database only. 3scale is not pointed at RDS; see what they are and, if nothing in them is needed, drop the database on RDS (or name another instance), then re-run"
    fi
  EOT
  rds_check_note = <<-EOT
    Before the window opens (3scale still runs), what the guide leaves to
    the import to find out: the AMPC_RDS_* variables are set, the
    %{ if local.mysql_aws }system-mysql%{ else }system-postgresql%{ endif } pod reaches the instance with the credentials, the instance
    runs %{ if local.mysql_aws }MySQL 8.0%{ else }PostgreSQL 15%{ endif } or later (guide 1.1.1), and the database ${local.rds_database}
    is absent or empty, or holds only what an earlier attempt of this window
    imported. It fails on each; once 3scale is pointed at RDS it is done.
  EOT
}

locals {
  # Whether the database on RDS exists (PostgreSQL: -d names it), and the
  # command that lists its tables' rows.
  rds_state       = local.mysql_aws ? local.rds_state_mysql : local.rds_state_pg
  rds_verify = <<-EOT
    ${local.rds_env}
    ${local.rds_client}
    counts_file="${local.rds_counts_file}"
    [ -f "$counts_file" ] || fail "$counts_file is missing: re-run from step ${local.rds_dump_step}, which records it"
    check_seal "$counts_file"
    counts_match "$counts_file" ${local.rds_counts} \
      || fail "the tables of database ${local.rds_database} on $AMPC_RDS_HOST do not hold the rows of the dump (above: < on RDS, > dumped): the import is incomplete; 3scale is not pointed at RDS: re-run from ${local.rds_import_step}, or roll back with ${local.rds_rollback}"
    echo "the $(wc -l < "$counts_file") tables of ${local.rds_database} on $AMPC_RDS_HOST hold the rows of the dump"
  EOT
  rds_imported = <<-EOT
    if ! { ${local.rds_done}; }; then
      fail "the import of this window's dump into RDS was not checked (no rds_import.done naming ${local.dir}/${local.rds_dump}): run from ${local.rds_import_step}; 3scale was not pointed at RDS"
    fi
  EOT
  rds_secret = <<-EOT
    ${local.rds_env}
    export AMPC_RDS_HOST AMPC_RDS_USER AMPC_RDS_PASSWORD
    AMPC_RDS_HOSTPORT=$AMPC_RDS_HOST$${AMPC_RDS_PORT:+:$AMPC_RDS_PORT}
    export AMPC_RDS_HOSTPORT
    oc get secret system-database -o json \
      | jq '.data.DB_USER = (env.AMPC_RDS_USER | @base64)
          | .data.DB_PASSWORD = (env.AMPC_RDS_PASSWORD | @base64)
          | .data.URL = ("${local.mysql_aws ? "mysql2" : "postgresql"}://\(env.AMPC_RDS_USER | @uri):\(env.AMPC_RDS_PASSWORD | @uri)@\(env.AMPC_RDS_HOSTPORT)/${local.rds_database}" | @base64)' \
      | oc replace -f -
    echo "secret/system-database points at $AMPC_RDS_HOSTPORT/${local.rds_database}"
  EOT
}

locals {
  rds_check = <<-EOT
    ${local.rds_env}
    ${local.rds_client}
    dir="${local.dir}"%{ if local.mysql_aws }
    version=$(rds -N -B -e "SELECT VERSION();" </dev/null) || fail "system-mysql's pod does not reach MySQL at $AMPC_RDS_HOST:$port as $AMPC_RDS_USER: check the endpoint, the credentials and the security groups (guide 4.1)"
    if ! [[ $version =~ ^([0-9]+)\. ]] || (( BASH_REMATCH[1] < 8 )); then
      fail "the RDS instance runs MySQL $version: 3scale 2.16 needs MySQL 8.0 or later (guide 1.1.1)"
    fi
    echo "RDS: MySQL $version at $AMPC_RDS_HOST:$port, reached from system-mysql's pod"%{ else }
    version=$(rds -d postgres -tA -v ON_ERROR_STOP=1 -c "SELECT version()" </dev/null) || fail "system-postgresql's pod does not reach PostgreSQL at $AMPC_RDS_HOST:$port as $AMPC_RDS_USER: check the endpoint, the credentials and the security groups (guide 5.1)"
    if ! [[ $version =~ ^PostgreSQL\ ([0-9]+) ]] || (( BASH_REMATCH[1] < 15 )); then
      fail "the RDS instance runs $${version%% on *}: 3scale 2.16 needs PostgreSQL 15 or later (guide 1.1.1)"
    fi
    echo "RDS: $${version%% on *} at $AMPC_RDS_HOST:$port, reached from system-postgresql's pod"%{ endif }
    ${local.rds_state}
    ${local.rds_foreign}
    if [ -n "$now" ]; then
      echo "database ${local.rds_database}: $(wc -l <<<"$now") tables an earlier attempt of this window imported"
    else
      echo "database ${local.rds_database}: absent or empty, ready for the import"
    fi
  EOT
  rds_import = <<-EOT
    ${local.rds_env}
    ${local.rds_client}
    dir="${local.dir}"
    dump="$dir/${local.rds_dump}"
    counts_file="${local.rds_counts_file}"
    if [ ! -s "$dump" ] || [ ! -f "$counts_file" ]; then
      fail "$dump or $counts_file is missing: re-run from step ${local.rds_dump_step}, which writes them"
    fi
    check_seal "$dump" "$counts_file"%{ if local.mysql_aws }
    rds -e "CREATE DATABASE IF NOT EXISTS threescale;" </dev/null%{ endif }
    ${local.rds_state}%{ if !local.mysql_aws }
    if [ -z "$exists" ]; then
      rds -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE system;" </dev/null
    fi%{ endif }
    ${local.rds_foreign}
    if [ -n "$now" ] && [ "$now" = "$(<"$counts_file")" ]; then
      echo "database ${local.rds_database} on $AMPC_RDS_HOST holds the rows of the dump already: an earlier attempt imported it"
    else%{ if !local.mysql_aws }
      [ -z "$now" ] || fail "database system on $AMPC_RDS_HOST holds an earlier import of this runbook that is not this dump's (a dump taken again after a rollback?): 3scale is not pointed at RDS; drop the database on RDS, then re-run"%{ endif }
      printf '%s\n' "$target" > "$dir/rds-import.target"
      status=0%{ if local.mysql_aws }
      rds threescale < "$dump" > "$dir/rds_import.log" 2>&1 || status=$?%{ else }
      # pg_dump 10's comments on objects RDS's master user does not own
      # are left out.
      pg_leave_out '^COMMENT ON (EXTENSION plpgsql|SCHEMA public) IS ' < "$dump" \
        | rds -d system -v ON_ERROR_STOP=1 --single-transaction -q -f - > "$dir/rds_import.log" 2>&1 || status=$?%{ endif }
      cat "$dir/rds_import.log"
      [ "$status" = 0 ] || fail "the import stopped at a failed statement (status $status, see $dir/rds_import.log): 3scale is not pointed at RDS. %{ if local.mysql_aws }Fix the cause and re-run: the re-run replaces the tables this import wrote%{ else }It ran in one transaction: nothing of it is left. Fix the cause and re-run%{ endif }, or roll back with ${local.rds_rollback}"
      counts_match "$counts_file" ${local.rds_counts} \
        || fail "the tables of database ${local.rds_database} on $AMPC_RDS_HOST do not hold the rows of the dump (above: < imported, > dumped): 3scale is not pointed at RDS; see $dir/rds_import.log"
    fi
    sha256sum < "$dump" > "$dir/rds_import.done"
    echo "imported: every table of ${local.rds_database} on $AMPC_RDS_HOST holds the rows of the dump"
  EOT
}

# --------------------------------------------------- 1.1 preflight checks

step "preflight-operator" {
  title    = "Check that the latest CSV of the threescale-2.15 channel runs the 3scale operator"
  kind     = "verify"
  section  = "1.1"
  requires = ["APIManager/*"]
  note     = <<-EOT
    The guide's prerequisite, checked before anything changes: the
    Subscription is on threescale-2.15, OLM reports it at the latest known
    CSV, which is the installed one, and no InstallPlan waits for approval
    (approve them, then run again: the next one shows only once the first is
    installed). With Oracle the guide forbids automatic updates, so the
    Subscription must have manual approval. The runbook also checks that the
    project holds the APIManager the bundle patches.
  EOT
  run      = <<-EOT
    subscription_current ${plan.operator_subscription} ${local.operator_ns} threescale-2.15 "3scale operator"%{ if local.oracle }
    approval=$(oc get subscriptions.operators.coreos.com ${plan.operator_subscription} --namespace=${local.operator_ns} -o jsonpath='{.spec.installPlanApproval}')
    [ "$approval" = Manual ] || fail "the Subscription's installPlanApproval is '$approval': the guide says not to set automatic updates with an Oracle database; set it to Manual in the console (Subscription > Update approval), then re-run"%{ endif }
    exists apimanager ${local.apimanager} \
      || fail "project $NAMESPACE has no APIManager ${local.apimanager}, which this bundle patches: compile the plan with --snapshot of this site"
  EOT
}

step "preflight-apicast" {
  title   = "Check that the latest CSV of the threescale-2.15 channel runs the APIcast operator"
  kind    = "verify"
  section = "2.1"
  when    = local.apicast_ns != ""
  note    = "Chapter 2's prerequisites, the same as the 3scale operator's, for the APIcast operator's Subscription."
  run     = "subscription_current apicast-operator ${local.apicast_ns} threescale-2.15 \"APIcast operator\""
}

step "channel-check" {
  title   = "Check that the operator catalog offers the threescale-2.16 channel"
  kind    = "verify"
  section = "1.1"
  note    = <<-EOT
    Not in the guide, whose console lists only the channels the catalog
    has. A Subscription pointed at a channel its catalog lacks never
    upgrades (OLM reports ResolutionFailed), and by then the databases have
    moved; so the runbook checks the package manifest of the
    Subscription's package and catalog before anything changes, as the 2.7
    → 2.8 hop does (an air-gapped site must have mirrored the 2.16 operator
    into its catalog).
  EOT
  run = "catalog_offers_channel ${plan.operator_subscription} ${local.operator_ns} threescale-2.16"
}

step "apicast-channel-check" {
  title   = "Check that the operator catalog offers the APIcast operator's threescale-2.16 channel"
  kind    = "verify"
  section = "2.1"
  when    = local.apicast_ns != ""
  note    = "As channel-check, for the APIcast operator's Subscription, before anything changes."
  run     = "catalog_offers_channel apicast-operator ${local.apicast_ns} threescale-2.16"
}

step "preflight-openshift" {
  title   = "Check that OpenShift is 4.12 or later"
  kind    = "verify"
  section = "1.1"
  note    = "The guide lists OCP 4.12, 4.14, 4.16, 4.17, 4.18, 4.19 and 4.20, and 4.12 as the minimum; the runbook checks the minimum and prints the version."
  run     = <<-EOT
    version=$(oc get clusterversion version -o json | jq -r '.status.desired.version // empty') \
      || fail "cannot read clusterversion/version: log in as a user who may read it (the guide asks for administrator access)"
    at_least "$version" 4.12 || fail "OpenShift is '$version': 3scale 2.16 needs 4.12 or later (guide 1.1); upgrade OpenShift first"
    echo "OpenShift $version"
  EOT
}

step "preflight-databases" {
  title   = "Check the database versions that 3scale 2.16 requires"
  kind    = "verify"
  section = "1.1.1"
  note    = <<-EOT
    The guide's minimums: MySQL 8.0, PostgreSQL 15 and Redis 7.2 (two
    instances). Its `mysql --version`, `psql --version` and `redis-server
    --version` are run in the database's pod. A database this bundle
    replaces (PostgreSQL 10 in 3.2, Redis 6 in 3.4) is only reported here;
    its successor is checked once it runs, before the channel change, and
    RDS and ElastiCache versions are named in the manual steps that create
    them. The operator keeps its own minimums in ConfigMap
    3scale-api-management-operator-requirements (a 2.15 operator: PostgreSQL
    10.0.0, Redis 6.2.0; chapter 5 asks for PostgreSQL 13 before a move to
    RDS): they differ from the guide's, which ampc checks, and the runbook
    prints them for the record.
  EOT
  run     = <<-EOT
    # 3scale 2.16 needs MySQL 8.0, PostgreSQL 15 and Redis 7.2 (two instances).%{ if local.mysql_on_cluster || local.mysql_aws }
    ${local.mysql_version}%{ endif }%{ if local.pg_on_cluster || local.pg_aws }
    ${local.postgresql_version}%{ endif }%{ if local.redis_moves }
    ${local.redis_version}%{ endif }
    echo "the operator's own requirements (ConfigMap 3scale-api-management-operator-requirements):"
    oc get configmap 3scale-api-management-operator-requirements --namespace=${local.operator_ns} -o json 2>/dev/null \
      | jq -r '.data // {} | to_entries[] | "  \(.key): \(.value)"' || echo "  (not found)"%{ if local.mysql_on_cluster }
    version=$(mysql_version system-mysql)
    at_least "$version" 8.0 || fail "system-mysql runs MySQL '$version': 3scale 2.16 needs MySQL 8.0 or later (guide 1.1.1); upgrade it before this bundle detaches it"
    echo "system-mysql: MySQL $version (at least 8.0: kept, section 3.3)"%{ endif }%{ if local.pg_on_cluster || local.pg_aws }
    echo "system-postgresql: PostgreSQL $(postgresql_version system-postgresql) (replaced by PostgreSQL 15 or later%{ if local.pg_aws } on RDS%{ endif })"%{ endif }%{ if local.mysql_aws }
    echo "system-mysql: MySQL $(mysql_version system-mysql) (replaced by MySQL 8.0 or later on RDS)"%{ endif }%{ if local.redis_moves }
    echo "backend-redis: Redis $(redis_version backend-redis), system-redis: Redis $(redis_version system-redis) (replaced by Redis 7.2 or later)"%{ endif }
    echo "minimums of 3scale 2.16: MySQL 8.0, PostgreSQL 15, Redis 7.2"
  EOT
}

step "confirm-external-versions" {
  title        = "Confirm the versions of the databases that are external already"
  kind         = "manual"
  section      = "1.1.1"
  when         = local.confirm_external
  note         = "The runbook cannot reach a database 3scale does not run; the guide's version check becomes a confirmation. The Oracle Database is not checked (the guide's note)."
  instructions = <<-EOT
    3scale 2.16 requires these minimum versions of the databases this site
    runs outside 3scale (guide section 1.1.1); the 2.16 operator will not
    upgrade 3scale until they are met:%{ if plan.externalize_system_database == "external" && plan.system_database == "mysql" }
      - the system database: MySQL 8.0.0 or later (mysql --version on its host);%{ endif }%{ if plan.externalize_system_database == "external" && plan.system_database == "postgresql" }
      - the system database: PostgreSQL 15.0 or later (psql --version on its host);%{ endif }%{ if local.oracle }
      - the system database: Oracle Database (not checked by the operator);%{ endif }%{ if plan.externalize_redis == "external" }
      - backend Redis and system Redis: Redis 7.2 or later, two instances (redis-server --version);%{ endif }

    Confirm that they are (type done, or re-run with --ack 2.15-2.16/confirm-external-versions).
  EOT
}

# --------------------------------------------------- Oracle: custom image

step "oracle-system-image-build" {
  title        = "Oracle: build the system image of the target release with Oracle support"
  kind         = "manual"
  section      = "1.3"
  when         = local.oracle
  note         = "Step 1 of the guide's Oracle procedure, for the micro release the plan names (the guide names system-oracle-3scale-2.16.0-1; 2.16.0 is refused, see the preface)."
  instructions = <<-EOT
    Build the 3scale ${plan.to_release} system image with Oracle Database
    support before the operator is upgraded (guide 1.3, step 1):

    1. Follow "Installing 3scale API Management with Oracle using the
       operator" in the Installing Red Hat 3scale API Management guide of
       ${plan.to_release}: build the image system-oracle-3scale-${plan.to_release}-1
       from the system image of ${plan.to_release} with the Oracle Instant
       Client, and push it to a registry the cluster pulls from.
    2. When you continue, give its full reference in AMPC_ORACLE_SYSTEM_IMAGE
       (step 2.15-2.16/oracle-system-image sets it in the APIManager):
         AMPC_ORACLE_SYSTEM_IMAGE=registry.example.com/3scale/system-oracle-3scale-${plan.to_release}-1 ./runbook.sh --ack 2.15-2.16/oracle-system-image-build
  EOT
}

# ----------------------------------------------------------------- backup

step "backup" {
  title   = "Back up the APIManager, the Subscriptions, the database Secrets and the database objects"
  kind    = "backup"
  section = "3.2.7"
  note    = <<-EOT
    The guide saves each Secret right before changing it (3.2.7, 3.4.8,
    4.2.5, 5.2.5, 6.2.5) into the current directory; ampc saves them once,
    before anything changes, into the backup directory, as YAML (the guide's
    files) and JSON (which the rollback sections restore from), with the
    APIManager, the Subscriptions and the database objects the hop changes
    or deletes. A file that exists is kept, so a re-run never overwrites the
    state before the upgrade. Files are readable by their owner only: they
    hold the Secrets.
  EOT
  run     = <<-EOT
    dir="${local.dir}"
    mkdir -p "$dir"
    save_once "$dir/apimanager.yaml" get apimanager ${local.apimanager} -o yaml
    save_once "$dir/apimanager.json" get apimanager ${local.apimanager} -o json
    save_once "$dir/subscription-3scale-operator.yaml" get subscriptions.operators.coreos.com ${plan.operator_subscription} --namespace=${local.operator_ns} -o yaml
    save_once "$dir/installed-csv-3scale-operator" get subscriptions.operators.coreos.com ${plan.operator_subscription} --namespace=${local.operator_ns} -o jsonpath='{.status.installedCSV}'%{ if local.apicast_ns != "" }
    save_once "$dir/subscription-apicast-operator.yaml" get subscriptions.operators.coreos.com apicast-operator --namespace=${local.apicast_ns} -o yaml
    save_once "$dir/installed-csv-apicast-operator" get subscriptions.operators.coreos.com apicast-operator --namespace=${local.apicast_ns} -o jsonpath='{.status.installedCSV}'%{ endif }
    for secret in system-database backend-redis system-redis; do
      save_once "$dir/$secret-secret.yaml" get secret "$secret" -o yaml
      save_once "$dir/$secret-secret.json" get secret "$secret" -o json
    done
    for object in %{ for d in local.saved }deployment/${d} %{ endfor }%{ if has("PersistentVolumeClaim", "mysql-storage") }pvc/mysql-storage %{ endif }%{ if has("ConfigMap", "mysql-extra-conf") }configmap/mysql-extra-conf %{ endif }%{ if has("ConfigMap", "mysql-main-conf") }configmap/mysql-main-conf %{ endif }%{ if has("Service", "system-mysql") }service/system-mysql %{ endif }%{ if has("ConfigMap", "redis-config") }configmap/redis-config%{ endif }; do
      save_once "$dir/$${object/\//-}.yaml" get "$object" -o yaml
    done
  EOT
}

# ------------------------------------------------ AWS: create the databases

step "mysql-rds-create" {
  title        = "Create the MySQL RDS instance"
  kind         = "manual"
  section      = "4.2.2"
  when         = local.mysql_aws
  note         = local.rds_note
  instructions = local.rds_instructions
}

step "mysql-rds-check" {
  title   = "Check the RDS instance: reached, MySQL 8.0 or later, database threescale empty"
  kind    = "verify"
  section = "4.1"
  when    = local.mysql_aws
  note    = local.rds_check_note
  done_if = "moved_off system-mysql system-database URL"
  run     = local.rds_check
}

step "pg-rds-create" {
  title        = "Create the PostgreSQL RDS instance"
  kind         = "manual"
  section      = "5.2.2"
  when         = local.pg_aws
  note         = local.rds_note
  instructions = local.rds_instructions
}

step "pg-rds-check" {
  title   = "Check the RDS instance: reached, PostgreSQL 15 or later, database system empty"
  kind    = "verify"
  section = "5.1"
  when    = local.pg_aws
  note    = local.rds_check_note
  done_if = "moved_off system-postgresql system-database URL"
  run     = local.rds_check
}

step "elasticache-prepare" {
  title        = "Prepare the move of Redis to ElastiCache"
  kind         = "manual"
  section      = "6.2"
  when         = local.redis_aws
  note         = <<-EOT
    Chapter 6's prerequisite "Complete the Redis upgrade" (3.4) would move
    Redis to new on-cluster Redis 7 instances only to move them again; ampc
    seeds ElastiCache from the dumps of the site's Redis 6 instances, which
    Redis 7.2 loads (newer Redis reads older dump files). The guide's advice
    to create the same major.minor as on the cluster ("7.0") conflicts with
    the 7.2 minimum of 1.1.1: the instances must be 7.2 or later.
  EOT
  instructions = <<-EOT
    Before the window opens, prepare the ElastiCache side (guide 6.1 and 6.2):

    - decide AWS-managed Redis OSS or self-managed (EC2), the instance types,
      security groups, maintenance and backups; check that the cluster
      reaches AWS (network, firewalls);
    - plan TWO Redis instances, one for backend and one for system: each is
      seeded from its own dump (the runbook writes backend-redis-dump.rdb and
      system-redis-dump.rdb into $BACKUP_DIR/2.15-2.16 in the window);
    - use Redis 7.2 or later (3scale 2.16's minimum), without ACLs and
      without TLS, which 3scale does not support (guide 7.1.2.1);
    - create the S3 bucket and folder and its permissions, as "Tutorial:
      Seeding a new node-based cluster with an externally created backup"
      says from step 2.

    Confirm (type done, or re-run with --ack 2.15-2.16/elasticache-prepare).
  EOT
}

# --------------------------------------------------- open the window (3.x.1)

step "save-replicas" {
  title   = "Save the replica counts of the 3scale Deployments and of the operator"
  kind    = "shell"
  section = "3.2.1"
  when    = local.window
  note    = <<-EOT
    The guide keeps the counts in shell variables (3.2.1, 3.3.1, 3.4.1,
    4.2.1, 5.2.1, 6.2.1), which a re-run or a rollback in another shell no
    longer has; the runbook writes them into the backup directory once (a
    re-run never saves the zeros of a scaled-down site) and every scale-up
    and rollback reads them. The databases' counts are saved too (chapters 4
    and 5 save them). The operator's count is saved as well: the guide
    scales it back to 1, ampc to what it was.
  EOT
  done_if = "[ -s \"${local.dir}/replicas.json\" ] && [ -s \"${local.dir}/operator-replicas\" ]"
  run     = <<-EOT
    dir="${local.dir}"
    save_replicas "${local.replicas}" %{ for d in local.saved }deployment/${d} %{ endfor }
    oc get deployment threescale-operator-controller-manager-v2 --namespace=${local.operator_ns} -o jsonpath='{.spec.replicas}' > "$dir/operator-replicas.tmp"
    [[ $(<"$dir/operator-replicas.tmp") =~ ^[0-9]+$ ]] || fail "cannot read the replica count of the operator"
    mv "$dir/operator-replicas.tmp" "$dir/operator-replicas"
    echo "operator: $(<"$dir/operator-replicas")"
  EOT
}

step "scale-down-operator" {
  title   = "Scale the 3scale operator down to 0"
  kind    = "shell"
  section = "3.2.2"
  when    = local.window
  note    = "So that it does not scale the Deployments back up while the databases move. The runbook waits until its pod is gone."
  run     = <<-EOT
    oc scale deployment threescale-operator-controller-manager-v2 --namespace=${local.operator_ns} --replicas=0
    wait_gone deployment/threescale-operator-controller-manager-v2 --namespace=${local.operator_ns}
  EOT
}

step "scale-down" {
  title   = "Scale 3scale down to 0, except the databases"
  kind    = "shell"
  section = "3.2.2"
  when    = local.window
  note    = <<-EOT
    The guide's lists (3.2.2, 3.3.2, 3.4.2, 4.2.2, 5.2.2, 6.2.1) without
    their duplicates (system-memcache and zync-database appear twice), and
    the Deployments this site has. 3.2.2 also stops backend-redis and
    system-redis while only PostgreSQL moves, and 3.2.9 starts them with one
    replica whatever they had; ampc leaves the databases running until a
    step of their own stops them (3.4.4). The guide checks READY 0/0 by eye;
    the runbook waits for it.
  EOT
  run     = <<-EOT
    scale_down %{ for d in local.apps }deployment/${d} %{ endfor }
    echo "3scale is scaled down; the databases run"
  EOT
}

step "database-namespace" {
  title   = "Create the project of the on-cluster databases"
  kind    = "shell"
  section = "3.2.4"
  when    = local.pg_on_cluster || local.redis_on_cluster
  note    = "The guide's `oc new-project` switches the current project; the runbook creates the project without switching (--skip-config-write), and only when it does not exist (3.2.4, 3.4.5)."
  done_if = "oc get project ${local.db_ns} >/dev/null 2>&1"
  run     = <<-EOT
    oc new-project ${local.db_ns} --skip-config-write >/dev/null
    echo "project ${local.db_ns} created"
  EOT
}

# ----------------------------------------- 3.2 PostgreSQL 10 → 15 on cluster

step "pg-dump" {
  title   = "Dump the system database of system-postgresql and count its rows"
  kind    = "backup"
  section = "3.2.3"
  when    = local.pg_on_cluster
  note    = <<-EOT
    The guide's pg_dump in the pod, then `oc cp` by pod name; the runbook
    selects the pod through its Deployment and streams the dump into the
    backup directory with `oc exec ... cat` (no tar needed, no "Removing
    leading /" message), then checks it is a custom-format dump (PGDMP).
    With the dump it records the rows of every table of the database
    (db_dump.counts, exact count(*) per table), taken while 3scale is
    scaled down, so that the restore is checked table by table before
    3scale is pointed at it (the guide only looks at the account names). A
    dump that exists is kept: it is the one the restore reads.
  EOT
  done_if = "[ -s \"${local.dir}/db_dump.backup\" ] && [ -f \"${local.dir}/db_dump.counts\" ]"
  run     = <<-EOT
    dir="${local.dir}"
    mkdir -p "$dir"
    if [ ! -s "$dir/db_dump.backup" ]; then
      oc exec deployment/system-postgresql -- pg_dump -U system -d system -F c -b -v -f /tmp/db_dump.backup
      oc exec deployment/system-postgresql -- cat /tmp/db_dump.backup > "$dir/db_dump.backup.tmp"
      [ "$(head -c 5 "$dir/db_dump.backup.tmp")" = PGDMP ] || fail "$dir/db_dump.backup.tmp is not a pg_dump custom-format file"
      mv "$dir/db_dump.backup.tmp" "$dir/db_dump.backup"
      seal "$dir/db_dump.backup"
      echo "system database dumped into $dir/db_dump.backup"
    fi
    pg_table_counts deployment/system-postgresql system system > "$dir/db_dump.counts.tmp"
    mv "$dir/db_dump.counts.tmp" "$dir/db_dump.counts"
    seal "$dir/db_dump.counts"
    echo "rows of the $(wc -l < "$dir/db_dump.counts") tables of the system database recorded in $dir/db_dump.counts"
  EOT
}

step "pg-secret" {
  title   = "Copy DB_USER and DB_PASSWORD of system-database into the database project"
  kind    = "shell"
  section = "3.2.4"
  when    = local.pg_on_cluster && local.db_ns != plan.namespace
  note    = <<-EOT
    The guide decodes both values into shell variables and passes them to
    `oc create secret --from-literal`, which shows them to every process
    listing; the runbook copies the two keys with jq from one `oc get` to
    `oc create -f -`, never decoding them. An existing Secret is left as it
    is.
  EOT
  done_if = "exists secret system-database --namespace=${local.db_ns}"
  run     = <<-EOT
    oc get secret system-database -o json \
      | jq --arg ns "${local.db_ns}" '{apiVersion: "v1", kind: "Secret", type: "Opaque",
          metadata: {name: "system-database", namespace: $ns, labels: {app: "system-postgresql-external"}},
          data: {DB_USER: (.data.DB_USER // error("secret/system-database has no DB_USER")),
                 DB_PASSWORD: (.data.DB_PASSWORD // error("secret/system-database has no DB_PASSWORD"))}}' \
      | oc create -f - --namespace=${local.db_ns}
  EOT
}

step "pg-claim" {
  title   = "Create the claim of PostgreSQL 15, as large as the one of system-postgresql"
  kind    = "shell"
  section = "3.2.5"
  when    = local.pg_on_cluster
  note    = <<-EOT
    The guide's claim asks for 1Gi and says to adjust the request as
    required; a database larger than the claim does not fit, and pg_restore
    stops halfway with "could not extend file ...: No space left on device".
    The runbook asks for what the claim system-postgresql mounts holds (its
    bound capacity, else its request), read on the cluster when the step
    runs, never a guessed size. An existing claim is left as it is: the
    restore's row counts show whether the data fit.
  EOT
  done_if = "exists pvc/postgresql-data-external --namespace=${local.db_ns}"
  run     = "create_claim_like deployment/system-postgresql postgresql-data-external system-postgresql-external ${local.db_ns}"
}

step "pg-create" {
  title              = "Create the PostgreSQL 15 Deployment, its Service and service account"
  kind               = "create"
  section            = "3.2.5"
  when               = local.pg_on_cluster
  manifest_namespace = local.db_ns
  manifests          = ["2.15-2.16/postgresql-external.yaml"]
  note               = "The guide's YAML files, carried in the bundle, but for the claim (step pg-claim); the service account is an object rather than `oc create serviceaccount` and `oc label`. Adjust the resources in the manifests before applying if the guide's limits do not fit."
}

step "pg-start" {
  title   = "Make sure system-postgresql-external runs its one replica"
  kind    = "shell"
  section = "3.2.5"
  when    = local.pg_on_cluster
  note    = "The manifest asks for one replica, but a rollback (3.2.11) scales PostgreSQL 15 down to keep its data, and oc apply leaves a count changed since as it is: on a new attempt this step scales it up again. On a first run it changes nothing."
  run     = "oc scale deployment/system-postgresql-external --namespace=${local.db_ns} --replicas=1"
}

step "pg-wait" {
  title             = "Wait for system-postgresql-external"
  kind              = "wait"
  section           = "3.2.5"
  when              = local.pg_on_cluster
  rollout           = ["Deployment/system-postgresql-external"]
  rollout_namespace = local.db_ns
}

step "pg-version" {
  title   = "Check that system-postgresql-external runs PostgreSQL 15 or later"
  kind    = "verify"
  section = "1.1.1"
  when    = local.pg_on_cluster
  run     = <<-EOT
    ${local.postgresql_version}
    version=$(postgresql_version system-postgresql-external --namespace=${local.db_ns})
    at_least "$version" 15 || fail "system-postgresql-external runs PostgreSQL '$version': 3scale 2.16 needs 15 or later (guide 1.1.1); check the image of manifests/deployment-system-postgresql-external.json"
    echo "system-postgresql-external: PostgreSQL $version"
  EOT
}

step "pg-restore" {
  title   = "Restore the dump into PostgreSQL 15"
  kind    = "shell"
  section = "3.2.6"
  when    = local.pg_on_cluster
  note    = <<-EOT
    The guide's `oc cp` and `oc rsh ... pg_restore` become `oc exec` through
    the Deployment. pg_restore ends with exit code 1 and "errors ignored on
    restore: 1" for the public schema, which exists already; the guide says
    to ignore it. The runbook ignores exactly that: the errors it accepts
    are listed in the step (the guide's one), and any other error, or a
    count of ignored errors other than theirs, fails the step with
    pg_restore's output kept in pg_restore.log. pg_restore runs in the pod
    with its output and status written to the pod's /tmp (the status
    names the dump's checksum and says running from the start, then
    pg_restore's exit code): a restore whose connection was lost goes on in
    the pod, a re-run does not start a second one while it runs, and a
    re-run that finds the database holding tables reads how the restore of
    this dump ended there instead of taking them for a stranger's. It restores into an empty database only: a
    database that holds tables no restore of this dump in this pod wrote
    (a restore still running or cut off, one a rollback kept) stops the step
    with what to do. After pg_restore every table must hold the rows the
    dump recorded; then pg_restore.done records the dump's checksum, and the
    step is done when it names the dump of this window (a rollback sets both
    aside).
  EOT
  done_if = "[ -s \"${local.dir}/pg_restore.done\" ] && [ \"$(<\"${local.dir}/pg_restore.done\")\" = \"$(sha256sum < \"${local.dir}/db_dump.backup\")\" ]"
  run     = <<-EOT
    dir="${local.dir}"
    dump="$dir/db_dump.backup"
    [ -s "$dump" ] || fail "$dump is missing: it is written by step 2.15-2.16/pg-dump"
    check_seal "$dump"
    [ -f "$dir/db_dump.counts" ] || fail "$dir/db_dump.counts is missing: re-run from step 2.15-2.16/pg-dump, which records it"
    check_seal "$dir/db_dump.counts"
    sum=$(sha256sum < "$dump")
    sum=$${sum%% *}
    # What to do with a database that holds a restore that failed.
    again="drop and create the database system again (oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- psql -U postgres -c 'DROP DATABASE system' -c 'CREATE DATABASE system OWNER <DB_USER>'), then re-run, or roll back with --rollback 2.15-2.16/postgresql"
    # The status of a restore an earlier attempt started in the pod, its
    # connection lost: "SUM running" from its start, "SUM CODE" once
    # pg_restore ended, SUM naming the dump.
    ended=$(oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- bash -c 'if [ -f /tmp/ampc-pg_restore.status ]; then cat /tmp/ampc-pg_restore.status; fi')
    [ "$ended" != "$sum running" ] || fail "a pg_restore of $dump that an earlier attempt started has not ended in the pod of system-postgresql-external (/tmp/ampc-pg_restore.status says running): a second one would restore the dump twice. Wait until it ends, then re-run. If no pg_restore runs there (oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- pgrep -a pg_restore prints nothing: it was killed), remove the status (oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- rm /tmp/ampc-pg_restore.status) and re-run"
    tables=$(oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- psql -U postgres -d system -tA -v ON_ERROR_STOP=1 -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    if [ -n "$tables" ]; then
      # A restore of this dump that an earlier attempt started and that
      # ended in the pod: its status names the dump.
      [ "$${ended% *}" = "$sum" ] || fail "the database system of system-postgresql-external holds tables already, and no restore of $dump that this step started has ended in its pod (one a pod restart cut off, the status in the pod's /tmp lost with it, or one a rollback left); it restores into an empty database only, and nothing points at this one yet: $again"
      echo "the restore of $dump that an earlier attempt started has ended in the pod: its outcome follows"
    else
      oc exec -i deployment/system-postgresql-external --namespace=${local.db_ns} -- bash -c 'cat > /tmp/db_dump.backup' < "$dump"
      oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- bash -c "echo \"$sum running\" > /tmp/ampc-pg_restore.status; pg_restore -v -h localhost -U postgres -d system /tmp/db_dump.backup > /tmp/ampc-pg_restore.log 2>&1; echo \"$sum \$?\" > /tmp/ampc-pg_restore.status"
      ended=$(oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- cat /tmp/ampc-pg_restore.status)
    fi
    oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- cat /tmp/ampc-pg_restore.log > "$dir/pg_restore.log"
    cat "$dir/pg_restore.log"
    status=$${ended##* }
    # The errors pg_restore reports that the guide says to ignore (3.2.6).
    expected=('pg_restore: error: could not execute query: ERROR:  schema "public" already exists')
    if [ "$status" != 0 ]; then
      errors=0
      while IFS= read -r line; do
        case $line in
          "pg_restore: error: "*)
            errors=$((errors + 1))
            printf '%s\n' "$${expected[@]}" | grep -qxF -- "$line" || fail "pg_restore failed: $line (see $dir/pg_restore.log); nothing points at the new database yet: fix the cause, then $again"
            ;;
        esac
      done < "$dir/pg_restore.log"
      if [ "$errors" = 0 ] || ! grep -qx "pg_restore: warning: errors ignored on restore: $errors" "$dir/pg_restore.log"; then
        fail "pg_restore ended with status $status and not only with the errors the guide names (see $dir/pg_restore.log): nothing points at the new database yet; $again"
      fi
      echo "pg_restore: only the error(s) guide 3.2.6 says to ignore"
    fi
    counts_match "$dir/db_dump.counts" pg_table_counts deployment/system-postgresql-external postgres system --namespace=${local.db_ns} \
      || fail "the tables of the new database do not hold the rows of the dump (above: < restored, > dumped); nothing points at it yet: see $dir/pg_restore.log; $again"
    sha256sum < "$dump" > "$dir/pg_restore.done"
    echo "restored: every table holds the rows of the dump"
  EOT
}

step "pg-verify-data" {
  title   = "Check that the restored database holds every row of the dump"
  kind    = "verify"
  section = "3.2.6"
  when    = local.pg_on_cluster
  note    = <<-EOT
    The guide's SELECT of the account names, printed for a person to
    compare with the org names the site had, and a check the guide does not
    have: the rows of every table of the new database, counted, are the rows
    the dump recorded (db_dump.counts, step pg-dump). It runs before any
    Secret points 3scale at the new database.
  EOT
  run     = <<-EOT
    dir="${local.dir}"
    oc exec deployment/system-postgresql-external --namespace=${local.db_ns} -- psql -U postgres -d system -c 'SELECT org_name FROM accounts LIMIT 20;'
    [ -f "$dir/db_dump.counts" ] || fail "$dir/db_dump.counts is missing: re-run from step 2.15-2.16/pg-dump, which records it"
    check_seal "$dir/db_dump.counts"
    counts_match "$dir/db_dump.counts" pg_table_counts deployment/system-postgresql-external postgres system --namespace=${local.db_ns} \
      || fail "the tables of the new database do not hold the rows of the dump (above: < restored, > dumped): the restore is incomplete; nothing points at it yet: see $dir/pg_restore.log, then re-run from 2.15-2.16/pg-restore, or roll back with --rollback 2.15-2.16/postgresql"
    echo "the $(wc -l < "$dir/db_dump.counts") tables of the new database hold the rows of the dump"
  EOT
}

step "pg-url" {
  title   = "Point the system-database Secret at PostgreSQL 15"
  kind    = "shell"
  section = "3.2.7"
  when    = local.pg_on_cluster
  note    = <<-EOT
    The guide builds the URL in a shell variable from the decoded user and
    password and passes it to `oc patch -p`, on the command line, and does
    not encode a password holding '@', ':' or '/'. The runbook builds it
    inside jq, URL-encoding both, and replaces the Secret from its standard
    input; the resourceVersion makes it fail rather than overwrite a
    concurrent change. The Secret was saved by the backup step.
  EOT
  run     = <<-EOT
    oc get secret system-database -o json \
      | jq --arg host "system-postgresql-service.${local.db_ns}.svc.cluster.local" '
          (.data.DB_USER // "" | @base64d) as $user | (.data.DB_PASSWORD // "" | @base64d) as $password
          | if $user == "" or $password == "" then error("secret/system-database has no DB_USER or DB_PASSWORD") else . end
          | .data.URL = ("postgresql://\($user | @uri):\($password | @uri)@\($host)/system" | @base64)' \
      | oc replace -f -
    echo "secret/system-database points at system-postgresql-service.${local.db_ns}.svc.cluster.local/system"
  EOT
}

step "pg-external" {
  title   = "Mark the system database external in the APIManager"
  kind    = "patch"
  section = "3.2.8"
  when    = local.pg_on_cluster
  note    = "The guide's merge patch becomes a JSON patch; the operator no longer reconciles system-postgresql and its claim."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/database" {
      value = true
    }
  }
}

# ----------------------------------- 3.3 MySQL kept, detached from the operator

step "mysql-external" {
  title   = "Mark the system database external in the APIManager"
  kind    = "patch"
  section = "3.3.3"
  when    = local.mysql_on_cluster
  note    = "The guide's merge patch becomes a JSON patch. It detaches system-mysql, its claim and ConfigMaps from the operator."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/database" {
      value = true
    }
  }
}

step "mysql-detach" {
  title   = "Remove the APIManager's owner references and the 3scale labels from system-mysql, its claim, ConfigMaps and Service"
  kind    = "patch"
  section = "3.3.4"
  when    = local.mysql_on_cluster
  note    = <<-EOT
    The guide's JSON patches and `oc label ... app- ...` for the Deployment,
    the mysql-storage claim and the mysql-extra-conf ConfigMap, so that
    deleting the APIManager never deletes the database. ampc detaches the
    mysql-main-conf ConfigMap (mounted by system-mysql) and the system-mysql
    Service (the host of the system-database URL) as well: the guide leaves
    them owned by the APIManager, which would take them along. Each removal
    names a path the object has; the pod template's labels change, so
    system-mysql restarts (the guide's "database restarts").
  EOT
  patch "Deployment" "system-mysql" {
    unset "/metadata/ownerReferences" {}
    unset "/metadata/labels/app" {}
    unset "/metadata/labels/threescale_component" {}
    unset "/metadata/labels/threescale_component_element" {}
    unset "/spec/template/metadata/labels/app" {}
    unset "/spec/template/metadata/labels/rht.comp_ver" {}
    unset "/spec/template/metadata/labels/rht.prod_name" {}
    unset "/spec/template/metadata/labels/threescale_component_element" {}
    unset "/spec/template/metadata/labels/threescale_component" {}
    unset "/spec/template/metadata/labels/rht.prod_ver" {}
    unset "/spec/template/metadata/labels/com.company" {}
    unset "/spec/template/metadata/labels/rht.subcomp_t" {}
    unset "/spec/template/metadata/labels/rht.subcomp" {}
    unset "/spec/template/metadata/labels/rht.comp" {}
  }
  patch "PersistentVolumeClaim" "mysql-storage" {
    unset "/metadata/ownerReferences" {}
    unset "/metadata/labels/app" {}
    unset "/metadata/labels/threescale_component" {}
    unset "/metadata/labels/threescale_component_element" {}
  }
  patch "ConfigMap" "mysql-extra-conf" {
    when = has("ConfigMap", "mysql-extra-conf")
    unset "/metadata/ownerReferences" {}
    unset "/metadata/labels/app" {}
    unset "/metadata/labels/threescale_component" {}
    unset "/metadata/labels/threescale_component_element" {}
  }
  patch "ConfigMap" "mysql-main-conf" {
    when = has("ConfigMap", "mysql-main-conf")
    unset "/metadata/ownerReferences" {}
    unset "/metadata/labels/app" {}
    unset "/metadata/labels/threescale_component" {}
    unset "/metadata/labels/threescale_component_element" {}
  }
  patch "Service" "system-mysql" {
    when = has("Service", "system-mysql")
    unset "/metadata/ownerReferences" {}
    unset "/metadata/labels/app" {}
    unset "/metadata/labels/threescale_component" {}
    unset "/metadata/labels/threescale_component_element" {}
  }
}

step "mysql-triggers" {
  title    = "Remove the image triggers of system-mysql"
  kind     = "shell"
  section  = "3.3.4"
  when     = local.mysql_on_cluster
  requires = ["Deployment/system-mysql"]
  note     = <<-EOT
    So that the 2.16 operator's images never roll system-mysql. On a
    Deployment the triggers are the image.openshift.io/triggers annotation,
    which `--remove-all` removes (and leaves alone when there is none). The
    guide's second command, `--from-config`, adds a config change trigger,
    which only DeploymentConfigs have: a Deployment always rolls out on a
    change of its pod template, so the runbook leaves it out.
  EOT
  run      = <<-EOT
    oc set triggers deployment/system-mysql --remove-all
  EOT
}

step "mysql-wait" {
  title   = "Wait for system-mysql to restart"
  kind    = "wait"
  section = "3.3.4"
  when    = local.mysql_on_cluster
  rollout = ["Deployment/system-mysql"]
}

step "mysql-verify" {
  title   = "Check that no object of system-mysql is owned by the APIManager any more"
  kind    = "verify"
  section = "3.3.4"
  when    = local.mysql_on_cluster
  run     = <<-EOT
    for object in deployment/system-mysql pvc/mysql-storage%{ if has("ConfigMap", "mysql-extra-conf") } configmap/mysql-extra-conf%{ endif }%{ if has("ConfigMap", "mysql-main-conf") } configmap/mysql-main-conf%{ endif }%{ if has("Service", "system-mysql") } service/system-mysql%{ endif }; do
      holds "$object" '[.metadata.ownerReferences[]? | select(.kind == "APIManager")] | length == 0' \
        || fail "$object is still owned by the APIManager"
    done
    echo "system-mysql and its objects are detached from the operator"
  EOT
}

# ----------------------------------------------------- 4 MySQL → AWS RDS

step "mysql-rds-dump" {
  title    = "Dump the system database of system-mysql and count its rows"
  kind     = "backup"
  section  = "4.2.3"
  when     = local.mysql_aws
  requires = ["Deployment/system-mysql"]
  note     = <<-EOT
    The guide's 4.2.3 in an interactive `oc rsh -t` session. The runbook
    streams mysqldump (root, password from the pod's environment, never from
    a command line) into the backup directory, 3scale being scaled down,
    keeps it only when complete, removes the DEFINER clauses with the
    guide's sed (written with [[:space:]] rather than GNU sed's \s) into
    cleaned_system_mysql_backup.sql, and records the rows of every table
    (system_mysql_backup.counts, exact COUNT(*)), so that the import is
    checked table by table before 3scale is pointed at RDS. A dump that
    exists is kept: it is the one the import reads (a rollback sets it
    aside, so that a retry dumps again).
  EOT
  done_if  = "[ -s \"${local.dir}/cleaned_system_mysql_backup.sql\" ] && [ -f \"${local.dir}/system_mysql_backup.counts\" ]"
  run      = <<-EOT
    dir="${local.dir}"
    mkdir -p "$dir"
    # The $ names below expand in the pod, not here.
    # shellcheck disable=SC2016
    oc exec deployment/system-mysql -- bash -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqldump -h system-mysql -u root system' > "$dir/system_mysql_backup.sql.tmp"
    grep -q 'Dump completed' "$dir/system_mysql_backup.sql.tmp" || fail "the dump in $dir/system_mysql_backup.sql.tmp is incomplete"
    # shellcheck disable=SC2016
    sed 's/[[:space:]]DEFINER=`[^`]*`@`[^`]*`//g' "$dir/system_mysql_backup.sql.tmp" > "$dir/cleaned_system_mysql_backup.sql.tmp"
    # shellcheck disable=SC2016
    mysql_table_counts system oc exec -i deployment/system-mysql -- bash -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -h system-mysql -u root "$@"' mysql > "$dir/system_mysql_backup.counts.tmp"
    mv "$dir/system_mysql_backup.sql.tmp" "$dir/system_mysql_backup.sql"
    mv "$dir/system_mysql_backup.counts.tmp" "$dir/system_mysql_backup.counts"
    mv "$dir/cleaned_system_mysql_backup.sql.tmp" "$dir/cleaned_system_mysql_backup.sql"
    seal "$dir/system_mysql_backup.sql" "$dir/cleaned_system_mysql_backup.sql" "$dir/system_mysql_backup.counts"
    echo "system database dumped into $dir/system_mysql_backup.sql (cleaned: $dir/cleaned_system_mysql_backup.sql), the rows of its $(wc -l < "$dir/system_mysql_backup.counts") tables recorded"
  EOT
}

step "mysql-rds-import" {
  title    = "Import the dump into the threescale database on RDS"
  kind     = "shell"
  section  = "4.2.4"
  when     = local.mysql_aws
  requires = ["Deployment/system-mysql"]
  note     = <<-EOT
    The guide's 4.2.4: mysql in the system-mysql pod, which reaches RDS,
    creates threescale if it does not exist and sources the cleaned dump.
    The endpoint and credentials go to the pod on standard input and the
    password as MYSQL_PWD, never as arguments. mysql stops at the first
    failed statement and the step with it (the guide's session would go on
    to the Secret). The runbook imports only into a database that is empty
    or holds what an earlier attempt of this window imported (the target is
    recorded in rds-import.target before it starts; the dump's DROP TABLE
    IF EXISTS replaces that), never over tables it did not write. Every
    table must then hold the rows the dump recorded; rds_import.done records
    the dump's checksum, and the step is done when it names this window's
    dump, so that a re-run after 3scale was pointed at RDS never imports
    over what 3scale wrote there since.
  EOT
  done_if  = local.rds_done
  run      = local.rds_import
}

step "mysql-rds-verify-data" {
  title   = "Check that the threescale database on RDS holds every row of the dump"
  kind    = "verify"
  section = "4.2.4"
  when    = local.mysql_aws
  note    = local.rds_verify_note
  done_if = "moved_off system-mysql system-database URL"
  run     = local.rds_verify
}

step "mysql-rds-secret" {
  title        = "Point the system-database Secret at RDS"
  kind         = "shell"
  section      = "4.2.5"
  when         = local.mysql_aws
  requires     = ["Secret/system-database"]
  note         = <<-EOT
    The guide sets DB_PASSWORD, DB_USER and then, by a slip, "DB_USER" a
    third time with the URL: the third is the URL key. The values come from
    the AMPC_RDS_* variables and are written by jq, which reads them from its
    environment (env.X), so that none is on a command line; user and
    password are URL-encoded in the URL. It refuses unless the import of
    this window's dump was checked (rds_import.done).
  EOT
  precondition = local.rds_imported
  run          = local.rds_secret
}

step "mysql-rds-external" {
  title   = "Mark the system database external in the APIManager"
  kind    = "patch"
  section = "4.2.6"
  when    = local.mysql_aws
  note    = "The guide's merge patch becomes a JSON patch."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/database" {
      value = true
    }
  }
}

# ------------------------------------------------ 5 PostgreSQL → AWS RDS

step "pg-rds-dump" {
  title    = "Dump the system database of system-postgresql and count its rows"
  kind     = "backup"
  section  = "5.2.3"
  when     = local.pg_aws
  requires = ["Deployment/system-postgresql"]
  note     = <<-EOT
    The guide's 5.2.3 in an interactive `oc rsh -t` session, into /tmp of
    the pod. The runbook streams pg_dump into the backup directory, 3scale
    being scaled down, keeps it only when complete, and records the rows of
    every table (system_postgres_backup.counts, exact count(*)). The guide's
    -c (drop before create, so that sourcing it again replaces) is left
    out: the import goes into an empty database, where its DROP TABLEs
    fail. -O and -x leave out the owners and privileges: RDS's master user
    has neither the site's role system nor a superuser's rights, and
    ALTER TABLE ... OWNER TO system fails there; the tables belong to the
    RDS user, whom the Secret names. 5.1 asks for PostgreSQL 13 on the
    cluster, which a 2.15 site (PostgreSQL 10, see 3.2) cannot have: a
    plain pg_dump loads into a later server, so the runbook prints the
    version instead of refusing.
  EOT
  done_if  = "[ -s \"${local.dir}/system_postgres_backup.psql\" ] && [ -f \"${local.dir}/system_postgres_backup.counts\" ]"
  run      = <<-EOT
    ${local.postgresql_version}
    echo "system-postgresql runs PostgreSQL $(postgresql_version system-postgresql)"
    dir="${local.dir}"
    mkdir -p "$dir"
    # The $ names below expand in the pod, not here.
    # shellcheck disable=SC2016
    oc exec deployment/system-postgresql -- bash -c 'PGPASSWORD=$POSTGRESQL_PASSWORD pg_dump -U "$POSTGRESQL_USER" -O -x "$POSTGRESQL_DATABASE"' > "$dir/system_postgres_backup.psql.tmp"
    grep -q 'PostgreSQL database dump complete' "$dir/system_postgres_backup.psql.tmp" || fail "the dump in $dir/system_postgres_backup.psql.tmp is incomplete"
    pg_table_counts deployment/system-postgresql system system > "$dir/system_postgres_backup.counts.tmp"
    mv "$dir/system_postgres_backup.counts.tmp" "$dir/system_postgres_backup.counts"
    mv "$dir/system_postgres_backup.psql.tmp" "$dir/system_postgres_backup.psql"
    seal "$dir/system_postgres_backup.psql" "$dir/system_postgres_backup.counts"
    echo "system database dumped into $dir/system_postgres_backup.psql, the rows of its $(wc -l < "$dir/system_postgres_backup.counts") tables recorded"
  EOT
}

step "pg-rds-import" {
  title    = "Import the dump into the system database on RDS"
  kind     = "shell"
  section  = "5.2.4"
  when     = local.pg_aws
  requires = ["Deployment/system-postgresql"]
  note     = <<-EOT
    The guide's 5.2.4: psql in the system-postgresql pod, which reaches RDS,
    creates system ("CREATE DATABASE system", whose failure on a re-run the
    guide's session shrugs off: the runbook creates it only when it is
    absent) and sources the dump. The endpoint and credentials go to the
    pod on standard input and the password as PGPASSWORD, never as
    arguments. The guide's psql goes on after a failed statement and exits
    0; the runbook's stops at the first (ON_ERROR_STOP) in one transaction
    (--single-transaction), so a failed import leaves nothing behind. Two
    comments pg_dump 10 writes are left out of what psql reads: on the
    plpgsql extension and on schema public, which RDS's master user does not
    own (PostgreSQL refuses them: "must be owner of extension plpgsql");
    3scale reads neither. The runbook imports only into an empty database,
    or finds there what an earlier attempt of this window imported (the
    target is recorded in rds-import.target first), never over tables it did
    not write. Every table must then hold the rows the dump recorded;
    rds_import.done records the dump's checksum, and the step is done when
    it names this window's dump, so that a re-run after 3scale was pointed
    at RDS never imports over what 3scale wrote there since.
  EOT
  done_if  = local.rds_done
  run      = local.rds_import
}

step "pg-rds-verify-data" {
  title   = "Check that the system database on RDS holds every row of the dump"
  kind    = "verify"
  section = "5.2.4"
  when    = local.pg_aws
  note    = local.rds_verify_note
  done_if = "moved_off system-postgresql system-database URL"
  run     = local.rds_verify
}

step "pg-rds-secret" {
  title        = "Point the system-database Secret at RDS"
  kind         = "shell"
  section      = "5.2.5"
  when         = local.pg_aws
  requires     = ["Secret/system-database"]
  note         = "As 4.2.5, with the guide's slip (the URL written into \"DB_USER\") corrected and the values read by jq from its environment; the database is system. It refuses unless the import of this window's dump was checked (rds_import.done)."
  precondition = local.rds_imported
  run          = local.rds_secret
}

step "pg-rds-external" {
  title   = "Mark the system database external in the APIManager"
  kind    = "patch"
  section = "5.2.6"
  when    = local.pg_aws
  note    = "The guide's merge patch becomes a JSON patch."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/database" {
      value = true
    }
  }
}

# ---------------------------------------------------- Redis: dumps (3.4, 6)

step "redis-dump" {
  title    = "Dump backend-redis and system-redis"
  kind     = "backup"
  section  = "3.4.3"
  when     = local.redis_on_cluster
  requires = ["Deployment/backend-redis", "Deployment/system-redis"]
  note     = local.redis_dump_note
  done_if  = local.redis_dump_done
  run      = local.redis_dump
}

step "elasticache-dump" {
  title    = "Dump backend-redis and system-redis for ElastiCache"
  kind     = "backup"
  section  = "6.2.2"
  when     = local.redis_aws
  requires = ["Deployment/backend-redis", "Deployment/system-redis"]
  note     = local.redis_dump_note
  done_if  = local.redis_dump_done
  run      = local.redis_dump
}

# --------------------------------------------- 3.4 Redis 6 → 7 on cluster

step "redis-scale-down" {
  title   = "Scale backend-redis and system-redis down to 0"
  kind    = "shell"
  section = "3.4.4"
  when    = local.redis_on_cluster
  note    = "So that nothing writes to them once dumped; the runbook waits until their pods are gone."
  run     = "scale_down deployment/system-redis deployment/backend-redis"
}

step "redis-claims" {
  title   = "Create the claims of the two Redis 7 instances, each as large as the one of the Redis it replaces"
  kind    = "shell"
  section = "3.4.5"
  when    = local.redis_on_cluster
  note    = <<-EOT
    The guide's claims ask for 1Gi each; a Redis whose dump is larger
    cannot load it. The runbook asks for what the claim of backend-redis,
    and of system-redis, holds (bound capacity, else request), read on the
    cluster when the step runs. An existing claim is left as it is.
  EOT
  done_if = "exists pvc/backend-redis-storage-external --namespace=${local.db_ns} && exists pvc/system-redis-storage-external --namespace=${local.db_ns}"
  run     = <<-EOT
    create_claim_like deployment/backend-redis backend-redis-storage-external backend-redis-external ${local.db_ns}
    create_claim_like deployment/system-redis system-redis-storage-external system-redis-external ${local.db_ns}
  EOT
}

step "redis-create" {
  title              = "Create the two Redis 7 Deployments, their Services, service accounts and ConfigMap"
  kind               = "create"
  section            = "3.4.5"
  when               = local.redis_on_cluster
  manifest_namespace = local.db_ns
  manifests          = ["2.15-2.16/redis-config-external.yaml", "2.15-2.16/backend-redis-external.yaml", "2.15-2.16/system-redis-external.yaml"]
  note               = "The guide's YAML files of 3.4.5.1 and 3.4.5.2 and the ConfigMap, carried in the bundle, but for the claims (step redis-claims); each service account is an object rather than `oc create serviceaccount` and `oc label`. The guide's second \"Create a service account for the Backend Redis instance\" means the system one."
}

step "redis-start" {
  title   = "Make sure backend-redis-external and system-redis-external run their one replica"
  kind    = "shell"
  section = "3.4.5"
  when    = local.redis_on_cluster
  note    = "The manifests ask for one replica each, but a rollback (3.4.12) scales the Redis 7 instances down to keep their data, and oc apply leaves a count changed since as it is: on a new attempt this step scales them up again. On a first run it changes nothing."
  run     = <<-EOT
    oc scale deployment/backend-redis-external --namespace=${local.db_ns} --replicas=1
    oc scale deployment/system-redis-external --namespace=${local.db_ns} --replicas=1
  EOT
}

step "redis-wait" {
  title             = "Wait for backend-redis-external and system-redis-external"
  kind              = "wait"
  section           = "3.4.6"
  when              = local.redis_on_cluster
  rollout           = ["Deployment/backend-redis-external", "Deployment/system-redis-external"]
  rollout_namespace = local.db_ns
}

step "redis-version" {
  title   = "Check that both new instances run Redis 7.2 or later"
  kind    = "verify"
  section = "1.1.1"
  when    = local.redis_on_cluster
  note    = "registry.redhat.io/rhel9/redis-7 is a Redis 7 image whose minor follows RHEL 9; 3scale 2.16 needs 7.2 (chapter 6 says the on-cluster Redis is 7.0), so the runbook checks what the pods run before any data moves."
  run     = <<-EOT
    ${local.redis_version}
    for redis in backend-redis-external system-redis-external; do
      version=$(redis_version "$redis" --namespace=${local.db_ns})
      at_least "$version" 7.2 || fail "$redis runs Redis '$version': 3scale 2.16 needs 7.2 or later (guide 1.1.1); point the image of its Deployment at a Redis 7.2 image, then re-run"
      echo "$redis: Redis $version"
    done
  EOT
}

step "redis-restore" {
  title   = "Load the dumps into the new Redis instances"
  kind    = "shell"
  section = "3.4.7"
  when    = local.redis_on_cluster
  note    = <<-EOT
    The guide's `oc cp` to the pods becomes `oc exec -i ... cat` through the
    Deployments; the restarts load dump.rdb (the ConfigMap saves nothing on
    shutdown, so the copied file survives). Each instance restarts once
    (restart_once of the shell library: a re-run after a restart that
    reached the cluster copies the same dump again, which the restarted
    Redis has loaded, and only waits); the runbook waits for both rollouts.
  EOT
  run     = <<-EOT
    for redis in backend-redis system-redis; do
      dump="${local.dir}/$redis-dump.rdb"
      [ -s "$dump" ] || fail "$dump is missing: it is written by step 2.15-2.16/redis-dump"
      check_seal "$dump"
      oc exec -i "deployment/$redis-external" --namespace=${local.db_ns} -- bash -c 'cat > /var/lib/redis/data/dump.rdb' < "$dump"
    done
    for redis in backend-redis-external system-redis-external; do
      restart_once "deployment/$redis" "${local.dir}/$redis-restore-restart" --namespace=${local.db_ns}
    done
  EOT
}

step "redis-aof" {
  title   = "Write the append-only files of the new instances"
  kind    = "shell"
  section = "3.4.7"
  when    = local.redis_on_cluster
  note    = <<-EOT
    The guide's BGREWRITEAOF, then its periodic check of
    aof_rewrite_in_progress by hand; the runbook polls every 10 seconds for
    up to 30 minutes per instance. A rewrite that waits for a snapshot
    shows aof_rewrite_scheduled:1 with aof_rewrite_in_progress:0, so the
    runbook waits for both to be 0; then aof_last_bgrewrite_status must be
    ok (the guide does not read it: a rewrite that failed, on a full volume
    say, also ends with aof_rewrite_in_progress:0), else the step stops
    before anything points 3scale at the instance.
  EOT
  run     = <<-EOT
    for redis in backend-redis-external system-redis-external; do
      oc exec "deployment/$redis" --namespace=${local.db_ns} -- redis-cli BGREWRITEAOF
    done
    for redis in backend-redis-external system-redis-external; do
      redis_aof_wait "deployment/$redis" 180 "nothing points 3scale at it yet; fix the cause and re-run, or roll back with --rollback 2.15-2.16/redis" --namespace=${local.db_ns}
    done
  EOT
}

step "redis-config-persist" {
  title   = "Turn on snapshots and the append-only file in redis-config-external"
  kind    = "patch"
  section = "3.4.7"
  when    = local.redis_on_cluster
  note    = <<-EOT
    The guide's `oc edit configmap/redis-config-external` (uncomment the
    three save lines, remove save "", set appendonly yes) becomes a JSON
    patch of the whole redis.conf, tested against the text the bundle
    created, so that an edited ConfigMap refuses it. The result is the
    redis.conf of the 2.15 operator's redis-config.
  EOT
  patch "ConfigMap" "redis-config-external" {
    namespace = local.db_ns
    set "/data/redis.conf" {
      value  = local.redis_conf_persist
      expect = local.redis_conf_restore
    }
  }
}

step "redis-restart" {
  title   = "Restart the Redis instances with the new configuration"
  kind    = "shell"
  section = "3.4.7"
  when    = local.redis_on_cluster
  note    = "The guide's `oc rollout restart` of each instance, once: a re-run after a restart that reached the cluster only waits for it (restart_once of the shell library), so that Redis is not restarted twice; the next step waits for both rollouts."
  run     = <<-EOT
    for redis in backend-redis-external system-redis-external; do
      restart_once "deployment/$redis" "${local.dir}/$redis-persist-restart" --namespace=${local.db_ns}
    done
  EOT
}

step "redis-wait-restart" {
  title             = "Wait for the restarted Redis instances"
  kind              = "wait"
  section           = "3.4.7"
  when              = local.redis_on_cluster
  rollout           = ["Deployment/backend-redis-external", "Deployment/system-redis-external"]
  rollout_namespace = local.db_ns
}

step "redis-verify-keys" {
  title   = "Check that the new Redis instances hold every key of the dumps"
  kind    = "verify"
  section = "3.4.7"
  when    = local.redis_on_cluster
  note    = "A check the guide does not have: after the restart with the append-only file, each new instance holds at least as many keys in each database as the old one held when it was dumped (redis-cli INFO keyspace, recorded with the dump). At least, not exactly: 3scale's Redis readiness probe writes a key (liveness-probe) into the new instance, and nothing else writes while 3scale is scaled down. It runs before any Secret points 3scale at the new instances."
  run     = <<-EOT
    for redis in backend-redis system-redis; do
      recorded="${local.dir}/$redis-dump.keys"
      [ -f "$recorded" ] || fail "$recorded is missing: re-run from step 2.15-2.16/redis-dump, which records it"
      check_seal "$recorded"
      redis_keys_verify "$recorded" "deployment/$redis-external" "$redis-external does not hold the keys of the dump: nothing points at it yet; load the dump again (re-run from 2.15-2.16/redis-restore), or roll back with --rollback 2.15-2.16/redis" --namespace=${local.db_ns}
    done
  EOT
}

step "redis-secrets" {
  title    = "Point the backend-redis and system-redis Secrets at the new instances"
  kind     = "shell"
  section  = "3.4.8"
  when     = local.redis_on_cluster
  requires = ["Secret/backend-redis", "Secret/system-redis"]
  note     = <<-EOT
    The guide's `oc patch secret -p '{"stringData": ...}'` become jq edits
    of the Secrets replaced from standard input (no Secret value passes
    through the shell). The URLs are the guide's: backend storage in
    database 0 and queues in 1, system in 1, as the 2.15 operator has them.
  EOT
  run      = <<-EOT
    oc get secret backend-redis -o json \
      | jq --arg url "redis://backend-redis-service.${local.db_ns}.svc.cluster.local:6379" '
          .data.REDIS_STORAGE_URL = ("\($url)/0" | @base64) | .data.REDIS_QUEUES_URL = ("\($url)/1" | @base64)' \
      | oc replace -f -
    oc get secret system-redis -o json \
      | jq --arg url "redis://system-redis-service.${local.db_ns}.svc.cluster.local:6379/1" '.data.URL = ($url | @base64)' \
      | oc replace -f -
    echo "backend-redis and system-redis point at the Redis instances of project ${local.db_ns}"
  EOT
}

step "redis-external" {
  title   = "Mark backend and system Redis external in the APIManager"
  kind    = "patch"
  section = "3.4.9"
  when    = local.redis_on_cluster
  note    = "The guide's two merge patches become one JSON patch."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/redis" {
      value = true
    }
    set "/spec/externalComponents/backend/redis" {
      value = true
    }
  }
}

# -------------------------------------------------- 6 Redis → ElastiCache

step "elasticache-create" {
  title        = "Create the two ElastiCache instances from the dumps"
  kind         = "manual"
  section      = "6.2.3"
  when         = local.redis_aws
  instructions = <<-EOT
    The dumps are in $BACKUP_DIR/2.15-2.16/backend-redis-dump.rdb and
    system-redis-dump.rdb (step 2.15-2.16/redis-dump). 3scale is stopped.

    1. Upload both files to the S3 folder prepared in step
       2.15-2.16/elasticache-prepare.
    2. Create two Redis 7.2 (or later) instances, one seeded from each file,
       following "Tutorial: Seeding a new node-based cluster with an
       externally created backup" (guide 6.2.3), without ACLs or TLS.
    3. When you continue, export their endpoints (host names, without the
       port) in the shell that runs the runbook:
         export AMPC_BACKEND_REDIS_HOST=<backend instance endpoint>
         export AMPC_SYSTEM_REDIS_HOST=<system instance endpoint>
         export AMPC_REDIS_PORT=<port>   # only when not 6379
       then run ./runbook.sh --ack 2.15-2.16/elasticache-create
  EOT
}

step "elasticache-check" {
  title   = "Check that the cluster reaches both ElastiCache instances and that they hold the data"
  kind    = "verify"
  section = "6.2.4"
  when    = local.redis_aws
  note    = <<-EOT
    The guide's pre-connection check, from the backend-redis pod (the
    Deployment form, since 2.15 runs Deployments), for both instances as the
    guide asks. The guide's check hangs when AWS is unreachable; the runbook
    gives it 20 seconds.
  EOT
  run     = <<-EOT
    port=$${AMPC_REDIS_PORT:-6379}
    [[ $port =~ ^[0-9]+$ ]] || fail "AMPC_REDIS_PORT is not a port"
    for pair in "backend:$${AMPC_BACKEND_REDIS_HOST:-}" "system:$${AMPC_SYSTEM_REDIS_HOST:-}"; do
      which=$${pair%%:*}
      host=$${pair#*:}
      [ -n "$host" ] || fail "AMPC_$${which^^}_REDIS_HOST is not set: see step 2.15-2.16/elasticache-create"
      [[ $host =~ ^[A-Za-z0-9.-]+$ ]] || fail "AMPC_$${which^^}_REDIS_HOST is not a host name"
      keys=$(oc exec ${local.workload}/backend-redis -- timeout 20 redis-cli -h "$host" -p "$port" KEYS liveness-probe) \
        || fail "the cluster does not reach the $which Redis instance $host:$port: review the security groups and the network between the cluster and AWS (guide 6.2.4, 7.1.2.2)"
      printf '%s\n' "$keys" | grep -q 'liveness-probe' \
        || fail "the $which Redis instance $host answers without the liveness-probe key: it was not restored from the dump, or the dump is corrupted (guide 6.2.4); seed it again"
      echo "$which Redis instance $host: reachable, restored"
    done
  EOT
}

step "elasticache-secrets" {
  title    = "Point the backend-redis and system-redis Secrets at ElastiCache"
  kind     = "shell"
  section  = "6.2.5"
  when     = local.redis_aws
  requires = ["Secret/backend-redis", "Secret/system-redis"]
  note     = <<-EOT
    The guide writes one "<AWS Redis endpoint>" into all three URLs, with
    system in database 0: with one instance, system's keys would land in
    backend storage's database 0, and system's dump holds its keys in the
    database its URL names (1 on a 2.15 site). ampc points backend at the
    backend instance (storage 0, queues 1, as the guide) and system at the
    system instance, keeping the database number of its current URL. The
    values are edited by jq, reading the endpoints from its environment.
  EOT
  run      = <<-EOT
    [[ -n $${AMPC_BACKEND_REDIS_HOST:-} && -n $${AMPC_SYSTEM_REDIS_HOST:-} ]] \
      || fail "AMPC_BACKEND_REDIS_HOST and AMPC_SYSTEM_REDIS_HOST must be set: see step 2.15-2.16/elasticache-create"
    AMPC_REDIS_PORT=$${AMPC_REDIS_PORT:-6379}
    export AMPC_BACKEND_REDIS_HOST AMPC_SYSTEM_REDIS_HOST AMPC_REDIS_PORT
    oc get secret backend-redis -o json \
      | jq '("redis://\(env.AMPC_BACKEND_REDIS_HOST):\(env.AMPC_REDIS_PORT)") as $url
          | .data.REDIS_STORAGE_URL = ("\($url)/0" | @base64) | .data.REDIS_QUEUES_URL = ("\($url)/1" | @base64)' \
      | oc replace -f -
    oc get secret system-redis -o json \
      | jq '((.data.URL // "" | @base64d | capture("/(?<db>[0-9]+)$").db) // "0") as $db
          | .data.URL = ("redis://\(env.AMPC_SYSTEM_REDIS_HOST):\(env.AMPC_REDIS_PORT)/\($db)" | @base64)' \
      | oc replace -f -
    echo "backend-redis points at $AMPC_BACKEND_REDIS_HOST, system-redis at $AMPC_SYSTEM_REDIS_HOST"
  EOT
}

step "elasticache-external" {
  title   = "Mark backend and system Redis external in the APIManager"
  kind    = "patch"
  section = "1.1.1"
  when    = local.redis_aws
  note    = "Chapter 6 never marks Redis external in the APIManager, but 1.1.1 requires it before 2.16 (the operator would go on reconciling backend-redis and system-redis, and 2.16 refuses internal databases); ampc does it as 3.4.9 does."
  patch "APIManager" "apimanager" {
    name = local.apimanager
    when = local.apimanager != ""
    set "/spec/externalComponents/system/redis" {
      value = true
    }
    set "/spec/externalComponents/backend/redis" {
      value = true
    }
  }
}

# ------------------------------------------------- close the window (3.x)

step "scale-up" {
  title   = "Scale 3scale back up to its saved replica counts, then the operator"
  kind    = "shell"
  section = "3.2.9"
  when    = local.window
  note    = <<-EOT
    The guide's scale-ups (3.2.9, 3.3.5, 3.4.10, 4.2.7, 5.2.7, 6.2.6), from
    the counts saved before the window, then the operator (the guide: 1
    replica; ampc: its saved count). The databases this bundle replaced
    stay at 0.
  EOT
  run     = <<-EOT
    restore_replicas "${local.replicas}" %{ for d in local.apps }deployment/${d} %{ endfor }
    operator=$(<"${local.dir}/operator-replicas")
    [[ $operator =~ ^[0-9]+$ ]] || fail "${local.dir}/operator-replicas has no replica count"
    oc scale deployment/threescale-operator-controller-manager-v2 --namespace=${local.operator_ns} --replicas="$operator"
  EOT
}

step "wait-operator" {
  title             = "Wait for the 3scale operator"
  kind              = "wait"
  section           = "3.2.9"
  when              = local.window
  rollout           = ["Deployment/threescale-operator-controller-manager-v2"]
  rollout_namespace = local.operator_ns
}

step "verify-3scale" {
  title   = "Wait until every 3scale Deployment is ready on its external databases"
  kind    = "verify"
  section = "3.2.9"
  when    = local.window
  note    = "The guide's `oc get deployments` until READY matches; the runbook waits for each rollout and, when one does not become ready, prints what chapter 7 says to look at."
  run     = <<-EOT
    for d in %{ for d in local.apps }${d} %{ endfor }; do
      if ! oc rollout status "deployment/$d" --watch --timeout=20m; then
        cat >&2 <<'AMPC_HINT'
    ${local.troubleshoot_database}
    ${local.troubleshoot_redis}
    AMPC_HINT
        fail "deployment/$d is not ready 20 minutes after the scale-up: fix it with the hints above and re-run, or roll back (./runbook.sh --list names the rollback sections)"
      fi
    done
    oc get deployments
  EOT
}

step "verify-portals" {
  title        = "Check the Admin Portal, the Developer Portal and the APIs"
  kind         = "manual"
  section      = "3.2.9"
  when         = local.window
  instructions = <<-EOT
    3scale runs on its external databases, still at 2.15. Before the channel
    changes (guide 3.2.9, 3.3.5, 3.4.10/3.4.11, 4.2.7, 5.2.7, 6.2.6):

    - log in to the Admin Portal and the Developer Portal, check that the
      accounts, products and backends you noted before are there, that the
      API calls go through and that the analytics show the usage;
    - look for errors in system-app and system-sidekiq (oc logs).

    If something is wrong, roll back before going further:%{ if local.pg_on_cluster }
      ./runbook.sh --rollback 2.15-2.16/postgresql%{ endif }%{ if local.mysql_aws }
      ./runbook.sh --rollback 2.15-2.16/mysql-rds%{ endif }%{ if local.pg_aws }
      ./runbook.sh --rollback 2.15-2.16/postgresql-rds%{ endif }%{ if local.redis_on_cluster }
      ./runbook.sh --rollback 2.15-2.16/redis%{ endif }%{ if local.redis_aws }
      ./runbook.sh --rollback 2.15-2.16/redis-elasticache%{ endif }%{ if local.mysql_on_cluster }
      (3.3 has no rollback: system-mysql runs as before, only detached)%{ endif }
    Chapter 7 of the guide lists the usual causes: a wrong URL, user,
    password or database name in the system-database, backend-redis or
    system-redis Secret, a cluster that cannot reach the database, TLS or
    Redis ACLs (not supported).

    When all is well, confirm (type done, or re-run with --ack 2.15-2.16/verify-portals).
  EOT
}

# ------------------------------------------------- 1.2 the channel change

step "channel" {
  title   = "Move the 3scale operator's Subscription to the threescale-2.16 channel"
  kind    = "patch"
  section = "1.2 (step 5)"
  note    = "The guide edits the channel in the console (Operators > Installed Operators > Subscription > Channel); ampc patches the Subscription, tested against threescale-2.15. This starts the upgrade."
  patch "Subscription" "3scale-operator" {
    namespace = local.operator_ns
    name      = plan.operator_subscription
    set "/spec/channel" {
      value  = "threescale-2.16"
      expect = "threescale-2.15"
    }
  }
}

step "oracle-installplan" {
  title        = "Oracle: approve the InstallPlan of the target release only"
  kind         = "manual"
  section      = "1.3"
  when         = local.oracle
  note         = "The guide forbids automatic updates with Oracle, so the channel change waits for an approval: only of the release whose system image was built."
  instructions = <<-EOT
    In project ${local.operator_ns}, approve the InstallPlan whose CSV is the
    3scale operator of ${plan.to_release}, and no other (the system image
    built in step 2.15-2.16/oracle-system-image-build is for that release):

      oc get installplan -n ${local.operator_ns}
      oc patch installplan <name> -n ${local.operator_ns} --type=merge -p '{"spec":{"approved":true}}'

    Then confirm (type done, or re-run with --ack 2.15-2.16/oracle-installplan).
  EOT
}

step "wait-operator-upgrade" {
  title   = "Wait for OLM to install the 2.16 3scale operator"
  kind    = "shell"
  section = "1.2 (step 6)"
  note    = <<-EOT
    The channel change makes OLM resolve the 2.16 operator into an
    InstallPlan. The runbook polls the Subscription for up to 30 minutes
    (AMPC_UPGRADE_MINUTES) until it has installed another operator version
    (CSV) than the one the backup recorded, and that CSV has succeeded. A
    Subscription with manual approval waits for its InstallPlan: the step
    then stops with the command that approves it, as the 2.7 → 2.8 hop's
    wait-operator does (wait_operator_csv of the shell library), instead of
    waiting for an upgrade that never starts.
  EOT
  run = <<-EOT
    minutes=$${AMPC_UPGRADE_MINUTES:-30}
    [[ $minutes =~ ^[0-9]+$ ]] || fail "AMPC_UPGRADE_MINUTES is not a number of minutes"
    old=$(<"${local.dir}/installed-csv-3scale-operator")
    [ -n "$old" ] || fail "no operator version recorded by step 2.15-2.16/backup"
    wait_operator_csv ${plan.operator_subscription} ${local.operator_ns} "$minutes" "$old"
  EOT
}

step "wait-upgrade" {
  title   = "Wait for the 2.16 operator to upgrade the APIManager"
  kind    = "verify"
  section = "1.2 (step 6)"
  note    = <<-EOT
    The guide queries the pods until the new versions run (5 to 10 minutes);
    the runbook polls the APIManager's apps.3scale.net/apimanager-threescale-version
    annotation every 20 seconds for up to 30 minutes (AMPC_UPGRADE_MINUTES
    changes it), printing the pods as it goes. The 2.16 operator upgrades
    only once the databases meet its requirements, which it checks every 10
    minutes (1.1.1).
  EOT
  run     = <<-EOT
    minutes=$${AMPC_UPGRADE_MINUTES:-30}
    [[ $minutes =~ ^[0-9]+$ ]] || fail "AMPC_UPGRADE_MINUTES is not a number of minutes"
    wait_apimanager_version ${hop.to} "$minutes" ${local.apimanager} "see oc get apimanager ${local.apimanager} -o yaml (status.conditions: a Preflights condition that is not True names the database that is too old), the Subscription and InstallPlans in project ${local.operator_ns}; then re-run"
    oc get pods
  EOT
}

step "wait-pods" {
  title   = "Wait for every 3scale Deployment to run the 2.16 version"
  kind    = "wait"
  section = "1.2 (step 6)"
  note    = "The pods may show temporary errors during the upgrade, as the guide notes; each rollout gets 20 minutes."
  rollout = [for d in local.apps : "Deployment/${d}"]
}

step "oracle-system-image" {
  title    = "Oracle: point the APIManager at the custom system image"
  kind     = "shell"
  section  = "1.3"
  when     = local.oracle
  requires = ["APIManager/*"]
  note     = "Step 3 of the guide's Oracle procedure: the image built in oracle-system-image-build, from AMPC_ORACLE_SYSTEM_IMAGE, set as spec.system.image with a merge patch that jq builds (the reference is the site's, known at run time)."
  run      = <<-EOT
    image=$${AMPC_ORACLE_SYSTEM_IMAGE:-}
    [ -n "$image" ] || fail "AMPC_ORACLE_SYSTEM_IMAGE is not set: give the system image built in step 2.15-2.16/oracle-system-image-build"
    [[ $image =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] || fail "AMPC_ORACLE_SYSTEM_IMAGE is not an image reference"
    oc patch apimanager ${local.apimanager} --type=merge -p "$(jq -cn --arg image "$image" '{spec: {system: {image: $image}}}')"
    wait_rollout deployment/system-app
    wait_rollout deployment/system-sidekiq
  EOT
}

step "verify-upgrade" {
  title   = "Check the APIManager's version annotations"
  kind    = "verify"
  section = "1.2 (step 8)"
  note    = "The guide reads `oc get apimanager -o yaml` by eye for apimanager-threescale-version \"2.16\" and threescale-operator-version \"0.13.x\"; the runbook checks both."
  run     = "check_apimanager ${hop.to} 0.13 ${local.apimanager}"
}

step "verify-admin-portal" {
  title        = "Log in to the 3scale Admin Portal"
  kind         = "manual"
  section      = "1.2 (step 7)"
  instructions = <<-EOT
    The 3scale pods run 2.16. Log in to the 3scale Admin Portal and check
    that it works as expected (guide 1.2, step 7). Then confirm (type done,
    or re-run with --ack 2.15-2.16/verify-admin-portal).
  EOT
}

# ------------------------------------------------- 2 the APIcast operator

step "apicast-channel" {
  title   = "Move the APIcast operator's Subscription to the threescale-2.16 channel"
  kind    = "patch"
  section = "2.2 (step 5)"
  when    = local.apicast_ns != ""
  note    = "The guide edits the channel in the console; ampc patches the Subscription, tested against threescale-2.15."
  patch "Subscription" "apicast-operator" {
    namespace = local.apicast_ns
    set "/spec/channel" {
      value  = "threescale-2.16"
      expect = "threescale-2.15"
    }
  }
}

step "apicast-operator-upgrade" {
  title   = "Wait for OLM to install the 2.16 APIcast operator"
  kind    = "shell"
  section = "2.2 (step 6)"
  when    = local.apicast_ns != ""
  note    = "As wait-operator-upgrade, for the APIcast operator's Subscription: under manual approval the step stops with the command that approves its InstallPlan."
  run     = <<-EOT
    minutes=$${AMPC_UPGRADE_MINUTES:-30}
    [[ $minutes =~ ^[0-9]+$ ]] || fail "AMPC_UPGRADE_MINUTES is not a number of minutes"
    old=$(<"${local.dir}/installed-csv-apicast-operator")
    [ -n "$old" ] || fail "no APIcast operator version recorded by step 2.15-2.16/backup"
    wait_operator_csv apicast-operator ${local.apicast_ns} "$minutes" "$old"
  EOT
}

step "apicast-verify" {
  title   = "Wait for the APIcast operator to upgrade every APIcast"
  kind    = "verify"
  section = "2.2 (step 6)"
  when    = local.apicast_ns != ""
  note    = "The guide queries the pods, then reads the APIcast objects for apicast.apps.3scale.net/operator-version \"0.13.x\"; the runbook polls every APIcast of the project for up to 30 minutes (AMPC_UPGRADE_MINUTES), then waits for each one's Deployment."
  run     = <<-EOT
    local i
    minutes=$${AMPC_UPGRADE_MINUTES:-30}
    [[ $minutes =~ ^[0-9]+$ ]] || fail "AMPC_UPGRADE_MINUTES is not a number of minutes"
    upgraded=0
    for ((i = 0; i < minutes * 3; i++)); do
      old=$(oc get apicast --namespace=${local.apicast_ns} -o json | jq -r '[.items[]? | select((.metadata.annotations["apicast.apps.3scale.net/operator-version"] // "") | test("^0\\.13(\\.|$)") | not) | .metadata.name] | join(" ")')
      if [ -z "$old" ]; then
        upgraded=1
        break
      fi
      [ $((i % 3)) = 0 ] && echo "APIcast not upgraded yet: $old"
      sleep 20
    done
    [ "$upgraded" = 1 ] || fail "APIcast $old still not at operator version 0.13.x after $minutes minutes: see the Subscription and InstallPlans of project ${local.apicast_ns}"
    names=$(oc get apicast --namespace=${local.apicast_ns} -o json | jq -r '.items[]?.metadata.name')
    for name in $names; do
      wait_rollout "deployment/apicast-$name" --namespace=${local.apicast_ns}
    done
    echo "every APIcast of project ${local.apicast_ns} runs operator 0.13.x"
  EOT
}

# ----------------------------------- cleanup of the old databases (3.2.10, …)

step "cleanup-confirm" {
  title        = "Confirm that the data is right before the old databases are deleted"
  kind         = "manual"
  section      = "3.2.10"
  when         = local.pg_on_cluster || local.pg_aws || local.mysql_aws || local.redis_moves
  note         = "The guide deletes the old databases once the data is confirmed (3.2.10, 3.4.11, 4.2.7, 5.2.7, 6.2.6). The deletion is irreversible and ends the rollback sections, so the runbook stops first."
  instructions = <<-EOT
    The next steps delete the databases 3scale no longer uses, irreversibly
    (the guide's warning: "Only perform the steps below once you are 100%
    sure the data is correct"); after them, the rollback sections no longer
    work. Run your post-migration checks first: the accounts, products and
    API usage analytics in the Admin Portal.

    To keep the old databases for now, stop here: the upgrade itself is
    complete. Otherwise confirm (type done, or re-run with --ack
    2.15-2.16/cleanup-confirm).
  EOT
}

step "cleanup-postgresql" {
  title   = "Delete the old system-postgresql Deployment, claim and Service"
  kind    = "delete"
  section = "3.2.10"
  when    = local.pg_on_cluster
  precondition = <<-EOT
    not_in_use system-postgresql system-database URL
    external_in ${local.apimanager} system.database
  EOT
  delete "Deployment" "system-postgresql" {}
  delete "PersistentVolumeClaim" "postgresql-data" {}
  delete "Service" "system-postgresql" {}
}

step "cleanup-postgresql-rds" {
  title   = "Delete the old system-postgresql Deployment, claim and Service"
  kind    = "delete"
  section = "5.2.7"
  when    = local.pg_aws
  note    = "Chapter 5 says only that the on-cluster instance can be deleted; ampc deletes the objects 3.2.10 deletes."
  precondition = <<-EOT
    not_in_use system-postgresql system-database URL
    external_in ${local.apimanager} system.database
  EOT
  delete "Deployment" "system-postgresql" {}
  delete "PersistentVolumeClaim" "postgresql-data" {}
  delete "Service" "system-postgresql" {}
}

step "cleanup-mysql" {
  title   = "Delete the old system-mysql Deployment, claim, Service and ConfigMaps"
  kind    = "delete"
  section = "4.2.7"
  when    = local.mysql_aws
  note    = "Chapter 4 says only that the on-cluster MySQL can be deleted; ampc deletes its Deployment, claim, Service and ConfigMaps, as 3.2.10 does for PostgreSQL."
  precondition = <<-EOT
    not_in_use system-mysql system-database URL
    external_in ${local.apimanager} system.database
  EOT
  delete "Deployment" "system-mysql" {}
  delete "PersistentVolumeClaim" "mysql-storage" {}
  delete "Service" "system-mysql" {}
  delete "ConfigMap" "mysql-extra-conf" {}
  delete "ConfigMap" "mysql-main-conf" {}
}

step "cleanup-redis" {
  title   = "Delete the old backend-redis and system-redis Deployments, claims and ConfigMap"
  kind    = "delete"
  section = "3.4.11"
  when    = local.redis_on_cluster
  note    = "The commands of 3.4.11; the Services stay, as there."
  precondition = <<-EOT
    not_in_use backend-redis backend-redis REDIS_STORAGE_URL REDIS_QUEUES_URL
    not_in_use system-redis system-redis URL
    external_in ${local.apimanager} backend.redis system.redis
  EOT
  delete "Deployment" "system-redis" {}
  delete "Deployment" "backend-redis" {}
  delete "PersistentVolumeClaim" "system-redis-storage" {}
  delete "PersistentVolumeClaim" "backend-redis-storage" {}
  delete "ConfigMap" "redis-config" {}
}

step "cleanup-redis-elasticache" {
  title   = "Delete the old backend-redis and system-redis Deployments, claims and ConfigMap"
  kind    = "delete"
  section = "6.2.6"
  when    = local.redis_aws
  note    = "Chapter 6 says only that the on-cluster instances can be deleted; ampc deletes the objects 3.4.11 deletes (the Services stay, as there)."
  precondition = <<-EOT
    not_in_use backend-redis backend-redis REDIS_STORAGE_URL REDIS_QUEUES_URL
    not_in_use system-redis system-redis URL
    external_in ${local.apimanager} backend.redis system.redis
  EOT
  delete "Deployment" "system-redis" {}
  delete "Deployment" "backend-redis" {}
  delete "PersistentVolumeClaim" "system-redis-storage" {}
  delete "PersistentVolumeClaim" "backend-redis-storage" {}
  delete "ConfigMap" "redis-config" {}
}

# ------------------------------------------------------ rollback sections
#
# Each undoes one database move, before the cleanup steps, as the guide's
# section says; they read the backups and replica counts the runbook saved.
# A Secret is restored from its JSON backup with the server's fields removed
# (the guide's `oc apply -f` of an exported object would carry its
# resourceVersion and uid, which a create refuses).

locals {
  rollback_helpers = <<-EOT
    dir="${local.dir}"
    [[ -s $dir/replicas.json && -s $dir/operator-replicas ]] \
      || fail "$dir holds no saved replica counts: this rollback needs the backup directory of the run (AMPC_BACKUP_DIR)"
    stop_3scale() {
      oc scale deployment threescale-operator-controller-manager-v2 --namespace=${local.operator_ns} --replicas=0
      scale_down %{ for d in local.apps }deployment/${d} %{ endfor }
    }
    start_3scale() {
      local n
      restore_replicas "${local.replicas}" %{ for d in local.apps }deployment/${d} %{ endfor }
      n=$(<"$dir/operator-replicas")
      oc scale deployment threescale-operator-controller-manager-v2 --namespace=${local.operator_ns} --replicas="$n"
    }
    restore_secret() {
      [ -s "$dir/$1-secret.json" ] || fail "$dir/$1-secret.json is missing: it is written by step 2.15-2.16/backup"
      # Replaced in place, never deleted first: a failure between a delete
      # and a create would leave 3scale without the Secret.
      local verb=create
      if exists "secret/$1"; then
        verb=replace
      fi
      jq 'del(.metadata.resourceVersion, .metadata.uid, .metadata.creationTimestamp, .metadata.managedFields, .metadata.generation, .status)' "$dir/$1-secret.json" \
        | oc "$verb" -f -
    }
    # rollback_applies OBJECT...: stop, before anything changes, unless the
    # operator is still 2.15's (its Subscription on threescale-2.15 with
    # the CSV the backup recorded: the 2.16 operator refuses an internal
    # database, and OLM cannot go back) and every OBJECT, the internal
    # database the rollback points 3scale at again, is still there.
    rollback_applies() {
      local channel csv object
      channel=$(oc get subscription.operators.coreos.com/${plan.operator_subscription} --namespace=${local.operator_ns} -o jsonpath='{.spec.channel}')
      [ "$channel" = threescale-2.15 ] \
        || fail "this rollback does not apply: the 3scale operator's Subscription is on channel '$channel', not threescale-2.15 (step 2.15-2.16/channel ran); the 2.16 operator refuses an internal database and OLM cannot downgrade it; nothing was changed: finish the upgrade instead (re-run ./runbook.sh)"
      csv=$(oc get subscription.operators.coreos.com/${plan.operator_subscription} --namespace=${local.operator_ns} -o jsonpath='{.status.installedCSV}')
      [ -s "$dir/installed-csv-3scale-operator" ] || fail "$dir/installed-csv-3scale-operator is missing: it is written by step 2.15-2.16/backup; nothing was changed"
      [ "$csv" = "$(<"$dir/installed-csv-3scale-operator")" ] \
        || fail "this rollback does not apply: the Subscription installs $csv, not $(<"$dir/installed-csv-3scale-operator") that the backup recorded; nothing was changed"
      for object in "$@"; do
        exists "$object" || fail "this rollback does not apply: $object is gone (a cleanup step ran?), and 3scale cannot be pointed back at it; nothing was changed"
      done
    }
  EOT
}

# The guide's rollback deletes the PostgreSQL 15 objects, its claim
# included: after a cut-over that claim may hold the only copy of what
# 3scale wrote since. The runbook refuses unless the rollback applies on
# the live cluster (the operator still 2.15's, system-postgresql and its
# claim present), scales PostgreSQL 15 down instead of deleting it, sets
# the dump and its row counts aside (a new attempt dumps again: 3scale
# writes to PostgreSQL 10 from now on), and makes the state file forget
# the move, so that a plain re-run redoes it.
rollback "postgresql" {
  title   = "Point 3scale back at the internal PostgreSQL 10; keep PostgreSQL 15, scaled down"
  section = "3.2.11"
  when    = local.pg_on_cluster
  # Once the window opened, until the channel change (OLM cannot go back).
  offer_from  = "scale-down-operator"
  offer_until = "channel"
  run         = <<-EOT
    ${local.rollback_helpers}
    rollback_applies deployment/system-postgresql pvc/postgresql-data
    stop_3scale
    oc patch apimanager ${local.apimanager} --type=merge -p '{"spec": {"externalComponents": {"system": {"database": false}}}}'
    oc patch apimanager ${local.apimanager} --type=merge -p '{"spec": {"system": {"database": {"postgresql": {}}}}}'
    restore_secret system-database
    start_3scale
    if exists deployment/system-postgresql-external --namespace=${local.db_ns}; then
      oc scale deployment/system-postgresql-external --namespace=${local.db_ns} --replicas=0
    fi
    set_aside "$dir/db_dump.backup" "$dir/db_dump.counts" "$dir/pg_restore.done"
    forget_from 2.15-2.16/save-replicas
    echo "3scale uses the internal PostgreSQL again. PostgreSQL 15 (deployment/system-postgresql-external in ${local.db_ns}, claim postgresql-data-external) is scaled down with its data: delete it by hand once nothing in it is needed. A re-run (./runbook.sh) dumps again and redoes the move; it stops at pg-restore while that database holds tables."
  EOT
}

# The guide's rollback deletes the Redis 7 objects and their claims,
# which may hold the only copy of what 3scale wrote since the cut-over.
# The runbook refuses unless the rollback applies on the live cluster
# (the operator still 2.15's, backend-redis and system-redis with their
# claims present), scales the Redis 7 instances down instead of deleting
# them, sets the dumps aside and makes the state file forget the move, so
# that a plain re-run redoes it.
rollback "redis" {
  title   = "Give backend-redis and system-redis back to the operator; keep the Redis 7 instances, scaled down"
  section = "3.4.12"
  when    = local.redis_on_cluster
  # Once the window opened, until the channel change (OLM cannot go back).
  offer_from  = "scale-down-operator"
  offer_until = "channel"
  run         = <<-EOT
    ${local.rollback_helpers}
    rollback_applies deployment/backend-redis deployment/system-redis pvc/backend-redis-storage pvc/system-redis-storage
    stop_3scale
    oc patch apimanager ${local.apimanager} --type=merge -p '{"spec": {"externalComponents": {"system": {"redis": false}}}}'
    oc patch apimanager ${local.apimanager} --type=merge -p '{"spec": {"externalComponents": {"backend": {"redis": false}}}}'
    restore_secret backend-redis
    restore_secret system-redis
    restore_replicas "${local.replicas}" deployment/backend-redis deployment/system-redis
    start_3scale
    for object in deployment/backend-redis-external deployment/system-redis-external; do
      if exists "$object" --namespace=${local.db_ns}; then
        oc scale "$object" --namespace=${local.db_ns} --replicas=0
      fi
    done
    set_aside "$dir/backend-redis-dump.rdb" "$dir/system-redis-dump.rdb" "$dir/backend-redis-dump.keys" "$dir/system-redis-dump.keys"
    forget_from 2.15-2.16/save-replicas
    echo "backend-redis and system-redis are the operator's again (it restores their Redis 6 image). The Redis 7 instances (backend-redis-external, system-redis-external in ${local.db_ns}, with their claims) are scaled down with their data: delete them by hand once nothing in them is needed. A re-run (./runbook.sh) dumps again and redoes the move."
  EOT
}

rollback "mysql-rds" {
  title   = "Point 3scale back at system-mysql"
  section = "4.2.8"
  when    = local.mysql_aws
  # Once the window opened, until the channel change (OLM cannot go back).
  offer_from  = "scale-down-operator"
  offer_until = "channel"
  run         = <<-EOT
    ${local.rollback_helpers}
    rollback_applies deployment/system-mysql pvc/mysql-storage
    written=
    if moved_off system-mysql system-database URL; then
      written=1
    fi
    stop_3scale
    restore_secret system-database
    start_3scale
    set_aside "$dir/system_mysql_backup.sql" "$dir/cleaned_system_mysql_backup.sql" "$dir/system_mysql_backup.counts" "$dir/rds_import.done" "$dir/rds_import.log"
    if [ -n "$written" ]; then
      set_aside "$dir/rds-import.target"
    fi
    forget_from 2.15-2.16/mysql-rds-check
    if [ -n "$written" ]; then
      echo "3scale uses system-mysql again. The database threescale on RDS holds what 3scale wrote there since the switch: the next attempt refuses to import over it; save what is needed from it and drop it first. A re-run (./runbook.sh) dumps again and redoes the move."
    else
      echo "3scale uses system-mysql again; it never wrote to RDS. A re-run (./runbook.sh) dumps again and redoes the move."
    fi
  EOT
}

rollback "postgresql-rds" {
  title   = "Point 3scale back at system-postgresql"
  section = "5.2.8"
  when    = local.pg_aws
  # Once the window opened, until the channel change (OLM cannot go back).
  offer_from  = "scale-down-operator"
  offer_until = "channel"
  run         = <<-EOT
    ${local.rollback_helpers}
    rollback_applies deployment/system-postgresql pvc/postgresql-data
    written=
    if moved_off system-postgresql system-database URL; then
      written=1
    fi
    stop_3scale
    restore_secret system-database
    start_3scale
    set_aside "$dir/system_postgres_backup.psql" "$dir/system_postgres_backup.counts" "$dir/rds_import.done" "$dir/rds_import.log"
    if [ -n "$written" ]; then
      set_aside "$dir/rds-import.target"
    fi
    forget_from 2.15-2.16/pg-rds-check
    if [ -n "$written" ]; then
      echo "3scale uses system-postgresql again. The database system on RDS holds what 3scale wrote there since the switch: the next attempt refuses to import over it; save what is needed from it and drop it first. A re-run (./runbook.sh) dumps again and redoes the move."
    else
      echo "3scale uses system-postgresql again; it never wrote to RDS. A re-run (./runbook.sh) dumps again and redoes the move (it stops at the import while the database system on RDS holds an earlier import that is not the new dump's: drop that database first)."
    fi
  EOT
}

rollback "redis-elasticache" {
  title   = "Point 3scale back at backend-redis and system-redis"
  section = "6.2.7"
  when    = local.redis_aws
  # Once the window opened, until the channel change (OLM cannot go back).
  offer_from  = "scale-down-operator"
  offer_until = "channel"
  run         = <<-EOT
    ${local.rollback_helpers}
    rollback_applies deployment/backend-redis deployment/system-redis
    stop_3scale
    restore_secret system-redis
    restore_secret backend-redis
    start_3scale
    set_aside "$dir/backend-redis-dump.rdb" "$dir/system-redis-dump.rdb" "$dir/backend-redis-dump.keys" "$dir/system-redis-dump.keys"
    forget_from 2.15-2.16/save-replicas
    echo "3scale uses the on-cluster Redis again (still marked external in the APIManager, so the operator leaves it alone). A re-run (./runbook.sh) dumps again and asks for the ElastiCache instances to be created again from the new dumps: what 3scale wrote to the present ones since the switch is only there."
  EOT
}
