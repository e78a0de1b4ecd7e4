package bundletest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// TestBlankCheckedSteps: of two runbooks that share a step, the second is
// checked without it, on the same lines; a step that differs in one
// character is checked in both; and a step a here-document's "}" line
// cuts short leaves a text that shellcheck refuses, not one it passes.
func TestBlankCheckedSteps(t *testing.T) {
	shared := "step_a__one() {\n  echo \"$NAMESPACE\"\n}\n"
	first := "#!/usr/bin/env bash\nNAMESPACE=x\n" + shared + "step_a__two() {\n  echo 2\n}\n"
	second := "#!/usr/bin/env bash\nNAMESPACE=x\n" + shared + "step_a__two() {\n  echo 3\n}\nrollback_a__r() {\n  echo r\n}\n"
	checked := map[string]bool{}
	if got := string(BlankCheckedSteps([]byte(first), checked)); got != first {
		t.Errorf("the first runbook is not checked whole:\n%s", got)
	}
	got := string(BlankCheckedSteps([]byte(second), checked))
	want := "#!/usr/bin/env bash\nNAMESPACE=x\n" + stepReads + "\n\n\n" + "step_a__two() {\n  echo 3\n}\nrollback_a__r() {\n  echo r\n}\n"
	if got != want {
		t.Errorf("the second runbook:\n%s\nwant\n%s", got, want)
	}
	if len(checked) != 4 {
		t.Errorf("%d functions recorded as checked, want 4", len(checked))
	}

	// A "}" line inside a here-document ends the function early: the
	// second copy's blanking leaves the rest, which does not parse.
	heredoc := "#!/usr/bin/env bash\nstep_a__doc() {\n  cat <<EOF\n{\n}\nEOF\n  echo \"$1\"\n}\n"
	checked = map[string]bool{}
	BlankCheckedSteps([]byte(heredoc), checked)
	left := BlankCheckedSteps([]byte(heredoc), checked)
	shellcheck := testenv.Tool(t, "shellcheck")
	path := filepath.Join(t.TempDir(), "runbook.sh")
	if err := os.WriteFile(path, left, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(shellcheck, path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "SC1") {
		t.Errorf("shellcheck passed a step cut short by its here-document: %v\n%s\n%s", err, left, out)
	}
}

// TestClusterSecretValues: the values Exec keeps out of a runbook's output
// are those of the Secrets in every namespace of the simulated cluster,
// which keeps an object a file (KIND.NAME.json), and only those.
func TestClusterSecretValues(t *testing.T) {
	c := &Cluster{Dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(c.Dir, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	c.Put(t, map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "system-seed", "namespace": "3scale"},
		"data": map[string]any{"MASTER_PASSWORD": "c2VjcmV0LW9mLTNzY2FsZQ=="}}) // secret-of-3scale
	c.Put(t, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "system-environment", "namespace": "3scale"},
		"data": map[string]any{"THREESCALE_SUPERDOMAIN": "apps.example.com"}})
	other := filepath.Join(c.Dir, "objects", "3scale-operator")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "Secret.pull.json"), []byte(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"pull","namespace":"3scale-operator"},"data":{"token":"b3BlcmF0b3ItdG9rZW4="}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got := clusterSecretValues(t, c.Dir)
	slices.Sort(got)
	if want := []string{"operator-token", "secret-of-3scale"}; !slices.Equal(got, want) {
		t.Errorf("clusterSecretValues: %q, want %q", got, want)
	}
}
