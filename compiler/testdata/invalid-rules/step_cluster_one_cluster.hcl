# A hop that stays on one cluster has no cluster to name.
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
  cluster = "source" # ERROR: Cluster outside a migration
  run     = "true"
}
