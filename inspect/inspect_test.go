package inspect_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/inspect"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

func goldenBundles(t *testing.T) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(testenv.Root(), "testdata", "golden", "*"))
	if len(dirs) == 0 {
		t.Fatal("no golden bundle")
	}
	return dirs
}

// TestReadPlanRoundTrip reads every golden plan.json and writes it again as
// emit does: the bytes are the same, so the reader's types hold every field
// the writer writes (one definition of the format, in package ir).
func TestReadPlanRoundTrip(t *testing.T) {
	for _, dir := range goldenBundles(t) {
		doc, err := inspect.ReadPlan(dir)
		if err != nil {
			t.Fatal(err)
		}
		var again bytes.Buffer
		enc := json.NewEncoder(&again)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(dir, "plan.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), want) {
			t.Errorf("%s: plan.json read and written again differs from the file", filepath.Base(dir))
		}
		if len(doc.Steps) == 0 || doc.Summary.Steps != len(doc.Steps) {
			t.Errorf("%s: %d steps read, the summary says %d", filepath.Base(dir), len(doc.Steps), doc.Summary.Steps)
		}
	}
}

// TestVerifyGolden: every golden bundle is whole.
func TestVerifyGolden(t *testing.T) {
	for _, dir := range goldenBundles(t) {
		n, problems := inspect.Verify(dir)
		if len(problems) > 0 || n == 0 {
			t.Errorf("%s: %d files, problems %v", filepath.Base(dir), n, problems)
		}
	}
}

// TestDiff: a bundle against itself is no difference; two golden bundles
// of different plans differ by steps and files, and PLAN.md is left out;
// a step is changed only where its files or commands differ, and the
// summary counts what the list shows.
func TestDiff(t *testing.T) {
	root := filepath.Join(testenv.Root(), "testdata", "golden")
	d, err := inspect.Diff(filepath.Join(root, "2.7-mysql"), filepath.Join(root, "2.7-mysql"))
	if err != nil || d != nil {
		t.Fatalf("a bundle against itself: %v, %+v", err, d)
	}
	d, err = inspect.Diff(filepath.Join(root, "2.7-mysql"), filepath.Join(root, "2.7-mysql-s3"))
	if err != nil {
		t.Fatal(err)
	}
	out := string(d.Text(false))
	for _, want := range []string{"step added: 2.7-2.8/s3-aws-auth\n", "step added: 2.7-2.8/s3-prehook-env (deploymentconfig/system-app)\n", "+++ new/plan.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "PLAN.md") || strings.Contains(out, "step removed") {
		t.Errorf("diff shows PLAN.md or a removed step:\n%s", out)
	}
	// S3 adds steps and shifts the pre-hook's env: of the steps both
	// bundles have, only prehook-env's patch differs. (With files numbered
	// across the bundle, nine steps whose patches are identical were
	// reported as changed.)
	var changed []string
	for _, s := range d.Steps {
		if s.Change == "changed" {
			changed = append(changed, s.ID)
		}
	}
	if want := []string{"2.7-2.8/prehook-env"}; !slices.Equal(changed, want) {
		t.Errorf("steps changed: %v, want %v", changed, want)
	}
	stat := string(d.Text(true))
	if strings.Contains(stat, "@@") || !strings.Contains(stat, " | ") {
		t.Errorf("--stat prints diffs or no file lines:\n%s", stat)
	}
	added := 0
	for _, s := range d.Steps {
		if s.Change == "added" {
			added++
		}
	}
	if want := fmt.Sprintf("%d step(s) added, 0 removed, ", added); !strings.Contains(stat, want) {
		t.Errorf("--stat summary lacks %q:\n%s", want, stat)
	}
	// A step whose commands alone changed in runbook.sh is changed.
	edited := t.TempDir()
	if err := os.CopyFS(edited, os.DirFS(filepath.Join(root, "2.7-mysql"))); err != nil {
		t.Fatal(err)
	}
	runbook, err := os.ReadFile(filepath.Join(edited, "runbook.sh"))
	if err != nil {
		t.Fatal(err)
	}
	fn := "\n" + ir.SectionFunc("step", "2.7-2.8/smtp-configmap-delete") + "() {\n"
	if !strings.Contains(string(runbook), fn) {
		t.Fatalf("no %q in the runbook", fn)
	}
	runbook = []byte(strings.Replace(string(runbook), fn, fn+"  echo changed\n", 1))
	if err := os.WriteFile(filepath.Join(edited, "runbook.sh"), runbook, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = inspect.Diff(filepath.Join(root, "2.7-mysql"), edited)
	if err != nil || d == nil || len(d.Steps) != 1 || d.Steps[0].ID != "2.7-2.8/smtp-configmap-delete" || d.Steps[0].Change != "changed" {
		t.Errorf("a step's commands changed: %v %+v", err, d)
	}
	if _, err := inspect.Diff(root, filepath.Join(root, "2.7-mysql")); err == nil || !strings.Contains(err.Error(), "is not an ampc bundle") {
		t.Errorf("a directory without plan.json: %v", err)
	}
}
