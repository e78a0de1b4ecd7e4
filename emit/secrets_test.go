package emit_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
)

// TestNoSecretInAnyBundle compiles every example against every fixture of
// its from version that fits it, and checks that no decoded Secret value of
// the fixture (8 bytes or longer) appears in any file of the bundle, and
// that PLAN.md shows Secret data only as redacted.
func TestNoSecretInAnyBundle(t *testing.T) {
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	fixtures, _ := filepath.Glob(filepath.Join(testenv.Shared(t, "fixtures"), "*", "*.yaml"))
	compiled := 0
	for _, ex := range examples {
		src, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		p, _, diags := plan.Parse(ex, src)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		for _, fx := range fixtures {
			if !strings.HasPrefix(filepath.Base(fx), p.Install.From.String()+"-") {
				continue
			}
			snap, diags := compiler.ReadSnapshot(fx, p.Install.Namespace)
			if diags.HasErrors() {
				continue
			}
			b, diags := compiler.Compile(p, snap)
			if diags.HasErrors() {
				continue // the fixture is another kind of site (S3 or not)
			}
			files, err := emit.Files(b)
			if err != nil {
				t.Fatalf("%s with %s: %v", filepath.Base(ex), filepath.Base(fx), err)
			}
			compiled++
			values := secretValues(t, fx)
			for name, data := range files {
				for _, v := range values {
					if len(v) >= 8 && bytes.Contains(data, []byte(v)) {
						t.Errorf("%s with %s: %s holds a Secret value", filepath.Base(ex), filepath.Base(fx), name)
					}
				}
			}
			if bytes.Contains(files["PLAN.md"], []byte("kind: Secret")) && !bytes.Contains(files["PLAN.md"], []byte("(redacted)")) {
				t.Errorf("%s with %s: PLAN.md shows a Secret without redacting its data", filepath.Base(ex), filepath.Base(fx))
			}
		}
	}
	if compiled < len(examples) {
		t.Errorf("only %d example/fixture pairs compiled for %d examples", compiled, len(examples))
	}
	t.Logf("%d example/fixture pairs checked", compiled)
}

// TestHostileValuesDryRun runs a runbook with --dry-run under hostile values
// in everything a site can pass it (the AMPC_* variables and step names):
// nothing but printing may happen.
func TestHostileValuesDryRun(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	bundle := writeBundle(t, compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	work := t.TempDir()
	canary := filepath.Join(work, "pwned")
	hostile := fmt.Sprintf(`$(touch %[1]s)";touch %[1]s;"`+"`touch %[1]s`", canary)
	for _, args := range [][]string{
		{"--dry-run"},
		{"--dry-run", "--from", hostile},
		{"--dry-run", "--only", "2.7-2.8/backup"},
		{"--list"},
	} {
		cmd := execIn(bash, work, append([]string{filepath.Join(bundle, "runbook.sh")}, args...)...)
		cmd.Env = append(os.Environ(), "AMPC_BACKUP_DIR="+hostile, "AMPC_STATE_FILE="+hostile, "AMPC_LOG_FILE="+hostile,
			"PATH=/nonexistent") // no oc, jq or base64: a dry run must not need them
		_, _ = cmd.CombinedOutput()
		if _, err := os.Stat(canary); err == nil {
			t.Fatalf("%v ran a command from a hostile value", args)
		}
	}
	entries, _ := os.ReadDir(work)
	if len(entries) != 0 {
		t.Errorf("a dry run wrote into its working directory: %v", entries)
	}
}
