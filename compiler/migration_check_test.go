package compiler

import (
	"testing"

	"github.com/ampc/ampc/ir"
)

// TestHopVersionsChecked: a hop that does not go up, or a migration that
// changes version, would never end resolving; such a module does not load.
func TestHopVersionsChecked(t *testing.T) {
	for _, tc := range []struct {
		hop ir.Hop
		ok  bool
	}{
		{ir.Hop{From: "2.7", To: "2.8", Deployment: "operator"}, true},
		{ir.Hop{From: "2.8", To: "2.8", Deployment: "template-to-operator"}, true},
		{ir.Hop{From: "2.8", To: "2.8", Deployment: "template"}, false},
		{ir.Hop{From: "2.8", To: "2.7", Deployment: "template"}, false},
		{ir.Hop{From: "2.7", To: "2.8", Deployment: "template-to-operator"}, false},
		{ir.Hop{From: "2.7", To: "two", Deployment: "template"}, false},
	} {
		if diags := (module{file: "x.hcl", hop: tc.hop}).check(ruleFS); !diags.HasErrors() != tc.ok {
			t.Errorf("%+v: check() = %v", tc.hop, diags)
		}
	}
}
