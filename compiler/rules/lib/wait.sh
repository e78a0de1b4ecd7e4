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

# The functions below keep their polls to as few processes as they can (a
# runbook's run starts hundreds; the tests run thousands of them): they name
# a workload with a case rather than $(oc_name ...), and give jq what oc read
# through a here-string (jq ... <<<"$json") rather than a pipe from printf,
# which would start two more processes each time. The runbook sets no ERR
# trap (it reports failures from its EXIT trap): an ERR trap inherited
# with set -E keeps bash from running a capture's command in place of the
# $(...)'s subshell, a second process for every capture.

# wait_gone WORKLOAD [OC-FLAGS]: wait up to 10 minutes, after WORKLOAD was
# scaled to 0, until no pod its selector matches is left, terminating ones
# included.
wait_gone() {
  local object view selector labels i left pods
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  shift
  # One jq gives the selector (JSON) and, on a second line, its labels.
  view=$(oc get "$object" "$@" -o json)
  view=$(jq -r '.spec.selector.matchLabels // .spec.selector // {} | tojson, (to_entries | map("\(.key)=\(.value)") | join(","))' <<<"$view")
  selector=${view%%$'\n'*} labels=${view#*$'\n'}
  [ "$selector" != "{}" ] || fail "$object has no pod selector"
  for ((i = 0; i < 60; i++)); do
    pods=$(oc get pods "$@" --selector="$labels" -o json)
    left=$(jq --argjson s "$selector" '[.items[]? | select(.metadata.labels as $l | $s | to_entries | all($l[.key] == .value)) | select(.status.phase != "Succeeded" and .status.phase != "Failed")] | length' <<<"$pods")
    [ "$left" = 0 ] && return 0
    sleep 10
  done
  fail "$object still has $left pods 10 minutes after it was scaled to 0"
}

# wait_ready WORKLOAD [HINT]: wait up to 20 minutes until WORKLOAD has as
# many ready pods as it wants. HINT ends the failure message.
wait_ready() {
  local object i want ready
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  for ((i = 0; i < 120; i++)); do
    want=$(oc get "$object" -o jsonpath='{.spec.replicas}')
    ready=$(oc get "$object" -o jsonpath='{.status.readyReplicas}')
    [ "${ready:-0}" = "${want:-0}" ] && return 0
    sleep 10
  done
  fail "$object has ${ready:-0} of $want pods ready after 20 minutes${2:+: $2}"
}

# wait_replicas WORKLOAD N [HINT]: wait up to 20 minutes until WORKLOAD wants N
# pods and has N ready. For a count that an operator sets some time after
# the change that asks for it (an APIManager's replicas): wait_ready alone
# passes at once on a workload still at 0 of 0 that the operator has not
# scaled yet. One oc call a poll reads both counts. HINT ends the failure
# message.
wait_replicas() {
  local object n=$2 i view want ready
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  [[ $n =~ ^[0-9]+$ ]] || fail "wait_replicas $1: $n is not a replica count"
  for ((i = 0; i < 120; i++)); do
    view=$(oc get "$object" -o jsonpath='{.spec.replicas}/{.status.readyReplicas}')
    want=${view%%/*} ready=${view#*/}
    [ "$want" = "$n" ] && [ "${ready:-0}" = "$n" ] && return 0
    sleep 10
  done
  fail "$object wants ${want:-no} pods and has ${ready:-0} ready after 20 minutes, not the $n asked for${3:+: $3}"
}

# wait_rollout WORKLOAD [OC-FLAGS]: wait up to 20 minutes for the rollout
# of WORKLOAD to finish. For a DeploymentConfig with automatic ImageChange
# triggers it first waits for what an image stream patch starts later, on
# the cluster's time: each trigger's stream tag resolved for its current spec
# (it stops on ImportSuccess=False), then the DeploymentConfig's container
# running that image (the trigger fired), and the controller having
# observed the DeploymentConfig's spec (a ConfigChange trigger starts a
# deployment then), and only then asks oc rollout status for the latest
# revision (--revision=N). A settled DeploymentConfig still on the old
# image, or on its old env, does not pass.
wait_rollout() {
  local object i pending revision POLL_STREAMS=()
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  shift
  case $object in
    dc/*)
      for ((i = 0; i < 120; i++)); do
        # The latest version counts once the controller has observed the
        # spec: a config change (an env patch) starts its deployment then.
        dc_poll "$object" 'if (.status.observedGeneration // 0) >= (.metadata.generation // 0) then .status.latestVersion // 0 else "" end' "$@"
        revision=$POLL_VIEW pending=$POLL_PENDING
        case $pending in
          failed:*) fail "${pending#failed:}" ;;
        esac
        [ -z "$pending" ] || { sleep 10; continue; }
        [ -n "$revision" ] || pending="its new spec is not observed by the deployment controller yet"
        [ -z "$pending" ] && break
        sleep 10
      done
      [ -z "$pending" ] || fail "$object: $pending after 20 minutes"
      if [ "$revision" -gt 0 ]; then
        oc rollout status "$object" "$@" --revision="$revision" --watch --timeout=20m
      else
        oc rollout status "$object" "$@" --watch --timeout=20m
      fi
      ;;
    *) oc rollout status "$object" "$@" --watch --timeout=20m ;;
  esac
}

# dc_poll DC EXPR [OC-FLAGS]: read DeploymentConfig DC (dc/NAME) with the
# image streams its automatic ImageChange triggers follow, and set POLL_DC
# (every object read, as oc printed them), POLL_VIEW (what the jq
# expression EXPR gives of the DeploymentConfig) and POLL_PENDING (what its
# triggers still wait for: nothing when every container they name runs its
# stream tag's current image, compared by digest; failed:MESSAGE when a
# tag's import failed). A tag is followed through tags that point at other
# tags, in its stream or another, to the DockerImage tag an import
# resolves; a tag with no spec entry, which a build pushed
# (amp-system:2.9-oracle of the Oracle system image), is at its newest
# status item. The caller declares POLL_STREAMS local (an empty array):
# the first poll of a wait names the streams with oc's jsonpath, and each
# poll reads the DeploymentConfig and those streams in one oc call and
# decides in one jq (streams in another namespace, one call each), so that
# a poll starts two processes. EXPR ends in one line.
dc_poll() {
  local object=$1 expr=$2 triggers name ns stream objects answer i here there
  shift 2
  # POLL_STREAMS: "-" once the streams are named (a DeploymentConfig may
  # follow none), then STREAM<tab>NAMESPACE for each.
  if [ ${#POLL_STREAMS[@]} = 0 ]; then
    POLL_STREAMS=(-)
    triggers=$(oc get "$object" "$@" -o jsonpath='{range .spec.triggers[?(@.imageChangeParams.automatic==true)]}{.imageChangeParams.from.name}{"\t"}{.imageChangeParams.from.namespace}{"\n"}{end}')
    while IFS=$'\t' read -r name ns; do
      [ -n "$name" ] && POLL_STREAMS+=("${name%%:*}"$'\t'"$ns")
    done <<<"$triggers"
  fi
  for ((i = 0; i < 10; i++)); do
    here=() there=()
    for stream in "${POLL_STREAMS[@]:1}"; do
      if [ -z "${stream#*$'\t'}" ]; then
        here+=("imagestream/${stream%%$'\t'*}")
      else
        there+=("$stream")
      fi
    done
    objects=$(oc get "$object" "${here[@]}" "$@" -o json)
    for stream in "${there[@]}"; do
      objects+=$'\n'$(oc get "imagestream/${stream%%$'\t'*}" "$@" --namespace="${stream#*$'\t'}" -o json)
    done
    # What EXPR gives of the DeploymentConfig, then one line: what its first trigger
    # that is not done waits for, or fetch:STREAM<tab>NAMESPACE when a tag
    # points at a stream not read yet.
    answer=$(jq -n -r '
      [inputs | if .kind == "List" then .items[] else . end] as $objs
      | first($objs[] | select(.kind == "DeploymentConfig")) as $dc
      | ($dc.metadata.namespace // "") as $home
      | (reduce ($objs[] | select(.kind == "ImageStream")) as $is ({}; .["\($is.metadata.namespace // $home)/\($is.metadata.name)"] = $is)) as $streams
      | def resolve($ns; $s; $t; $hops):
          $streams["\($ns)/\($s)"] as $is
          | if $is == null then {fetch: "\($s)\t\(if $ns == $home then "" else $ns end)"}
            else ([$is.spec.tags[]? | select(.name == $t)][0].from // {}) as $from
            | if ($from.kind // "") != "ImageStreamTag" or $hops > 50 then {s: $s, t: $t, is: $is}
              elif ($from.name | contains(":")) | not then resolve($ns; $s; $from.name; $hops + 1)
              else resolve($from.namespace // $ns; $from.name | split(":")[0]; $from.name | sub("^[^:]*:"; ""); $hops + 1) end
            end;
        def pending($from):
          resolve($from.namespace // $home; $from.name | split(":")[0]; if ($from.name | contains(":")) then $from.name | sub("^[^:]*:"; "") else "latest" end; 0) as $r
          | if $r.fetch then "fetch:\($r.fetch)"
            else $r.is as $is | $r.s as $s | $r.t as $t
            | ([(first($is.spec.tags[]? | select(.name == $t) | .generation // 0) // -1) as $g
                | ($is.status.tags[]? | select(.tag == $t)) as $st
                | if ([$st.conditions[]? | select(.type == "ImportSuccess" and .status == "False" and (.generation // 0) >= $g)] | length) > 0
                  then "failed:imagestream/\($s): the import of \($t) failed: \([$st.conditions[] | select(.type == "ImportSuccess")][0].message)"
                  elif ($st.items[0]? | . != null and (.generation // 0) >= $g) then $st.items[0].image
                  else "" end][0] // "") as $want
            | if $want == "" then "imagestream/\($s):\($t) not imported yet"
              elif ($want | startswith("failed:")) then $want
              elif ([$dc.spec.triggers[]? | select(.type == "ImageChange" and .imageChangeParams.automatic and .imageChangeParams.from.name == $from.name)
                  | .imageChangeParams.containerNames[]?] as $names
                  | [$dc.spec.template.spec.containers[]?, $dc.spec.template.spec.initContainers[]? | select(.name as $n | $names | index($n))
                  | .image | endswith("@" + $want)] | all) then ""
              else "\($from.name) does not run \($want) yet" end
            end;
      ($dc | ('"$expr"') | tostring),
      ([$dc.spec.triggers[]? | select(.type == "ImageChange" and .imageChangeParams.automatic) | pending(.imageChangeParams.from) | select(. != "")][0] // "")' <<<"$objects")
    POLL_VIEW=${answer%%$'\n'*} POLL_PENDING=${answer#*$'\n'}
    [ "$POLL_PENDING" != "$answer" ] || POLL_PENDING=
    case $POLL_PENDING in
      fetch:*) POLL_STREAMS+=("${POLL_PENDING#fetch:}") ;;
      *)
        POLL_DC=$objects
        return 0
        ;;
    esac
  done
  fail "$object: its triggers' image stream tags point at each other in a loop"
}

# redeploy WORKLOAD [OC-FLAGS]: roll WORKLOAD out again (oc rollout latest
# for a DeploymentConfig, oc rollout restart for another kind), and wait for
# the rollout.
redeploy() {
  local object
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  shift
  case $object in
    dc/*) oc rollout latest "$object" "$@" ;;
    *) oc rollout restart "$object" "$@" ;;
  esac
  wait_rollout "$object" "$@"
}

# redeploy_once WORKLOAD FILE [OC-FLAGS]: redeploy WORKLOAD once and wait
# for the rollout: restart_dc_once for a DeploymentConfig (dc/NAME),
# restart_once for another kind. FILE records where the workload stood
# before, the first time the call runs, so that a re-run after a lost
# connection (the cluster took the rollout, the client saw an error)
# starts no second one.
redeploy_once() {
  local object file
  case $1 in */*) object=$1 ;; *) object=dc/$1 ;; esac
  file=$2
  shift 2
  case $object in
    dc/*)
      restart_dc_once "${object#dc/}" "$file" "$@"
      wait_rollout "$object" "$@"
      ;;
    *) restart_once "$object" "$file" "$@" ;;
  esac
}

# restart_dc_once DC FILE [OC-FLAGS]: start one new deployment of
# DeploymentConfig DC (oc rollout latest) once any rollout in progress has
# finished, so that its pods read what the steps before changed. FILE
# records DC's latest version after that wait, the first time the call
# runs: a re-run that finds a later deployment (the cluster took oc
# rollout latest and the client saw a lost connection, or a trigger fired
# meanwhile) starts no other. It does not wait for the new deployment.
restart_dc_once() {
  local dc=$1 file=$2 object anchor latest
  shift 2
  object=dc/$dc
  if [ ! -s "$file" ]; then
    wait_rollout "$object" "$@"
    mkdir_for "$file"
    oc get "$object" "$@" -o jsonpath='{.status.latestVersion}' > "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  anchor=$(<"$file")
  [[ $anchor =~ ^[0-9]+$ ]] || fail "$file does not hold a deployment number"
  latest=$(oc get "$object" "$@" -o jsonpath='{.status.latestVersion}')
  rollout_latest_after "$object" "$anchor" "${latest:-0}" "$@"
}

# rollout_latest_after DC ANCHOR LATEST [OC-FLAGS]: start a deployment of
# DC (dc/NAME) with oc rollout latest unless LATEST, its latest version as
# last read, is past deployment #ANCHOR already. oc rollout latest refuses
# a DeploymentConfig whose rollout is in progress: a refusal passes when a
# trigger started a deployment past #ANCHOR between the read and the call.
rollout_latest_after() {
  local object=$1 anchor=$2 latest=$3
  shift 3
  if [ "$latest" -gt "$anchor" ]; then
    echo "$object: deployment #$latest started after #$anchor; no oc rollout latest"
  elif ! oc rollout latest "$object" "$@"; then
    latest=$(oc get "$object" "$@" -o jsonpath='{.status.latestVersion}')
    [ "${latest:-0}" -gt "$anchor" ] || fail "oc rollout latest $object failed"
    echo "$object: deployment #$latest started meanwhile"
  fi
}

# restart_once WORKLOAD FILE [OC-FLAGS]: restart WORKLOAD (KIND/NAME of a
# kind oc rollout restart takes, such as deployment/NAME) once, and wait for
# its rollout (wait_rollout). oc rollout restart writes the time into the
# pod template's kubectl.kubernetes.io/restartedAt annotation: FILE records
# that annotation as it is before the restart ("none" without one), the
# first time the call runs. A re-run that finds another value (the restart
# reached the cluster, and the client saw a lost connection) only waits.
restart_once() {
  local object=$1 file=$2 before now
  shift 2
  if [ ! -s "$file" ]; then
    mkdir_for "$file"
    oc get "$object" "$@" -o json | jq -r '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] // "none"' > "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  before=$(<"$file")
  [ -n "$before" ] || fail "$file does not hold a restart mark"
  now=$(oc get "$object" "$@" -o json)
  now=$(jq -r '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] // "none"' <<<"$now")
  if [ "$now" = "$before" ]; then
    oc rollout restart "$object" "$@"
  else
    echo "$object: restarted at $now already; no oc rollout restart"
  fi
  wait_rollout "$object" "$@"
}

# rollout_once DC FILE [OC-FLAGS]: make DeploymentConfig DC roll out once
# after the steps before this call changed what its pods read, and wait for
# that rollout (wait_rollout). A rollout that a change of those steps
# started counts: one in progress when the call first runs, or one its
# ConfigChange trigger is about to start (the template differs from the
# latest deployment's). oc rollout latest runs only when no such rollout
# came, since it refuses a DeploymentConfig whose rollout is in progress
# ("#N is already in progress"). FILE records the version DC had before
# that rollout, the first time the call runs: a re-run, after a crash or
# with --only, finds the rollout started since and only waits for it.
rollout_once() {
  local dc=$1 file=$2 object json rc state anchor i latest
  shift 2
  object=dc/$dc
  if [ ! -s "$file" ]; then
    mkdir_for "$file"
    json=$(oc get "$object" "$@" -o json)
    latest=$(jq -r '.status.latestVersion // 0' <<<"$json")
    # A deployment not created yet reads as {}; any other error stops: a
    # failed read taken for a rollout in progress would skip the rollout.
    rc=$(oc get "replicationcontroller/$dc-$latest" "$@" --ignore-not-found -o json)
    [ -n "$rc" ] || rc='{}'
    state=$(dc_rollout_state "$json" "$rc")
    anchor=$latest
    if [ "$state" = running ]; then
      anchor=$((latest - 1))
    fi
    echo "$anchor" > "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  anchor=$(<"$file")
  [[ $anchor =~ ^[0-9]+$ ]] || fail "$file does not hold a deployment number"
  # A change of the template that the ConfigChange trigger has not turned
  # into a deployment yet: wait up to 2 minutes for it.
  for ((i = 0; i < 12; i++)); do
    json=$(oc get "$object" "$@" -o json)
    latest=$(jq -r '.status.latestVersion // 0' <<<"$json")
    [ "$latest" -gt "$anchor" ] && break
    # A deployment not created yet reads as {}; any other error stops: a
    # failed read taken for a rollout in progress would skip the rollout.
    rc=$(oc get "replicationcontroller/$dc-$latest" "$@" --ignore-not-found -o json)
    [ -n "$rc" ] || rc='{}'
    state=$(dc_rollout_state "$json" "$rc")
    [ "$state" = pending ] || break
    sleep 10
  done
  rollout_latest_after "$object" "$anchor" "$latest" "$@"
  wait_rollout "$object" "$@"
}

# dc_rollout_state DC-JSON RC-JSON: "running" when RC, the latest
# deployment of the DeploymentConfig, has not ended (Complete or Failed) or
# is not there yet ({}); "pending" when the DeploymentConfig, not paused,
# has a ConfigChange trigger and a pod template other than that
# deployment's (what the deployer adds to it left out), which the trigger
# turns into a new deployment; else "settled".
dc_rollout_state() {
  jq -n -r '
    [inputs] as [$dc, $rc]
    | def plain: del(.metadata.labels.deployment, .metadata.labels.deploymentconfig,
        .metadata.annotations["openshift.io/deployment-config.latest-version"],
        .metadata.annotations["openshift.io/deployment-config.name"],
        .metadata.annotations["openshift.io/deployment.name"])
      | if (.metadata.annotations // {}) == {} then del(.metadata.annotations) else . end;
    ($rc.metadata.annotations["openshift.io/deployment.phase"] // "") as $phase
    | if ($dc.status.latestVersion // 0) > 0 and ($rc.metadata == null or ($phase != "Complete" and $phase != "Failed")) then "running"
      elif (($dc.spec.paused // false) | not)
        and ([$dc.spec.triggers[]? | select(.type == "ConfigChange")] | length > 0)
        and ($dc.status.latestVersion // 0) > 0
        and ($dc.spec.template | plain) != ($rc.spec.template // {} | plain) then "pending"
      else "settled" end' <<<"$1"$'\n'"$2"
}

# wait_pods_ready MINUTES: poll every 10 seconds, for up to MINUTES, until
# every workload of the project runs its latest version with all its pods
# ready, in two checks in a row, then print the pods. The pods that count
# are those of each DeploymentConfig's latest deployment (its
# ReplicationController NAME-N, N its latestVersion): as many as it wants
# must run ready, and none of them be running or pending without being
# ready. A Deployment counts through its status (its latest ReplicaSet's
# pods updated, ready, and no old one left). Pods that have ended, such as
# a failed deployer or hook pod or an evicted pod, and the pods of older
# deployments on their way out do not count: they linger on a real
# cluster. A pod that is not ready is named with its containers' waiting
# reason.
wait_pods_ready() {
  local i stable=0 problems dcs deployments pods
  for ((i = 0; i < $1 * 6; i++)); do
    dcs=$(oc get dc -o json)
    deployments=$(oc get deployment -o json)
    pods=$(oc get pods -o json)
    # The lists go to jq on its input: as arguments they may pass the size
    # the kernel allows one.
    problems=$(jq -n -r '
      [inputs] as [$dcs, $deployments, $pods]
      | def ready: .status.phase == "Running" and .metadata.deletionTimestamp == null
        and ((.status.containerStatuses // []) | length > 0 and all(.ready));
      def why: [.status.containerStatuses[]? | .state.waiting.reason // empty] | first // .status.phase;
      ($dcs.items[]? | select((.spec.replicas // 1) > 0)
        | .metadata.name as $dc | "\($dc)-\(.status.latestVersion // 0)" as $rc | (.spec.replicas // 1) as $want
        | [$pods.items[]? | select(.metadata.labels.deploymentconfig == $dc and .metadata.labels.deployment == $rc
            and .metadata.deletionTimestamp == null and .status.phase != "Succeeded" and .status.phase != "Failed")] as $mine
        | ([$mine[] | select(ready)] | length) as $ready
        | if $ready < $want or ($mine | length) > $ready
          then "dc/\($dc): \($ready) of \($want) pods of \($rc) ready\([$mine[] | select(ready | not) | " (\(.metadata.name): \(why))"] | join(""))"
          else empty end),
      ($deployments.items[]? | (.spec.replicas // 1) as $want | .status as $s
        | select($want > 0 and (($s.observedGeneration // 0) < .metadata.generation
            or ($s.updatedReplicas // 0) < $want or ($s.readyReplicas // 0) < $want or ($s.replicas // 0) > ($s.updatedReplicas // 0)))
        | "deployment/\(.metadata.name): \($s.updatedReplicas // 0) of \($want) pods updated, \($s.readyReplicas // 0) ready")' <<<"$dcs"$'\n'"$deployments"$'\n'"$pods")
    if [ -z "$problems" ]; then
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
  printf '%s\n' "$problems" >&2
  fail "not every workload of $NAMESPACE runs its latest version ready after $1 minutes"
}

# check_images DC [OC-FLAGS]: print the image DeploymentConfig DC runs and
# stop unless it is pinned by a digest, every container of its automatic
# ImageChange triggers runs the image its stream tag holds now (an import
# that failed, or a trigger that has not fired, leaves the old one), and
# its latest deployment completed with that template.
check_images() {
  local object image pending latest rc problem POLL_STREAMS=()
  object=dc/$1
  shift
  dc_poll "$object" '"\(.status.latestVersion // 0) \(.spec.template.spec.containers[0].image)"' "$@"
  latest=${POLL_VIEW%% *} image=${POLL_VIEW#* } pending=$POLL_PENDING
  echo "${object#dc/} image: $image"
  case "$image" in
    *@sha256:*) ;;
    *) fail "$object runs $image, which is not pinned by a digest yet" ;;
  esac
  [ -z "$pending" ] || fail "$object does not run its image stream's current image: ${pending#failed:}"
  rc=$(oc get "replicationcontroller/${object#dc/}-$latest" "$@" -o json)
  # Both go to jq on its input, not as arguments: an object larger than one
  # argument may be (128 KiB on Linux) would fail the exec.
  problem=$(jq -n -r '[inputs | if .kind == "List" then .items[] else . end] as $objs
    | first($objs[] | select(.kind == "DeploymentConfig")) as $dc
    | first($objs[] | select(.kind == "ReplicationController")) as $rc
    | ($rc.metadata.annotations["openshift.io/deployment.phase"] // "") as $phase
    | if $phase != "Complete" then "phase:\($phase)"
      elif [$dc.spec.template.spec.containers[].image] != [$rc.spec.template.spec.containers[].image] then "images"
      else "" end' <<<"$POLL_DC"$'\n'"$rc")
  case $problem in
    phase:*)
      problem=${problem#phase:}
      fail "$object: deployment #$latest is ${problem:-unknown}, not Complete"
      ;;
    images) fail "$object: deployment #$latest does not run the DeploymentConfig's images" ;;
  esac
}
