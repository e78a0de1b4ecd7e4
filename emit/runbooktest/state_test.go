package runbooktest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestStateRecordsStepWithLoop runs alone a step whose body counts with a
// variable i it does not declare local, 2.4-2.5/zync-database-tag-verify,
// on a site where it passes (the 2.5 fixture, its postgresql:10 imported;
// the state file says the run has begun): the state file must then record
// that step. The driver's main loop counted with i too, and the step's
// loop moved it: main recorded step 1 (done already) instead, so every
// re-run ran the step again, and a step that changes the cluster would
// have been applied twice.
func TestStateRecordsStepWithLoop(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"))
	work := t.TempDir()
	state := filepath.Join(work, "ampc-3scale-2.4-2.5.state")
	if err := os.WriteFile(state, []byte("2.4-2.5/backup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const step = "2.4-2.5/zync-database-tag-verify"
	if out, err := c.Run(t, bundle, work, "", "--only", step); err != nil {
		t.Fatalf("--only %s: %v\n%s", step, err, out)
	}
	raw, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); !slices.Contains(lines, step) {
		t.Errorf("the state file does not record %s after it passed: %q", step, lines)
	}
}
