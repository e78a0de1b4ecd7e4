# Only a migration serves several versions.
hop {
  from       = "2.8"
  to         = "2.9"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"

  version "2.10" { # ERROR: Version block outside a migration
    seed     = "guides/sheet.md"
    title    = "test hop at 2.10"
    sections = {}
  }
}
