# The version blocks of a migration: each a later version, in order, with
# valid versions and sections that map exactly the module's.
hop {
  from       = "2.8"
  to         = "2.8"
  deployment = "template-to-operator"
  seed       = "seed.txt"
  title      = "test migration"

  version "2.10" {
    seed  = "guides/sheet.md"
    title = "test migration at 2.10"
    sections = {
      "3.2" = "steps"
    }
  }
  version "2.9" { # ERROR: Version block out of order
    seed          = "guides/sheet.md"
    title         = "test migration at 2.9"
    openshift_min = "four" # ERROR: Invalid hop version
    sections      = {} # ERROR: Section not mapped
  }
  version "2.x" { # ERROR: Invalid hop version
    seed     = "guides/sheet.md"
    title    = "test migration at 2.x"
    sections = {}
  }
  version "2.11" {
    seed          = "guides/sheet.md"
    title         = "test migration at 2.11"
    openshift_min = "4.8"
    openshift_max = "4.6" # ERROR: Empty OpenShift range
    sections = { # ERROR: Unknown section
      "3.2" = "steps"
      "9.9" = "nothing"
    }
  }
}

step "check" {
  title   = "Check"
  kind    = "verify"
  section = "3.2"
  cluster = "source"
  run     = "true"
}
