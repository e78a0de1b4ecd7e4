# A removed tag names nothing else; a tag that is set has a display name.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "tags" {
  title   = "Tags"
  kind    = "patch"
  section = "1"
  patch "ImageStream" "amp-system" {
    tag "latest" { # ERROR: Invalid tag removal
      remove       = true
      display_name = "System latest"
    }
    tag "2.8" { # ERROR: Missing display_name
      image = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8"
    }
  }
}
