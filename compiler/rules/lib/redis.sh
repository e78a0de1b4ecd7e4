# What a Redis instance holds, so that a restore is checked against the
# dump it loaded.

# redis_keys WORKLOAD [OC-FLAGS]: print "dbN:keys=M" for each logical
# database of the Redis in WORKLOAD's pod that holds keys (redis-cli INFO
# keyspace, without the expiry figures, which change by themselves);
# nothing for an empty instance. It returns non-zero when the call fails,
# also where bash ignores set -e.
redis_keys() {
  local workload=$1 info
  shift
  info=$(oc exec "$workload" "$@" -- redis-cli INFO keyspace) || return 1
  printf '%s\n' "$info" | tr -d '\r' | sed -n 's/^\(db[0-9]*:keys=[0-9]*\).*/\1/p'
}
