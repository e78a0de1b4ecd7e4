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

  # What the site shows as the hop starts: AMP_RELEASE in the ConfigMap, the
  # literal AMP_RELEASE of each system-app container (null where the
  # container reads the ConfigMap), and the tag amp-backend:latest follows.
  configmap_release = field("ConfigMap", "system-environment", "/data/AMP_RELEASE")
  literal_master    = field("DeploymentConfig", "system-app", "/spec/template/spec/containers/name=system-master/env/name=AMP_RELEASE/value")
  literal_provider  = field("DeploymentConfig", "system-app", "/spec/template/spec/containers/name=system-provider/env/name=AMP_RELEASE/value")
  literal_developer = field("DeploymentConfig", "system-app", "/spec/template/spec/containers/name=system-developer/env/name=AMP_RELEASE/value")
  backend_latest    = field("ImageStream", "amp-backend", "/spec/tags/name=latest/from/name")
}

# A site upgraded to this hop's from with the guides' own commands: the 2.4
# → 2.5, 2.5 → 2.6 and 2.6 → 2.7 guides set AMP_RELEASE with `oc set env
# dc/system-app AMP_RELEASE=...` (002 2.1, 001 2.8, 003 2.3.1), which
# leaves the ConfigMap at the release the site was installed at. ampc takes
# such a site for one at from when the evidence agrees: every system-app
# container holds the literal that from's guide wrote, and amp-backend:latest
# follows from's tag, as that guide's image patch left it. The ConfigMap's
# patch then tests the value the site holds; any other ConfigMap value is
# refused with the cause the snapshot shows.
# (A local sees the locals of the blocks before its own only.)
locals {
  set_env_literal = local.literal_master == local.release_from && local.literal_provider == local.release_from && local.literal_developer == local.release_from
}

locals {
  guide_upgraded = local.configmap_release != null && local.configmap_release != local.release_from && local.set_env_literal && local.backend_latest == local.release_from
}

locals {
  expect = local.guide_upgraded ? local.configmap_release : local.release_from
}

refuse "amp-release-mismatch" {
  when    = local.configmap_release != null && local.configmap_release != local.release_from && !local.guide_upgraded
  summary = "The site's AMP_RELEASE is not the plan's from"
  at      = ["install.from"]
  detail  = <<-EOT
    AMP_RELEASE in the snapshot's system-environment ConfigMap is
    "${local.configmap_release == null ? "" : local.configmap_release}", and this hop starts from ${local.release_from}.%{ if local.set_env_literal } Every system-app container holds the literal AMP_RELEASE=${local.release_from} that the guide's `oc set env dc/system-app` leaves, so the site was upgraded to ${hop.from} with the guides (which leave the ConfigMap at the installed release), but amp-backend:latest follows ${local.backend_latest == null ? "no tag" : local.backend_latest}, not ${local.release_from}: the images are not those of ${hop.from}. Finish the previous upgrade's image steps, take a new snapshot and compile again.%{ else }%{ if local.literal_master != null } system-app's system-master container holds the literal AMP_RELEASE=${local.literal_master}, left by an `oc set env`.%{ endif } Either the site runs another release than the plan's from (correct install.from), or the snapshot was taken after an upgrade to another release began (take it again, before the upgrade starts).%{ endif }
  EOT
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
      ${local.expect}, refuses the patch on a site at another release.%{ if local.guide_upgraded } The
      site was upgraded to ${hop.from} with the guides' `oc set env`, which left
      the ConfigMap at ${local.configmap_release}: its system-app containers hold
      AMP_RELEASE=${local.release_from} and amp-backend:latest follows
      ${local.release_from}.%{ endif }
      system-app reads the new value when it next rolls out.
    EOT
    patch "ConfigMap" "system-environment" {
      set "/data/AMP_RELEASE" {
        value  = local.release_to
        expect = local.expect
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
