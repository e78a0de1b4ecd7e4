# A hop goes to a later version.
hop {
  from       = "2.8"
  to         = "2.8" # ERROR: Hop does not go up
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}
