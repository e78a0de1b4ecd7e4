# AMP_RELEASE, the release a template-based site reports, in every template
# hop: set in the system-environment ConfigMap, read from there by every
# system-app container, and system-app redeployed so that it reads it. A
# module places the steps with use "amp-release" and, where nothing else
# redeploys system-app after them, use "redeploy-system-app" (see
# ../README.md, "Shared steps").

applies_to = ["template"]

locals {
  # The 2.4 and 2.5 templates write the micro release (2.4.0, 2.5.0), and so
  # do their guides; later ones major.minor.
  release_from = hop.from == "2.4" || hop.from == "2.5" ? "${hop.from}.0" : hop.from
  release_to   = hop.to == "2.4" || hop.to == "2.5" ? "${hop.to}.0" : hop.to
}

steps "amp-release" {
  step "amp-release" {
    title = "Set AMP_RELEASE to ${local.release_to} in system-environment"
    kind  = "patch"
    note  = <<-EOT
      The guides up to 2.7 set AMP_RELEASE with `oc set env dc/system-app`,
      which replaces the template's configMapKeyRef to system-environment
      with a literal in every system-app container, so that system-app goes
      on reporting the old release once a later guide updates only the
      ConfigMap. ampc sets the ConfigMap, to ${local.release_to}, so that
      every container keeps reading it; a test of the current value,
      ${local.release_from}, refuses the patch on a site at another release.
      system-app reads the new value when it next rolls out.
    EOT
    patch "ConfigMap" "system-environment" {
      set "/data/AMP_RELEASE" {
        value  = local.release_to
        expect = local.release_from
      }
    }
  }

  step "amp-release-env" {
    title = "Make every system-app container read AMP_RELEASE from system-environment"
    kind  = "patch"
    note  = "Where an earlier guide's `oc set env dc/system-app AMP_RELEASE=...` left a literal, ampc restores the template's reference to system-environment; a site whose containers read the ConfigMap already gets no patch."
    patch "DeploymentConfig" "system-app" {
      env {
        containers = ["system-master", "system-provider", "system-developer"]
        var "AMP_RELEASE" {
          config_map = "system-environment"
          key        = "AMP_RELEASE"
          already_ok = true
        }
      }
    }
  }
}

steps "redeploy-system-app" {
  step "redeploy-system-app" {
    title = "Redeploy system-app so that it reads the new AMP_RELEASE"
    kind  = "shell"
    note  = <<-EOT
      The guide's `oc set env dc/system-app AMP_RELEASE=...` redeploys
      system-app once, as a side effect, after the release is set. A
      ConfigMap change redeploys nothing, but the amp-release-env patch, on
      a site whose containers hold a literal, changes the template, and the
      ConfigChange trigger starts that redeploy: the runbook waits for it.
      Only when no rollout started since the release was set does it run
      `oc rollout latest`, which a rollout in progress refuses ("#N is
      already in progress"). It records system-app's deployment number
      before that rollout in the backup directory, so that a re-run waits
      for the rollout it started instead of starting another (rollout_once
      of the shell library).
    EOT
    run   = "rollout_once system-app \"$BACKUP_DIR/${hop.from}-${hop.to}/system-app-rollout-from\""
  }

  step "wait-system-app" {
    title   = "Wait for system-app to redeploy"
    kind    = "wait"
    rollout = ["system-app"]
  }
}
