# What the 3scale operator does on its own when it upgrades an install,
# which the operator hops check once it reports the new release: the
# image stream tags its DeploymentConfigs follow (2.9 to 2.14), the
# search component it replaces (2.14), the move to Deployments (2.15).

# triggers_on TAG DC...: stop unless every automatic ImageChange trigger of
# each DeploymentConfig DC names a stream tag TAG (IS:TAG), printing each
# DC's triggers. A DC still on an earlier release's tag (or on latest) was
# not upgraded by the operator, whatever image it runs.
triggers_on() {
  local tag=$1 wrong
  shift
  wrong=$(oc get dc "$@" -o json | jq -r --arg tag "$tag" '
    (if .kind == "List" then .items[] else . end)
    | .metadata.name as $dc
    | [.spec.triggers[]? | select(.type == "ImageChange" and (.imageChangeParams.automatic // false)) | .imageChangeParams.from.name] as $from
    | "\($dc): \($from | join(", "))" as $line
    | if ($from | length) == 0 or any($from[]; endswith(":" + $tag) | not) then "WRONG \($line)" else $line end')
  printf '%s\n' "${wrong//WRONG /}"
  [[ $wrong != *WRONG* ]] || fail "DeploymentConfigs that do not follow the $tag image stream tags: $(printf '%s\n' "$wrong" | sed -n 's/^WRONG //p' | tr '\n' ';')"
}

# no_tag TAG STREAM...: stop unless no image stream STREAM (those of the
# project that exist) has a spec tag TAG.
no_tag() {
  local tag=$1 left
  shift
  left=$(oc get imagestreams -o json | jq -r --arg tag "$tag" '[.items[]? | select(.metadata.name as $n | $ARGS.positional | index($n)) | select(any(.spec.tags[]?; .name == $tag)) | .metadata.name] | join(" ")' --args "$@")
  [ -z "$left" ] || fail "image streams still tagged $tag: $left"
  echo "no image stream of $* has a tag $tag"
}

# secret_lacks SECRET KEY: stop unless Secret SECRET has no key KEY. Only
# the key's presence is read: no value reaches the output.
secret_lacks() {
  # shellcheck disable=SC2016 # $key is jq's (holds runs jq)
  holds "secret/$1" --arg key "$2" '(.data // {}) | has($key) | not' \
    || fail "secret/$1 still has the key $2"
  echo "secret/$1 has no key $2"
}

# gone KIND/NAME...: stop unless none of the objects exists. A read that
# fails stops too (exists): a lost connection is not an object gone.
gone() {
  local object left=
  for object in "$@"; do
    if exists "$object"; then
      left+=" $object"
    fi
  done
  [ -z "$left" ] || fail "still there:$left"
  echo "gone: $*"
}

# wait_job MINUTES JOB: poll every 10 seconds, for up to MINUTES, until Job
# JOB exists and has completed; stop at once when it failed.
wait_job() {
  local minutes=$1 job=$2 i state
  for ((i = 0; i < minutes * 6; i++)); do
    state=$(oc get job "$job" -o json 2>/dev/null | jq -r '[.status.conditions[]? | select(.status == "True") | .type] | if index("Complete") then "Complete" elif index("Failed") then "Failed" else "" end') || state=
    case $state in
      Complete)
        echo "job/$job completed"
        return 0
        ;;
      Failed) fail "job/$job failed: see oc logs job/$job and oc describe job/$job" ;;
    esac
    sleep 10
  done
  fail "job/$job has not completed after $minutes minutes: see oc describe job/$job"
}
