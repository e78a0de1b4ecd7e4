# A patch with for_each names each element's object.
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}

step "accounts" {
  title   = "Accounts"
  kind    = "patch"
  section = "1"
  patch "DeploymentConfig" "each" {
    for_each = ["zync"] # ERROR: for_each without name
    set "/spec/template/spec/serviceAccountName" { value = "amp" }
  }
}
