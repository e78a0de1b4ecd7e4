# How the runbook finds the version an operator-based site runs (see
# site-version.hcl for the template-based ones).
#
# The 3scale operator moves the apps.3scale.net/apimanager-threescale-version
# annotation of the APIManager when an upgrade is done. AMP_RELEASE in
# ConfigMap system-environment is no guide to it: the operators up to 0.8
# (3scale 2.11) create that ConfigMap once and never update it
# (system_reconciler.go of 3scale/3scale-operator's 2.8-stable to
# 3scale-2.11-stable branches: a create-only reconciler), so it keeps the
# release the APIManager was installed at, and the 0.9 operator (2.12)
# removes it. Read first, it made a site installed at 2.10 and upgraded to
# 2.11 look like a 2.10 one. Without the annotation (an APIManager the
# operator has not reconciled, or none) the version is read as a
# template-based site's (site_release, lib/version.sh).

applies_to = ["operator"]

installed_version {
  source = "the apps.3scale.net/apimanager-threescale-version annotation of the APIManager (without one, AMP_RELEASE in configmap/system-environment, or the tag of dc/system-app's ImageChange trigger)"
  run    = <<-EOT
    local release
    release=$(oc get apimanager -o json 2>/dev/null | jq -r '[.items[]?.metadata.annotations["apps.3scale.net/apimanager-threescale-version"] // empty] | if length == 1 then .[0] else "" end' 2>/dev/null) || release=
    if [ -z "$release" ]; then
      release=$(site_release)
    fi
    if [[ $release =~ ^([0-9]+\.[0-9]+)\.[0-9] ]]; then
      release=$${BASH_REMATCH[1]}
    fi
    printf '%s\n' "$release"
  EOT
}
