# A file that is not HCL.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "one" {
  title = "One" "Two" # ERROR: Missing newline after argument
}
