# A var reads exactly one source; key goes with secret or config_map, and
# so does optional.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "env" {
  title   = "Env"
  kind    = "patch"
  section = "1"
  patch "DeploymentConfig" "system-app" {
    env {
      containers = ["system-master"]
      var "NONE" {} # ERROR: Invalid var source
      var "TWO" { # ERROR: Invalid var source
        value      = "x"
        field_path = "metadata.namespace"
      }
      var "NO_KEY" { secret = "system-seed" } # ERROR: Invalid var source
      var "KEY_ALONE" { key = "PASSWORD" } # ERROR: Invalid var source
      var "OPTIONAL_VALUE" { # ERROR: Invalid var source
        value    = "x"
        optional = true
      }
      var "FINE" {
        config_map = "system-environment"
        key        = "RAILS_ENV"
        optional   = true
      }
    }
  }
}
