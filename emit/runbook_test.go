package emit_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// TestMain makes and removes the directory of the simulated oc
// (bundletest.Main), for TestRunbookDrift, the one test of emit that runs a
// runbook on a bundletest.Cluster; emit/runbooktest holds the others.
func TestMain(m *testing.M) { bundletest.Main(m) }

// TestRunbookDrift runs a snapshot-compiled runbook against a site that
// changed after the snapshot: the preflight names the changed object and
// stops before any step; an unchanged site passes. It runs on the simulated
// cluster, as the tests of emit/runbooktest do, but in emit's test binary,
// which keeps the two binaries' times alike.
func TestRunbookDrift(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), fixture))

	c := bundletest.NewCluster(t, fixture)
	app := bundletest.FixtureObjects(t, fixture)["DeploymentConfig/system-app"]
	app["metadata"].(map[string]any)["generation"] = 4.0 // someone edited its spec
	c.Put(t, app)
	out, err := c.Run(t, bundle, t.TempDir(), "")
	if err == nil {
		t.Fatalf("the runbook ran on a site that changed since the snapshot:\n%s", out)
	}
	if !strings.Contains(out, "deploymentconfig/system-app in 3scale changed since the snapshot (generation 3, now 4)") {
		t.Errorf("the drift is not named:\n%s", out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch "); n != 0 {
		t.Errorf("%d patches ran despite the drift", n)
	}

	// An unchanged site passes the check and the run goes on to its first
	// step (the check runs before the first step of a run that has no
	// state yet, --only or not; the complete runs are the properties').
	c = bundletest.NewCluster(t, fixture)
	out, err = c.Run(t, bundle, t.TempDir(), "", "--only", "2.7-2.8/backup")
	if err != nil || strings.Contains(out, "changed since the snapshot") || !strings.Contains(out, "] 2.7-2.8/backup ") {
		t.Fatalf("an unchanged site: %v\n%s", err, out)
	}
}

func execIn(name, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	return cmd
}

// TestRunbookDriverFiles checks the runbook driver and its jq program as
// the files they are (emit/runbook): the driver with bash -n and
// shellcheck -s bash, the jq program with jq, and both for what the runbook
// needs of them.
func TestRunbookDriverFiles(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	shellcheck := testenv.Tool(t, "shellcheck")
	jq := testenv.Tool(t, "jq")
	driver := filepath.Join(testenv.Root(), "emit", "runbook", "driver.sh")
	if out, err := exec.Command(bash, "-n", driver).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	if out, err := exec.Command(shellcheck, "-s", "bash", driver).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
	program := emit.CheckProgram()
	if strings.Contains(program, "'") {
		t.Error("applied.jq holds a single quote; the runbook quotes the program with single quotes")
	}
	// The program on an object that shows its checks, and on one that does not.
	checks := filepath.Join(t.TempDir(), "checks.json")
	if err := os.WriteFile(checks, []byte(`{"present": [{"path": ["spec", "a"], "value": {"b": 1}}], "absent": [["spec", "gone"]]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for obj, want := range map[string]bool{
		`{"spec": {"a": {"b": 1, "default": true}}}`: true,
		`{"spec": {"a": {"b": 2}}}`:                  false,
		`{"spec": {"a": {"b": 1}, "gone": 0}}`:       false,
	} {
		cmd := exec.Command(jq, "-e", "--slurpfile", "c", checks, program)
		cmd.Stdin = strings.NewReader(obj)
		err := cmd.Run()
		if (err == nil) != want {
			t.Errorf("applied on %s: %v, want %v", obj, err, want)
		}
	}
}

// TestEmitHoldsNoProductFacts: what the runbook reads of a site comes from
// the rule modules (compiler/rules), never from emit. Only the product's
// name may stand in emit's text.
func TestEmitHoldsNoProductFacts(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testenv.Root(), "emit", "*.go"))
	more, _ := filepath.Glob(filepath.Join(testenv.Root(), "emit", "runbook", "*"))
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fact := range []string{"AMP_RELEASE", "system-environment", "apps.3scale.net", "apimanager", "APIManager", "deploymentConfig="} {
			if strings.Contains(string(raw), fact) {
				t.Errorf("%s holds %q, a fact of 3scale that belongs to the rule modules", filepath.Base(f), fact)
			}
		}
	}
}

// TestShellcheckWithoutLibraryFindsStepErrors: the tests give shellcheck
// each runbook without its shell library and its driver
// (bundletest.ShellcheckText; both are checked on their own). That text
// still fails on a step's defect, at the runbook's own line, and still has
// every step, only the library and the driver blank.
func TestShellcheckWithoutLibraryFindsStepErrors(t *testing.T) {
	t.Parallel()
	shellcheck := testenv.Tool(t, "shellcheck")
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), "")
	runbook := string(files["runbook.sh"])
	lib, err := compiler.ShellLibrary()
	if err != nil {
		t.Fatal(err)
	}
	// A defect in the first step: an unquoted expansion (SC2086).
	first := "\n" + ir.SectionFunc("step", "2.7-2.8/backup") + "() {\n"
	i := strings.Index(runbook, first)
	if i < 0 {
		t.Fatalf("no %q in the runbook", first)
	}
	i += len(first)
	broken := runbook[:i] + "  ls $BUNDLE_DIR\n" + runbook[i:]
	line := strings.Count(broken[:i], "\n") + 1
	text := string(bundletest.ShellcheckText(t, []byte(broken)))
	if strings.Count(text, "\n") != strings.Count(broken, "\n") {
		t.Errorf("the checked text has %d lines, the runbook %d", strings.Count(text, "\n"), strings.Count(broken, "\n"))
	}
	if strings.Contains(text, lib) || strings.Contains(text, emit.DriverText()) || strings.Contains(text, "\nmain() {\n") || !strings.Contains(text, first) {
		t.Error("the checked text is not the runbook without its library and its driver")
	}
	path := filepath.Join(t.TempDir(), "runbook.sh")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(shellcheck, "-x", "-f", "gcc", path).CombinedOutput()
	if err == nil || !strings.Contains(string(out), fmt.Sprintf("runbook.sh:%d:", line)) || !strings.Contains(string(out), "SC2086") {
		t.Errorf("shellcheck on the runbook without its library, with a defect at line %d: %v\n%s", line, err, out)
	}
}

// TestRunbookStopsInsideCommandSubstitution: under the runbook's shell
// options a command that fails inside $(...) stops the substitution (and,
// through set -e, the runbook), as it stops any other command: a library
// function whose output a step reads cannot go on past a failed oc or psql
// and hand back partial output with status 0.
func TestRunbookStopsInsideCommandSubstitution(t *testing.T) {
	t.Parallel()
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), "")
	runbook := string(files["runbook.sh"])
	end := strings.Index(runbook, "\nNAMESPACE=")
	if end < 0 {
		t.Fatal("no NAMESPACE= line after the runbook's preamble")
	}
	script := runbook[:end] + `
partial() { false; echo "partial output"; }
out=$(partial)
echo "went on with: $out"
`
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err == nil || strings.Contains(string(out), "went on") {
		t.Errorf("the runbook's preamble lets a failed command inside $(...) go on: %v\n%s", err, out)
	}
}

// TestManualStepNamesBackupDir: a manual step's text names the backup
// directory as $BACKUP_DIR (the rule modules write it so, and PLAN.md shows
// it so); the runbook prints the directory this run keeps its backups in,
// which is what the person at the console has to look in.
func TestManualStepNamesBackupDir(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	driver := filepath.Join(testenv.Root(), "emit", "runbook", "driver.sh")
	script := `source "$1"; BACKUP_DIR=/srv/ampc-backups; manual_step 2.8-2.9/x <<'AMPC_MANUAL'
The dump is in $BACKUP_DIR/2.8-2.9/db.sql (also ${BACKUP_DIR}/2.8-2.9).
Keep $AMPC_RDS_HOST as it is.
AMPC_MANUAL`
	out, err := exec.Command(bash, "-c", script, "_", driver).CombinedOutput()
	want := "  The dump is in /srv/ampc-backups/2.8-2.9/db.sql (also /srv/ampc-backups/2.8-2.9).\n  Keep $AMPC_RDS_HOST as it is.\n"
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 || !strings.Contains(string(out), want) {
		t.Errorf("manual_step: %v, want exit 3 and %q in:\n%s", err, want, out)
	}
}

// TestListColumnsAligned: runbook.sh --list starts every title, of the
// steps and of the rollback sections, in one column, whatever the length of
// the ids (the longest plan's: 2.9 → 2.16).
func TestListColumnsAligned(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	dir := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.9-to-2.16-operator.hcl"), ""))
	cmd := exec.Command(bash, filepath.Join(dir, "runbook.sh"), "--list")
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bash))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("runbook --list: %v\n%s", err, out)
	}
	line := regexp.MustCompile(`^(\s*\d+  (?:todo|done)  |\s+)(\d\.\d+-\d\.\d+/\S+\s+)\S`)
	columns := map[int][]string{}
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			columns[len(m[1])+len(m[2])] = append(columns[len(m[1])+len(m[2])], l)
		}
	}
	if len(columns) != 1 {
		t.Errorf("the titles of --list start in %d columns (%v):\n%s", len(columns), columns, out)
	}
}
