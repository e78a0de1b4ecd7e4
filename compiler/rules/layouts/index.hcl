# The standard layouts: the model of a fresh install that ampc compiles a
# plan against when it is given no --snapshot. Each layout block names, for
# an install method and a version, the file under this folder that holds
# it; ../README.md ("Standard layouts") describes the files and the lookup.

layout "template" "2.4" {
  file = "template-2.4.yaml.tmpl"
}

layout "template" "2.5" {
  file = "template-2.5.yaml.tmpl"
}

layout "template" "2.6" {
  file = "template-2.6.yaml.tmpl"
}

layout "template" "2.7" {
  file = "template-2.7.yaml.tmpl"
}

layout "template" "2.8" {
  file = "template-2.8.yaml.tmpl"
}

# The template-to-operator migration at 2.8 to 2.12 reads only the objects
# it backs up and scales: a plan that migrates at the version the site was
# installed at takes this one.
layout "template" "2.8" {
  migration = true
  file      = "template-migration-2.8-2.12.yaml.tmpl"
}

layout "template" "2.9" {
  file = "template-2.9.yaml.tmpl"
}

layout "template" "2.10" {
  file = "template-2.10.yaml.tmpl"
}

layout "template" "2.11" {
  file = "template-2.11.yaml.tmpl"
}

layout "operator" "2.7" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.8" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.9" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.10" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.11" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.12" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.13" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.14" {
  file = "operator-2.7-2.14.yaml.tmpl"
}

layout "operator" "2.15" {
  file = "operator-2.15.yaml.tmpl"
}

# What the guides' own upgrades leave where ampc's hops leave something
# else. A site first installed at an earlier version (installed_at) is
# modeled by lowering ampc's hops from installed_at to from on the layout of
# installed_at; then each block here whose deployment and from match the
# plan puts back what the guides left.
#
# The 2.4 → 2.5, 2.5 → 2.6 and 2.6 → 2.7 guides set AMP_RELEASE with
# `oc set env dc/system-app AMP_RELEASE=...` (002 2.1: 2.5.0; 001 2.8: 2.6;
# 003 2.3.1: 2.7), which replaces the template's reference to
# system-environment with that literal in every system-app container and
# leaves the ConfigMap at the release the site was installed at (the 2.4
# and 2.5 templates write 2.4.0 and 2.5.0); ampc's hops set the ConfigMap
# instead (and put the reference back where they find a literal).
guide_leaves "amp-release-literal" {
  deployment = "template"
  from       = ["2.5", "2.6", "2.7"]

  env_value "DeploymentConfig" "system-app" {
    var   = "AMP_RELEASE"
    value = plan.from == "2.5" ? "2.5.0" : plan.from
  }

  data_value "ConfigMap" "system-environment" {
    key   = "AMP_RELEASE"
    value = plan.installed_at == "2.4" || plan.installed_at == "2.5" ? "${plan.installed_at}.0" : plan.installed_at
  }
}

# The 2.7 → 2.8 guide (000 1.2.8) and the 2.8 → 2.9, 2.9 → 2.10 and
# 2.10 → 2.11 ones (guides/template-2.8-2.9.md 2.2.3, template-2.9-2.10.md
# 2.2.2, template-after-2.10.md 2.2.2) set
# AMP_RELEASE in the ConfigMap only: a site that an earlier guide's
# `oc set env` reached (installed at 2.6 or before) keeps the literal 2.7
# of the 2.6 → 2.7 guide in every system-app container, and the ConfigMap
# holds from. A site installed at 2.7 or later never had the literal (null:
# nothing to leave).
guide_leaves "amp-release-literal-2.7" {
  deployment = "template"
  from       = ["2.8", "2.9", "2.10", "2.11"]

  env_value "DeploymentConfig" "system-app" {
    var   = "AMP_RELEASE"
    value = plan.installed_at == "2.4" || plan.installed_at == "2.5" || plan.installed_at == "2.6" ? "2.7" : null
  }
}

# The migration layouts of 2.9 to 2.12 (see the block of 2.8 above).
layout "template" "2.9" {
  migration = true
  file      = "template-migration-2.8-2.12.yaml.tmpl"
}

layout "template" "2.10" {
  migration = true
  file      = "template-migration-2.8-2.12.yaml.tmpl"
}

layout "template" "2.11" {
  migration = true
  file      = "template-migration-2.8-2.12.yaml.tmpl"
}

layout "template" "2.12" {
  migration = true
  file      = "template-migration-2.8-2.12.yaml.tmpl"
}
