package inspect_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/inspect"
	"github.com/ampc/ampc/internal/testenv"
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
// of different plans differ by steps and files, and PLAN.md is left out.
func TestDiff(t *testing.T) {
	root := filepath.Join(testenv.Root(), "testdata", "golden")
	out, err := inspect.Diff(filepath.Join(root, "2.7-mysql"), filepath.Join(root, "2.7-mysql"))
	if err != nil || out != nil {
		t.Fatalf("a bundle against itself: %v, %q", err, out)
	}
	out, err = inspect.Diff(filepath.Join(root, "2.7-mysql"), filepath.Join(root, "2.7-mysql-s3"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"step added: 2.7-2.8/s3-aws-auth\n", "+++ new/plan.json"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("diff lacks %q", want)
		}
	}
	if strings.Contains(string(out), "PLAN.md") || strings.Contains(string(out), "step removed") {
		t.Errorf("diff shows PLAN.md or a removed step:\n%s", out)
	}
	if _, err := inspect.Diff(root, filepath.Join(root, "2.7-mysql")); err == nil || !strings.Contains(err.Error(), "is not an ampc bundle") {
		t.Errorf("a directory without plan.json: %v", err)
	}
}
