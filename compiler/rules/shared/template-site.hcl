# Refusals that every hop starting from a template-based site makes, before
# its own: the plan must describe the site of its snapshot. The template
# hops guard their database and S3 steps with has() and plan.s3, so a plan
# that names the other database, or gets S3 wrong, would otherwise compile
# to a bundle that silently skips the site's steps or runs another site's.
# Without a snapshot the model is the standard layout of the plan itself,
# and these never hold. ../README.md describes shared files ("Shared
# refusals").

applies_to = ["template", "template-to-operator"]

refuse "system-database-mismatch" {
  when    = (plan.system_database == "postgresql" && has("DeploymentConfig", "system-mysql") && !has("DeploymentConfig", "system-postgresql")) || (plan.system_database == "mysql" && has("DeploymentConfig", "system-postgresql") && !has("DeploymentConfig", "system-mysql"))
  summary = "The plan's system database is not the site's"
  at      = ["install.system_database"]
  detail  = <<-EOT
    The plan says system_database = "${plan.system_database}", but the
    snapshot holds the %{ if plan.system_database == "mysql" }system-postgresql DeploymentConfig and no
    system-mysql%{ else }system-mysql DeploymentConfig and no system-postgresql%{ endif }: the site keeps its system database on %{ if plan.system_database == "mysql" }PostgreSQL%{ else }MySQL%{ endif }.
    The guide's database steps differ per database (image stream, rollout,
    backup), and with the wrong one the bundle would leave the site's
    database as it is. Correct install.system_database, or export the
    namespace of the site this plan describes.
  EOT
}

refuse "s3-mismatch" {
  when    = plan.s3 != has("Secret", "aws-auth")
  summary = "The plan's S3 setting is not the site's"
  at      = ["install.s3"]
  detail  = <<-EOT
    %{ if plan.s3 }The plan says s3 = true, but the snapshot has no aws-auth
    Secret, which the amp-s3 template creates: the site keeps its system
    files on the system-storage volume.%{ else }The plan says s3 = false (or leaves it out), but the snapshot holds the
    aws-auth Secret of the amp-s3 template: the site keeps its system files
    in an S3 bucket.%{ endif } The guides' steps differ (S3 credentials,
    copies of the system-storage volume), and with the wrong setting the
    bundle would skip the site's steps or run another site's. Correct
    install.s3, or export the namespace of the site this plan describes.
  EOT
}

# An Oracle site builds its system image with bc/3scale-amp-system-oracle
# (amp/system-oracle/build.yml of every template release); a snapshot with
# the system-mysql or system-postgresql DeploymentConfig and no such
# BuildConfig is a site whose system database is that one, and an Oracle
# plan would skip its database steps and stop for a build it cannot run.
refuse "oracle-mismatch" {
  when    = plan.system_database == "oracle" && !has("BuildConfig", "3scale-amp-system-oracle") && (has("DeploymentConfig", "system-mysql") || has("DeploymentConfig", "system-postgresql"))
  summary = "The plan's system database is not the site's"
  at      = ["install.system_database"]
  detail  = <<-EOT
    The plan says system_database = "oracle", but the snapshot holds the
    %{ if has("DeploymentConfig", "system-mysql") }system-mysql%{ else }system-postgresql%{ endif } DeploymentConfig and no BuildConfig
    3scale-amp-system-oracle, with which every template-based Oracle site
    builds its system image (amp/system-oracle/build.yml): the site keeps
    its system database on %{ if has("DeploymentConfig", "system-mysql") }MySQL%{ else }PostgreSQL%{ endif }. With an Oracle plan the
    bundle would skip the site's database steps and stop for an Oracle image
    build. Correct install.system_database; or, if the site does run on
    Oracle, export its BuildConfigs into the snapshot too (oc get bc -o
    yaml).
  EOT
}

# The same check at run time, for a bundle compiled without a snapshot:
# system reads its database from the URL of the system-database Secret,
# which an Oracle site sets to oracle-enhanced://... (amp/system-oracle/
# README.md). The URL holds the password: it is read, never printed.
steps "oracle-site-check" {
  step "oracle-site-check" {
    title = "Oracle: check that the site's system database is Oracle"
    kind  = "verify"
    when  = plan.system_database == "oracle"
    note  = "The guide's Oracle branch is for sites whose system-database Secret points system at Oracle; the runbook checks the URL's scheme, without printing the URL, before anything changes, so that a plan that names the wrong database stops here."
    run   = <<-EOT
      # A failed read stops the step as it is: only a missing Secret or
      # key reads as no URL.
      url=
      if exists secret system-database; then
        url=$(oc get secret system-database -o jsonpath='{.data.URL}')
        url=$(base64 -d <<<"$url") || url=
      fi
      case $url in
        oracle-enhanced://*) echo "secret/system-database points system at an Oracle database" ;;
        mysql2://*) fail "the plan says system_database = \"oracle\", but secret/system-database points system at a MySQL database (mysql2://): correct install.system_database in the plan and compile again" ;;
        postgresql://*) fail "the plan says system_database = \"oracle\", but secret/system-database points system at a PostgreSQL database (postgresql://): correct install.system_database in the plan and compile again" ;;
        *) fail "the plan says system_database = \"oracle\", but the URL of secret/system-database is not an Oracle one (oracle-enhanced://...): check the Secret and install.system_database" ;;
      esac
      unset url
    EOT
  }
}
