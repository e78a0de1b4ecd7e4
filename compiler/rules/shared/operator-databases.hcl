# Backups before the 3scale operator moves a database it runs inside 3scale
# to a new major version on its own, and the checks after: Redis 3.2 → 5 at
# 2.11 (guides/operator-2.10-2.11.md), MySQL 5.7 → 8.0 at 2.12
# (operator-2.11-2.12.md: "back up the DB first"; the data directory is
# upgraded in place by mysqld 8.0, with no way back but the dump), Redis 5
# → 6 at 2.14 (operator-2.13-2.14.md). The guides have no step for these:
# the operator does them when the channel changes. A module places the
# backup before its channel change and the check after its pods settle.
# Up to 2.14 the databases are DeploymentConfigs, whose pods pod_of finds.
# The template hops 2.10 → 2.11 (Redis 3.2 → 5) and 2.11 → 2.12 (MySQL 5.7
# → 8.0) move the same databases with their own image steps, and place the
# same dumps and checks around them (guides/template-after-2.10.md).

applies_to = ["operator", "template"]

locals {
  dir   = "$BACKUP_DIR/${hop.from}-${hop.to}"
  redis = [for r in ["backend-redis", "system-redis"] : r if has("DeploymentConfig", r)]
  mysql = has("DeploymentConfig", "system-mysql")
  # Who moves the database: the operator, or the template hop's own steps.
  by_operator = has("APIManager", "*")

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
}

locals {
  redis_verify_run = <<-EOT
      dir="${local.dir}"
      for redis in %{ for r in local.redis }${r} %{ endfor }; do
        check_seal "$dir/$redis-dump.keys"
        pod=$(pod_of "$redis")
        [ -n "$pod" ] || fail "no running $redis pod to check"
        redis_keys_verify "$dir/$redis-dump.keys" "pod/$pod" "$redis lost keys in the upgrade: its dump from before is $dir/$redis-dump.rdb"
      done
  EOT
}

locals {
  mysql_verify_run = <<-EOT
      dir="${local.dir}"
      ${local.mysql_in}
      check_seal "$dir/system-mysql-backup.counts"
      pod=$(pod_of system-mysql)
      [ -n "$pod" ] || fail "no running system-mysql pod to check"
      version=$(oc exec "$pod" -- mysql --version | sed -n -e 's/.*Distrib \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' -e 's/.* Ver \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n 1)
      at_least "$version" 8.0 || fail "system-mysql runs MySQL '$version', not 8.0: the operator has not moved it"
      now=$(mysql_table_counts system mysql_in "$pod") || fail "cannot count the tables of the system database"
      lost=$(awk 'NR == FNR { now[$1] = $2; next } !($1 in now) || (now[$1] == 0 && $2 > 0) { print $1 }' <(printf '%s\n' "$now") "$dir/system-mysql-backup.counts")
      [ -z "$lost" ] || fail "the system database lost tables or their rows in the move to MySQL 8.0: $${lost//$'\n'/ }; the dump from before is $dir/system-mysql-backup.gz"
      echo "system-mysql: MySQL $version, the $(wc -l < "$dir/system-mysql-backup.counts") tables of the system database kept"
  EOT
}

steps "redis-backup" {
  step "redis-backup" {
    title = "Dump the Redis instances the operator moves to a new Redis"
    kind  = "backup"
    when  = local.redis != []
    note  = <<-EOT
      %{ if local.by_operator }The ${hop.to} operator replaces%{ else }This hop's image steps replace%{ endif } the image of the Redis instances%{ if local.by_operator } it
      runs%{ endif } (%{ for r in local.redis }${r} %{ endfor }) with a later Redis,
      which loads the data the old one saved. Before %{ if local.by_operator }the channel changes%{ else }the first Redis image changes%{ endif },
      the runbook runs SAVE in each instance, streams dump.rdb into the
      backup directory with `oc exec ... cat`, checks that it is an RDB
      file and records the keys of each logical database, which the check
      after the upgrade compares against. Dumps that exist are kept (a
      re-run never replaces the one from before the upgrade).
    EOT
    done_if = "%{ for r in local.redis }[ -s \"${local.dir}/${r}-dump.rdb\" ] && [ -f \"${local.dir}/${r}-dump.keys\" ] && %{ endfor }true"
    run   = <<-EOT
      dir="${local.dir}"
      mkdir -p "$dir"
      for redis in %{ for r in local.redis }${r} %{ endfor }; do
        if [ -s "$dir/$redis-dump.rdb" ] && [ -f "$dir/$redis-dump.keys" ]; then
          echo "kept $dir/$redis-dump.rdb from an earlier run"
          continue
        fi
        pod=$(pod_of "$redis")
        [ -n "$pod" ] || fail "no running $redis pod to dump"
        oc exec "$pod" -- redis-cli SAVE
        oc exec "$pod" -- cat /var/lib/redis/data/dump.rdb > "$dir/$redis-dump.rdb.tmp"
        [ "$(head -c 5 "$dir/$redis-dump.rdb.tmp")" = REDIS ] || fail "$dir/$redis-dump.rdb.tmp is not a Redis dump file"
        redis_keys "pod/$pod" > "$dir/$redis-dump.keys.tmp"
        mv "$dir/$redis-dump.keys.tmp" "$dir/$redis-dump.keys"
        mv "$dir/$redis-dump.rdb.tmp" "$dir/$redis-dump.rdb"
        seal "$dir/$redis-dump.rdb" "$dir/$redis-dump.keys"
        echo "$redis dumped into $dir/$redis-dump.rdb, its key counts in $dir/$redis-dump.keys"
      done
    EOT
  }
}

steps "redis-verify" {
  step "redis-verify" {
    title = "Check that the new Redis instances hold the keys of the old ones"
    kind  = "verify"
    when  = local.redis != []
    note  = <<-EOT
      After %{ if local.by_operator }the operator's move%{ else }the image steps%{ endif }, each Redis runs the new image and holds,
      in each logical database, at least the keys recorded before %{ if local.by_operator }the
      channel change%{ else }the image changed%{ endif } (at least: 3scale keeps writing, and the readiness
      probe writes a key). A Redis that started empty (a volume not carried
      over) fails here; restore its dump from the backup directory with
      "Operating 3scale", backup and restore.
    EOT
    run   = local.redis_verify_run
  }
}

steps "mysql-backup" {
  step "mysql-backup" {
    title    = "Dump the system database before the operator moves it to MySQL 8.0"
    kind     = "backup"
    when     = local.mysql
    requires = ["DeploymentConfig/system-mysql"]
    note     = <<-EOT
      %{ if local.by_operator }The 2.12 operator replaces%{ else }The 2.12 image step replaces%{ endif } system-mysql's MySQL 5.7 image with MySQL
      8.0, which upgrades the data directory in place when it first starts:
      there is no way back to 5.7 but a dump. Before %{ if local.by_operator }the channel changes%{ else }the image changes%{ endif },
      the runbook dumps the system database with mysqldump in the pod
      (compressed there, kept only when it ends with mysqldump's completion
      line) and records its tables and rows, which the check after the
      upgrade compares against. A dump that exists is kept.
    EOT
    done_if  = "[ -s \"${local.dir}/system-mysql-backup.gz\" ] && [ -f \"${local.dir}/system-mysql-backup.counts\" ]"
    run      = <<-EOT
      dir="${local.dir}"
      mkdir -p "$dir"
      ${local.mysql_in}
      # The pod expands MYSQL_ROOT_PASSWORD; its value never reaches this host.
      # shellcheck disable=SC2016
      dump_gz system-mysql "$dir/system-mysql-backup.gz" 'export MYSQL_PWD=$${MYSQL_ROOT_PASSWORD}; mysqldump --single-transaction -hsystem-mysql -uroot system' "^-- Dump completed"
      pod=$(pod_of system-mysql)
      [ -n "$pod" ] || fail "no running system-mysql pod to count the rows in"
      mysql_table_counts system mysql_in "$pod" > "$dir/system-mysql-backup.counts.tmp"
      mv "$dir/system-mysql-backup.counts.tmp" "$dir/system-mysql-backup.counts"
      seal "$dir/system-mysql-backup.counts"
      echo "the $(wc -l < "$dir/system-mysql-backup.counts") tables of the system database recorded"
    EOT
  }
}

steps "mysql-verify" {
  step "mysql-verify" {
    title = "Check that system-mysql runs MySQL 8.0 with every table of the system database"
    kind  = "verify"
    when  = local.mysql
    note  = <<-EOT
      After %{ if local.by_operator }the operator's move%{ else }the image step%{ endif }: the system-mysql pod's image runs MySQL
      8.0 or later (`mysql --version`, as the 2.16 guide reads it), and the system database holds every table the
      dump recorded, none of them emptied (rows change while 3scale runs,
      so the counts are not compared one by one). A data directory that
      did not come through fails here; the dump from before the upgrade is
      in the backup directory.
    EOT
    run   = local.mysql_verify_run
  }
}

# The same check for a template hop: a verify step's id (HOP/NAME) must be
# unique across the operator and template modules of one hop.
steps "redis-verify-template" {
  step "redis-keys-verify" {
    title = "Check that the new Redis instances hold the keys of the old ones"
    kind  = "verify"
    when  = local.redis != []
    note  = <<-EOT
      After %{ if local.by_operator }the operator's move%{ else }the image steps%{ endif }, each Redis runs the new image and holds,
      in each logical database, at least the keys recorded before %{ if local.by_operator }the
      channel change%{ else }the image changed%{ endif } (at least: 3scale keeps writing, and the readiness
      probe writes a key). A Redis that started empty (a volume not carried
      over) fails here; restore its dump from the backup directory with
      "Operating 3scale", backup and restore.
    EOT
    run   = local.redis_verify_run
  }
}

# The same check for a template hop: a verify step's id (HOP/NAME) must be
# unique across the operator and template modules of one hop.
steps "mysql-verify-template" {
  step "mysql-tables-verify" {
    title = "Check that system-mysql runs MySQL 8.0 with every table of the system database"
    kind  = "verify"
    when  = local.mysql
    note  = <<-EOT
      After %{ if local.by_operator }the operator's move%{ else }the image step%{ endif }: the system-mysql pod's image runs MySQL
      8.0 or later (`mysql --version`, as the 2.16 guide reads it), and the system database holds every table the
      dump recorded, none of them emptied (rows change while 3scale runs,
      so the counts are not compared one by one). A data directory that
      did not come through fails here; the dump from before the upgrade is
      in the backup directory.
    EOT
    run   = local.mysql_verify_run
  }
}
