# The runbook's --rollback NAME names one rollback.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

rollback "images" {
  title   = "Images back"
  section = "1"
  run     = "true"
}

rollback "images" { # ERROR: Duplicate rollback
  title   = "Images back again"
  section = "1"
  run     = "true"
}
