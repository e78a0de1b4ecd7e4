# An env block names containers or a hook: not both, not neither.
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
    env { # ERROR: Env block without a target
      var "A" { value = "1" }
    }
    env { # ERROR: Env block without a target
      containers = ["system-master"]
      hook       = "pre"
      var "B" { value = "2" }
    }
    env {
      init_containers = ["system-master-svc"]
      var "C" { value = "3" }
    }
  }
}
