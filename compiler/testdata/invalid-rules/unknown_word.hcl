# A word the language does not have.
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
  retries = 3 # ERROR: Unsupported argument
}
