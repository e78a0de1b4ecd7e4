# Replica counts are known only on the cluster. A step that scales
# workloads down saves their counts first, into a JSON object of NAME: count
# in the backup directory, and the step that scales them back up reads them
# there, in this run or a later one.

# save_replicas FILE WORKLOAD...: add to FILE the replica count of each
# WORKLOAD that FILE holds none for. A count saved before is kept, so that a
# re-run never saves the zeros of a site it scaled down.
save_replicas() {
  local file=$1 object name n saved counts=()
  shift
  mkdir_for "$file"
  [ -s "$file" ] || echo '{}' > "$file"
  saved=$'\n'$(jq -r 'keys[]' "$file")$'\n'
  for object in "$@"; do
    case $object in */*) ;; *) object=dc/$object ;; esac
    name=${object#*/}
    [[ $saved != *$'\n'"$name"$'\n'* ]] || continue
    n=$(oc get "$object" -o jsonpath='{.spec.replicas}')
    n=${n:-1}
    [[ $n =~ ^[0-9]+$ ]] || fail "cannot read the replica count of $object"
    counts+=("$name" "$n")
    saved+=$name$'\n'
  done
  if [ ${#counts[@]} -gt 0 ]; then
    jq -c '. + ([$ARGS.positional | _nwise(2) | {(.[0]): (.[1] | tonumber)}] | add)' "$file" --args "${counts[@]}" > "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "replica counts saved in $file: $(<"$file")"
}

# saved_replicas FILE NAME: print the replica count FILE holds for NAME.
saved_replicas() {
  local n
  n=$(jq -r --arg d "$2" '.[$d] // empty' "$1")
  [[ $n =~ ^[0-9]+$ ]] || fail "$1 has no replica count for $2: write it there by hand ({\"$2\": N, ...}), then re-run"
  echo "$n"
}

# restore_replicas FILE WORKLOAD...: scale each WORKLOAD back to the count
# FILE holds for it (one jq reads them all).
restore_replicas() {
  local file=$1 object text n i=0 counts=()
  shift
  text=$(jq -r '. as $saved | $ARGS.positional[] | $saved[.] // "" | tostring' "$file" --args "${@##*/}")
  mapfile -t counts <<<"$text"
  for object in "$@"; do
    case $object in */*) ;; *) object=dc/$object ;; esac
    n=${counts[i]:-}
    i=$((i + 1))
    [[ $n =~ ^[0-9]+$ ]] || fail "$file has no replica count for ${object#*/}: write it there by hand ({\"${object#*/}\": N, ...}), then re-run"
    oc scale "$object" --replicas="$n"
  done
}

# scale_down WORKLOAD...: scale each WORKLOAD to 0, then wait until no pod
# of any is left (wait_gone).
scale_down() {
  local object
  for object in "$@"; do
    case $object in */*) ;; *) object=dc/$object ;; esac
    oc scale "$object" --replicas=0
  done
  for object in "$@"; do
    wait_gone "$object"
  done
}
