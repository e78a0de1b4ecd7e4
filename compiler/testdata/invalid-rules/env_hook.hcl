# A hook is one of the DeploymentConfig's lifecycle hooks.
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
      hook = "after" # ERROR: Unknown hook
      var "A" { value = "1" }
    }
  }
}
