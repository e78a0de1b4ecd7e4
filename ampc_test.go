package ampc_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
)

// TestCompileStages checks what each stage leaves in the Result: the plan
// source for diagnostics always, each stage's output once it succeeded.
func TestCompileStages(t *testing.T) {
	example := filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl")
	rules, err := compiler.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	res, diags := ampc.CompileFile(example, ampc.Options{Rules: rules})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if res.Plan == nil || res.Snapshot != nil || res.Bundle == nil || res.Sources[example] == nil {
		t.Errorf("a compile without snapshot: %+v", res)
	}
	for _, f := range []string{"plan.json", "PLAN.md", "runbook.sh", "SHA256SUMS"} {
		if len(res.Files[f]) == 0 {
			t.Errorf("no %s among the files", f)
		}
	}

	res, diags = ampc.Compile("bad.hcl", []byte("install {\n  namespace = \"3scale\"\n}\n"), ampc.Options{Rules: rules})
	if !diags.HasErrors() || res.Plan != nil || res.Bundle != nil || res.Files != nil || res.Sources["bad.hcl"] == nil {
		t.Errorf("a plan that does not parse: %v, %+v", diags, res)
	}

	snap := filepath.Join(t.TempDir(), "snap.yaml")
	if err := os.WriteFile(snap, []byte("kind: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, diags = ampc.CompileFile(example, ampc.Options{Snapshot: snap, Rules: rules})
	if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Filename != snap {
		t.Fatalf("a snapshot that does not read: %v", diags)
	}
	if res.Plan == nil || res.Snapshot != nil || res.Bundle != nil || res.Sources[snap] == nil {
		t.Errorf("a snapshot that does not read: %+v", res)
	}

	if _, diags := ampc.CompileFile(filepath.Join(t.TempDir(), "none.hcl"), ampc.Options{}); !diags.HasErrors() {
		t.Error("a missing plan file compiled")
	}
}
