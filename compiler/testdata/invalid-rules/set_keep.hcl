hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "keep"
}

step "keep" {
  title   = "Keep"
  kind    = "patch"
  section = "1"
  patch "Secret" "system-redis" {
    set "/data/SENTINEL_HOSTS" { # ERROR: keep among other operations
      value = ""
      keep  = true
    }
    set "/data/SENTINEL_ROLE" { value = "" }
  }
  patch "Secret" "system-redis" {
    set "/data/NAMESPACE" { # ERROR: keep with expect
      value  = ""
      expect = "x"
      keep   = true
    }
  }
}
