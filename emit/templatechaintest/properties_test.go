package templatechaintest

import (
	"testing"

	"github.com/ampc/ampc/internal/proptest"
)

// The chain whose steps the default sweep fails comes first: the shorter
// one then runs the same 2.8 → 2.9 and 2.9 → 2.10 steps without faults.
var suite = &proptest.Suite{Sites: []proptest.Site{
	{Example: "2.8-to-2.12-mysql", Fixture: "templates/2.8-amp.yaml", Databases: true},
	{Example: "2.8-to-2.10-mysql", Fixture: "templates/2.8-amp.yaml", Databases: true},
}}

// TestTemplateChainProperties runs the 2.8 → 2.10 and 2.8 → 2.12 template
// examples on the 2.8 export and checks the runbook properties
// (proptest.Suite.Properties).
func TestTemplateChainProperties(t *testing.T) {
	t.Parallel()
	suite.Properties(t)
}
