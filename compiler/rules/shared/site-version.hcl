# How the runbook finds the version a site runs, before it changes anything:
# the preflight compares it with the plan's from (or, on a re-run, with any
# version along the plan's path). ../README.md describes shared files.
#
# A template-based site records its release in AMP_RELEASE of the
# system-environment ConfigMap, or, upgraded with the guides' `oc set env`,
# in a literal AMP_RELEASE of system-app's containers (the later of the two
# wins); an operator-based one in the
# apps.3scale.net/apimanager-threescale-version annotation of its
# APIManager (the operator may write AMP_RELEASE too, which is read first). A
# migration's new project has only the APIManager. A template-based site at
# 2.12 has no AMP_RELEASE (the 3scale-2.12.0-GA templates dropped it): its
# release is the tag of system-app's ImageChange trigger. The templates up to 2.5,
# and the operator, write the micro release (2.5.0, 2.15.5): the version is
# its major.minor.

applies_to = ["template", "template-to-operator", "operator"]

installed_version {
  source = "AMP_RELEASE in configmap/system-environment, or the literal one of dc/system-app's containers when later (or the apps.3scale.net/apimanager-threescale-version annotation of the APIManager, or, without either, the tag of dc/system-app's ImageChange trigger)"
  run    = <<-EOT
    local objects both release literal
    # The guides up to 2.7 set AMP_RELEASE with oc set env dc/system-app, which
    # leaves the ConfigMap at the installed release and the guide's release as
    # a literal in every system-app container: the later of the two is the
    # site's. One oc call reads both (it prints what it finds).
    objects=$(oc get configmap/system-environment dc/system-app -o json 2>/dev/null) || true
    # One jq reads both: the ConfigMap's release, a tab, the literal.
    both=$(jq -r '"\([.items[]? | select(.kind == "ConfigMap") | .data.AMP_RELEASE // empty][0] // "")\t\([.items[]? | select(.kind == "DeploymentConfig") | .spec.template.spec.containers[]? | [.env[]? | select(.name == "AMP_RELEASE")][0] | .value // ""] | unique | if length == 1 then .[0] else "" end)"' <<<"$objects" 2>/dev/null) || both=
    release=$${both%%$'\t'*} literal=$${both#*$'\t'}
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
      release=$${BASH_REMATCH[1]}
    fi
    printf '%s\n' "$release"
  EOT
}
