# What a MySQL database holds, so that an import is checked against the
# dump it imported.

# mysql_table_counts DATABASE MYSQL...: print "TABLE ROWS" for each table
# of DATABASE on the server the command MYSQL... connects to (a mysql
# client command line: mysql_table_counts adds -N -B and gives the SQL on
# standard input), sorted by name (LC_ALL=C), rows counted exactly
# (COUNT(*)); nothing for a database without tables. mysql stops at the
# first error; it returns non-zero on any failure, also where bash
# ignores set -e.
mysql_table_counts() {
  local db=$1 list text i tables=() counts=()
  shift
  [[ $db =~ ^[A-Za-z0-9_]+$ ]] || fail "mysql_table_counts: '$db' is not a database name"
  list=$(printf '%s\n' "SELECT table_name FROM information_schema.tables WHERE table_schema = '$db' AND table_type = 'BASE TABLE' ORDER BY table_name;" \
    | "$@" -N -B) || return 1
  [ -n "$list" ] || return 0
  mapfile -t tables <<<"$list"
  # The backquotes are SQL's, not the shell's.
  # shellcheck disable=SC2016
  text=$(for i in "${!tables[@]}"; do
      printf 'SELECT COUNT(*) FROM `%s`.`%s`;\n' "$db" "${tables[i]//\`/\`\`}"
    done | "$@" -N -B) || return 1
  mapfile -t counts <<<"$text"
  [ "${#counts[@]}" -eq "${#tables[@]}" ] || fail "mysql counted the rows of ${#counts[@]} of the ${#tables[@]} tables"
  for i in "${!tables[@]}"; do
    [[ ${counts[i]} =~ ^[0-9]+$ ]] || fail "mysql counted '${counts[i]}' rows in table ${tables[i]}"
    printf '%s %s\n' "${tables[i]}" "${counts[i]}"
  done | LC_ALL=C sort
}
