package emit_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
)

// TestPlanMatrixBundles renders the bundle of every plan of
// testenv.PlanMatrix that compiles (each distinct bundle once): the
// kustomizations must build in process, and every distinct runbook must
// pass bash -n and shellcheck.
func TestPlanMatrixBundles(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	shellcheck := testenv.Tool(t, "shellcheck")
	rules, err := compiler.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[32]byte]bool{}
	runbooks := map[[32]byte]string{} // distinct runbooks, to the plan of each
	dir := t.TempDir()
	for _, src := range testenv.PlanMatrix() {
		p, _, diags := plan.Parse("matrix.hcl", []byte(src))
		if diags.HasErrors() {
			continue
		}
		b, diags := rules.Compile(p, nil)
		if diags.HasErrors() {
			continue
		}
		key, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if seen[sha256.Sum256(key)] {
			continue
		}
		seen[sha256.Sum256(key)] = true
		files, err := emit.Files(b)
		if err != nil {
			t.Errorf("%v\n%s", err, src)
			continue
		}
		sum := sha256.Sum256(files["runbook.sh"])
		if _, ok := runbooks[sum]; !ok {
			runbooks[sum] = src
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%x.sh", sum)), files["runbook.sh"], 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no plan of the matrix compiled")
	}
	// Two checkers at a time, each over its half of the runbooks.
	var names [2][]string
	i := 0
	for sum := range runbooks {
		names[i%2] = append(names[i%2], filepath.Join(dir, fmt.Sprintf("%x.sh", sum)))
		i++
	}
	var wg sync.WaitGroup
	for _, half := range names {
		wg.Go(func() {
			for _, runbook := range half {
				if out, err := exec.Command(bash, "-n", runbook).CombinedOutput(); err != nil {
					t.Errorf("bash -n %s: %v\n%s", filepath.Base(runbook), err, out)
				}
			}
			if len(half) == 0 {
				return
			}
			if out, err := exec.Command(shellcheck, append([]string{"-x"}, half...)...).CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		for sum, src := range runbooks {
			t.Logf("%x.sh is the runbook of:\n%s", sum, src)
		}
	}
	t.Logf("%d distinct bundles rendered, %d distinct runbooks checked", len(seen), len(runbooks))
}
