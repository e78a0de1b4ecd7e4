# A module's own step names the section of the guide it follows.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "one" { # ERROR: Missing section
  title = "One"
  kind  = "shell"
  run   = "true"
}
