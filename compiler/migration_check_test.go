package compiler

import "testing"

// TestHopVersionsChecked: a hop that does not go up, or a migration that
// changes version, would never end resolving; such a module does not load.
func TestHopVersionsChecked(t *testing.T) {
	for _, tc := range []struct {
		hop Hop
		ok  bool
	}{
		{Hop{From: "2.7", To: "2.8", Deployment: "operator"}, true},
		{Hop{From: "2.8", To: "2.8", Deployment: "template-to-operator"}, true},
		{Hop{From: "2.8", To: "2.8", Deployment: "template"}, false},
		{Hop{From: "2.8", To: "2.7", Deployment: "template"}, false},
		{Hop{From: "2.7", To: "2.8", Deployment: "template-to-operator"}, false},
		{Hop{From: "2.7", To: "two", Deployment: "template"}, false},
	} {
		if err := (module{file: "x.hcl", hop: tc.hop}).check(); (err == nil) != tc.ok {
			t.Errorf("%+v: check() = %v", tc.hop, err)
		}
	}
}
