# The 3scale operator: its OLM Subscription, the operator versions OLM
# installs (ClusterServiceVersions), and the APIManager it upgrades.
#
# A Subscription is named subscriptions.operators.coreos.com: on a cluster
# that runs Knative eventing (OpenShift Serverless), the bare `subscription`
# is its subscriptions.messaging.knative.dev, whose group discovery lists
# first.

# subscription_current SUBSCRIPTION NAMESPACE CHANNEL WHAT: fail unless the
# Subscription in NAMESPACE is on CHANNEL, OLM reports it at the latest
# operator version (CSV) it knows, which is the installed one, and no
# InstallPlan of NAMESPACE waits for approval (the next one shows only once
# the first is installed). WHAT names the operator in the messages.
subscription_current() {
  local sub channel state current installed pending
  sub=$(oc get subscriptions.operators.coreos.com "$1" --namespace="$2" -o json) \
    || fail "no subscriptions.operators.coreos.com/$1 in project $2: check the operator block of the plan"
  channel=$(printf '%s' "$sub" | jq -r '.spec.channel // ""')
  [ "$channel" = "$3" ] || fail "the $4's Subscription is on channel '$channel', not $3"
  state=$(printf '%s' "$sub" | jq -r '.status.state // ""')
  current=$(printf '%s' "$sub" | jq -r '.status.currentCSV // ""')
  installed=$(printf '%s' "$sub" | jq -r '.status.installedCSV // ""')
  [[ $state == AtLatestKnown && -n $installed && $current == "$installed" ]] \
    || fail "the $4 does not run the latest CSV of $3 (state '$state', current '$current', installed '$installed'): approve the pending InstallPlans in project $2 and wait until the Subscription is AtLatestKnown"
  pending=$(oc get installplan --namespace="$2" -o json | jq '[.items[]? | select(.spec.approved == false)] | length')
  [ "$pending" = 0 ] || fail "$pending InstallPlan(s) in project $2 wait for approval: approve them, wait for the CSV, then re-run (more may show once the first is installed)"
  echo "$4: $installed on $3, $state"
}

# catalog_offers_channel SUBSCRIPTION NAMESPACE CHANNEL: fail unless the
# catalog of the Subscription offers CHANNEL of its package. A Subscription
# pointed at a channel its catalog lacks never upgrades.
catalog_offers_channel() {
  local sub package source source_ns
  sub=$(oc get subscriptions.operators.coreos.com "$1" --namespace="$2" -o json)
  package=$(printf '%s' "$sub" | jq -r '.spec.name')
  source=$(printf '%s' "$sub" | jq -r '.spec.source')
  source_ns=$(printf '%s' "$sub" | jq -r '.spec.sourceNamespace')
  oc get packagemanifests --namespace="$source_ns" --selector="catalog=$source" -o json \
    | jq -e --arg package "$package" --arg source "$source" --arg channel "$3" '[.items[]? | select(.metadata.name == $package and .status.catalogSource == $source) | .status.channels[]?.name] | index($channel) != null' >/dev/null \
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
  local subscription=$1 ns=$2 minutes=$3 old=${4:-} i sub installed phase plan approved
  for ((i = 0; i < minutes * 6; i++)); do
    sub=$(oc get subscriptions.operators.coreos.com "$subscription" --namespace="$ns" -o json 2>/dev/null) || sub='{}'
    installed=$(printf '%s' "$sub" | jq -r '.status.installedCSV // empty')
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
    if [ "$(printf '%s' "$sub" | jq -r '.spec.installPlanApproval // "Automatic"')" = Manual ] && [ "$(printf '%s' "$sub" | jq -r '.status.state // empty')" = UpgradePending ]; then
      plan=$(printf '%s' "$sub" | jq -r '.status.installPlanRef.name // .status.installplan.name // empty')
      # An approved plan installs; the Subscription stays UpgradePending
      # until the new CSV is there.
      approved=$(oc get installplan "$plan" --namespace="$ns" -o jsonpath='{.spec.approved}' 2>/dev/null) || approved=
      [ "$approved" = true ] || fail "subscriptions.operators.coreos.com/$subscription waits for its install plan $plan to be approved: run oc patch installplan $plan --namespace=$ns --type=merge -p '{\"spec\":{\"approved\":true}}' (after reading it with oc get installplan $plan --namespace=$ns -o yaml), then run the runbook again"
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
  if [ -n "${1:-}" ]; then
    oc get apimanager "$1" -o jsonpath='{.metadata.annotations}' | jq -r '.["apps.3scale.net/apimanager-threescale-version"] // ""'
  else
    oc get apimanager -o json | jq -r '[.items[]?.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // ""] | if length == 1 then .[0] else "" end'
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
  local want=$1 want_operator=$2 apimanager count name product operator
  if [ -n "${3:-}" ]; then
    apimanager=$(oc get apimanager "$3" -o json)
  else
    apimanager=$(oc get apimanager -o json)
    count=$(printf '%s' "$apimanager" | jq '.items | length')
    [ "$count" = 1 ] || fail "project $NAMESPACE has $count APIManagers; the 3scale operator manages exactly one"
    apimanager=$(printf '%s' "$apimanager" | jq '.items[0]')
  fi
  name=$(printf '%s' "$apimanager" | jq -r '.metadata.name')
  product=$(printf '%s' "$apimanager" | jq -r '.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // ""')
  operator=$(printf '%s' "$apimanager" | jq -r '.metadata.annotations["apps.3scale.net/threescale-operator-version"] // ""')
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
