# A rollback is offered from one step of the module until a later one.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "stop" {
  title   = "Stop"
  kind    = "shell"
  section = "1"
  run     = "true"
}

step "move" {
  title   = "Move"
  kind    = "shell"
  section = "2"
  run     = "true"
}

rollback "unknown-from" {
  title      = "Back"
  section    = "3"
  offer_from = "stpo" # ERROR: Unknown step
  run        = "true"
}

rollback "unknown-until" {
  title       = "Back"
  section     = "3"
  offer_until = "mvoe" # ERROR: Unknown step
  run         = "true"
}

rollback "empty" {
  title       = "Back"
  section     = "3"
  offer_from  = "move"
  offer_until = "stop" # ERROR: Empty offer
  run         = "true"
}

rollback "fine" {
  title       = "Back"
  section     = "3"
  offer_from  = "stop"
  offer_until = "move"
  run         = "true"
}
