# How the runbook finds the version a site runs, before it changes anything:
# the preflight compares it with the plan's from (or, on a re-run, with any
# version along the plan's path). ../README.md describes shared files.
#
# A template-based site records its release in AMP_RELEASE of the
# system-environment ConfigMap; an operator-based one in the
# apps.3scale.net/apimanager-threescale-version annotation of its APIManager
# (the operator may write AMP_RELEASE too, which is read first). A
# migration's new project has only the APIManager. The templates up to 2.5,
# and the operator, write the micro release (2.5.0, 2.15.5): the version is
# its major.minor.

applies_to = ["template", "template-to-operator", "operator"]

installed_version {
  source = "AMP_RELEASE in configmap/system-environment (or the apps.3scale.net/apimanager-threescale-version annotation of the APIManager)"
  run    = <<-EOT
    local release
    release=$(oc get configmap system-environment -o jsonpath='{.data.AMP_RELEASE}' 2>/dev/null) || release=
    if [ -z "$release" ]; then
      release=$(oc get apimanager -o json 2>/dev/null | jq -r '[.items[]?.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // empty] | if length == 1 then .[0] else "" end' 2>/dev/null) || release=
    fi
    if [[ $release =~ ^([0-9]+\.[0-9]+)\.[0-9] ]]; then
      release=$${BASH_REMATCH[1]}
    fi
    printf '%s\n' "$release"
  EOT
}
