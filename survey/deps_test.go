package survey_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// TestImportsNoLaterStage holds survey beside plan and snapshot: it reads
// an export and writes a plan, and knows nothing of rule modules, steps or
// bundles (the compiler imports it, never the other way round).
func TestImportsNoLaterStage(t *testing.T) {
	cmd := exec.Command(testenv.Tool(t, "go"), "list", "-deps", "github.com/ampc/ampc/survey")
	cmd.Dir = testenv.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"github.com/ampc/ampc/compiler", "github.com/ampc/ampc/emit", "github.com/ampc/ampc/ir", "github.com/ampc/ampc/inspect"} {
			if dep == f {
				t.Errorf("survey depends on %s", dep)
			}
		}
	}
}
