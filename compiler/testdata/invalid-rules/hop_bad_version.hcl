# Versions are major.minor.
hop {
  from       = "2.7"
  to         = "two" # ERROR: Invalid hop version
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}
