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
