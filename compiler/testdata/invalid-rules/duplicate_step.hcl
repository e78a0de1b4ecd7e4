# A step's name makes its id: one per module.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "one" {
  title   = "One"
  kind    = "shell"
  section = "1"
  run     = "true"
}

step "one" { # ERROR: Duplicate step
  title   = "One again"
  kind    = "shell"
  section = "2"
  run     = "true"
}
