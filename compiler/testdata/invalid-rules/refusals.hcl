# A refusal has a summary and points at a block of the plan; its name is
# its own.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

refuse "s3" {
  when    = plan.s3
  summary = "No S3"
  detail  = "Not with S3."
  at      = ["storage.s3"] # ERROR: Invalid refusal place
}

refuse "empty" { # ERROR: Empty refusal
  when    = true
  summary = ""
  detail  = "Nothing."
  at      = ["install"]
}

refuse "empty" { # ERROR: Duplicate refusal
  when    = false
  summary = "Twice"
  detail  = "Twice."
  at      = ["install.to"]
}
