# The 3scale operator: its OLM Subscription, the operator versions OLM
# installs (ClusterServiceVersions), and the APIManager it upgrades.
#
# A Subscription is named subscriptions.operators.coreos.com: on a cluster
# that runs Knative eventing (OpenShift Serverless), the bare `subscription`
# is its subscriptions.messaging.knative.dev, whose group discovery lists
# first.
#
# Each jq reads what oc read on its input, for the reasons wait.sh gives
# (one process a capture).

# subscription_current SUBSCRIPTION NAMESPACE CHANNEL WHAT: fail unless the
# Subscription in NAMESPACE is on CHANNEL, OLM reports it at the latest
# operator version (CSV) it knows, which is the installed one, and no
# InstallPlan of NAMESPACE waits for approval (the next one shows only once
# the first is installed). WHAT names the operator in the messages.
subscription_current() {
  local sub text fields channel state current installed pending
  sub=$(oc get subscriptions.operators.coreos.com "$1" --namespace="$2" -o json) \
    || fail "no subscriptions.operators.coreos.com/$1 in project $2: check the operator block of the plan"
  # One jq reads the four fields, a line each.
  text=$(jq -r '.spec.channel // "", .status.state // "", .status.currentCSV // "", .status.installedCSV // ""' <<<"$sub")
  mapfile -t fields <<<"$text"
  channel=${fields[0]:-} state=${fields[1]:-} current=${fields[2]:-} installed=${fields[3]:-}
  [ "$channel" = "$3" ] || fail "the $4's Subscription is on channel '$channel', not $3"
  [[ $state == AtLatestKnown && -n $installed && $current == "$installed" ]] \
    || fail "the $4 does not run the latest CSV of $3 (state '$state', current '$current', installed '$installed'): approve the pending InstallPlans in project $2 and wait until the Subscription is AtLatestKnown"
  pending=$(oc get installplan --namespace="$2" -o json)
  pending=$(jq '[.items[]? | select(.spec.approved == false)] | length' <<<"$pending")
  [ "$pending" = 0 ] || fail "$pending InstallPlan(s) in project $2 wait for approval: approve them, wait for the CSV, then re-run (more may show once the first is installed)"
  echo "$4: $installed on $3, $state"
}

# catalog_offers_channel SUBSCRIPTION NAMESPACE CHANNEL: fail unless the
# catalog of the Subscription offers CHANNEL of its package. A Subscription
# pointed at a channel its catalog lacks never upgrades.
catalog_offers_channel() {
  local sub text fields package source source_ns manifests
  sub=$(oc get subscriptions.operators.coreos.com "$1" --namespace="$2" -o json)
  text=$(jq -r '.spec.name, .spec.source, .spec.sourceNamespace' <<<"$sub")
  mapfile -t fields <<<"$text"
  package=${fields[0]:-} source=${fields[1]:-} source_ns=${fields[2]:-}
  # Read first: a failed read stops the step as it is, not as a catalog
  # without the channel.
  manifests=$(oc get packagemanifests --namespace="$source_ns" --selector="catalog=$source" -o json)
  jq -e --arg package "$package" --arg source "$source" --arg channel "$3" '[.items[]? | select(.metadata.name == $package and .status.catalogSource == $source) | .status.channels[]?.name] | index($channel) != null' <<<"$manifests" >/dev/null \
    || fail "catalog $source in $source_ns offers no channel $3 of package $package: add that channel's operator to the catalog first (an air-gapped site mirrors it)"
  echo "catalog $source offers $3 of $package"
}

# wait_operator_csv SUBSCRIPTION NAMESPACE MINUTES [OLD]: poll every 10
# seconds, for up to MINUTES, until the Subscription has installed an
# operator version (CSV), another than OLD when given, whose
# ClusterServiceVersion has succeeded. A Subscription with manual approval
# whose install plan is not approved stops the step with the command that
# approves it; once approved, the wait goes on.
wait_operator_csv() {
  local subscription=$1 ns=$2 minutes=$3 old=${4:-} i sub text fields installed approval state phase plan approved
  for ((i = 0; i < minutes * 6; i++)); do
    sub=$(oc get subscriptions.operators.coreos.com "$subscription" --namespace="$ns" -o json 2>/dev/null) || sub='{}'
    # One jq a poll reads what the wait needs, a line each.
    text=$(jq -r '.status.installedCSV // "", .spec.installPlanApproval // "Automatic", .status.state // "", .status.installPlanRef.name // .status.installplan.name // ""' <<<"$sub")
    mapfile -t fields <<<"$text"
    installed=${fields[0]:-} approval=${fields[1]:-} state=${fields[2]:-} plan=${fields[3]:-}
    if [ -n "$installed" ] && [ "$installed" != "$old" ]; then
      phase=$(oc get clusterserviceversion "$installed" --namespace="$ns" -o jsonpath='{.status.phase}' 2>/dev/null) || phase=
      if [ "$phase" = Succeeded ]; then
        if [ -n "$old" ]; then
          echo "the operator is upgraded: $old -> $installed"
        else
          echo "operator $installed installed in $ns"
        fi
        return 0
      fi
    fi
    if [ "$approval" = Manual ] && [ "$state" = UpgradePending ]; then
      # An approved plan installs; the Subscription stays UpgradePending
      # until the new CSV is there.
      # A failed read says nothing of the approval: the next poll reads it again.
      if approved=$(oc get installplan "$plan" --namespace="$ns" -o jsonpath='{.spec.approved}' 2>/dev/null); then
        [ "$approved" = true ] || fail "subscriptions.operators.coreos.com/$subscription waits for its install plan $plan to be approved: run oc patch installplan $plan --namespace=$ns --type=merge -p '{\"spec\":{\"approved\":true}}' (after reading it with oc get installplan $plan --namespace=$ns -o yaml), then run the runbook again"
      fi
    fi
    sleep 10
  done
  if [ -n "$old" ]; then
    fail "subscriptions.operators.coreos.com/$subscription in $ns still runs $old after $minutes minutes: see oc describe subscriptions.operators.coreos.com $subscription --namespace=$ns"
  fi
  fail "no operator installed by subscriptions.operators.coreos.com/$subscription in $ns after $minutes minutes: see oc describe subscriptions.operators.coreos.com $subscription --namespace=$ns"
}

# apimanager_version [NAME]: the apps.3scale.net/apimanager-threescale-version
# annotation of APIManager NAME, or without NAME of the project's APIManager
# ("" when the project has none or several).
apimanager_version() {
  local json
  if [ -n "${1:-}" ]; then
    json=$(oc get apimanager "$1" -o jsonpath='{.metadata.annotations}') || return
    jq -r '.["apps.3scale.net/apimanager-threescale-version"] // ""' <<<"$json"
  else
    json=$(oc get apimanager -o json) || return
    jq -r '[.items[]?.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // ""] | if length == 1 then .[0] else "" end' <<<"$json"
  fi
}

# wait_apimanager_version VERSION MINUTES [NAME [HINT]]: poll every 20
# seconds, for up to MINUTES, until the APIManager NAME (or with NAME '', the
# project's only one) reports 3scale VERSION or a micro release of it,
# printing the pods every minute while it waits. HINT ends the failure
# message.
wait_apimanager_version() {
  local want=$1 minutes=$2 name=${3:-} hint=${4:-} i version
  for ((i = 0; i < minutes * 3; i++)); do
    version=$(apimanager_version "$name")
    case $version in
      "$want" | "$want".*)
        echo "the APIManager is at $version"
        return 0
        ;;
    esac
    if [ $((i % 3)) = 0 ]; then
      echo "the APIManager reports 3scale '$version'; waiting for $want"
      oc get pods || true
    fi
    sleep 20
  done
  fail "the APIManager ${name:-of $NAMESPACE} still reports 3scale '$version', not $want, after $minutes minutes${hint:+: $hint}"
}

# check_apimanager VERSION OPERATOR [NAME]: print the version annotations of
# the APIManager (NAME, or the project's only one), and fail unless it
# reports 3scale VERSION (or a micro release of it) and was reconciled by a
# 3scale operator OPERATOR.x.
check_apimanager() {
  local want=$1 want_operator=$2 apimanager text fields count name product operator
  # One jq reads the count of APIManagers (1 for a named one) and the
  # name and version annotations of the APIManager, a line each.
  if [ -n "${3:-}" ]; then
    apimanager=$(oc get apimanager "$3" -o json)
    text=$(jq -r '1, (.metadata.name, .metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // "", .metadata.annotations["apps.3scale.net/threescale-operator-version"] // "")' <<<"$apimanager")
  else
    apimanager=$(oc get apimanager -o json)
    text=$(jq -r '(.items | length), (.items[0] | .metadata.name, .metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // "", .metadata.annotations["apps.3scale.net/threescale-operator-version"] // "")' <<<"$apimanager")
  fi
  mapfile -t fields <<<"$text"
  count=${fields[0]:-} name=${fields[1]:-} product=${fields[2]:-} operator=${fields[3]:-}
  [ "$count" = 1 ] || fail "project $NAMESPACE has $count APIManagers; the 3scale operator manages exactly one"
  echo "apimanager/$name: apps.3scale.net/apimanager-threescale-version: \"$product\", apps.3scale.net/threescale-operator-version: \"$operator\""
  case $product in
    "$want" | "$want".*) ;;
    *) fail "apimanager/$name is at 3scale '$product', not $want" ;;
  esac
  case $operator in
    "$want_operator" | "$want_operator".*) ;;
    *) fail "apimanager/$name was reconciled by operator '$operator', not $want_operator.x" ;;
  esac
}
