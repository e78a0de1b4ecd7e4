# 3scale 2.8 → 2.9, operator-based install.
#
# Source: ../shared/guides/operator-2.8-2.9.md. The 2.9 chapter itself was
# not found (the sheet's confidence: MEDIUM): its prerequisites and steps are
# those of the 2.7 → 2.8 chapter (seed 000, chapter 2) and the 2.9 → 2.10
# chapter, which are the same in shape; the post-upgrade OAS 3.0 step is the
# 2.9 preface's, verbatim. What the 0.6 operator does on its own was read in
# its code (3scale/3scale-operator, branch 3scale-2.9-stable,
# pkg/3scale/amp/operator/upgrade.go: Upgrade() moves the DeploymentConfigs'
# ImageChange triggers from IS:latest to IS:2.9, deletes the latest tags,
# removes BASE_URL from Secret system-master-apicast), and is checked once
# the operator reports 2.9. Sections name the sheet's headings: procedure
# steps are "procedure N".

hop {
  from             = "2.8"
  to               = "2.9"
  deployment       = "operator"
  seed             = "guides/operator-2.8-2.9.md"
  title            = "3scale 2.8 to 2.9, operator-based (fact sheet)"
  confidence       = "medium: the 2.9 chapter was not found; steps as in the 2.7 → 2.8 and 2.9 → 2.10 chapters, the operator's changes read in its 2.9 code"
  operator_version = "0.6"
  openshift_min    = "4.1"
}

locals {
  # The image streams the 0.6 operator retags (upgradeAMPImageStreams and
  # the database streams of an install that runs them).
  streams = ["amp-apicast", "amp-backend", "amp-system", "amp-zync", "system-memcached", "zync-database-postgresql", "backend-redis", "system-redis", "system-mysql", "system-postgresql"]
}

use "operator-preflight" {
  section = "prerequisites"
}

use "operator-backup" {
  section = "procedure 1-3"
}

use "operator-channel" {
  section = "procedure 4"
}

use "operator-settle" {
  section = "procedure 5-7"
}

use "operator-images" {
  section = "what the 0.6.0 operator does on its own"
}

step "operator-cleanup" {
  title   = "Check that the 2.9 operator removed the latest tags and BASE_URL"
  kind    = "verify"
  section = "what the 0.6.0 operator does on its own"
  note    = <<-EOT
    The sheet's verification, after images-verify: no 3scale image stream
    keeps a latest tag, and Secret system-master-apicast has no BASE_URL
    (checked by key, never printed). An operator that reported 2.9 without
    finishing these leaves the install half upgraded.
  EOT
  run     = <<-EOT
    no_tag latest %{ for s in local.streams }${s} %{ endfor }
    secret_lacks system-master-apicast BASE_URL
  EOT
}

step "oas3-portal" {
  title        = "If the Developer Portal used OAS 3.0 in 2.8, update it"
  kind         = "manual"
  section      = "procedure 8"
  note         = "The 2.9 preface, verbatim: a Developer Portal configured for OAS 3.0 in 2.8 must be updated to keep it. The content of that procedure was not retrieved (the sheet), so ampc only names it."
  instructions = <<-EOT
    If OpenAPI Specification 3.0 was configured in the 2.8 Developer Portal
    and should stay in use, follow "Updating the Developer Portal with OAS
    3.0" in the 3scale 2.9 documentation (Migrating 3scale, preface): it
    changes the portal's templates by hand in the Admin Portal.

    Skip this step when the portal does not use OAS 3.0.
  EOT
}
