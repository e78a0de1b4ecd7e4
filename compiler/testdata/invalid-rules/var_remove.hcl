# A removed env var names no source.
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
      var "AMP_RELEASE" { # ERROR: Invalid var removal
        remove = true
        value  = "2.8"
      }
      var "MESSAGE_BUS_REDIS_URL" {
        remove     = true
        already_ok = true
      }
    }
  }
}
