# use places a group of shared steps that a file of rules/shared defines.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

use "nothing" { # ERROR: Unknown shared steps
  section = "1"
}
