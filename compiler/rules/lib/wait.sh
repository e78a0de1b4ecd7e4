# Waits for workloads. A WORKLOAD is a DeploymentConfig's name, or
# KIND/NAME for another kind (deployment/system-app); OC-FLAGS, such as
# --namespace=NS, go to every oc call. Call these functions as commands, not
# as the condition of an if, || or &&: there bash ignores set -e inside them,
# and a failing oc call would not stop the step.

# oc_name WORKLOAD: the workload as oc names it, dc/NAME for a bare name.
oc_name() {
  case $1 in
    */*) printf '%s\n' "$1" ;;
    *) printf 'dc/%s\n' "$1" ;;
  esac
}

# wait_gone WORKLOAD [OC-FLAGS]: wait up to 10 minutes, after WORKLOAD was
# scaled to 0, until no pod its selector matches is left, terminating ones
# included.
wait_gone() {
  local object selector labels i left
  object=$(oc_name "$1")
  shift
  selector=$(oc get "$object" "$@" -o json | jq -c '.spec.selector.matchLabels // .spec.selector // {}')
  [ "$selector" != "{}" ] || fail "$object has no pod selector"
  labels=$(printf '%s' "$selector" | jq -r 'to_entries | map("\(.key)=\(.value)") | join(",")')
  for ((i = 0; i < 60; i++)); do
    left=$(oc get pods "$@" --selector="$labels" -o json \
      | jq --argjson s "$selector" '[.items[]? | select(.metadata.labels as $l | $s | to_entries | all($l[.key] == .value)) | select(.status.phase != "Succeeded" and .status.phase != "Failed")] | length')
    [ "$left" = 0 ] && return 0
    sleep 10
  done
  fail "$object still has $left pods 10 minutes after it was scaled to 0"
}

# wait_ready WORKLOAD [HINT]: wait up to 20 minutes until WORKLOAD has as
# many ready pods as it wants. HINT ends the failure message.
wait_ready() {
  local object i want ready
  object=$(oc_name "$1")
  for ((i = 0; i < 120; i++)); do
    want=$(oc get "$object" -o jsonpath='{.spec.replicas}')
    ready=$(oc get "$object" -o jsonpath='{.status.readyReplicas}')
    [ "${ready:-0}" = "${want:-0}" ] && return 0
    sleep 10
  done
  fail "$object has ${ready:-0} of $want pods ready after 20 minutes${2:+: $2}"
}

# wait_rollout WORKLOAD [OC-FLAGS]: wait up to 20 minutes for the rollout
# of WORKLOAD to finish.
wait_rollout() {
  local object
  object=$(oc_name "$1")
  shift
  oc rollout status "$object" "$@" --watch --timeout=20m
}

# redeploy WORKLOAD [OC-FLAGS]: roll WORKLOAD out again (oc rollout latest
# for a DeploymentConfig, oc rollout restart for another kind), and wait for
# the rollout.
redeploy() {
  local object
  object=$(oc_name "$1")
  shift
  case $object in
    dc/*) oc rollout latest "$object" "$@" ;;
    *) oc rollout restart "$object" "$@" ;;
  esac
  wait_rollout "$object" "$@"
}

# wait_pods_ready MINUTES: poll every 10 seconds, for up to MINUTES, until
# every pod of the project that has not finished runs with all its
# containers ready, in two checks in a row, then print the pods.
wait_pods_ready() {
  local i stable=0
  for ((i = 0; i < $1 * 6; i++)); do
    if oc get pods -o json | jq -e '[.items[]? | select(.status.phase != "Succeeded")] | length > 0 and all(.status.phase == "Running" and .metadata.deletionTimestamp == null and ((.status.containerStatuses // []) | length > 0 and all(.ready)))' >/dev/null; then
      stable=$((stable + 1))
      if [ "$stable" -ge 2 ]; then
        oc get pods
        return 0
      fi
    else
      stable=0
    fi
    sleep 10
  done
  oc get pods || true
  fail "not every pod of $NAMESPACE runs ready after $1 minutes"
}
