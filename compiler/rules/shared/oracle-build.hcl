# The system image with Oracle Database support, which a template-based
# Oracle site builds itself with bc/3scale-amp-system-oracle
# (amp/system-oracle/build.yml of 3scale-amp-openshift-templates) at every
# release: the build context, prepared by a person before the hop changes
# anything (use "oracle-build-context"), and the build (use "oracle-build"),
# after the hop has added the release's amp-system tag and pointed the
# BuildConfig at it. The build's output, amp-system:latest, redeploys
# system-app, system-sidekiq and system-sphinx. ../README.md describes
# shared files.

applies_to = ["template"]

locals {
  oracle = plan.system_database == "oracle"
  # The templates' git tag whose amp/system-oracle directory builds this
  # hop's release, and that release as the BuildConfig's tag names it.
  templates_tag = "${hop.to}.0.GA"
  release       = hop.to == "2.4" || hop.to == "2.5" ? "${hop.to}.0" : hop.to
}

# Step 3 of the preparation: the templates ship a workaround for an Oracle
# Database that is not a container database for 2.4 and 2.5 only
# (amp/system-oracle/README.md at 2.6.0.GA: none is needed from 2.6 on).
locals {
  non_cdb_step = hop.to == "2.5" ? "3. If your Oracle Database is not a container database (non-CDB), apply\n   the repository's workaround in that directory:\n     patch -p1 < workaround-non-cdb-2.5-upgrade/dockerfile.patch" : "3. Apply no non-CDB workaround: 3scale ${hop.to} needs none\n   (amp/system-oracle/README.md at ${local.templates_tag})."
}

steps "oracle-build-context" {
  step "oracle-build-context" {
    title = "Oracle: prepare the build directory of the ${hop.to} system image with Oracle support"
    kind  = "manual"
    when  = local.oracle
    note  = <<-EOT
      The guide runs `oc start-build 3scale-amp-system-oracle --from-dir=.`,
      which uploads whatever the current directory holds as the Docker build
      context; it never says what that must be. ampc asks for the directory
      explicitly, before the hop changes anything, so that the preparation
      (a download from Oracle) does not lengthen the maintenance window; the
      next step checks it, and the build step checks it again.
    EOT
    instructions = <<-EOT
      Later in this hop, the runbook builds the 3scale ${hop.to} system image
      with Oracle Database support (bc/3scale-amp-system-oracle, which pushes
      amp-system:latest). Its build context is a directory on this host, which
      you prepare now, before anything changes:

      1. Copy the directory amp/system-oracle of the repository
         https://github.com/3scale/3scale-amp-openshift-templates at tag
         ${local.templates_tag} (it holds the Dockerfile). An air-gapped site
         carries it in with the bundle.
      2. Put the Oracle Instant Client 12.2 packages for Linux x86-64, downloaded
         from Oracle, into its oracle-client-files/ subdirectory:
           instantclient-basiclite-linux.x64-12.2.0.1.0.zip (or instantclient-basic-linux.x64-12.2.0.1.0.zip)
           instantclient-sdk-linux.x64-12.2.0.1.0.zip
           instantclient-odbc-linux.x64-12.2.0.1.0-2.zip
      ${local.non_cdb_step}
      4. Continue with the directory's path in AMPC_ORACLE_BUILD_DIR, from the
         directory that holds the runbook's state file:
           AMPC_ORACLE_BUILD_DIR=/path/to/system-oracle ./runbook.sh --ack ${hop.from}-${hop.to}/oracle-build-context
    EOT
  }

  step "oracle-build-context-verify" {
    title = "Oracle: check the build directory of the ${hop.to} system image"
    kind  = "verify"
    when  = local.oracle
    note  = "Checked before the hop changes anything, so that a missing package is found outside the maintenance window."
    run   = "oracle_build_check ${local.release}"
  }
}

steps "oracle-build" {
  step "oracle-build" {
    title    = "Oracle: build the ${hop.to} system image with Oracle support"
    kind     = "shell"
    when     = local.oracle
    requires = ["BuildConfig/3scale-amp-system-oracle"]
    note     = <<-EOT
      The guide's `--from-dir=.` becomes the directory prepared in
      oracle-build-context, checked again; `--follow --wait` shows the build
      and fails the step when the build fails. The new amp-system:latest
      redeploys system-app, system-sidekiq and system-sphinx.
    EOT
    run      = <<-EOT
      oracle_build_check ${local.release}
      build_dir=$AMPC_ORACLE_BUILD_DIR
      oc start-build 3scale-amp-system-oracle --from-dir="$build_dir" --follow --wait
    EOT
  }
}
