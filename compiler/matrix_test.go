package compiler_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

// TestPlanMatrix compiles every plan of testenv.PlanMatrix that parses,
// over every version a hop starts or ends at, against the standard layout:
// each must compile or be refused with a diagnostic in the plan; none may
// reach a bug in ampc (a panic), whatever combination the user picks.
//
// Then it renders bundles of the plans that compiled: the kustomizations
// must build in process, and every distinct runbook must pass bash -n and
// shellcheck (without the shell library, checked on its own:
// bundletest.ShellcheckText; each distinct step once, in the first runbook
// that has it: bundletest.BlankCheckedSteps). What is rendered is a sample chosen for what the matrix is
// for: every pair of choices that compiles together, and every distinct
// step and rollback any compiled plan has (its commands, guard, patches and
// targets), appear in at least one rendered bundle, so every branch of
// every module and every shape of step goes through the checks.
// AMPC_EXHAUSTIVE=1 renders every distinct bundle instead.
func TestPlanMatrix(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	shellcheck := testenv.Tool(t, "shellcheck")
	rules, err := compiler.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	var ends []string
	for _, h := range rules.Hops() {
		ends = append(ends, h.From, h.To)
	}
	type compiled struct {
		src    string
		bundle *ir.Bundle
	}
	var bundles []compiled
	var features [][]string
	seen := map[[32]byte]bool{}
	plans, distinct, rendered := 0, 0, 0
	runbooks := map[[32]byte]string{} // distinct runbooks, to the plan of each
	checkedSteps := map[string]bool{}
	dir := t.TempDir()
	// render writes a bundle's runbook, once per distinct runbook, for the
	// checks below.
	render := func(c compiled) {
		rendered++
		files, err := emit.Files(c.bundle)
		if err != nil {
			t.Errorf("%v\n%s", err, c.src)
			return
		}
		sum := sha256.Sum256(files["runbook.sh"])
		if _, ok := runbooks[sum]; ok {
			return
		}
		runbooks[sum] = c.src
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%x.sh", sum)), files["runbook.sh"], 0o755); err != nil {
			t.Fatal(err)
		}
		// shellcheck reads the runbook without the shell library, which
		// TestShellLibraryShellcheck checks (bundletest.ShellcheckText),
		// and without the steps an earlier runbook had
		// (bundletest.BlankCheckedSteps): each distinct step is checked
		// once, in about a sixth of the time of the whole runbooks.
		// AMPC_EXHAUSTIVE=1 checks every runbook whole.
		text := bundletest.ShellcheckText(t, files["runbook.sh"])
		if !testenv.Exhaustive() {
			text = bundletest.BlankCheckedSteps(text, checkedSteps)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%x.check.sh", sum)), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, mp := range testenv.PlanMatrix(testenv.MatrixVersions(ends...)) {
		p, _, diags := plan.Parse("matrix.hcl", []byte(mp.Source))
		if diags.HasErrors() {
			continue
		}
		plans++
		b, ok := matrixCompile(t, rules, p, mp.Source)
		if !ok {
			continue
		}
		key, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(key)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		distinct++
		if testenv.Exhaustive() {
			// Every distinct bundle is rendered as it comes: the whole
			// matrix's bundles, kept, do not fit in this machine's memory.
			render(compiled{mp.Source, b})
			continue
		}
		bundles = append(bundles, compiled{mp.Source, b})
		features = append(features, append(testenv.ChoicePairs(mp.Choices), stepShapes(t, b)...))
	}
	if distinct == 0 {
		t.Fatal("no plan of the matrix compiled")
	}
	t.Logf("%d valid plans, %d distinct bundles, the others refused", plans, distinct)
	if !testenv.Exhaustive() {
		for _, i := range testenv.Cover(features) {
			render(bundles[i])
		}
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
			// In batches, so that one shellcheck never holds the
			// exhaustive sweep's hundreds of runbooks.
			for len(half) > 0 {
				batch := half[:min(25, len(half))]
				half = half[len(batch):]
				var checked []string
				for _, runbook := range batch {
					checked = append(checked, strings.TrimSuffix(runbook, ".sh")+".check.sh")
				}
				if out, err := exec.Command(shellcheck, append([]string{"-x"}, checked...)...).CombinedOutput(); err != nil {
					t.Errorf("shellcheck: %v\n%s", err, out)
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		for sum, src := range runbooks {
			t.Logf("%x.sh is the runbook of:\n%s", sum, src)
		}
	}
	t.Logf("%d distinct bundles compiled, %d rendered, %d distinct runbooks checked (%d distinct steps and rollbacks)", distinct, rendered, len(runbooks), len(checkedSteps))
}

// stepShapes names each step of a bundle by everything the runbook writes
// for it (id, kind, commands, guard, patch operations and targets), as
// features for testenv.Cover.
func stepShapes(t *testing.T, b *ir.Bundle) []string {
	t.Helper()
	var out []string
	for _, s := range b.Steps {
		shape := struct {
			ID, Kind, Run, Guard, Manual, Timeout string
			Wait                                  []ir.Target
			Ops                                   [][]ir.Op
			Targets                               []ir.Target
		}{ID: s.ID, Kind: string(s.Kind), Run: s.Run, Guard: s.Guard, Manual: s.Manual, Timeout: s.Timeout, Wait: s.Wait}
		for _, p := range s.Patches {
			shape.Ops = append(shape.Ops, p.Ops)
			shape.Targets = append(shape.Targets, p.Target)
		}
		for _, m := range append(append([]ir.Manifest{}, s.Creates...), s.Deletes...) {
			shape.Targets = append(shape.Targets, m.Target)
		}
		raw, err := json.Marshal(shape)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("step %x", sha256.Sum256(raw)))
	}
	for _, r := range b.Rollbacks {
		out = append(out, fmt.Sprintf("rollback %s %x", r.ID, sha256.Sum256([]byte(r.Run))))
	}
	return out
}

// matrixCompile compiles one plan and reports whether it compiled; a panic
// or an error diagnostic outside the plan fails the test.
func matrixCompile(t *testing.T, rules *compiler.Rules, p *plan.Plan, src string) (b *ir.Bundle, ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("a valid plan reaches a bug in ampc: %v\n%s", r, src)
			b, ok = nil, false
		}
	}()
	b, diags := rules.Compile(p, nil)
	for _, d := range diags {
		if d.Severity == hcl.DiagError && (d.Subject == nil || d.Subject.Filename != "matrix.hcl") {
			t.Errorf("%s: %s, not pointing into the plan\n%s", d.Summary, d.Detail, src)
		}
	}
	return b, !diags.HasErrors()
}
