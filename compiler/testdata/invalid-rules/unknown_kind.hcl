# A step's kind is one of the kinds the runbook knows.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "one" {
  title   = "One"
  kind    = "reboot" # ERROR: Unknown step kind
  section = "1"
}
