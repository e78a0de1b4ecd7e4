# A tag points at an image or at another tag of its stream, one of them.
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
    tag "2.8" { # ERROR: Invalid tag source
      image        = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8"
      tag          = "2.7"
      display_name = "System 2.8"
    }
    tag "latest" { # ERROR: Invalid tag source
      display_name = "System latest"
    }
  }
}
