# A trigger's from and expect are image stream tags, NAME:TAG.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "triggers" {
  title   = "Triggers"
  kind    = "patch"
  section = "1"
  patch "DeploymentConfig" "system-app" {
    trigger "system-master" {
      from = "amp-system" # ERROR: Invalid trigger
    }
    trigger "system-provider" {
      from   = "amp-system:2.8"
      expect = "2.7" # ERROR: Invalid trigger
    }
  }
}
