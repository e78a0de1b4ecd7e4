# A migration's step says which cluster it runs on.
hop {
  from       = "2.8"
  to         = "2.8"
  deployment = "template-to-operator"
  seed       = "seed.txt"
  title      = "test migration"
}

step "one" { # ERROR: Missing cluster
  title   = "One"
  kind    = "shell"
  section = "1"
  run     = "true"
}

step "two" {
  title   = "Two"
  kind    = "shell"
  section = "1"
  cluster = "old" # ERROR: Missing cluster
  run     = "true"
}
