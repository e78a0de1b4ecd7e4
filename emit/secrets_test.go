package emit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
)

// TestNoSecretInAnyBundle compiles every example against every fixture of
// its from version that fits it — each fixture file, and each fixture
// directory as a whole (an operator site spans several namespaces) — and
// checks that no decoded Secret value of the fixture (8 bytes or longer)
// appears in any file of the bundle, and that PLAN.md shows Secret data only
// as redacted. The template fixtures are MySQL sites of namespace 3scale; an
// example of another namespace or of PostgreSQL is compiled against the
// fixture made into its site (objects moved to its namespace, system-mysql
// renamed system-postgresql). Every example must compile against at least
// one fixture, but those in noFixture, which say why none fits.
func TestNoSecretInAnyBundle(t *testing.T) {
	t.Parallel()
	noFixture := map[string]string{
		"2.7-to-2.8-operator.hcl":           "there is no 2.7 operator-based fixture",
		"2.8-to-2.15-operator.hcl":          "there is no operator-based fixture before 2.15",
		"2.9-to-2.16-operator.hcl":          "there is no operator-based fixture before 2.15",
		"2.9-to-2.10-postgresql-s3.hcl":     "there is no 2.9 export (2.8-to-2.10-mysql.hcl runs the same hop on the 2.8 exports)",
		"2.9-template-to-operator-2.16.hcl": "there is no 2.9 export (2.8-template-to-operator.hcl runs the same migration module on the 2.8 exports)",
	}
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	root := testenv.Shared(t, "fixtures")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.yaml"))
	dirs, _ := filepath.Glob(filepath.Join(root, "*"))
	rules, err := compiler.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
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
		prefix := p.Install.From.String() + "-"
		var fitting []string // files of the from version, and the directories holding them
		for _, fx := range files {
			if strings.HasPrefix(filepath.Base(fx), prefix) {
				fitting = append(fitting, fx)
			}
		}
		for _, d := range dirs {
			if ok, _ := filepath.Glob(filepath.Join(d, prefix+"*.yaml")); len(ok) > 0 {
				fitting = append(fitting, d)
			}
		}
		pairs := 0
		for _, fx := range fitting {
			site := fx
			if filepath.Base(filepath.Dir(fx)) == "templates" {
				site = asSite(t, fx, p)
			}
			res, diags := ampc.Compile(ex, src, ampc.Options{Snapshot: site, Rules: rules})
			switch {
			case res.Snapshot == nil:
				if info, err := os.Stat(fx); err == nil && info.IsDir() {
					continue // a directory of several sites (templates/), not one site
				}
				t.Fatalf("%s: %s", fx, diags.Error())
			case res.Bundle == nil:
				continue // the fixture is another kind of site (S3 or not, one namespace of several)
			case res.Files == nil:
				t.Fatalf("%s with %s: %s", filepath.Base(ex), filepath.Base(fx), diags.Error())
			}
			out := res.Files
			pairs++
			values := bundletest.SecretValues(t, fx)
			for name, data := range out {
				for _, v := range values {
					if len(v) >= 8 && bytes.Contains(data, []byte(v)) {
						t.Errorf("%s with %s: %s holds a Secret value", filepath.Base(ex), filepath.Base(fx), name)
					}
				}
			}
			if bytes.Contains(out["PLAN.md"], []byte("kind: Secret")) && !bytes.Contains(out["PLAN.md"], []byte("(redacted")) {
				t.Errorf("%s with %s: PLAN.md shows a Secret without redacting its data", filepath.Base(ex), filepath.Base(fx))
			}
		}
		why, exempt := noFixture[filepath.Base(ex)]
		switch {
		case pairs == 0 && !exempt:
			t.Errorf("%s compiled against none of the fixtures of %s", filepath.Base(ex), p.Install.From)
		case pairs > 0 && exempt:
			t.Errorf("%s compiled against a fixture, though noFixture says %s", filepath.Base(ex), why)
		}
		compiled += pairs
	}
	t.Logf("%d example/fixture pairs checked", compiled)
}

// asSite writes a template fixture as the site of plan p: its objects in
// p's namespace and, for a PostgreSQL plan, the system-mysql
// DeploymentConfig and ImageStream renamed system-postgresql.
func asSite(t *testing.T, fixture string, p *plan.Plan) string {
	t.Helper()
	return testenv.EditList(t, fixture, func(obj map[string]any) bool {
		meta := obj["metadata"].(map[string]any)
		if _, ok := meta["namespace"]; ok {
			meta["namespace"] = p.Install.Namespace
		}
		if p.Install.SystemDatabase == plan.PostgreSQL && meta["name"] == "system-mysql" && (obj["kind"] == "DeploymentConfig" || obj["kind"] == "ImageStream") {
			meta["name"] = "system-postgresql"
		}
		return true
	})
}

// TestHostileValuesDryRun runs the runbook of every example with --dry-run
// under hostile values in everything a site can pass it (the AMPC_*
// variables and the step and rollback names of the options): nothing but
// printing may happen. The hostile values write a canary file with bash
// alone (a redirection), so that an injection shows whatever the PATH
// holds; oc, jq, base64 and kubectl are fakes that record any call, which a
// dry run must not make. The plan itself admits no free text that reaches a
// runbook (names, versions, paths and hosts are checked against their
// character sets by plan.Parse; see plan/testdata/invalid).
// optionSample are the examples whose runbooks TestHostileValuesDryRun
// runs with hostile option values: one of each deployment, the migration
// and the longest.
var optionSample = map[string]bool{"2.4-to-2.5-mysql": true, "2.7-to-2.8-operator": true, "2.8-template-to-operator": true, "2.15-to-2.16-mysql-aws": true, "2.9-to-2.16-operator": true}

func TestHostileValuesDryRun(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	for name := range optionSample {
		if !exists(filepath.Join(testenv.Root(), "examples", name+".hcl")) {
			t.Fatalf("optionSample names %s, which is not an example", name)
		}
	}
	fakes := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	for _, tool := range []string{"oc", "jq", "base64", "kubectl"} {
		script := "#!/bin/sh\necho \"" + tool + " $*\" >> '" + calls + "'\nexit 1\n"
		if err := os.WriteFile(filepath.Join(fakes, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := fakes + string(os.PathListSeparator) + os.Getenv("PATH")
	hostileFor := func(canary string) string {
		return fmt.Sprintf(`$(echo pwned > %[1]s)";echo pwned > %[1]s;"`+"`echo pwned > %[1]s`"+`'$(echo pwned > %[1]s)'`+"\n echo pwned > %[1]s", canary)
	}
	// The canary can fire: evaluated, a hostile value writes it.
	probe := filepath.Join(t.TempDir(), "probe")
	_ = exec.Command(bash, "-c", `eval "$1"`, "_", hostileFor(probe)).Run()
	if !exists(probe) {
		t.Fatal("the hostile value does not write its canary when evaluated; the test would prove nothing")
	}
	for _, ex := range examples {
		t.Run(strings.TrimSuffix(filepath.Base(ex), ".hcl"), func(t *testing.T) {
			files := bundletest.Compile(t, ex, "")
			var pf planFile
			if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
				t.Fatal(err)
			}
			bundle := bundletest.WriteBundle(t, files)
			work := t.TempDir()
			canary := filepath.Join(work, "pwned")
			hostile := hostileFor(canary)
			runs := [][]string{{"--dry-run"}}
			// The options are read by the driver, the same text in every
			// runbook: hostile option values go to one runbook of each
			// deployment and the longest; the hostile environment goes to
			// every dry run.
			if optionSample[strings.TrimSuffix(filepath.Base(ex), ".hcl")] {
				runs = append(runs, [][]string{
					{"--dry-run", "--from", hostile},
					{"--dry-run", "--only", hostile},
					{"--dry-run", "--ack", hostile},
					{"--dry-run", "--rollback", hostile},
					{"--list"},
					{"--help"},
				}...)
			}
			for _, args := range runs {
				cmd := execIn(bash, work, append([]string{filepath.Join(bundle, "runbook.sh")}, args...)...)
				cmd.Env = append(os.Environ(), "AMPC_BACKUP_DIR="+hostile, "AMPC_STATE_FILE="+hostile, "AMPC_LOG_FILE="+hostile,
					"AMPC_IGNORE_DRIFT="+hostile, "PATH="+path)
				out, err := cmd.CombinedOutput()
				if exists(canary) {
					t.Fatalf("%v ran a command from a hostile value", args)
				}
				if len(args) == 1 && args[0] == "--dry-run" {
					// The whole dry run went through: every step was printed.
					last := fmt.Sprintf("[%d/%d] %s ", len(pf.Steps), len(pf.Steps), pf.Steps[len(pf.Steps)-1].ID)
					if err != nil || !strings.Contains(string(out), last) {
						t.Errorf("the dry run stopped early (%v); want %q in:\n%s", err, last, out)
					}
				}
			}
			if data, err := os.ReadFile(calls); err == nil {
				t.Errorf("a dry run called the cluster tools:\n%s", data)
			}
			entries, _ := os.ReadDir(work)
			if len(entries) != 0 {
				t.Errorf("a dry run wrote into its working directory: %v", entries)
			}
		})
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
