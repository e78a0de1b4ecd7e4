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
  jq -n --arg name "$claim" --arg app "$app" --arg size "$size" '{apiVersion: "v1", kind: "PersistentVolumeClaim",
      metadata: {name: $name, labels: {app: $app}},
      spec: {accessModes: ["ReadWriteOnce"], resources: {requests: {storage: $size}}, volumeMode: "Filesystem"}}' \
    | oc create -f - --namespace="$ns"
  echo "pvc/$claim in $ns asks for $size, as much as pvc/$from holds"
}
