package runbooktest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// TestStateRecordsStepWithLoop runs alone a step whose body counts with a
// variable i it does not declare local, 2.4-2.5/zync-database-tag-verify,
// on a site where it passes (the 2.5 fixture, its postgresql:10 imported;
// the state file says the run has begun): the state file must then record
// that step. The driver's main loop counted with i too, and the step's
// loop moved it: main recorded step 1 (done already) instead, so every
// re-run ran the step again, and a step that changes the cluster would
// have been applied twice.
func TestStateRecordsStepWithLoop(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"))
	work := t.TempDir()
	state := filepath.Join(work, "ampc-3scale-2.4-2.5.state")
	if err := os.WriteFile(state, []byte("2.4-2.5/backup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const step = "2.4-2.5/zync-database-tag-verify"
	if out, err := c.Run(t, bundle, work, "", "--only", step); err != nil {
		t.Fatalf("--only %s: %v\n%s", step, err, out)
	}
	raw, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(raw)), "\n"); !slices.Contains(lines, step) {
		t.Errorf("the state file does not record %s after it passed: %q", step, lines)
	}
}

// TestFailureOffersOnlyRollbacksThatApply: a step of 2.4 → 2.5 that fails
// before zync-database leaves PostgreSQL 9.5 offers no rollback (there is
// nothing to roll back, and the rollback would reimport a dump over the
// live database); the trigger patch that moves it to PostgreSQL 10 offers
// the zync-database rollback (2.5.6), whether the step fails on a command
// (on_error) or through fail.
func TestFailureOffersOnlyRollbacksThatApply(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	offer := regexp.MustCompile(`(?m)^ampc: to undo instead, see the rollback section: \S*runbook\.sh --rollback 2\.4-2\.5/zync-database$`)
	for _, tc := range []struct {
		step, fail string
		offered    bool
	}{
		{"2.4-2.5/zync-scale-down", "scale dc/zync", false},
		{"2.4-2.5/zync-database-trigger", "patch", true},
	} {
		c := bundletest.NewCluster(t, fixture)
		out, err := c.Run(t, bundle, t.TempDir(), tc.fail, "--only", tc.step)
		if err == nil || !strings.Contains(out, "ampc: step "+tc.step+" failed") {
			t.Errorf("%s did not fail on %q: %v\n%s", tc.step, tc.fail, err, out)
			continue
		}
		if got := offer.MatchString(out); got != tc.offered {
			t.Errorf("%s failed: rollback offered = %v, want %v\n%s", tc.step, got, tc.offered, out)
		}
	}
}

// TestFailureReportedOnce: the runbook says once why a step stopped, from
// its EXIT trap: a failed command (in the runbook's shell or inside a
// $(...) whose output a step reads) is reported with the step, the exit
// status and the command; a stop the runbook explains itself (fail, a
// manual step not yet confirmed) adds no second report. Each case is also
// a state that makes the report's absence visible: the step must fail.
func TestFailureReportedOnce(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	b24 := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	b25 := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.5-to-2.6-mysql.hcl"), ""))
	f24 := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	f25 := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	failed := regexp.MustCompile(`(?m)^ampc: step \S+ failed \(exit \d+\) at: .*$`)
	for _, tc := range []struct {
		name, bundle, fixture, fail, step string
		want                              string // a line of the output
		reports                           int    // lines "ampc: step ... failed"
		code                              int
	}{
		{"command", b24, f24, "patch deploymentconfig/zync-database", "2.4-2.5/zync-database-trigger",
			"ampc: step 2.4-2.5/zync-database-trigger failed (exit 1) at: command oc --namespace=\"$NAMESPACE\" \"$@\" (in oc, which the step calls on line ", 1, 1},
		{"capture", b24, f24, "get pods", "2.4-2.5/system-mysql-check",
			"ampc: step 2.4-2.5/system-mysql-check failed (exit 1) at: running=$(oc get pods", 1, 1},
		{"fail", b24, f24, "get deploymentconfig/zync-database", "2.4-2.5/zync-database-trigger",
			"ampc: could not read deploymentconfig/zync-database", 0, 1},
		{"manual", b25, f25, "", "2.5-2.6/registry-auth-secret",
			"Stopped at manual step 2.5-2.6/registry-auth-secret. When it is done, continue with:", 0, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bundletest.NewCluster(t, tc.fixture)
			out, err := c.Run(t, tc.bundle, t.TempDir(), tc.fail, "--only", tc.step)
			code := 0
			if ee, ok := err.(interface{ ExitCode() int }); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("%s: exit %d, want %d with %q\n%s", tc.step, code, tc.code, tc.want, out)
			}
			// The line the report names is the step's call of what failed.
			if m := regexp.MustCompile(`which the step calls on line (\d+) of `).FindStringSubmatch(out); m != nil {
				raw, err := os.ReadFile(filepath.Join(tc.bundle, "runbook.sh"))
				if err != nil {
					t.Fatal(err)
				}
				n, _ := strconv.Atoi(m[1])
				if lines := strings.Split(string(raw), "\n"); n < 1 || n > len(lines) || !strings.Contains(lines[n-1], "oc patch deploymentconfig/zync-database") {
					t.Errorf("the report names line %d of the runbook, not the step's oc patch\n%s", n, out)
				}
			}
			if got := len(failed.FindAllString(out, -1)); got != tc.reports {
				t.Errorf("%s: %d failure reports, want %d\n%s", tc.step, got, tc.reports, out)
			}
		})
	}
}

// TestInterruptedRunContinues stops the 2.4 → 2.5 runbook from outside,
// as a maintenance window does: a person's Ctrl-C (SIGINT to the whole
// foreground job), the SSH session to the bastion closing (SIGHUP) and a
// kill (SIGTERM), each while a step waits (in its sleep), a different step
// each time. Each run must say, on the terminal and in its log, which step
// it stopped in and that a re-run continues there, exit with 128 + the
// signal's number, and leave the step unrecorded; the next run starts at
// that step, and the last one completes. Before the driver trapped them,
// the signal killed the log's tee too: the run ended without a word on
// the terminal or in the log (a Ctrl-C), or died of SIGPIPE writing its
// last words.
func TestInterruptedRunContinues(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, testenv.Shared(t, "fixtures/templates/2.4-amp.yaml"))
	work := t.TempDir()
	state := filepath.Join(work, "ampc-3scale-2.4-2.5.state")
	interrupted := map[string]bool{}
	previous := ""
	for _, sig := range []struct {
		signal syscall.Signal
		name   string
	}{{syscall.SIGINT, "INT"}, {syscall.SIGHUP, "HUP"}, {syscall.SIGTERM, "TERM"}} {
		at := ""
		c.Signal = func(call ocsim.Call) syscall.Signal {
			step := call.Env["AMPC_STEP"]
			if at != "" || step == "" || interrupted[step] {
				return 0
			}
			at = step
			return sig.signal
		}
		out, err := c.Run(t, bundle, work, "")
		if at == "" {
			t.Fatalf("SIG%s: the run slept in no step not interrupted before: %v\n%s", sig.name, err, bundletest.Tail(out, 20))
		}
		interrupted[at] = true
		if got, want := exitCode(err), 128+int(sig.signal); got != want {
			t.Errorf("SIG%s in %s: exit %d, want %d", sig.name, at, got, want)
		}
		said := fmt.Sprintf("ampc: step %s interrupted by SIG%s; it is not recorded as done\n", at, sig.name)
		if strings.Count(out, said) != 1 || !strings.Contains(out, "to continue at this step") {
			t.Errorf("SIG%s in %s: the run does not say where it stopped, once:\n%s", sig.name, at, bundletest.Tail(out, 20))
		}
		if strings.Contains(out, "ampc: step "+at+" failed") {
			t.Errorf("SIG%s in %s: the stop is reported twice, as a failure too:\n%s", sig.name, at, bundletest.Tail(out, 20))
		}
		logs, _ := filepath.Glob(filepath.Join(work, "ampc-*.log"))
		var logged strings.Builder
		for _, l := range logs {
			raw, _ := os.ReadFile(l)
			logged.Write(raw)
		}
		if !strings.Contains(logged.String(), said) {
			t.Errorf("SIG%s in %s: the log does not say where the run stopped", sig.name, at)
		}
		if raw, _ := os.ReadFile(state); slices.Contains(strings.Split(string(raw), "\n"), at) {
			t.Errorf("SIG%s: the state file records %s, which the signal stopped", sig.name, at)
		}
		if started := bundletest.StartedSteps(out); previous != "" && (len(started) == 0 || started[0] != previous) {
			t.Errorf("SIG%s: the run after the stop in %s started at %v", sig.name, previous, started)
		}
		previous = at
	}
	c.Signal = nil
	out, err := c.Run(t, bundle, work, "")
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the run after the stops: %v\n%s", err, bundletest.Tail(out, 20))
	}
	if started := bundletest.StartedSteps(out); len(started) == 0 || started[0] != previous {
		t.Errorf("the last run, after the stop in %s, started at %v", previous, started)
	}
}
