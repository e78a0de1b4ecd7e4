package propertytest

import (
	"slices"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

var propSites = []proptest.Site{
	{Example: "2.7-mysql-s3", Fixture: "templates/2.7-amp-s3.yaml", Databases: true, Check: check27S3},
	{Example: "2.4-to-2.5-mysql", Fixture: "templates/2.4-amp.yaml", Databases: true},
	{Example: "2.7-mysql", Fixture: "templates/2.7-amp.yaml"},
	{Example: "2.6-to-2.8-mysql", Fixture: "templates/2.6-amp.yaml"},
	{Example: "2.5-to-2.6-mysql", Fixture: "templates/2.5-amp.yaml", Manual: manual25, Databases: true},
	{Example: "2.4-to-2.8-mysql-s3", Fixture: "templates/2.4-amp-s3.yaml", Manual: manual25, Databases: true},
	{Example: "2.7-to-2.8-operator", Build: bundletest.Op27Seed},
	{Example: "2.7-postgresql", Fixture: "templates/2.7-amp.yaml", Edit: bundletest.TemplatePostgreSQL, Namespace: "3scale-prod", Databases: true},
	{Example: "2.6-to-2.7-postgresql", Fixture: "templates/2.6-amp.yaml", Edit: bundletest.TemplatePostgreSQL, Databases: true},
}

// suite is this package's sites and falsifiers (internal/proptest).
var suite = &proptest.Suite{Package: bundletest.InPropertyTest, Sites: append(slices.Clone(propSites), templateMatrixSites()...), Falsifiers: verifyFalsifiers,
	GuardHolds: map[string]string{
		// The exports' postgresql:9.5 imports securely, as the tag 10 the
		// zync-database-tag patch adds does; emit/runbooktest's
		// TestHop24RunbookSteps shows the guard not holding on a 9.5 tag
		// imported from an insecure registry.
		"2.4-2.5/zync-database-tag-import-policy": "emit/runbooktest/hop24_test.go",
	}}

// TestRunbookProperties runs each example's runbook on its site in the
// simulated cluster and checks what must hold of every run
// (proptest.Suite.Properties): the targets reached, a second run and a run
// without its state file change nothing, faults converge, and every verify
// step with a falsifier fails on a copy of the cluster with its claim
// broken.
func TestRunbookProperties(t *testing.T) {
	t.Parallel()
	suite.Properties(t)
}
