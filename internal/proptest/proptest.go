// Package proptest is the harness of the runbook properties: each example
// plan's runbook run on its site in the simulated cluster of internal/ocsim
// (a complete run reaches its targets, a second run and a run without its
// state file change nothing, faults at any oc call converge), and every
// verify step shown able to fail. A test package holds a Suite, its sites
// and the falsifiers of its verify steps; emit/propertytest,
// emit/templatechaintest, emit/lifecycletest and emit/operator215test
// hold one each, so that their runs share the per-package time budget
// between them.
package proptest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// A Suite is the sites of a test package and the falsifiers of the verify
// steps it proves able to fail.
type Suite struct {
	// Package is the package's name in bundletest.VerifyFalsifiedIn.
	Package    string
	Sites      []Site
	Falsifiers map[string]Falsifier
	// Extra are the verify steps the package proves able to fail with
	// tests of its own rather than in a site's run.
	Extra []string
	// GuardHolds are the guarded steps (a rule's done_if) whose guard may
	// hold the first time a site's run reaches them, each with where a
	// test shows it not holding: every other guard must let its step run
	// the first time (a guard that always holds skips its step for good).
	GuardHolds map[string]string
}

// Properties runs each example's runbook on its fixture in the
// simulated cluster and checks what must hold of every run:
//
//   - a complete run ends with every workload running its target images
//     (its latest deployment complete, its pods ready on the images the
//     image streams resolve), the objects as the bundle's patches leave
//     them, and no rollout half done;
//   - a second run changes nothing and calls nothing that changes;
//   - a run after the state file is lost changes nothing: it is refused by
//     the preflight or finds every step done;
//   - a run in which the cluster connection fails in a step (before the
//     call reaches the cluster, or after the cluster applied it), re-run
//     until it completes, ends in the same state as the run without
//     faults. By default every step that calls oc (every kind, verify and
//     wait too) fails once, at a seeded call, in one sequence of re-runs,
//     in the first site of the suite that runs the step's code (a site
//     whose steps all fail in earlier sites has no sequence);
//     AMPC_EXHAUSTIVE=1 fails every call of every step of every site,
//     both ways, under three seeds;
//   - no step's guard (done_if) holds the first time the run without
//     faults reaches it, but those of GuardHolds: a guard is shown able to
//     let its step run;
//   - every verify step with a falsifier (the suite's Falsifiers) passes on
//     the cluster where the run without faults starts it and fails on a
//     copy with its claim broken.
//
// Every site runs every property by default: the sites that upgrade
// through the same hops as an earlier one cost a run without faults and
// the faults of their own steps.
func (s *Suite) Properties(t *testing.T) {
	testenv.Tool(t, "jq")
	seeds := []uint64{1}
	if testenv.Exhaustive() {
		seeds = []uint64{1, 2, 3}
	}
	// Every site is compiled first, in the suite's order, so that the
	// default sweep can fail each distinct step in the first site that
	// runs it (owned).
	var sites []*prepared
	seen := map[string]bool{}
	for i, site := range s.Sites {
		if site.Pending != "" {
			t.Logf("%s: not run: %s", site.Example, site.Pending)
			continue
		}
		p := &prepared{site: site, index: i, owned: map[string]bool{}}
		p.bundle, p.steps = s.compile(t, site)
		for id, fp := range stepFingerprints(t, p.bundle, p.steps) {
			if !seen[id+"\x00"+fp] {
				seen[id+"\x00"+fp] = true
				p.owned[id] = true
			}
		}
		sites = append(sites, p)
	}
	for _, p := range sites {
		for _, seed := range seeds {
			// Each site runs under its own seed by default, so that the
			// suite sees several.
			seed := seed + uint64(p.index)
			t.Run(fmt.Sprintf("%s/seed=%d", p.site.Example, seed), func(t *testing.T) {
				t.Parallel()
				s.runProperties(t, p, seed)
			})
		}
	}
}

// prepared is a site of the suite with its compiled bundle (the directory
// and the steps in plan order) and the steps it owns: those no site
// before it in the suite runs with the same code.
type prepared struct {
	site   Site
	index  int
	bundle string
	steps  []planStep
	owned  map[string]bool
}

// stepFingerprints gives, for each step of a bundle, a digest of its
// function in the runbook: two sites whose runbooks hold the same function
// for a step run the same code in it (the driver-made steps also read their
// patch and checks files, which the function names).
func stepFingerprints(t *testing.T, bundle string, steps []planStep) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(bundle, "runbook.sh"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	out := map[string]string{}
	for _, st := range steps {
		head := ir.SectionFunc("step", st.ID) + "() {\n"
		i := strings.Index(text, "\n"+head)
		if i < 0 {
			t.Fatalf("%s: no function %s in the runbook", st.ID, head)
		}
		body := text[i+1:]
		if j := strings.Index(body, "\n}\n"); j >= 0 {
			body = body[:j]
		}
		sum := sha256.Sum256([]byte(body))
		out[st.ID] = fmt.Sprintf("%x", sum[:8])
	}
	return out
}

// A Site is an example plan run on the fixture of the site it upgrades.
type Site struct {
	Example, Fixture string
	// Plan, when set, is the site's plan (HCL) instead of the example's
	// file: a plan of the plan matrix that no example is, Example then
	// naming it.
	Plan string
	// Build, for a site without a fixture of its own, puts the site on
	// the cluster instead (an operator-based site built from the
	// fixtures' shapes, bundletest.Op27Seed).
	Build func(t *testing.T, c *bundletest.Cluster)
	// Edit, when set, changes the fixture's objects (keyed Kind/name)
	// into the site's: a site of which there is no export.
	Edit func(t *testing.T, objects map[string]map[string]any)
	// Before, when set, is a plan (HCL) whose runbook runs to completion
	// on the site (its fixture, Edit, Build and data; the person does
	// Manual where it stops for them) before the example's: a site at a
	// release of which there is no export, as ampc's earlier hops leave
	// it. It runs once per site and seed; every run of the example starts
	// from a copy of what it left.
	Before string
	// Namespace, when set, is the example plan's namespace, which the run
	// replaces with the fixture's, 3scale (the plan is the example's but
	// for that).
	Namespace string
	// Pending, when set, says what keeps the site out of the properties
	// for now (a known gap, reported in the test log).
	Pending string
	// Manual holds, by step id, what the person at the Console does on
	// the cluster where the runbook stops for them (Run.exec).
	Manual map[string]Manual
	// Check, when set, checks more of the state the run without faults
	// left (c, in the working directory work), before the second run.
	Check func(t *testing.T, p *Run, c *bundletest.Cluster, work string)
	// databases: oc exec runs in the simulated containers, whose database
	// pods behave as the real tools do and hold Data; without it, oc
	// exec prints a text that passes the dumps' completeness checks,
	// whatever the command.
	Databases bool
	// Data, when set, is what the site's database workloads hold, keyed
	// as ocsim.Seed's Workload ("dc/NAME", "deployment/NAME"); by default
	// that of a template-based site (siteData), each workload seeded
	// where the fixture has it.
	Data map[string]ocsim.Data
	// Moved, when set, says where a complete run moves a workload's data
	// (by its key in Data): its rows and keys are checked there, and must
	// be there.
	Moved map[string]Move
	// Falsify, when set, narrows the falsifiers the default run makes fail
	// to those it returns true for (under the run's seed): a chain whose
	// hops run the same shared verify steps proves each of them in a
	// sample of its hops by default, in every hop in the exhaustive sweep.
	Falsify func(id string, seed uint64) bool
}

// A Move is where a complete run moves a workload's data.
type Move struct {
	// To is "NAMESPACE/deployment/NAME", or "host/NAME" for a server
	// outside the cluster.
	To string
	// Databases renames the site's databases there, by name (the
	// database system of MySQL is threescale on RDS).
	Databases map[string]string
}

// Run is one site's runbook with what a run needs.
type Run struct {
	t     *testing.T
	suite *Suite
	site  Site
	seed  uint64
	// Bundle is the directory of the compiled bundle; Fixture the file of
	// the site's objects ("" for a site its Build puts on the cluster).
	Bundle  string
	Fixture string
	// before is the site as Site.Before's run left it, once made.
	before *snapshot
}

// compile compiles a site's example into a bundle; it also gives the
// bundle's steps in plan order.
func (s *Suite) compile(t *testing.T, site Site) (string, []planStep) {
	plan := filepath.Join(testenv.Root(), "examples", site.Example+".hcl")
	if site.Plan != "" {
		plan = bundletest.WritePlan(t, site.Plan)
	}
	if site.Namespace != "" {
		src, err := os.ReadFile(plan)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^(\s*namespace\s*=\s*)"` + regexp.QuoteMeta(site.Namespace) + `"`)
		if !re.Match(src) {
			t.Fatalf("%s does not say namespace = %q", plan, site.Namespace)
		}
		plan = bundletest.WritePlan(t, re.ReplaceAllString(string(src), `${1}"3scale"`))
	}
	files := bundletest.Compile(t, plan, "")
	return bundletest.WriteBundle(t, files), planSteps(t, files)
}

// newRun is a run of a prepared site's bundle. Its runs stop at the
// manual steps, where the site's person acts (Run.exec).
func (s *Suite) newRun(t *testing.T, site Site, bundle string, seed uint64) *Run {
	p := &Run{t: t, suite: s, site: site, seed: seed, Bundle: bundle}
	if site.Fixture != "" {
		p.Fixture = testenv.Shared(t, "fixtures/"+site.Fixture)
	}
	if site.Edit != nil {
		objects := bundletest.FixtureObjects(t, p.Fixture)
		site.Edit(t, objects)
		p.Fixture = bundletest.WriteObjects(t, objects)
	}
	return p
}

func (s *Suite) runProperties(t *testing.T, prep *prepared, seed uint64) {
	site, steps := prep.site, prep.steps
	p := s.newRun(t, site, prep.bundle, seed)

	// The clean run, recording how many calls each step makes. At the
	// first call of each verify step that has a Falsifier, the cluster
	// and the working directory are copied as they are then (the server
	// runs the fault function between calls, with the cluster saved): the
	// state the step starts from. Once the run is done, a copy with the
	// step's claim broken must fail the step (falsifyAt).
	clean, work := p.cluster(), t.TempDir()
	perStep, perStepExec := map[string]int{}, map[string]int{}
	var snaps []snapshot
	var snapErr error
	falsifiable := map[string]bool{}
	for _, id := range p.falsifiable(steps) {
		falsifiable[id] = true
	}
	// A fault sequence starts from the state the run without faults had
	// at the first call of a step (starts) not after the first one it
	// fails: up to there the two runs are the same run.
	kinds := map[string]string{}
	order := map[string]int{}
	for i, s := range steps {
		kinds[s.ID] = s.Kind
		order[s.ID] = i
	}
	// mayFail tells the steps a fault sequence may fail in this site: by
	// default those it owns (the first site of the suite with their code).
	sweep := testenv.Exhaustive() || testenv.DetachSweep()
	mayFail := func(step string) bool {
		return sweep || prep.owned[step]
	}
	starts := map[string]*snapshot{}
	take := func(step string) snapshot {
		s := snapshot{id: step, dir: t.TempDir(), work: t.TempDir(), env: slices.Clone(clean.Env)}
		for _, cp := range [][2]string{{s.dir, clean.Dir}, {s.work, work}} {
			if err := bundletest.CopyTree(cp[0], cp[1]); err != nil && snapErr == nil {
				snapErr = fmt.Errorf("copying the cluster at %s: %v", step, err)
			}
		}
		return s
	}
	clean.Fault = func(call ocsim.Call) ocsim.Fault {
		step := call.Env["AMPC_STEP"]
		if step == "" {
			return ocsim.Pass
		}
		if falsifiable[step] {
			delete(falsifiable, step)
			snaps = append(snaps, take(step))
		}
		// The exhaustive sweep's sequences may start at any step, the
		// default one no earlier than the first that may fail.
		if starts[step] == nil && mayFail(step) && (len(starts) == 0 || sweep) {
			s := take(step)
			starts[step] = &s
		}
		perStep[step]++
		if bundletest.IsExec(call.Args) {
			perStepExec[step]++
		}
		return ocsim.Pass
	}
	// beforePoll: by step, the calls it made before its first sleep, a
	// poll's first round. A drawn fault falls among them: the nth call of
	// a later round may not come in a run whose waits end sooner than this
	// one's (the simulator's delays follow the runs' calls), and such a
	// fault would not fire. The exhaustive sweep fails the later rounds'.
	beforePoll := map[string]int{}
	clean.InterruptSleep = func(call ocsim.Call) bool {
		if step := call.Env["AMPC_STEP"]; step != "" {
			if _, ok := beforePoll[step]; !ok {
				beforePoll[step] = perStep[step]
			}
		}
		return false
	}
	out, err := p.Exec(clean, work)
	if err != nil {
		t.Fatalf("the run without faults failed: %v\n%s", err, out)
	}
	if snapErr != nil {
		t.Fatal(snapErr)
	}
	for _, id := range bundletest.GuardHeldFirst(out) {
		if _, ok := s.GuardHolds[id]; !ok {
			t.Errorf("the guard of %s held the first time the run reached it, on a site that had not run it: a guard that cannot fail skips its step for good", id)
		}
	}
	if len(falsifiable) > 0 {
		t.Fatalf("the run made no oc call in %v: no state to falsify them on", KeysOf(falsifiable))
	}
	for _, s := range snaps {
		p.falsifyAt(s)
	}
	clean.Fault, clean.InterruptSleep = nil, nil
	final := clean.AllObjects(t)
	p.checkFinal(final)
	p.checkDeployments(final)
	backups := backupFiles(t, work)
	data := p.data(clean, final)
	if p.site.Databases {
		if u := clean.Unsupported(t); u != "" {
			t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
		}
		p.checkData(data, final)
	}
	if site.Check != nil {
		site.Check(t, p, clean, work)
	}

	// A second run changes nothing.
	before := len(clean.Calls(t))
	if out, err := p.Exec(clean, work); err != nil || !strings.Contains(out, "all steps done") {
		t.Errorf("the second run: %v\n%s", err, out)
	} else if again := bundletest.StartedSteps(out); len(again) > 0 {
		t.Errorf("the second run ran %v again: the first did not record them as done", again)
	}
	p.noChange("the second run", clean, final, before)

	// With the state file lost, the run is refused or finds nothing to do.
	states, _ := filepath.Glob(filepath.Join(work, "*.state"))
	if len(states) != 1 {
		t.Fatalf("state files in the working directory: %v", states)
	}
	if err := os.Remove(states[0]); err != nil {
		t.Fatal(err)
	}
	before = len(clean.Calls(t))
	out, err = p.Exec(clean, work)
	if err != nil && !strings.Contains(out, "this bundle upgrades a") {
		t.Errorf("the run without its state file failed, not at the preflight: %v\n%s", err, out)
	}
	p.noChange("the run without its state file", clean, final, before)

	// Faults: each step that calls oc fails once.
	var plans []map[string]bundletest.CallFault
	switch {
	case testenv.DetachSweep():
		plans = bundletest.EveryExecPlans(perStepExec)
	case testenv.Exhaustive():
		plans = bundletest.EveryCallPlans(perStep)
	default:
		// By default every step that calls oc fails once (FaultedSteps:
		// every kind, the verify and wait steps too), at a call and in a
		// way the seed draws. Of these, a site fails those it owns: a step
		// whose code an earlier site of the suite runs fails there.
		plan := map[string]bundletest.CallFault{}
		for step := range bundletest.FaultedSteps(perStep) {
			if prep.owned[step] {
				n := perStep[step]
				if k := beforePoll[step]; k > 0 {
					n = k
				}
				plan[step] = bundletest.DrawnFault(hash(step, p.seed), n)
			}
		}
		if len(plan) == 0 {
			t.Logf("no fault sequence: the steps this site runs fail in a site before it in the suite")
			return
		}
		plans = append(plans, plan)
	}
	for i, plan := range plans {
		t.Logf("fault sequence %d: %d steps fail once (%s)", i+1, len(plan), strings.Join(KeysOf(plan), " "))
		// The last snapshot taken at or before the plan's first step.
		firstFailed := len(steps)
		for step := range plan {
			firstFailed = min(firstFailed, order[step])
		}
		var start *snapshot
		for step, s := range starts {
			if order[step] <= firstFailed && (start == nil || order[step] > order[start.id]) {
				start = s
			}
		}
		p.faultSequence(fmt.Sprintf("fault sequence %d", i+1), plan, final, backups, data, start)
	}
}

// faultSequence runs the runbook with the faults of plan, re-running
// after each failure, and checks that it ends as the run without faults
// did. It starts on a fresh cluster, or from start (nil for none): the
// cluster and working directory of the run without faults before the
// first step plan fails. Every run after a fault starts the runbook again.
func (p *Run) faultSequence(name string, plan map[string]bundletest.CallFault, final map[string]map[string]any, backups []string, data map[string]*ocsim.Data, start *snapshot) {
	t := p.t
	var c *bundletest.Cluster
	var work string
	if start == nil {
		c, work = p.cluster(), t.TempDir()
	} else {
		c, work = bundletest.ClusterFrom(t, start.dir, start.env), bundletest.CopiedDir(t, start.work)
	}
	faults := bundletest.NewStepFaults(plan)
	c.Fault = faults.Fault
	var log strings.Builder
	waits := 0
	for run := 1; ; run++ {
		if run > len(plan)+2+waits {
			t.Fatalf("%s: no complete run after %d runs:\n%s", name, run-1, log.String())
		}
		faults.Run()
		out, err := p.Exec(c, work)
		fmt.Fprintf(&log, "--- run %d\n%s", run, bundletest.Tail(out, 30))
		if err == nil {
			break
		}
		if !faults.Injected(out) {
			// A step that found the command of a detached exec still
			// running says to wait for it: the person does, then
			// re-runs.
			if c.Pending() > 0 && bundletest.AsksToWait(out) {
				waits++
				c.WaitDetached(t)
				continue
			}
			t.Fatalf("%s: run %d failed, not at a step with an injected fault: %v\n%s", name, run, err, log.String())
		}
	}

	// A drawn fault falls in a poll's first round (beforePoll); the
	// sweep's nth call of a poll may not come in a run whose waits end
	// sooner.
	if missed := faults.Missed(); len(missed) > 0 {
		report := t.Errorf
		if testenv.Exhaustive() || testenv.DetachSweep() {
			report = t.Logf
		}
		report("%s: the faults of %v never fired: the runs made fewer calls in those steps than the run without faults", name, missed)
	}
	got := c.AllObjects(t)
	p.checkFinal(got)
	for _, key := range KeysOf(final) {
		if ignoredKind(key) {
			continue
		}
		want, have := final[key], got[key]
		if have == nil {
			t.Errorf("%s: %s is gone", name, key)
			continue
		}
		for _, field := range []string{"spec", "data"} {
			if !reflect.DeepEqual(bundletest.WithoutRestartStamp(want[field]), bundletest.WithoutRestartStamp(have[field])) {
				a, _ := json.Marshal(want[field])
				b, _ := json.Marshal(have[field])
				t.Errorf("%s: %s has another %s than after the run without faults:\n%s\n%s", name, key, field, a, b)
			}
		}
		if strings.HasPrefix(key, "DeploymentConfig/") {
			if a, b := bundletest.Get(want, "status", "latestVersion"), bundletest.Get(have, "status", "latestVersion"); a != b {
				t.Errorf("%s: %s is at deployment #%v, the run without faults at #%v", name, key, b, a)
			}
		}
	}
	for key := range got {
		if final[key] == nil && !ignoredKind(key) {
			t.Errorf("%s: %s exists, not after the run without faults", name, key)
		}
	}
	if files := backupFiles(t, work); !reflect.DeepEqual(files, backups) {
		t.Errorf("%s: backups %v, the run without faults wrote %v", name, files, backups)
	}
	// What detached commands are left end before the data is compared
	// (the objects are as the runs left them: time moves them on): one
	// that lands after the runs, a second import, shows then.
	c.WaitDetached(t)
	if got := p.data(c, got); !reflect.DeepEqual(got, data) {
		for w := range data {
			if !reflect.DeepEqual(got[w], data[w]) {
				a, _ := json.Marshal(data[w])
				b, _ := json.Marshal(got[w])
				t.Errorf("%s: %s holds other data than after the run without faults:\n%s\n%s", name, w, a, b)
			}
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", name, log.String())
	}
}

// cluster is a fresh simulated cluster holding the site: its fixture, as
// Site.Before's run left it when the site has one.
func (p *Run) cluster() *bundletest.Cluster {
	if p.site.Before == "" {
		return p.site0()
	}
	t := p.t
	if p.before == nil {
		c, work := p.site0(), t.TempDir()
		bundle := bundletest.WriteBundle(t, bundletest.Compile(t, bundletest.WritePlan(t, p.site.Before), ""))
		if out, err := p.exec(c, bundle, work); err != nil {
			t.Fatalf("the run of the plan before the example (Site.Before) failed: %v\n%s", err, bundletest.Tail(out, 30))
		}
		p.before = &snapshot{id: "before", dir: c.Dir, env: slices.Clone(c.Env)}
	}
	return bundletest.ClusterFrom(t, p.before.dir, p.before.env)
}

// site0 is a new cluster of the site as its fixture, Edit, Build and
// data make it.
func (p *Run) site0() *bundletest.Cluster {
	c := bundletest.NewCluster(p.t, p.Fixture)
	if p.site.Build != nil {
		p.site.Build(p.t, c)
	}
	c.Env = append(c.Env, fmt.Sprintf("OCSIM_SEED=%d", p.seed))
	if !p.site.Databases {
		// What oc exec prints, whatever the command: enough for a dump
		// that its completeness check accepts.
		c.ExecOut(p.t, "-- PostgreSQL database cluster dump complete\n-- Dump completed\n")
		return c
	}
	for workload, d := range p.siteData() {
		c.Seed(p.t, ocsim.Seed{Workload: workload, Data: d})
	}
	return c
}

// siteData is what the site's database workloads hold (Site.Data, by
// default siteData).
func (p *Run) siteData() map[string]ocsim.Data {
	if p.site.Data != nil {
		return p.site.Data
	}
	return siteData()
}

// siteData is what the database workloads of a template-based site hold
// in the runs of a site with databases (those its fixture has).
func siteData() map[string]ocsim.Data {
	return map[string]ocsim.Data{
		"dc/system-mysql": {MySQL: map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
			"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Master Account"}, {"2", "Provider's Org"}}},
			"services": {Columns: []string{"id", "account_id", "name"}, Key: "id", Rows: [][]string{{"1", "2", "API"}}},
		}}}},
		"dc/zync-database": {PostgreSQL: map[string]*ocsim.Database{"zync_production": {Owner: "zync", Tables: map[string]*ocsim.Table{
			"tenants":      {Columns: []string{"id", "endpoint"}, Key: "id", Rows: [][]string{{"1", "https://3scale-admin.apps.example.com"}}},
			"integrations": {Columns: []string{"id", "tenant_id", "state"}, Key: "id", Rows: [][]string{{"1", "1", "active"}, {"2", "1", ocsim.Null}}},
		}}}},
		"dc/backend-redis": {Redis: map[int]map[string]string{0: {"service/provider_key:abc/id": "1"}, 1: {"resque:queue:priority": "job"}}},
		"dc/system-redis":  {Redis: map[int]map[string]string{1: {"sidekiq:queues": "default"}}},
		// A site on PostgreSQL (bundletest.TemplatePostgreSQL).
		"dc/system-postgresql": {PostgreSQL: map[string]*ocsim.Database{"system": {Owner: "system", Tables: map[string]*ocsim.Table{
			"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Master Account"}, {"2", "Provider's Org"}}},
		}}}},
	}
}

// data is what the site's database workloads hold on a cluster whose
// objects are objects (nil for a site without databases), Redis without
// the readiness probe's key, whose value is the time.
func (p *Run) data(c *bundletest.Cluster, objects map[string]map[string]any) map[string]*ocsim.Data {
	if !p.site.Databases {
		return nil
	}
	out := map[string]*ocsim.Data{}
	for workload := range p.siteData() {
		ns, live, obj := p.liveWorkload(workload, objects)
		move := p.site.Moved[workload]
		if obj == nil {
			if move.To != "" {
				p.t.Errorf("%s: no %s after the run, where its data moves", workload, move.To)
			}
			continue
		}
		d := c.Data(p.t, ns, live)
		// The databases under the site's names.
		for site, there := range move.Databases {
			if db := d.MySQL[there]; db != nil {
				delete(d.MySQL, there)
				d.MySQL[site] = db
			}
			if db := d.PostgreSQL[there]; db != nil {
				delete(d.PostgreSQL, there)
				d.PostgreSQL[site] = db
			}
		}
		for _, keys := range d.Redis {
			delete(keys, "liveness-probe")
		}
		out[workload] = d
	}
	return out
}

// liveWorkload is where a workload of the site's data runs among objects
// (keyed as bundletest.Cluster.AllObjects keys them): its namespace ("" for
// 3scale), its name for ocsim ("dc/NAME", "deployment/NAME", "host/NAME")
// and its object, nil when there is none. A DeploymentConfig of the
// templates may be a Deployment (the 2.15 operator makes them so); a moved
// workload is where Site.Moved says, a server outside the cluster (host/)
// standing for an object of its own.
func (p *Run) liveWorkload(workload string, objects map[string]map[string]any) (string, string, map[string]any) {
	if to := p.site.Moved[workload].To; strings.HasPrefix(to, "host/") {
		return "", to, map[string]any{}
	} else if to != "" {
		ns, live, _ := strings.Cut(to, "/")
		_, name, _ := strings.Cut(live, "/")
		return ns, live, objects[ns+"/Deployment/"+name]
	}
	_, name, _ := strings.Cut(workload, "/")
	if obj := objects["DeploymentConfig/"+name]; obj != nil && strings.HasPrefix(workload, "dc/") {
		return "", workload, obj
	}
	if obj := objects["Deployment/"+name]; obj != nil {
		return "", "deployment/" + name, obj
	}
	return "", workload, nil
}

// checkData checks that the run without faults kept every row and key the
// site's databases held (Site.Data), but those of a server whose data
// directory is an emptyDir volume: the templates' zync-database, whose
// data a redeploy loses by design and zync:resync:domains makes again
// (which the simulator does not model).
func (p *Run) checkData(data map[string]*ocsim.Data, final map[string]map[string]any) {
	for workload, want := range p.siteData() {
		got := data[workload]
		_, _, obj := p.liveWorkload(workload, final)
		if got == nil || ephemeralData(obj) {
			continue
		}
		for name, db := range want.MySQL {
			if g := got.MySQL[name]; g == nil || !reflect.DeepEqual(g.Tables, db.Tables) {
				p.t.Errorf("%s: database %s after the run: %+v", workload, name, g)
			}
		}
		for name, db := range want.PostgreSQL {
			if g := got.PostgreSQL[name]; g == nil || !reflect.DeepEqual(g.Tables, db.Tables) {
				p.t.Errorf("%s: database %s after the run: %+v", workload, name, g)
			}
		}
		for n, keys := range want.Redis {
			for k, v := range keys {
				if got.Redis[n][k] != v {
					p.t.Errorf("%s: db%d key %s is %q after the run, was %q", workload, n, k, got.Redis[n][k], v)
				}
			}
		}
	}
}

// checkFinal checks the state a complete run leaves: every
// DeploymentConfig's latest deployment complete with its pods ready on the
// images its image streams resolve, and nothing of an older deployment
// still running. (That the objects are what the bundle's patches make of
// the fixture is TestRunbookAgainstFakeOC's; shell steps change them too.)
func (p *Run) checkFinal(got map[string]map[string]any) {
	t := p.t
	t.Helper()
	for _, key := range KeysOf(got) {
		dc := got[key]
		if dc["kind"] != "DeploymentConfig" {
			continue
		}
		name := bundletest.Get(dc, "metadata", "name").(string)
		latest := fmt.Sprint(bundletest.Get(dc, "status", "latestVersion"))
		rc := got["ReplicationController/"+name+"-"+latest]
		if rc == nil {
			t.Errorf("%s: no replication controller for deployment #%s", key, latest)
			continue
		}
		if phase := bundletest.Get(rc, "metadata", "annotations", "openshift.io/deployment.phase"); phase != "Complete" {
			t.Errorf("%s: deployment #%s is %v, not Complete", key, latest, phase)
		}
		images := map[string]string{}
		for _, field := range []string{"initContainers", "containers"} {
			for _, ctr := range AsList(bundletest.Get(dc, "spec", "template", "spec", field)) {
				images[bundletest.Get(ctr, "name").(string)] = bundletest.Get(ctr, "image").(string)
			}
		}
		for _, tr := range AsList(bundletest.Get(dc, "spec", "triggers")) {
			if bundletest.Get(tr, "type") != "ImageChange" || bundletest.Get(tr, "imageChangeParams", "automatic") != true {
				continue
			}
			from, _ := bundletest.Get(tr, "imageChangeParams", "from", "name").(string)
			current := streamImage(got, from)
			if current == "" {
				t.Errorf("%s: image stream tag %s resolves to nothing", key, from)
				continue
			}
			for _, n := range AsList(bundletest.Get(tr, "imageChangeParams", "containerNames")) {
				if images[n.(string)] != current {
					t.Errorf("%s: container %s runs %s, its image stream tag %s is at %s", key, n, images[n.(string)], from, current)
				}
			}
		}
		replicas, _ := bundletest.Get(dc, "spec", "replicas").(float64)
		ready := 0
		for _, podKey := range KeysOf(got) {
			pod := got[podKey]
			if pod["kind"] != "Pod" || bundletest.Get(pod, "metadata", "labels", "deploymentconfig") != name ||
				bundletest.Get(pod, "metadata", "labels", "openshift.io/deployer-pod-for.name") != nil {
				continue
			}
			if bundletest.Get(pod, "metadata", "labels", "deployment") != name+"-"+latest {
				if bundletest.Get(pod, "status", "phase") == "Running" {
					t.Errorf("%s: %s of an older deployment still runs", key, podKey)
				}
				continue
			}
			for _, ctr := range bundletest.Get(pod, "spec", "containers").([]any) {
				if img := bundletest.Get(ctr, "image"); img != images[bundletest.Get(ctr, "name").(string)] {
					t.Errorf("%s: %s runs %v, not the deployment's %s", key, podKey, img, images[bundletest.Get(ctr, "name").(string)])
				}
			}
			if bundletest.Get(pod, "status", "phase") == "Running" && bundletest.Get(pod, "metadata", "deletionTimestamp") == nil {
				ready++
			}
		}
		if ready != int(replicas) {
			t.Errorf("%s: %d pods of deployment #%s run, want %v", key, ready, latest, replicas)
		}
	}
}

// checkDeployments checks the Deployments of the site's namespace (the
// 2.15 operator's): each rolled out to its generation, every replica
// updated and ready, and every running pod of it on its template's images.
func (p *Run) checkDeployments(got map[string]map[string]any) {
	t := p.t
	t.Helper()
	for _, key := range KeysOf(got) {
		d := got[key]
		// Keys of the site's namespace are Kind/name (bundletest.NamespacedKey).
		if d["kind"] != "Deployment" || strings.Count(key, "/") != 1 {
			continue
		}
		name := bundletest.Get(d, "metadata", "name").(string)
		replicas, ok := bundletest.Get(d, "spec", "replicas").(float64)
		if !ok {
			replicas = 1
		}
		gen, _ := bundletest.Get(d, "metadata", "generation").(float64)
		observed, _ := bundletest.Get(d, "status", "observedGeneration").(float64)
		updated, _ := bundletest.Get(d, "status", "updatedReplicas").(float64)
		ready, _ := bundletest.Get(d, "status", "readyReplicas").(float64)
		if observed < gen || updated != replicas || ready != replicas {
			t.Errorf("%s: generation %v observed %v, %v of %v replicas updated, %v ready: not rolled out", key, gen, observed, updated, replicas, ready)
		}
		images := map[string]any{}
		for _, ctr := range AsList(bundletest.Get(d, "spec", "template", "spec", "containers")) {
			images[bundletest.Get(ctr, "name").(string)] = bundletest.Get(ctr, "image")
		}
		for _, podKey := range KeysOf(got) {
			pod := got[podKey]
			if pod["kind"] != "Pod" || strings.Count(podKey, "/") != 1 || bundletest.Get(pod, "metadata", "labels", "deployment") != name ||
				bundletest.Get(pod, "status", "phase") != "Running" || bundletest.Get(pod, "metadata", "deletionTimestamp") != nil {
				continue
			}
			for _, ctr := range AsList(bundletest.Get(pod, "spec", "containers")) {
				if img := bundletest.Get(ctr, "image"); img != images[bundletest.Get(ctr, "name").(string)] {
					t.Errorf("%s: %s runs %v, not the template's %v", key, podKey, img, images[bundletest.Get(ctr, "name").(string)])
				}
			}
		}
	}
}

// noChange checks that the calls after the first before changed nothing.
func (p *Run) noChange(what string, c *bundletest.Cluster, final map[string]map[string]any, before int) {
	t := p.t
	t.Helper()
	for _, call := range c.Calls(t)[before:] {
		if Changes(call) {
			t.Errorf("%s called %q", what, call)
		}
	}
	got := c.AllObjects(t)
	for key, obj := range final {
		if ignoredKind(key) {
			continue
		}
		if !reflect.DeepEqual(obj["spec"], got[key]["spec"]) || !reflect.DeepEqual(obj["data"], got[key]["data"]) {
			t.Errorf("%s changed %s", what, key)
		}
	}
}

// Changes tells whether an oc call (as calls.log has it) may change the
// cluster.
func Changes(call string) bool {
	f := strings.Fields(call)
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "get", "whoami", "project", "version", "api-resources", "describe", "logs", "explain", "wait", "cp", "rsync":
		return false
	case "rollout":
		return len(f) < 2 || (f[1] != "status" && f[1] != "history")
	case "auth":
		return false
	}
	return true
}

// ignoredKind tells whether objects of a key's kind are the controllers'
// (pods, replication controllers, events), not the runbook's.
func ignoredKind(key string) bool {
	switch bundletest.KindOfKey(key) {
	case "Pod", "ReplicationController", "ReplicaSet", "Event", "InstallPlan":
		return true
	}
	return false
}

// streamImage is the image an image stream tag (STREAM:TAG) resolves to.
func streamImage(objects map[string]map[string]any, ref string) string {
	stream, tag, ok := strings.Cut(ref, ":")
	if !ok {
		tag = "latest"
	}
	for _, st := range AsList(bundletest.Get(objects["ImageStream/"+stream], "status", "tags")) {
		if bundletest.Get(st, "tag") == tag {
			items := AsList(bundletest.Get(st, "items"))
			if len(items) > 0 {
				s, _ := bundletest.Get(items[0], "dockerImageReference").(string)
				return s
			}
		}
	}
	return ""
}

func AsList(v any) []any {
	l, _ := v.([]any)
	return l
}

// backupFiles lists the files under the working directory's backups, with
// their sizes zero or not.
func backupFiles(t *testing.T, work string) []string {
	t.Helper()
	var files []string
	_ = filepath.WalkDir(filepath.Join(work, "backups"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(work, p)
		if info.Size() == 0 {
			rel += " (empty)"
		}
		files = append(files, rel)
		return nil
	})
	sort.Strings(files)
	return files
}

func hash(s string, seed uint64) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", s, seed)
	return h.Sum64()
}

// KeysOf is the sorted keys of a map.
func KeysOf[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// planStep is a step of plan.json, as these tests read it.
type planStep struct{ ID, Kind string }

// planSteps reads the ids and kinds of a compiled bundle's steps.
func planSteps(t *testing.T, files map[string][]byte) []planStep {
	t.Helper()
	var pf struct{ Steps []planStep }
	if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
		t.Fatal(err)
	}
	return pf.Steps
}

// ephemeralData tells whether a database DeploymentConfig keeps its data
// directory (/var/lib/pgsql/data, /var/lib/mysql/data, /var/lib/redis/data)
// on an emptyDir volume.
func ephemeralData(dc map[string]any) bool {
	empty := map[string]bool{}
	for _, v := range AsList(bundletest.Get(dc, "spec", "template", "spec", "volumes")) {
		if bundletest.Get(v, "emptyDir") != nil {
			empty[bundletest.Get(v, "name").(string)] = true
		}
	}
	for _, ctr := range AsList(bundletest.Get(dc, "spec", "template", "spec", "containers")) {
		for _, m := range AsList(bundletest.Get(ctr, "volumeMounts")) {
			switch bundletest.Get(m, "mountPath") {
			case "/var/lib/pgsql/data", "/var/lib/mysql/data", "/var/lib/redis/data":
				if empty[bundletest.Get(m, "name").(string)] {
					return true
				}
			}
		}
	}
	return false
}

// A Falsifier breaks, in a cluster that a complete run left upgraded, the
// claim of one verify step: the step, run again alone, must then fail.
type Falsifier struct {
	// Site is the example (of the suite's sites) whose run the step
	// verifies.
	Site string
	// What says what is broken, for the failure message.
	What string
	// Break changes the cluster's objects; an object it deletes from
	// the map is deleted from the cluster.
	Break func(t *testing.T, objects map[string]map[string]any)
	// Cluster, when set, breaks what is not an object of the site's
	// namespace, after Break: the cluster's settings (Env: the catalog's
	// channels, the OpenShift release), another namespace, a database.
	Cluster func(t *testing.T, c *bundletest.Cluster)
}

// falsifiable lists the verify steps of the site's run that have a
// Falsifier, in run order.
func (p *Run) falsifiable(steps []planStep) []string {
	var ids []string
	for _, s := range steps {
		f, ok := p.suite.Falsifiers[s.ID]
		if !ok || f.Site != p.site.Example {
			continue
		}
		if p.site.Falsify != nil && !testenv.Exhaustive() && !p.site.Falsify(s.ID, p.seed) {
			t := p.t
			t.Logf("%s: falsified in the exhaustive sweep only", s.ID)
			continue
		}
		ids = append(ids, s.ID)
	}
	return ids
}

// A snapshot is the cluster (dir, with the runs' environment env) and the
// working directory (work) of the run without faults as they were at the
// first oc call of step id: where a verify step is falsified, or where the
// default fault sequence starts.
type snapshot struct {
	id, dir, work string
	env           []string
}

// falsifyAt breaks the claim of verify step s.id on the copy of the
// cluster and of the working directory taken where the run without faults
// started the step, and runs the copy on: the run must fail in that step.
func (p *Run) falsifyAt(s snapshot) {
	t := p.t
	t.Helper()
	id := s.id
	f := p.suite.Falsifiers[id]
	broken := bundletest.ClusterFrom(t, s.dir, s.env)
	brokenWork := s.work
	objects := broken.Objects(t)
	keys := KeysOf(objects)
	if f.Break != nil {
		f.Break(t, objects)
	}
	for _, key := range keys {
		if objects[key] == nil {
			broken.Remove(t, key)
		}
	}
	for _, obj := range objects {
		broken.Put(t, obj)
	}
	if f.Cluster != nil {
		f.Cluster(t, broken)
	}
	// A step that polls has shown its check failing once it has waited
	// falsifyWait of the cluster's time without its claim holding: the
	// simulator's controllers all act sooner, so the rest of its wait
	// (10 to 30 minutes) would poll the same broken cluster. Its next
	// sleep is interrupted, which stops the step (set -e).
	slept := 0.0
	broken.InterruptSleep = func(call ocsim.Call) bool {
		if call.Env["AMPC_STEP"] != id || len(call.Args) != 1 {
			return false
		}
		if slept >= falsifyWait.Seconds() {
			return true
		}
		if d, err := strconv.ParseFloat(call.Args[0], 64); err == nil {
			slept += d
		}
		return false
	}
	out, err := p.Exec(broken, brokenWork)
	started := bundletest.StartedSteps(out)
	if err == nil || len(started) == 0 || started[len(started)-1] != id {
		t.Errorf("%s passes although %s:\n%s", id, f.What, bundletest.Tail(out, 10))
	}
}

// falsifyWait is how long of the cluster's time a polling verify step
// waits on a falsified cluster before its wait is cut short: longer than
// any delay of the simulator's controllers (at most two minutes).
const falsifyWait = 5 * time.Minute

// A Manual is what the person at the Console does on the cluster
// when the runbook stops at a step for them (a manual step, or a step that
// asks for a person and --ack), before running it again.
type Manual func(con *Console)

// Console is the person's terminal on a site's cluster: oc in the site's
// project, outside the runbook.
type Console struct {
	T *testing.T
	C *bundletest.Cluster
	// Work is the directory the runbook runs in, where it writes its
	// backups (what the person carries to a server outside the cluster).
	Work string
}

// oc runs oc with stdin as its input, and stops the test when it fails:
// the person does what the guide says, and it works.
func (con *Console) OC(stdin string, args ...string) string {
	con.T.Helper()
	out, err := con.C.OC(con.T, stdin, args...)
	if err != nil {
		con.T.Fatalf("the person's oc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// objects lists the objects of a kind, as oc get KIND -o json gives them.
func (con *Console) Objects(kind string) []map[string]any {
	con.T.Helper()
	var l struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(con.OC("", "get", kind, "-o", "json")), &l); err != nil {
		con.T.Fatal(err)
	}
	return l.Items
}

// manualStopRE and failedStepRE find where a run stopped for a person: a
// manual step not yet confirmed (exit 3), or a step that failed.
var (
	manualStopRE = regexp.MustCompile(`(?m)^Stopped at manual step (\S+)\. `)
	failedStepRE = regexp.MustCompile(`(?m)^ampc: step (\S+) failed `)
)

// exec runs the runbook on c from work the way the person at the Console
// runs it. A run without --ack stops at each manual step (exit 3), as the
// real runbook does; there, and at a failed step the site has an action
// for, the person does the site's action (site.Manual; a step the site
// has none for needs nothing done on the fixture's cluster) and runs again,
// with --ack of the step where the runbook asks for it. It gives the
// output of every run and the error of the last.
func (p *Run) Exec(c *bundletest.Cluster, work string) (string, error) {
	p.t.Helper()
	return p.exec(c, p.Bundle, work)
}

// exec is Exec of the runbook of bundle.
func (p *Run) exec(c *bundletest.Cluster, bundle, work string) (string, error) {
	t := p.t
	t.Helper()
	var all strings.Builder
	var args []string
	acted := ""
	for {
		out, err := c.Exec(t, bundle, work, nil, args...)
		all.WriteString(out)
		if err == nil {
			return all.String(), nil
		}
		step := ""
		if m := manualStopRE.FindStringSubmatch(out); m != nil {
			step = m[1]
		} else if m := failedStepRE.FindAllStringSubmatch(out, -1); m != nil && p.site.Manual[m[len(m)-1][1]] != nil {
			step = m[len(m)-1][1]
		} else if started := bundletest.StartedSteps(out); len(started) > 0 && p.site.Manual[started[len(started)-1]] != nil {
			// A step that stops with fail (a check the person's action
			// makes pass) prints its own message, not the driver's.
			step = started[len(started)-1]
		}
		// A step the person has just done that stops the run again is the
		// run's failure, not theirs.
		if step == "" || step == acted {
			return all.String(), err
		}
		if do := p.site.Manual[step]; do != nil {
			do(&Console{T: t, C: c, Work: work})
		}
		acted, args = step, nil
		if strings.Contains(out, "--ack "+step) {
			args = []string{"--ack", step}
		}
		fmt.Fprintf(&all, "--- the person did %s\n", step)
	}
}

// EveryVerifyCanFail checks the falsifiers' bookkeeping: the falsifiers
// of the suite are those bundletest.VerifyFalsifiedIn gives its package,
// and each runs in a site that Properties runs by default. The falsifiers
// run in their site's clean run of Properties (falsifyAt): there the step
// passes on the cluster as the run left it and fails on a copy with its
// claim broken.
func (s *Suite) EveryVerifyCanFail(t *testing.T) {
	bundletest.CheckFalsifiers(t, s.Package, append(KeysOf(s.Falsifiers), s.Extra...))
	runs := map[string]bool{}
	for _, site := range s.Sites {
		runs[site.Example] = site.Pending == ""
	}
	for id, f := range s.Falsifiers {
		if !runs[f.Site] {
			t.Errorf("the falsifier of %s runs in site %s, which Properties does not run by default", id, f.Site)
		}
	}
}
