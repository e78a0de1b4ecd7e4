# What a Redis instance holds, so that a restore is checked against the
# dump it loaded.

# redis_keys WORKLOAD [OC-FLAGS]: print "dbN:keys=M" for each logical
# database of the Redis in WORKLOAD's pod that holds keys (redis-cli INFO
# keyspace, without the expiry figures, which change by themselves);
# nothing for an empty instance. It returns non-zero when the call fails,
# also where bash ignores set -e.
redis_keys() {
  local workload=$1 info line
  shift
  info=$(oc exec "$workload" "$@" -- redis-cli INFO keyspace) || return 1
  # In bash, as tr -d '\r' | sed -n 's/^\(db[0-9]*:keys=[0-9]*\).*/\1/p'
  # would: the polls call it often.
  while IFS= read -r line; do
    line=${line//$'\r'/}
    if [[ $line =~ ^(db[0-9]*:keys=[0-9]*) ]]; then
      printf '%s\n' "${BASH_REMATCH[1]}"
    fi
  done <<<"$info"
}

# redis_keys_cover FILE WORKLOAD [OC-FLAGS]: whether the Redis in
# WORKLOAD's pod holds, in each logical database, at least the keys FILE
# recorded (redis_keys' lines). At least, not exactly: 3scale's Redis
# readiness probe writes a key (liveness-probe) into an instance. When it
# does not, it prints what is short and returns 1; it returns 2 when a call
# fails (a lost connection says nothing of the keys).
redis_keys_cover() {
  local file=$1 workload=$2 keys db count short=
  shift 2
  keys=$(redis_keys "$workload" "$@") || return 2
  declare -A now=()
  while IFS=: read -r db count; do
    [ -z "$db" ] || now[$db]=${count#keys=}
  done <<<"$keys"
  while IFS=: read -r db count; do
    [ -n "$db" ] || continue
    [ "${now[$db]:-0}" -ge "${count#keys=}" ] || short+=" $db: ${now[$db]:-0} keys, ${count#keys=} recorded;"
  done < "$file"
  if [ -n "$short" ]; then
    echo "$workload does not hold the keys recorded in $file:$short"
    return 1
  fi
  echo "$workload holds the keys recorded in $file ($(tr '\n' ' ' < "$file")): $(printf '%s ' "$keys" | tr '\n' ' ')"
}

# redis_keys_verify FILE WORKLOAD WHAT [OC-FLAGS]: stop the step unless
# the Redis in WORKLOAD's pod holds the keys FILE recorded
# (redis_keys_cover). When keys are short, the message is WHAT: what was
# lost and the way out. When a call fails, it says that the keys could not
# be read, which says nothing of them: a re-run of the step reads them
# again.
redis_keys_verify() {
  local file=$1 workload=$2 what=$3 status=0
  shift 3
  redis_keys_cover "$file" "$workload" "$@" || status=$?
  case $status in
    0) ;;
    2) fail "could not read the keys of the Redis in $workload (redis-cli INFO keyspace failed), which says nothing of them: re-run the step to read them again" ;;
    *) fail "$what" ;;
  esac
}

# redis_persistence WORKLOAD [OC-FLAGS]: "off" when the Redis in
# WORKLOAD's pod runs without save points and without an append-only file
# (CONFIG GET save and appendonly: what the restore mode of redis.conf
# makes it), else "on". A Redis reads redis.conf at start only: this is
# what the running server does, whatever the ConfigMap says now. It stops
# the step when the answers are not those of CONFIG GET.
redis_persistence() {
  local workload=$1 save aof save_lines aof_lines
  shift
  save=$(oc exec "$workload" "$@" -- redis-cli CONFIG GET save)
  aof=$(oc exec "$workload" "$@" -- redis-cli CONFIG GET appendonly)
  # The answers without carriage returns and trailing newlines, as
  # $(... | tr -d '\r') gives them, and their lines, as sed -n Np would.
  save=${save//$'\r'/} aof=${aof//$'\r'/}
  while [[ $save == *$'\n' ]]; do save=${save%$'\n'}; done
  while [[ $aof == *$'\n' ]]; do aof=${aof%$'\n'}; done
  mapfile -t save_lines <<<"$save"
  mapfile -t aof_lines <<<"$aof"
  if [ "${save_lines[0]:-}" != save ] || [ "${aof_lines[0]:-}" != appendonly ]; then
    fail "$workload did not answer CONFIG GET save and appendonly: $save $aof"
  fi
  if [ -z "${save_lines[1]:-}" ] && [ "${aof_lines[1]:-}" = no ]; then
    echo off
  else
    echo on
  fi
}

# redis_aof_wait WORKLOAD TRIES HINT [OC-FLAGS]: after a BGREWRITEAOF in
# WORKLOAD's Redis, poll every 10 seconds, at most TRIES times, until no
# rewrite is in progress or scheduled (a rewrite that waits for a snapshot
# shows aof_rewrite_scheduled:1 with aof_rewrite_in_progress:0); then the
# rewrite must have reported ok (aof_last_bgrewrite_status: one that
# failed, on a full volume say, also ends with aof_rewrite_in_progress:0).
# Else the step stops, its message ending with HINT.
redis_aof_wait() {
  local workload=$1 tries=$2 hint=$3 info='' i
  shift 3
  for ((i = 0; i < tries; i++)); do
    info=$(oc exec "$workload" "$@" -- redis-cli info persistence | tr -d '\r') || info=
    if grep -qx 'aof_rewrite_in_progress:0' <<<"$info" && grep -qx 'aof_rewrite_scheduled:0' <<<"$info"; then
      grep -qx 'aof_last_bgrewrite_status:ok' <<<"$info" \
        || fail "$workload could not write its append-only file ($(grep '^aof_last_bgrewrite_status:' <<<"$info"); is its volume full? see oc logs $workload $*): $hint"
      echo "$workload: append-only file written"
      return 0
    fi
    sleep 10
  done
  fail "the append-only file of $workload is still being written after $((tries / 6)) minutes: check redis-cli info persistence in its pod; $hint"
}
