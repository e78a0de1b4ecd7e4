# Replica counts are known only on the cluster. A step that scales
# workloads down saves their counts first, into a JSON object of NAME: count
# in the backup directory, and the step that scales them back up reads them
# there, in this run or a later one.

# save_replicas FILE WORKLOAD...: add to FILE the replica count of each
# WORKLOAD that FILE holds none for. A count saved before is kept, so that a
# re-run never saves the zeros of a site it scaled down.
save_replicas() {
  local file=$1 object name n
  shift
  mkdir -p "$(dirname "$file")"
  [ -s "$file" ] || echo '{}' > "$file"
  for object in "$@"; do
    object=$(oc_name "$object")
    name=${object#*/}
    if jq -e --arg n "$name" 'has($n)' "$file" >/dev/null; then
      continue
    fi
    n=$(oc get "$object" -o json | jq '.spec.replicas // 1')
    [[ $n =~ ^[0-9]+$ ]] || fail "cannot read the replica count of $object"
    jq --arg n "$name" --argjson c "$n" '. + {($n): $c}' "$file" > "$file.tmp"
    mv "$file.tmp" "$file"
  done
  echo "replica counts saved in $file: $(jq -c . "$file")"
}

# saved_replicas FILE NAME: print the replica count FILE holds for NAME.
saved_replicas() {
  local n
  n=$(jq -r --arg d "$2" '.[$d] // empty' "$1")
  [[ $n =~ ^[0-9]+$ ]] || fail "$1 has no replica count for $2: write it there by hand ({\"$2\": N, ...}), then re-run"
  echo "$n"
}

# restore_replicas FILE WORKLOAD...: scale each WORKLOAD back to the count
# FILE holds for it.
restore_replicas() {
  local file=$1 object n
  shift
  for object in "$@"; do
    object=$(oc_name "$object")
    n=$(saved_replicas "$file" "${object#*/}")
    oc scale "$object" --replicas="$n"
  done
}

# scale_down WORKLOAD...: scale each WORKLOAD to 0, then wait until no pod
# of any is left (wait_gone).
scale_down() {
  local object
  for object in "$@"; do
    oc scale "$(oc_name "$object")" --replicas=0
  done
  for object in "$@"; do
    wait_gone "$object"
  done
}
