# Reading objects that may not exist.

# exists OBJECT [OC-FLAGS]: whether OBJECT exists. Any error other than
# NotFound (a lost connection, an expired login, a refused request) stops
# the runbook instead of reading as "not there": a backup that skips an
# object it could not read, or a step that takes a failed read for a step
# still to do, would go on with the wrong answer.
exists() {
  local found
  found=$(oc get "$@" --ignore-not-found -o name) || fail "could not read $1: see the error above; re-run when the cluster answers"
  [ -n "$found" ]
}

# holds OBJECT JQ-ARGS...: whether OBJECT, read with oc get -o json,
# satisfies the jq filter of JQ-ARGS (jq -e: options, then the filter). A
# failed read stops the runbook saying so: a verify step's claim is not
# broken by a lost connection, and its message would send the person the
# wrong way (a rollback, say).
holds() {
  local object=$1 json
  shift
  json=$(oc get "$object" -o json) || fail "could not read $object: see the error above; re-run when the cluster answers"
  jq -e "$@" >/dev/null <<<"$json"
}

# kind_names KIND [OC-FLAGS]: the objects of KIND as oc get -o name prints
# them, a line each; nothing when there are none, or when the cluster does
# not know KIND (its CRD not installed: an OpenShift 3.11 cluster without
# the operator). Any other error stops the runbook: a failed read is not a
# project without such objects. What oc prints on standard error when it
# succeeds (an API deprecation warning) is not a name.
kind_names() {
  local out status=0
  out=$(oc get "$@" -o name 2>&1) || status=$?
  if [ "$status" != 0 ]; then
    case $out in
      *"doesn't have a resource type"*) return 0 ;;
    esac
    printf '%s\n' "$out" >&2
    fail "could not read the $1 objects: see the error above; re-run when the cluster answers"
  fi
  grep -E '^[a-z0-9.-]+/[a-z0-9.-]+$' <<<"$out" || true
}
