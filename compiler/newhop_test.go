package compiler

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// TestNewHopIsData adds a hop the way a maintainer would, without Go: a
// copy of the operator 2.7 → 2.8 module with every version moved up one
// (2.8 → 2.9), beside the embedded rules. The hop must be listed, and a
// 2.8 → 2.9 operator plan must compile against a snapshot of a 2.8 site
// into the copied steps, with the channel patch tested against the 2.8
// channel. Nothing in Go names a version or a hop.
func TestNewHopIsData(t *testing.T) {
	overlay := fstest.MapFS{}
	err := fs.WalkDir(ruleFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := ruleFS.ReadFile(path)
		overlay[path] = &fstest.MapFile{Data: src}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	src, err := ruleFS.ReadFile("rules/2.7-2.8-operator.hcl")
	if err != nil {
		t.Fatal(err)
	}
	// Up one version: 2.8 first, so that the 2.7 → 2.8 that follows is not moved twice.
	copied := strings.ReplaceAll(strings.ReplaceAll(string(src), "2.8", "2.9"), "2.7", "2.8")
	overlay["rules/2.8-2.9-operator.hcl"] = &fstest.MapFile{Data: []byte(copied)}

	mods, diags := loadModulesFrom(overlay)
	if diags.HasErrors() {
		t.Fatalf("the copied module does not load: %s", diags.Error())
	}
	embedded, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	r := &Rules{mods: mods, layouts: embedded.layouts, library: embedded.library}
	if !slices.ContainsFunc(r.Hops(), func(h ir.Hop) bool {
		return h.From == "2.8" && h.To == "2.9" && h.Deployment == "operator" && h.Title == "3scale 2.8 to 2.9, operator-based (chapter 2)"
	}) {
		t.Fatalf("hops do not list the copied module: %v", r.Hops())
	}

	site := filepath.Join(t.TempDir(), "site-2.8.yaml")
	if err := os.WriteFile(site, []byte(`apiVersion: v1
kind: List
items:
- apiVersion: operators.coreos.com/v1alpha1
  kind: Subscription
  metadata: {name: 3scale-operator, namespace: 3scale-operator}
  spec: {channel: threescale-2.8, name: 3scale-operator, source: redhat-operators, sourceNamespace: openshift-marketplace}
- apiVersion: apps.3scale.net/v1alpha1
  kind: APIManager
  metadata:
    name: apimanager-sample
    namespace: 3scale
    annotations: {apps.3scale.net/apimanager-threescale-version: "2.8"}
  spec: {wildcardDomain: apps.example.com}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	p, _, diags := plan.Parse("plan.hcl", []byte(`install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.8"
  to              = "2.9"
  system_database = "mysql"
}
operator {
  namespace = "3scale-operator"
}
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	snap, diags := snapshot.Read(site, "3scale")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	b, diags := r.Compile(p, snap)
	if diags.HasErrors() {
		t.Fatalf("the copied hop does not compile: %s", diags.Error())
	}
	var ids []string
	var channel []ir.Op
	for _, s := range b.Steps {
		ids = append(ids, s.ID)
		if s.ID == "2.8-2.9/subscription-channel" {
			channel = s.Patches[0].Ops
		}
	}
	if len(ids) == 0 || !strings.HasPrefix(ids[0], "2.8-2.9/") {
		t.Fatalf("steps: %v", ids)
	}
	if len(channel) != 2 || channel[0].Op != "test" || channel[0].Value != "threescale-2.8" || channel[1].Value != "threescale-2.9" {
		t.Errorf("channel patch: %+v", channel)
	}
	if !strings.Contains(b.Hops[0].InstalledVersion, "apimanager-threescale-version") {
		t.Errorf("the hop does not say how the runbook finds the installed version: %q", b.Hops[0].InstalledVersion)
	}
}
