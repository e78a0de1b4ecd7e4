package templatechaintest

import (
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

// The chain whose steps the default sweep fails comes first: the shorter
// one then runs the same 2.8 → 2.9 and 2.9 → 2.10 steps without faults.
// There is no 2.9 export: the 2.9 site on PostgreSQL with S3 storage is
// the 2.7 amp-s3 export on PostgreSQL (bundletest.TemplatePostgreSQL)
// upgraded by ampc's 2.7 → 2.8 and 2.8 → 2.9 hops, as the example models
// it (installed_at = "2.7").
var suite = &proptest.Suite{Sites: []proptest.Site{
	{Example: "2.8-to-2.12-mysql", Fixture: "templates/2.8-amp.yaml", Databases: true},
	{Example: "2.8-to-2.10-mysql", Fixture: "templates/2.8-amp.yaml", Databases: true},
	{Example: "2.9-to-2.10-postgresql-s3", Fixture: "templates/2.7-amp-s3.yaml", Edit: bundletest.TemplatePostgreSQL, Databases: true,
		Before: `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.9"
  system_database = "postgresql"
  s3              = true
}
`},
}}

// TestTemplateChainProperties runs the 2.8 → 2.10 and 2.8 → 2.12 template
// examples on the 2.8 export, and 2.9 → 2.10 on the 2.9 site ampc's hops
// make of the 2.7 amp-s3 export, and checks the runbook properties
// (proptest.Suite.Properties).
func TestTemplateChainProperties(t *testing.T) {
	t.Parallel()
	suite.Properties(t)
}
