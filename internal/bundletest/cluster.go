package bundletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/ocsim/wire"
	"github.com/ampc/ampc/internal/testenv"
)

// Cluster is a namespace held by the simulated cluster (internal/ocsim):
// its objects are files under Dir/objects, 3scale's at the top and another
// namespace's in a directory of its name, and every oc call a run makes is
// logged in Dir/calls.log.
type Cluster struct {
	// Dir holds the cluster's objects, its volumes (the databases' data),
	// its call log and, for a test that opts into the fallback (ExecOut),
	// exec.out.
	Dir string
	// Env holds more environment variables for the runs (the simulator's
	// knobs, OCSIM_STEP and the like).
	Env []string
	// Fault, when set, decides which oc calls of the runs fail (see
	// ocsim.Server.SetFault).
	Fault func(ocsim.Call) ocsim.Fault
	// InterruptSleep, when set, decides which sleeps of the runs are
	// interrupted (see ocsim.Server.SetSleepInterrupt).
	InterruptSleep func(ocsim.Call) bool
	// Signal, when set, decides for each sleep of the runs whether a
	// signal reaches the runbook's process group while it sleeps, as a
	// person's Ctrl-C (SIGINT), a closed terminal (SIGHUP) or a kill
	// (SIGTERM) does: every process of the run gets it, the runbook, its
	// sleep and the tee of its log. 0 sends none.
	Signal func(ocsim.Call) syscall.Signal
	bin    string
	// procs are the commands that run on in the cluster's pods after their
	// exec's connection dropped (ocsim.Detach): the pods outlive a run,
	// and they with them, until the test ends.
	procs *ocsim.Processes
}

// ocDir is where the simulated oc is built: made by Main, which removes it
// after the tests, built into only when a test needs it (oc).
var ocDir string

// Main runs the tests of a test binary that makes clusters, from its
// TestMain: it makes the directory the simulated oc is built into, runs the
// tests, removes the directory and exits with the tests' code.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "ampc-ocsim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ocDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildOC builds the simulated cluster's remote oc once per test binary and
// returns the directory that holds it as oc, for PATH, and as sleep, the
// simulator's logical clock (the runbook's sleeps advance it). The cluster
// itself is served from the test's memory for each run (Cluster.Exec). The
// client is internal/ocsim/cclient/oc.c, built with cc, which starts in
// half the time of a Go program (the runs call it thousands of times);
// without cc, it is internal/ocsim/ocremote, which says the same
// (internal/ocsim's TestCClientSpeaksTheWire).
var buildOC = sync.OnceValues(func() (string, error) {
	dir := ocDir
	if dir == "" {
		return "", errors.New("no directory for the simulated oc: TestMain must call bundletest.Main")
	}
	out := filepath.Join(dir, "oc")
	var builds [][]string
	if _, err := exec.LookPath("cc"); err == nil {
		// Linked statically where the C library allows it: the runs start
		// it thousands of times, and a static program starts without the
		// dynamic loader (about an eighth less time per call here).
		src := filepath.Join("internal", "ocsim", "cclient", "oc.c")
		builds = append(builds, []string{"cc", "-O2", "-static", "-o", out, src}, []string{"cc", "-O2", "-o", out, src})
	}
	builds = append(builds, []string{"go", "build", "-o", out, "./internal/ocsim/ocremote"})
	var err error
	for _, args := range builds {
		build := exec.Command(args[0], args[1:]...)
		build.Dir = testenv.Root()
		var msg []byte
		if msg, err = build.CombinedOutput(); err == nil {
			break
		}
		err = fmt.Errorf("building the simulated oc: %v\n%s", err, msg)
	}
	if err != nil {
		return "", err
	}
	if err := os.Link(filepath.Join(dir, "oc"), filepath.Join(dir, "sleep")); err != nil {
		return "", err
	}
	return dir, nil
})

// oc is buildOC for a test.
func oc(t *testing.T) string {
	t.Helper()
	testenv.Tool(t, "go")
	dir, err := buildOC()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// NewCluster is a simulated cluster seeded with the objects of fixture, a
// List export, or with none when fixture is "".
func NewCluster(t *testing.T, fixture string) *Cluster {
	t.Helper()
	c := &Cluster{Dir: t.TempDir(), bin: oc(t), procs: &ocsim.Processes{}}
	t.Cleanup(c.procs.Kill)
	if err := os.MkdirAll(filepath.Join(c.Dir, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	if fixture == "" {
		return c
	}
	for _, obj := range FixtureObjects(t, fixture) {
		c.Put(t, obj)
	}
	return c
}

// Copy is a new cluster holding what c holds now: its objects, volumes
// and call log (Dir) and its Env. Fault, InterruptSleep and Signal are not copied:
// they are a run's.
func (c *Cluster) Copy(t *testing.T) *Cluster {
	t.Helper()
	return ClusterFrom(t, c.Dir, c.Env)
}

// ClusterFrom is a new cluster holding a copy of dir, a Cluster's Dir as
// it was saved, with a copy of env.
func ClusterFrom(t *testing.T, dir string, env []string) *Cluster {
	t.Helper()
	c := NewCluster(t, "")
	c.Env = slices.Clone(env)
	CopyDir(t, c.Dir, dir)
	return c
}

// CopiedDir is a new temporary directory holding a copy of dir (a run's
// working directory: its backups, state file and log).
func CopiedDir(t *testing.T, dir string) string {
	t.Helper()
	cp := t.TempDir()
	CopyDir(t, cp, dir)
	return cp
}

// ExecOut makes every oc exec print text, whatever the command, and oc cp
// and oc rsync out of a pod leave a placeholder file: the simulator's
// fallback ($OCSIM_EXEC_FALLBACK=1) for a test that does not model the
// databases. Without it, commands run in the simulated containers.
func (c *Cluster) ExecOut(t *testing.T, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, "exec.out"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Env = append(c.Env, "OCSIM_EXEC_FALLBACK=1")
}

// Seed gives a database workload (or a server outside the cluster) its
// data, applied when the first oc call finds a pod of it running (see
// ocsim.SeedData).
func (c *Cluster) Seed(t *testing.T, s ocsim.Seed) {
	t.Helper()
	if err := ocsim.SeedData(c.Dir, s); err != nil {
		t.Fatal(err)
	}
}

// Data reads the data a workload's server holds now ("dc/NAME",
// "deployment/NAME", or "host/NAME" for a server outside the cluster;
// namespace "" is 3scale).
func (c *Cluster) Data(t *testing.T, namespace, workload string) *ocsim.Data {
	t.Helper()
	d, err := ocsim.ReadData(ocsim.Config{Dir: c.Dir, Namespace: "3scale"}, namespace, workload)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Unsupported is what the runs asked of the simulator that it does not
// model (its ocsim-unsupported.log), "" when nothing.
func (c *Cluster) Unsupported(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.Dir, "ocsim-unsupported.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(raw)
}

// Put writes obj into the cluster's objects at the top, 3scale's
// namespace, whatever its namespace says.
func (c *Cluster) Put(t *testing.T, obj map[string]any) {
	t.Helper()
	raw, _ := json.MarshalIndent(obj, "", "  ")
	name := obj["kind"].(string) + "." + Get(obj, "metadata", "name").(string) + ".json"
	if err := os.WriteFile(filepath.Join(c.Dir, "objects", name), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Objects reads the objects of namespace 3scale, keyed by Kind/name.
func (c *Cluster) Objects(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	files, _ := filepath.Glob(filepath.Join(c.Dir, "objects", "*.json"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		out[obj["kind"].(string)+"/"+Get(obj, "metadata", "name").(string)] = obj
	}
	return out
}

// Calls lists the oc calls of every run so far, one line each (the
// arguments after oc), in order.
func (c *Cluster) Calls(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(c.Dir, "calls.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}

// Run runs the runbook of bundle against the cluster from workDir; the
// first oc call that contains fail fails before the cluster sees it
// (FAKEOC_FAIL; "" fails none).
func (c *Cluster) Run(t *testing.T, bundle, workDir, fail string, args ...string) (string, error) {
	t.Helper()
	return c.Exec(t, bundle, workDir, []string{"FAKEOC_FAIL=" + fail}, args...)
}

// Exec runs the runbook of bundle from workDir with more environment
// variables (after c.Env), the cluster served from memory for the run, and
// checks that it printed no Secret value of the cluster.
func (c *Cluster) Exec(t *testing.T, bundle, workDir string, env []string, args ...string) (string, error) {
	t.Helper()
	srv := c.serve(t)
	defer srv.Close()
	srv.SetFault(c.Fault)
	cmd := exec.Command(testenv.Tool(t, "bash"), append([]string{filepath.Join(bundle, "runbook.sh")}, args...)...)
	interrupt := c.InterruptSleep
	started := make(chan int, 1) // the run's process id, once it runs
	if c.Signal != nil {
		// The run is a process group of its own, as a terminal's
		// foreground job is, and the signal goes to the whole group
		// before the sleep answers: the sleep dies of it, as a real one.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		var pid int
		interrupt = func(call ocsim.Call) bool {
			if sig := c.Signal(call); sig != 0 {
				if pid == 0 {
					pid = <-started
				}
				if err := syscall.Kill(-pid, sig); err != nil {
					t.Errorf("signal %v to the run: %v", sig, err)
				}
				return true
			}
			return c.InterruptSleep != nil && c.InterruptSleep(call)
		}
	}
	srv.SetSleepInterrupt(interrupt)
	cmd.Dir = workDir
	cmd.Env = append(os.Environ(),
		"PATH="+c.bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"FAKEOC_DIR="+c.Dir, "FAKEOC_NAMESPACE=3scale", wire.SocketEnv+"="+srv.Socket())
	cmd.Env = append(append(cmd.Env, c.Env...), env...)
	cmd.Stdin = nil
	secrets := clusterSecretValues(t, c.Dir)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Start()
	if err == nil {
		started <- cmd.Process.Pid
		err = cmd.Wait()
	}
	out := buf.Bytes()
	checkNotPrinted(t, out, secrets)
	return string(out), err
}

// serve serves the cluster from memory for a run or a console command,
// keeping its detached commands, which outlive the server. The caller
// closes it.
func (c *Cluster) serve(t *testing.T) *ocsim.Server {
	t.Helper()
	srv, err := ocsim.Serve(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.procs != nil {
		srv.SetProcesses(c.procs)
	}
	return srv
}

// Pending is the number of commands that run on in the cluster's pods
// after their exec's connection dropped (ocsim.Detach).
func (c *Cluster) Pending() int {
	if c.procs == nil {
		return 0
	}
	return c.procs.Pending()
}

// AsksToWait reports whether a failed run's output tells the person to
// wait for a command that still runs in a pod and to re-run then: what a
// step that finds a detached command of an earlier attempt must say.
func AsksToWait(out string) bool {
	return strings.Contains(strings.ToLower(Tail(out, 10)), "wait until it ends")
}

// WaitDetached lets the cluster's time pass, as a person waiting between
// two runs does, until no command an exec's lost connection left running
// in its pods runs any more: they end, or die with their pod (they resume
// at most ten logical minutes after they paused).
func (c *Cluster) WaitDetached(t *testing.T) {
	t.Helper()
	for i := 0; c.Pending() > 0; i++ {
		if i == 3 {
			t.Fatalf("%d commands still run in the pods after 45 logical minutes", c.Pending())
		}
		c.Sleep(t, "900")
	}
}

// Sleep lets the cluster's time pass by seconds through the served sleep
// (the detached commands resume in it).
func (c *Cluster) Sleep(t *testing.T, seconds string) {
	t.Helper()
	if out, err := c.console(t, "sleep", "", seconds); err != nil {
		t.Fatalf("sleep %s: %v\n%s", seconds, err, out)
	}
}

// clusterSecretValues gives the decoded values (8 bytes or longer) of the
// Secrets a cluster holds, in every namespace.
func clusterSecretValues(t *testing.T, dir string) []string {
	t.Helper()
	// The simulated cluster keeps an object a file, KIND.NAME.json in the
	// directory of its namespace (ocsim's objectPath): only the Secrets'
	// are read, of the hundreds of objects a run leaves.
	var values []string
	err := filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "Secret.") || !strings.HasSuffix(d.Name(), ".json") {
			return err
		}
		values = append(values, SecretValues(t, p)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return LongValues(values, true)
}

// checkNotPrinted fails the test when a runbook printed a Secret value that
// the cluster held before the run.
func checkNotPrinted(t *testing.T, out []byte, secrets []string) {
	t.Helper()
	for _, v := range secrets {
		if strings.Contains(string(out), v) {
			t.Errorf("the runbook printed a Secret value (%d bytes, starting %q)", len(v), v[:3])
		}
	}
}

// CountCalls counts the calls (a Cluster's Calls) that start with prefix.
func CountCalls(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// StartedSteps lists the steps a runbook's output shows it starting (not
// those it skips as done before), in order.
func StartedSteps(out string) []string {
	var ids []string
	for _, m := range startedStep.FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var startedStep = regexp.MustCompile(`(?m)^==> \[\d+/\d+\] ([^\s:]+) `)

// GuardHeldFirst lists the steps of a runbook's output whose guard (the
// rule's done_if) skipped them the first time the output shows them: their
// first section says "already done: skipped".
func GuardHeldFirst(out string) []string {
	var ids []string
	seen := map[string]bool{}
	heads := startedStep.FindAllStringSubmatchIndex(out, -1)
	for i, h := range heads {
		id := out[h[2]:h[3]]
		if seen[id] {
			continue
		}
		seen[id] = true
		end := len(out)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		if guardSkipped.MatchString(out[h[1]:end]) {
			ids = append(ids, id)
		}
	}
	return ids
}

// GuardsLetRun fails the test when a step's guard held the first time a
// run reached it (GuardHeldFirst), run naming the run: a guard that
// cannot fail skips its step for good.
func GuardsLetRun(t *testing.T, run, out string) {
	t.Helper()
	if held := GuardHeldFirst(out); len(held) > 0 {
		t.Errorf("%s: the guards of %v held the first time the run reached them", run, held)
	}
}

var guardSkipped = regexp.MustCompile(`(?m)^already done: skipped$`)

// Tail is the last n lines of a runbook's output, for a failure message.
func Tail(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// CopyDir makes dir (empty or missing) a copy of src: a cluster's
// directory, or a run's working directory, for a test that goes on from
// the same state twice.
func CopyDir(t *testing.T, dir, src string) {
	t.Helper()
	if err := CopyTree(dir, src); err != nil {
		t.Fatal(err)
	}
}

// CopyTree is CopyDir returning its error, for a goroutine other than the
// test's (a fault function, on the simulator's).
func CopyTree(dir, src string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.CopyFS(dir, os.DirFS(src))
}
