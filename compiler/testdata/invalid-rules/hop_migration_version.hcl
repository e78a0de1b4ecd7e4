# A migration stays at its version.
hop {
  from       = "2.7"
  to         = "2.8" # ERROR: Migration changes version
  deployment = "template-to-operator"
  seed       = "seed.txt"
  title      = "test migration"
}
