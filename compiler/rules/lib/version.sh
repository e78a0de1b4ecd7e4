# Versions as major.minor.

# at_least VERSION MINIMUM: VERSION (major.minor, more parts ignored) is
# MINIMUM or later.
at_least() {
  local have=$1 want=$2 hm hn wm wn
  case $have in *.*) ;; *) have=$have.0 ;; esac
  case $want in *.*) ;; *) want=$want.0 ;; esac
  hm=${have%%.*}; hn=${have#*.}; hn=${hn%%.*}
  wm=${want%%.*}; wn=${want#*.}; wn=${wn%%.*}
  [[ $hm =~ ^[0-9]+$ && $hn =~ ^[0-9]+$ ]] || return 1
  (( hm > wm || (hm == wm && hn >= wn) ))
}

# site_release prints the release a site runs as major.minor, or nothing,
# read as a template-based site records it: AMP_RELEASE in ConfigMap
# system-environment, or the literal one of dc/system-app's containers when
# later (the guides up to 2.7 set it with oc set env dc/system-app, which
# leaves the ConfigMap at the installed release), else the
# apps.3scale.net/apimanager-threescale-version annotation of the
# APIManager (a migration's new project), else the tag of dc/system-app's
# ImageChange trigger (the 2.12 templates dropped AMP_RELEASE). The
# installed_version of the shared rule files calls it.
site_release() {
  local objects both release literal
  # The guides up to 2.7 set AMP_RELEASE with oc set env dc/system-app, which
  # leaves the ConfigMap at the installed release and the guide's release as
  # a literal in every system-app container: the later of the two is the
  # site's. One oc call reads both (it prints what it finds).
  objects=$(oc get configmap/system-environment dc/system-app -o json 2>/dev/null) || true
  # One jq reads both: the ConfigMap's release, a tab, the literal.
  both=$(jq -r '"\([.items[]? | select(.kind == "ConfigMap") | .data.AMP_RELEASE // empty][0] // "")\t\([.items[]? | select(.kind == "DeploymentConfig") | .spec.template.spec.containers[]? | [.env[]? | select(.name == "AMP_RELEASE")][0] | .value // ""] | unique | if length == 1 then .[0] else "" end)"' <<<"$objects" 2>/dev/null) || both=
  release=${both%%$'\t'*} literal=${both#*$'\t'}
  if [ -n "$literal" ] && { [ -z "$release" ] || ! at_least "$release" "$literal"; }; then
    release=$literal
  fi
  if [ -z "$release" ]; then
    release=$(oc get apimanager -o json 2>/dev/null | jq -r '[.items[]?.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // empty] | if length == 1 then .[0] else "" end' 2>/dev/null) || release=
  fi
  if [ -z "$release" ]; then
    # The 2.12 templates (and the 2.11 → 2.12 hop) drop AMP_RELEASE: the
    # release is the tag system-app's ImageChange trigger follows
    # (amp-system:2.12, or amp-system:2.12-oracle on an Oracle site).
    release=$(jq -r '[.items[]? | select(.kind == "DeploymentConfig") | .spec.triggers[]? | select(.type == "ImageChange") | .imageChangeParams.from.name | capture(":(?<v>[0-9]+[.][0-9]+)(-oracle)?$").v] | unique | if length == 1 then .[0] else "" end' <<<"$objects" 2>/dev/null) || release=
  fi
  if [[ $release =~ ^([0-9]+\.[0-9]+)\.[0-9] ]]; then
    release=${BASH_REMATCH[1]}
  fi
  printf '%s\n' "$release"
}
