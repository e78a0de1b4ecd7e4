# Claims for copies of a database, sized from the original's.

# create_claim_like WORKLOAD CLAIM APP NAMESPACE: create the claim CLAIM in
# NAMESPACE, labelled app=APP, asking for as much storage as the claim
# WORKLOAD mounts holds (its bound capacity, else its request), read when
# the call runs: a copy of a database needs the room its original has, and
# a guessed size that is smaller fails the restore halfway. A CLAIM that
# exists is left as it is.
create_claim_like() {
  local workload=$1 claim=$2 app=$3 ns=$4 from size
  if exists "pvc/$claim" --namespace="$ns"; then
    echo "pvc/$claim exists in $ns: left as it is"
    return 0
  fi
  from=$(oc get "$workload" -o json | jq -r '[.spec.template.spec.volumes[]? | .persistentVolumeClaim.claimName // empty][0] // ""')
  [ -n "$from" ] || fail "$workload mounts no claim: create pvc/$claim in $ns at least as large as its data, then re-run"
  size=$(oc get "pvc/$from" -o json | jq -r '.status.capacity.storage // .spec.resources.requests.storage // ""')
  [ -n "$size" ] || fail "pvc/$from shows no size: create pvc/$claim in $ns at least as large as its data, then re-run"
  new_claim "$claim" "$size" ReadWriteOnce "$app" --namespace="$ns"
  echo "pvc/$claim in $ns asks for $size, as much as pvc/$from holds"
}

# new_claim CLAIM SIZE ACCESS-MODES APP [OC-FLAGS]: create the claim CLAIM
# asking for SIZE, with ACCESS-MODES (comma-separated), labelled app=APP
# unless APP is empty, on the default storage class.
new_claim() {
  local claim=$1 size=$2 modes=$3 app=$4
  shift 4
  jq -n --arg name "$claim" --arg app "$app" --arg size "$size" --arg modes "$modes" '{apiVersion: "v1", kind: "PersistentVolumeClaim",
      metadata: ({name: $name} + if $app == "" then {} else {labels: {app: $app}} end),
      spec: {accessModes: ($modes | split(",")), resources: {requests: {storage: $size}}, volumeMode: "Filesystem"}}' \
    | oc create -f - "$@"
}

# quantity_bytes QUANTITY: the bytes a Kubernetes quantity (1Gi, 500M,
# 1.5Gi, 100Mi, 2000000) stands for, rounded up; stops the step on one it
# cannot read.
quantity_bytes() {
  local bytes
  bytes=$(awk -v q="$1" 'BEGIN {
    split("Ki Mi Gi Ti Pi Ei", bin, " "); split("k M G T P E", dec, " ")
    for (i = 1; i <= 6; i++) { unit[bin[i]] = 1024 ^ i; unit[dec[i]] = 1000 ^ i }
    unit[""] = 1
    if (!match(q, /^[0-9]+(\.[0-9]+)?/)) exit 1
    n = substr(q, 1, RLENGTH); suffix = substr(q, RLENGTH + 1)
    if (!(suffix in unit)) exit 1
    b = n * unit[suffix]
    if (b != int(b)) b = int(b) + 1
    printf "%.0f\n", b
  }') || fail "cannot read the size '$1' (a Kubernetes quantity such as 1Gi or 500M)"
  echo "$bytes"
}

# record_claims FILE CLAIM...: write into FILE, once, a line "CLAIM SIZE
# ACCESS-MODES" (tab-separated, the modes comma-separated) for each CLAIM
# that exists, SIZE its bound capacity, else its request, and seal it: the
# sizes the site's data has room in, for create_recorded_claims on another
# cluster. A FILE that exists is kept.
record_claims() {
  local file=$1 claim
  shift
  if [ -s "$file" ]; then
    check_seal "$file"
    echo "kept $file from an earlier run"
    return 0
  fi
  : > "$file.tmp"
  for claim in "$@"; do
    exists "pvc/$claim" || continue
    oc get "pvc/$claim" -o json \
      | jq -r '[.metadata.name, (.status.capacity.storage // .spec.resources.requests.storage // ""), ((.spec.accessModes // ["ReadWriteOnce"]) | join(","))] | @tsv' >> "$file.tmp"
  done
  mv "$file.tmp" "$file"
  seal "$file"
  echo "recorded the sizes of $(cut -f1 "$file" | paste -sd' ') in $file"
}

# create_recorded_claims FILE: create each claim that FILE (record_claims)
# lists, asking for its recorded size with its access modes, before the
# workload that mounts it exists: its owner (the 3scale operator) leaves a
# claim that exists as it is, and a claim of its own fixed size smaller
# than the data fails the restore halfway. A claim that exists must ask for
# at least the recorded size, or the step stops before any data moves.
create_recorded_claims() {
  local file=$1 claim size modes have have_bytes need_bytes
  check_seal "$file"
  while IFS=$'\t' read -r claim size modes; do
    [ -n "$size" ] || fail "$file records no size for pvc/$claim: create it by hand at least as large as the site's, then re-run"
    if exists "pvc/$claim"; then
      have=$(oc get "pvc/$claim" -o json | jq -r '.status.capacity.storage // .spec.resources.requests.storage // ""')
      have_bytes=$(quantity_bytes "${have:-0}")
      need_bytes=$(quantity_bytes "$size")
      if ((have_bytes < need_bytes)); then
        fail "pvc/$claim exists and asks for ${have:-no size}, less than the $size the site's holds: the restore would fill it. Expand it (oc patch pvc/$claim -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"$size\"}}}}', if its storage class allows) or delete it while nothing mounts it, then re-run"
      fi
      echo "pvc/$claim exists and asks for $have: left as it is"
      continue
    fi
    new_claim "$claim" "$size" "$modes" ""
    echo "pvc/$claim asks for $size, as the site's did"
  done < "$file"
}
