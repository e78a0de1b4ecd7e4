# The OpenShift version of the cluster, which each 3scale release supports
# only within a range (the operator hops' openshift_min and openshift_max).

# openshift_version: the version clusterversion/version desires (what the
# cluster runs, or is upgrading to), as x.y.z; the step stops when it cannot
# be read.
openshift_version() {
  local version
  version=$(oc get clusterversion version -o json | jq -r '.status.desired.version // empty') \
    || fail "cannot read clusterversion/version: log in as a user who may read it (the guides ask for administrator access)"
  [ -n "$version" ] || fail "clusterversion/version shows no version (status.desired.version)"
  printf '%s\n' "$version"
}

# openshift_between MIN MAX WHAT: stop unless the cluster's OpenShift
# version (major.minor) is MIN or later and MAX or earlier (an empty bound
# is no bound), saying what to do first; WHAT names the upgrade.
openshift_between() {
  local min=$1 max=$2 what=$3 version minor
  version=$(openshift_version)
  [[ $version =~ ^([0-9]+\.[0-9]+) ]] || fail "clusterversion/version shows '$version', not a version x.y.z"
  minor=${BASH_REMATCH[1]}
  if [ -n "$min" ] && ! at_least "$version" "$min"; then
    fail "OpenShift is $version: $what needs OpenShift $min or later; upgrade OpenShift first (as far as the installed 3scale release supports), then run again"
  fi
  if [ -n "$max" ] && [ "$minor" != "$max" ] && at_least "$minor" "$max"; then
    fail "OpenShift is $version: $what runs on OpenShift $max at the latest; this cluster is past it, which the guides do not support (3scale must reach the release before OpenShift is upgraded past $max)"
  fi
  echo "OpenShift $version: within ${min:-any}..${max:-any} for $what"
}
