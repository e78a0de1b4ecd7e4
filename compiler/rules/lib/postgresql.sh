# What a PostgreSQL database holds, so that a restore is checked against
# the dump it restored.

# pg_table_counts WORKLOAD USER DATABASE [OC-FLAGS]: print "TABLE ROWS" for
# each table of schema public of DATABASE, sorted by name (LC_ALL=C), rows
# counted exactly (count(*)) by psql as USER in WORKLOAD's pod; nothing for
# a database without tables. It returns non-zero on any failure, also
# where bash ignores set -e (in $(...), in a condition).
pg_table_counts() {
  local workload=$1 user=$2 db=$3
  shift 3
  pg_table_counts_via oc exec -i "$workload" "$@" -- psql -U "$user" -d "$db"
}

# pg_table_counts_via PSQL...: as pg_table_counts, with psql run by the
# command PSQL..., to which it adds psql's options and gives the SQL on
# standard input (a server outside the cluster, reached from a pod). One
# psql lists the tables, one counts them all, and any error stops
# (ON_ERROR_STOP).
pg_table_counts_via() {
  local list text i tables=() counts=()
  list=$("$@" -tA -v ON_ERROR_STOP=1 \
    -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name" </dev/null) || return 1
  [ -n "$list" ] || return 0
  mapfile -t tables <<<"$list"
  text=$(for i in "${!tables[@]}"; do
      printf 'SELECT count(*) FROM public."%s";\n' "${tables[i]//\"/\"\"}"
    done | "$@" -tA -v ON_ERROR_STOP=1 -f -) || return 1
  mapfile -t counts <<<"$text"
  [ "${#counts[@]}" -eq "${#tables[@]}" ] || fail "psql counted the rows of ${#counts[@]} of the ${#tables[@]} tables"
  for i in "${!tables[@]}"; do
    [[ ${counts[i]} =~ ^[0-9]+$ ]] || fail "psql counted '${counts[i]}' rows in table ${tables[i]}"
    printf '%s %s\n' "${tables[i]}" "${counts[i]}"
  done | LC_ALL=C sort
}

# counts_match FILE COUNT...: whether the command COUNT... (pg_table_counts,
# mysql_table_counts, ...) prints the rows FILE recorded (one line a
# table); when it does not, it prints the difference (< now, > recorded)
# and returns 1.
counts_match() {
  local file=$1 counts
  shift
  counts=$("$@") || return 1
  [ "$counts" != "$(<"$file")" ] || return 0
  diff <(printf '%s\n' "$counts") "$file" || true
  return 1
}

# pg_leave_out ERE: copy a plain-format dump (pg_dump, pg_dumpall) from
# standard input to standard output without the statement lines that
# match ERE (awk); the data of COPY ... FROM stdin passes untouched.
pg_leave_out() {
  awk -v re="$1" '/^COPY .* FROM stdin;$/ { copy = 1 } copy { print; if ($0 == "\\.") copy = 0; next } $0 ~ re { next } { print }'
}

# pg_load_cluster POD DUMP LOG: load DUMP, the output of pg_dumpall -c
# --if-exists compressed with gzip, into the PostgreSQL server of POD as
# the pod's postgres, stopping at the first failed statement
# (ON_ERROR_STOP=1); psql's messages also go to LOG. pg_dumpall writes DROP
# ROLE and CREATE ROLE for the role it ran as, postgres, which always fail
# where that role is connected ("current user cannot be dropped", "already
# exists": pg_dumpall.c counts on the CREATE failing): those two lines are
# left out, and any other error fails the step. The dump is decompressed in
# the pod, so that this host needs no gzip.
pg_load_cluster() {
  local pod=$1 dump=$2 log=$3 status=0
  oc exec -i "$pod" -- gzip -dc < "$dump" \
    | pg_leave_out '^(DROP ROLE IF EXISTS|CREATE ROLE) postgres;$' \
    | oc exec -i "$pod" -- psql -v ON_ERROR_STOP=1 -d postgres -f - > "$log" 2>&1 || status=$?
  cat "$log"
  if [ "$status" != 0 ] || grep -q 'ERROR:' "$log"; then
    fail "the load of $dump into $pod stopped at a failed statement (psql status $status, messages in $log)"
  fi
}
