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
