package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// A Secret whose value is a word the bundle holds anyway stops the compile
// with a diagnostic at that Secret, which names it but never its value.
func TestSecretValueInBundle(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap")
	if err := os.Mkdir(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fixture, filepath.Join(snap, "a-namespace.yaml")); err != nil {
		t.Fatal(err)
	}
	weak := "# a Secret whose value is \"system-environment\"\napiVersion: v1\nkind: Secret\nmetadata:\n  name: weak\n  namespace: 3scale\ndata:\n  PASSWORD: c3lzdGVtLWVudmlyb25tZW50\n"
	if err := os.WriteFile(filepath.Join(snap, "b-weak.yaml"), []byte(weak), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl")
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"compile", plan, "-o", out, "--snapshot", snap}, &stdout, &stderr)
	if code != cli.ExitPlan {
		t.Fatalf("exit %d, want %d\n%s", code, cli.ExitPlan, stderr.String())
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Join(snap, "b-weak.yaml")) + `:2:1: Error: Secret value would appear in the bundle$`).Match(stderr.Bytes()) {
		t.Errorf("no diagnostic at the Secret:\n%s", stderr.String())
	}
	if !bytes.Contains(stderr.Bytes(), []byte("Secret weak key PASSWORD")) {
		t.Errorf("the diagnostic does not name the Secret:\n%s", stderr.String())
	}
	if bytes.Contains(stderr.Bytes(), []byte("system-environment also")) {
		t.Error("the diagnostic shows the value")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a bundle was written: %v", err)
	}
}
