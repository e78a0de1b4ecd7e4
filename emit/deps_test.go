package emit_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// TestImportsNoFrontEnd holds the seam between the front end and the back
// end: emit, the step IR it writes and the bundle reader know nothing of
// HCL, plans, rule modules or snapshots. Everything emit needs travels in an
// ir.Bundle.
func TestImportsNoFrontEnd(t *testing.T) {
	forbidden := []string{
		"github.com/hashicorp/hcl/",
		"github.com/zclconf/go-cty",
		"github.com/ampc/ampc/compiler",
		"github.com/ampc/ampc/plan",
		"github.com/ampc/ampc/snapshot",
	}
	for _, pkg := range []string{"github.com/ampc/ampc/emit", "github.com/ampc/ampc/ir", "github.com/ampc/ampc/inspect"} {
		cmd := exec.Command(testenv.Tool(t, "go"), "list", "-deps", pkg)
		cmd.Dir = testenv.Root()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s depends on %s; the front end must not leak into it", pkg, dep)
				}
			}
		}
	}
}

// TestBundletestOnlyInTests holds internal/bundletest, the test harness,
// out of ampc itself: only test files may import it.
func TestBundletestOnlyInTests(t *testing.T) {
	// internal/proptest, the runbook properties' harness, is one too: it may
	// import bundletest, and only tests may import it.
	harnesses := []string{"github.com/ampc/ampc/internal/bundletest", "github.com/ampc/ampc/internal/proptest"}
	cmd := exec.Command(testenv.Tool(t, "go"), "list", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	cmd.Dir = testenv.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		if slices.Contains(harnesses, pkg) {
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if slices.Contains(harnesses, imp) {
				t.Errorf("%s imports %s, which only tests may import", pkg, imp)
			}
		}
	}
}
