# Pods of the template-based install's DeploymentConfigs, which label them
# deploymentConfig=NAME.

# pod_of DC: the name of a running pod of DeploymentConfig DC that is not
# being deleted, or nothing. (A guide's `.items[0]` may be a finished
# deploy pod, or one that is terminating.)
pod_of() {
  local pods
  pods=$(oc get pods --selector="deploymentConfig=$1" -o json) || return
  jq -r --arg dc "$1" '[.items[]? | select(.metadata.labels.deploymentConfig == $dc and .status.phase == "Running" and .metadata.deletionTimestamp == null)][0].metadata.name // empty' <<<"$pods"
}

# dump_gz DC FILE COMMAND COMPLETE: run COMMAND, which prints a dump, in a
# running pod of DeploymentConfig DC, compressed in the pod (so that the
# host needs only oc), into FILE. The dump is kept only when one of its
# last five lines matches COMPLETE (grep), the dump tool's completion line,
# and then sealed (FILE.sha256, see seal); else FILE.tmp is left for a look
# and the step stops. The COMMAND text is
# expanded in the pod, not here.
dump_gz() {
  local dc=$1 file=$2 command=$3 complete=$4 pod
  pod=$(pod_of "$dc")
  [ -n "$pod" ] || fail "no running $dc pod to dump"
  oc exec "$pod" -- bash -c "set -o pipefail; $command | gzip -c" > "$file.tmp"
  # gzip writes a header even for no input: an empty file means the exec
  # printed nothing at all.
  [ -s "$file.tmp" ] || fail "the dump of $dc in $file.tmp is empty"
  oc exec -i "$pod" -- bash -c "gzip -dc | tail -n 5 | grep -q '$complete'" < "$file.tmp" \
    || fail "the dump of $dc in $file.tmp is incomplete"
  mv "$file.tmp" "$file"
  seal "$file"
  echo "$dc dumped into $file"
}

# writers_gone HINT DC...: stop the step unless no pod of any
# DeploymentConfig DC is left (running, pending or terminating; deployer and
# hook pods aside), its message ending with HINT: a restore runs only while
# nothing writes.
writers_gone() {
  local hint=$1 left
  shift
  left=$(oc get pods -o json)
  left=$(jq -r '[.items[]? | select(.metadata.labels.deploymentConfig as $d | any($ARGS.positional[]; . == $d)) | select(.metadata.labels["openshift.io/deployer-pod-for.name"] == null and .status.phase != "Succeeded" and .status.phase != "Failed") | .metadata.name] | join(" ")' --args "$@" <<<"$left")
  [ -z "$left" ] || fail "pods that write into the databases are left ($left): $hint"
}
