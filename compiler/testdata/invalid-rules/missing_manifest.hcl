# A create step's manifests are files of rules/manifests.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "create" {
  title     = "Create"
  kind      = "create"
  section   = "1"
  manifests = ["2.7-2.8/nothing.yaml"] # ERROR: Missing manifest
}
