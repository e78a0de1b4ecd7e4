# Each word belongs to the kinds whose runbook code carries it out.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "patch_runs" {
  title   = "A patch step with shell"
  kind    = "patch"
  section = "1"
  run     = "true" # ERROR: Word in the wrong kind of step
}

step "shell_waits" {
  title   = "A shell step with a rollout"
  kind    = "shell"
  section = "1"
  run     = "true"
  rollout = ["system-app"] # ERROR: Word in the wrong kind of step
}

step "wait_instructs" {
  title        = "A wait step with instructions"
  kind         = "wait"
  section      = "1"
  rollout      = ["system-app"]
  instructions = "Do it by hand." # ERROR: Word in the wrong kind of step
}

step "shell_patches" {
  title   = "A shell step with a patch"
  kind    = "shell"
  section = "1"
  run     = "true"
  patch "DeploymentConfig" "zync" { # ERROR: Word in the wrong kind of step
    set "/spec/replicas" { value = 1 }
  }
}

step "manual_deletes" {
  title        = "A manual step with a delete"
  kind         = "manual"
  section      = "1"
  instructions = "Delete it."
  delete "ConfigMap" "old" {} # ERROR: Word in the wrong kind of step
}

step "shell_creates" {
  title     = "A shell step with manifests"
  kind      = "shell"
  section   = "1"
  run       = "true"
  manifests = ["a.yaml"] # ERROR: Word in the wrong kind of step
}
