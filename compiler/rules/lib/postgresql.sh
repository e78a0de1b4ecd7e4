# What a PostgreSQL database holds, so that a restore is checked against
# the dump it restored.

# pg_table_counts WORKLOAD USER DATABASE [OC-FLAGS]: print "TABLE ROWS" for
# each table of schema public of DATABASE, sorted by name (LC_ALL=C), rows
# counted exactly (count(*)) by psql as USER in WORKLOAD's pod; nothing for
# a database without tables. One psql lists the tables, one counts them
# all, and any error stops (ON_ERROR_STOP). It returns non-zero on any
# failure, also where bash ignores set -e (in $(...), in a condition).
pg_table_counts() {
  local workload=$1 user=$2 db=$3 list text i tables=() counts=()
  shift 3
  list=$(oc exec "$workload" "$@" -- psql -U "$user" -d "$db" -tA -v ON_ERROR_STOP=1 \
    -c "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name") || return 1
  [ -n "$list" ] || return 0
  mapfile -t tables <<<"$list"
  text=$(for i in "${!tables[@]}"; do
      printf 'SELECT count(*) FROM public."%s";\n' "${tables[i]//\"/\"\"}"
    done | oc exec -i "$workload" "$@" -- psql -U "$user" -d "$db" -tA -v ON_ERROR_STOP=1 -f -) || return 1
  mapfile -t counts <<<"$text"
  [ "${#counts[@]}" -eq "${#tables[@]}" ] || fail "psql counted the rows of ${#counts[@]} of the ${#tables[@]} tables of $db in $workload"
  for i in "${!tables[@]}"; do
    [[ ${counts[i]} =~ ^[0-9]+$ ]] || fail "psql counted '${counts[i]}' rows in table ${tables[i]} of $db in $workload"
    printf '%s %s\n' "${tables[i]}" "${counts[i]}"
  done | LC_ALL=C sort
}

# pg_counts_match FILE WORKLOAD USER DATABASE [OC-FLAGS]: whether the tables
# of DATABASE hold the rows FILE recorded (pg_table_counts, one line a
# table); when they do not, it prints the difference (< now, > recorded)
# and returns 1.
pg_counts_match() {
  local file=$1 counts
  shift
  counts=$(pg_table_counts "$@") || return 1
  [ "$counts" != "$(<"$file")" ] || return 0
  diff <(printf '%s\n' "$counts") "$file" || true
  return 1
}
