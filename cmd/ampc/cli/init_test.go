package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// runInit runs ampc init in the test's process.
func runInit(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = cli.InitCommand(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestInitCommand: the plan on stdout parses and states the export's
// facts; neither output holds a Secret value of the export (the 2.4
// fixture holds credentials in clear outside its Secrets too, the 2.7 one
// in the pre-hook command).
func TestInitCommand(t *testing.T) {
	for _, tc := range []struct {
		export, to string
		want       []string
	}{
		{"templates/2.4-amp.yaml", "2.8", []string{`from = "2.4"`, `wildcard_policy = "None"`}},
		{"templates/2.7-amp-s3.yaml", "2.8", []string{`from = "2.7"`, `s3 = true`}},
		{"operator", "2.16", []string{`deployment = "operator"`, `namespace = "3scale-operator"`}},
	} {
		path := testenv.Shared(t, "fixtures/"+tc.export)
		code, stdout, stderr := runInit(t, "--snapshot", path, "--to", tc.to)
		if code != cli.ExitOK {
			t.Fatalf("%s: exit %d\n%s", tc.export, code, stderr)
		}
		p, _, diags := plan.Parse("plan.hcl", []byte(stdout))
		if diags.HasErrors() || p.Install.To.String() != tc.to {
			t.Errorf("%s: the plan on stdout: %v\n%s", tc.export, diags, stdout)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: the plan lacks %q", tc.export, w)
			}
		}
		snap, _ := snapshot.Read(path, "")
		if len(snap.Sensitive()) == 0 {
			t.Fatalf("%s: no Secret value to look for", tc.export)
		}
		for _, v := range snap.Sensitive() {
			if strings.Contains(stdout+stderr, v) {
				origin, what, _ := snap.Origin(v)
				t.Errorf("%s: the value of %s (%s) is in ampc init's output", tc.export, what, origin)
			}
		}
	}
}

// TestInitUnreadAttribute: a fact no hop of the plan reads (the wildcard
// policy on a 2.4 → 2.5 plan) is written as a comment, so that the plan
// draws no "is ignored" warning.
func TestInitUnreadAttribute(t *testing.T) {
	code, stdout, stderr := runInit(t, "--snapshot", testenv.Shared(t, "fixtures/templates/2.4-amp-s3.yaml"), "--to", "2.5")
	if code != cli.ExitOK || strings.Contains(stderr, "is ignored") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "# No hop of this plan reads it:\n  # wildcard_policy = \"None\"") {
		t.Errorf("the wildcard policy is not a comment:\n%s", stdout)
	}
}

// TestInitFile: -o writes the file, and replaces an existing one only
// with --force.
func TestInitFile(t *testing.T) {
	export := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	out := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(out, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runInit(t, "--snapshot", export, "--to", "2.8", "-o", out); code != cli.ExitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("an existing file: exit %d, %s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "mine\n" {
		t.Errorf("the existing file was changed: %q", b)
	}
	code, stdout, stderr := runInit(t, "--force", "--snapshot", export, "-o", out, "--to", "2.8")
	if code != cli.ExitOK || !strings.HasPrefix(stdout, "wrote "+out) {
		t.Fatalf("--force: exit %d\n%s%s", code, stdout, stderr)
	}
	b, _ := os.ReadFile(out)
	if _, _, diags := plan.Parse(out, b); diags.HasErrors() {
		t.Errorf("the written plan: %v", diags)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("ampc init left files beside the plan: %v", entries)
	}
}

// TestInitScripts runs the ampc init scenarios of testdata/init: the
// command ampc-init N ARGS... runs `ampc init ARGS` and requires exit
// status N (paths of --snapshot and -o are the script's); $FIXTURES is
// the shared fixtures' directory. The scripts may run ampc, as the
// scripts of TestScripts do, and exitcode.
func TestInitScripts(t *testing.T) {
	fixtures := testenv.Shared(t, "fixtures")
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "init"),
		UpdateScripts:       *update,
		RequireExplicitExec: false,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"ampc-init": cmdInit,
			"exitcode":  cmdExitcode,
		},
	})
}

func cmdInit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: ampc-init N [ARGS...]")
	}
	want := args[0]
	args = append([]string(nil), args[1:]...)
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--snapshot" || args[i] == "-o" {
			args[i+1] = ts.MkAbs(args[i+1])
		}
	}
	code := cli.InitCommand(args, strings.NewReader(""), ts.Stdout(), ts.Stderr())
	if got := strings.TrimSpace(want); got != itoa(code) {
		ts.Fatalf("ampc init exited with status %d, want %s", code, want)
	}
}

func itoa(n int) string { return string(rune('0' + n)) }
