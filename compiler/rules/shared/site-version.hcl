# How the runbook finds the version a site runs, before it changes anything:
# the preflight compares it with the plan's from (or, on a re-run, with any
# version along the plan's path). ../README.md describes shared files.
#
# A template-based site records its release in AMP_RELEASE of the
# system-environment ConfigMap, or, upgraded with the guides' `oc set env`,
# in a literal AMP_RELEASE of system-app's containers (the later of the two
# wins); an operator-based one in the
# apps.3scale.net/apimanager-threescale-version annotation of its
# APIManager (operator-version.hcl). A migration's new project has only the
# APIManager, read when there is no AMP_RELEASE. A template-based site at
# 2.12 has no AMP_RELEASE (the 3scale-2.12.0-GA templates dropped it): its
# release is the tag of system-app's ImageChange trigger. The templates up to 2.5,
# and the operator, write the micro release (2.5.0, 2.15.5): the version is
# its major.minor.

applies_to = ["template", "template-to-operator"]

installed_version {
  source = "AMP_RELEASE in configmap/system-environment, or the literal one of dc/system-app's containers when later (or the apps.3scale.net/apimanager-threescale-version annotation of the APIManager, or, without either, the tag of dc/system-app's ImageChange trigger)"
  # lib/version.sh
  run = <<-EOT
    site_release
  EOT
}
