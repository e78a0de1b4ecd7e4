package propertytest

import (
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
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// A propSite is an example plan run on the fixture of the site it upgrades.
type propSite struct {
	example, fixture string
	// build, for a site without a fixture of its own, puts the site on
	// the cluster instead (an operator-based site built from the
	// fixtures' shapes, bundletest.Op27Seed).
	build func(t *testing.T, c *bundletest.Cluster)
	// edit, when set, changes the fixture's objects (keyed Kind/name)
	// into the site's: a site of which there is no export.
	edit func(t *testing.T, objects map[string]map[string]any)
	// namespace, when set, is the example plan's namespace, which the run
	// replaces with the fixture's, 3scale (the plan is the example's but
	// for that).
	namespace string
	// heavy sites run in the exhaustive sweep only (the test budget).
	heavy bool
	// pending, when set, says what keeps the site out of the properties
	// for now (a known gap, reported in the test log).
	pending string
	// manual holds, by step id, what the person at the console does on
	// the cluster where the runbook stops for them (propRun.exec).
	manual map[string]manualAction
	// check, when set, checks more of the state the run without faults
	// left (c, in the working directory work), before the second run.
	check func(t *testing.T, p *propRun, c *bundletest.Cluster, work string)
	// databases: oc exec runs in the simulated containers, whose database
	// pods behave as the real tools do and hold siteData; without it, oc
	// exec prints a text that passes the dumps' completeness checks,
	// whatever the command.
	databases bool
}

var propSites = []propSite{
	{example: "2.7-mysql-s3", fixture: "templates/2.7-amp-s3.yaml", databases: true, check: check27S3},
	{example: "2.4-to-2.5-mysql", fixture: "templates/2.4-amp.yaml", databases: true},
	{example: "2.7-mysql", fixture: "templates/2.7-amp.yaml", heavy: true},
	{example: "2.6-to-2.8-mysql", fixture: "templates/2.6-amp.yaml", heavy: true},
	{example: "2.5-to-2.6-mysql", fixture: "templates/2.5-amp.yaml", manual: manual25, databases: true},
	{example: "2.4-to-2.8-mysql-s3", fixture: "templates/2.4-amp-s3.yaml", heavy: true, manual: manual25, databases: true},
	{example: "2.7-to-2.8-operator", build: bundletest.Op27Seed},
	{example: "2.7-postgresql", fixture: "templates/2.7-amp.yaml", edit: bundletest.TemplatePostgreSQL, namespace: "3scale-prod", databases: true, heavy: true},
	{example: "2.6-to-2.7-postgresql", fixture: "templates/2.6-amp.yaml", edit: bundletest.TemplatePostgreSQL, databases: true, heavy: true},
	{example: "2.8-to-2.10-mysql", fixture: "templates/2.8-amp.yaml", databases: true, heavy: true},
}

// TestRunbookProperties runs each example's runbook on its fixture in the
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
//     faults. By default each step that changes the cluster or writes
//     files with its own code (shell, backup, manual) and two of each kind
//     the driver makes from the bundle (patch, create, delete), drawn by
//     the seed, fail once, at a seeded call, in one sequence of re-runs;
//     AMPC_EXHAUSTIVE=1 fails every call of every step, both ways, under
//     three seeds, and adds the heavy sites;
//   - every verify step with a falsifier (verifyFalsifiers) passes on the
//     cluster the run leaves it and fails on a copy with its claim broken.
func TestRunbookProperties(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	seeds := []uint64{1}
	if testenv.Exhaustive() {
		seeds = []uint64{1, 2, 3}
	}
	for i, site := range propSites {
		if site.heavy && !testenv.Exhaustive() {
			continue
		}
		if site.pending != "" {
			t.Logf("%s: not run: %s", site.example, site.pending)
			continue
		}
		for _, seed := range seeds {
			// Each site runs under its own seed by default, so that the
			// suite sees several.
			seed := seed + uint64(i)
			t.Run(fmt.Sprintf("%s/seed=%d", site.example, seed), func(t *testing.T) {
				t.Parallel()
				runProperties(t, site, seed)
			})
		}
	}
}

// propRun is one site's runbook with what a run needs.
type propRun struct {
	t       *testing.T
	site    propSite
	seed    uint64
	bundle  string
	fixture string
}

// newPropRun compiles a site's example into a bundle; it also gives the
// bundle's steps in plan order. Its runs stop at the manual steps, where
// the site's person acts (propRun.exec).
func newPropRun(t *testing.T, site propSite, seed uint64) (*propRun, []planStep) {
	p := &propRun{t: t, site: site, seed: seed}
	if site.fixture != "" {
		p.fixture = testenv.Shared(t, "fixtures/"+site.fixture)
	}
	if site.edit != nil {
		objects := bundletest.FixtureObjects(t, p.fixture)
		site.edit(t, objects)
		p.fixture = bundletest.WriteObjects(t, objects)
	}
	plan := filepath.Join(testenv.Root(), "examples", site.example+".hcl")
	if site.namespace != "" {
		src, err := os.ReadFile(plan)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(`(?m)^(\s*namespace\s*=\s*)"` + regexp.QuoteMeta(site.namespace) + `"`)
		if !re.Match(src) {
			t.Fatalf("%s does not say namespace = %q", plan, site.namespace)
		}
		plan = bundletest.WritePlan(t, re.ReplaceAllString(string(src), `${1}"3scale"`))
	}
	files := bundletest.Compile(t, plan, "")
	p.bundle = bundletest.WriteBundle(t, files)
	return p, planSteps(t, files)
}

func runProperties(t *testing.T, site propSite, seed uint64) {
	p, steps := newPropRun(t, site, seed)

	// The clean run, recording how many calls each step makes. It stops
	// at each verify step that has a falsifier (a lost connection at every
	// call of the step, so that a step that polls gives up too): there, a
	// copy of the cluster with the step's claim broken must fail the step
	// (falsifyAt), and the run goes on.
	clean, work := p.cluster(), t.TempDir()
	perStep := map[string]int{}
	stopAt, stopped := "", false
	clean.Fault = func(call ocsim.Call) ocsim.Fault {
		switch step := call.Env["AMPC_STEP"]; step {
		case "":
		case stopAt:
			stopped = true
			return ocsim.Before
		default:
			perStep[step]++
		}
		return ocsim.Pass
	}
	for _, id := range p.falsifiable(steps) {
		stopAt, stopped = id, false
		out, err := p.exec(clean, work)
		if err == nil || !stopped {
			t.Fatalf("the run did not stop at %s: %v\n%s", id, err, bundletest.Tail(out, 15))
		}
		p.falsifyAt(id, clean, work)
	}
	stopAt = ""
	out, err := p.exec(clean, work)
	if err != nil {
		t.Fatalf("the run without faults failed: %v\n%s", err, out)
	}
	clean.Fault = nil
	final := clean.AllObjects(t)
	p.checkFinal(final)
	backups := backupFiles(t, work)
	data := p.data(clean, final)
	if p.site.databases {
		if u := clean.Unsupported(t); u != "" {
			t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
		}
		p.checkData(data, final)
	}
	if site.check != nil {
		site.check(t, p, clean, work)
	}

	// A second run changes nothing.
	before := len(clean.Calls(t))
	if out, err := p.exec(clean, work); err != nil || !strings.Contains(out, "all steps done") {
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
	out, err = p.exec(clean, work)
	if err != nil && !strings.Contains(out, "this bundle upgrades a") {
		t.Errorf("the run without its state file failed, not at the preflight: %v\n%s", err, out)
	}
	p.noChange("the run without its state file", clean, final, before)

	// Faults: each step that calls oc fails once.
	var plans []map[string]stepFault
	if testenv.Exhaustive() {
		most := 0
		for _, n := range perStep {
			most = max(most, n)
		}
		for nth := 1; nth <= most; nth++ {
			for _, mode := range []ocsim.Fault{ocsim.Before, ocsim.After} {
				plan := map[string]stepFault{}
				for step, n := range perStep {
					if nth <= n {
						plan[step] = stepFault{nth: nth, mode: mode}
					}
				}
				plans = append(plans, plan)
			}
		}
	} else {
		// By default the steps that change the cluster or write files
		// with their own code (shell, backup, manual) fail, each once, and
		// of those the runbook's driver makes from the bundle (patch,
		// create, delete: one code path, its checks of the live object
		// before each change) the first two of each kind in an order the
		// seed draws; the read-only ones (verify, wait) and the other
		// driver-made steps fail in the exhaustive sweep only (the test
		// budget).
		kinds := map[string]string{}
		for _, s := range steps {
			kinds[s.ID] = s.Kind
		}
		faulted := bundletest.FaultedSteps(perStep, kinds, func(step string) uint64 { return hash(step, p.seed) }, false)
		plan := map[string]stepFault{}
		for step, n := range perStep {
			if !faulted[step] {
				continue
			}
			h := hash(step, p.seed)
			mode := ocsim.Before
			if h%2 == 1 {
				mode = ocsim.After
			}
			plan[step] = stepFault{nth: 1 + int(h/2%uint64(n)), mode: mode}
		}
		plans = append(plans, plan)
	}
	for i, plan := range plans {
		t.Logf("fault sequence %d: %d steps fail once (%s)", i+1, len(plan), strings.Join(keysOf(plan), " "))
		p.faultSequence(fmt.Sprintf("fault sequence %d", i+1), plan, final, backups, data)
	}
}

// stepFault is the call of a step that fails, and how.
type stepFault struct {
	nth  int
	mode ocsim.Fault
}

// faultSequence runs the runbook on a fresh cluster with the faults of
// plan, re-running after each failure, and checks that it ends as the run
// without faults did.
func (p *propRun) faultSequence(name string, plan map[string]stepFault, final map[string]map[string]any, backups []string, data map[string]*ocsim.Data) {
	t := p.t
	c, work := p.cluster(), t.TempDir()
	fired := map[string]bool{}
	var current string
	seen := map[string]int{}
	c.Fault = func(call ocsim.Call) ocsim.Fault {
		step := call.Env["AMPC_STEP"]
		if step == "" || fired[step] {
			return ocsim.Pass
		}
		if step != current {
			current, seen[step] = step, 0
		}
		seen[step]++
		f, ok := plan[step]
		if !ok || seen[step] != f.nth {
			return ocsim.Pass
		}
		fired[step] = true
		return f.mode
	}
	var log strings.Builder
	for run := 1; ; run++ {
		if run > len(plan)+2 {
			t.Fatalf("%s: no complete run after %d runs:\n%s", name, run-1, log.String())
		}
		current = ""
		out, err := p.exec(c, work)
		fmt.Fprintf(&log, "--- run %d\n%s", run, bundletest.Tail(out, 30))
		if err == nil {
			break
		}
		// The step a failed run stopped in is the last one it started.
		started := bundletest.StartedSteps(out)
		if len(started) == 0 || !fired[started[len(started)-1]] {
			t.Fatalf("%s: run %d failed, not at a step with an injected fault: %v\n%s", name, run, err, log.String())
		}
	}
	got := c.AllObjects(t)
	p.checkFinal(got)
	for _, key := range keysOf(final) {
		if ignoredKind(key) {
			continue
		}
		want, have := final[key], got[key]
		if have == nil {
			t.Errorf("%s: %s is gone", name, key)
			continue
		}
		for _, field := range []string{"spec", "data"} {
			if !reflect.DeepEqual(want[field], have[field]) {
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

// cluster is a fresh simulated cluster holding the site's fixture.
func (p *propRun) cluster() *bundletest.Cluster {
	c := bundletest.NewCluster(p.t, p.fixture)
	if p.site.build != nil {
		p.site.build(p.t, c)
	}
	c.Env = append(c.Env, fmt.Sprintf("OCSIM_SEED=%d", p.seed))
	if !p.site.databases {
		// What oc exec prints, whatever the command: enough for a dump
		// that its completeness check accepts.
		c.ExecOut(p.t, "-- PostgreSQL database cluster dump complete\n-- Dump completed\n")
		return c
	}
	for workload, d := range siteData() {
		c.Seed(p.t, ocsim.Seed{Workload: workload, Data: d})
	}
	return c
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
func (p *propRun) data(c *bundletest.Cluster, objects map[string]map[string]any) map[string]*ocsim.Data {
	if !p.site.databases {
		return nil
	}
	out := map[string]*ocsim.Data{}
	for workload := range siteData() {
		if objects["DeploymentConfig/"+strings.TrimPrefix(workload, "dc/")] == nil {
			continue
		}
		d := c.Data(p.t, "", workload)
		for _, keys := range d.Redis {
			delete(keys, "liveness-probe")
		}
		out[workload] = d
	}
	return out
}

// checkData checks that the run without faults kept every row and key the
// site's databases held (siteData), but those of a server whose data
// directory is an emptyDir volume: the templates' zync-database, whose
// data a redeploy loses by design and zync:resync:domains makes again
// (which the simulator does not model).
func (p *propRun) checkData(data map[string]*ocsim.Data, final map[string]map[string]any) {
	for workload, want := range siteData() {
		got := data[workload]
		if got == nil || ephemeralData(final["DeploymentConfig/"+strings.TrimPrefix(workload, "dc/")]) {
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
func (p *propRun) checkFinal(got map[string]map[string]any) {
	t := p.t
	t.Helper()
	for _, key := range keysOf(got) {
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
			for _, ctr := range asList(bundletest.Get(dc, "spec", "template", "spec", field)) {
				images[bundletest.Get(ctr, "name").(string)] = bundletest.Get(ctr, "image").(string)
			}
		}
		for _, tr := range asList(bundletest.Get(dc, "spec", "triggers")) {
			if bundletest.Get(tr, "type") != "ImageChange" || bundletest.Get(tr, "imageChangeParams", "automatic") != true {
				continue
			}
			from, _ := bundletest.Get(tr, "imageChangeParams", "from", "name").(string)
			current := streamImage(got, from)
			if current == "" {
				t.Errorf("%s: image stream tag %s resolves to nothing", key, from)
				continue
			}
			for _, n := range asList(bundletest.Get(tr, "imageChangeParams", "containerNames")) {
				if images[n.(string)] != current {
					t.Errorf("%s: container %s runs %s, its image stream tag %s is at %s", key, n, images[n.(string)], from, current)
				}
			}
		}
		replicas, _ := bundletest.Get(dc, "spec", "replicas").(float64)
		ready := 0
		for _, podKey := range keysOf(got) {
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

// noChange checks that the calls after the first before changed nothing.
func (p *propRun) noChange(what string, c *bundletest.Cluster, final map[string]map[string]any, before int) {
	t := p.t
	t.Helper()
	for _, call := range c.Calls(t)[before:] {
		if changes(call) {
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

// changes tells whether an oc call (as calls.log has it) may change the
// cluster.
func changes(call string) bool {
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
	for _, st := range asList(bundletest.Get(objects["ImageStream/"+stream], "status", "tags")) {
		if bundletest.Get(st, "tag") == tag {
			items := asList(bundletest.Get(st, "items"))
			if len(items) > 0 {
				s, _ := bundletest.Get(items[0], "dockerImageReference").(string)
				return s
			}
		}
	}
	return ""
}

func asList(v any) []any {
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

// keysOf is the sorted keys of a map.
func keysOf[V any](m map[string]V) []string {
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
	for _, v := range asList(bundletest.Get(dc, "spec", "template", "spec", "volumes")) {
		if bundletest.Get(v, "emptyDir") != nil {
			empty[bundletest.Get(v, "name").(string)] = true
		}
	}
	for _, ctr := range asList(bundletest.Get(dc, "spec", "template", "spec", "containers")) {
		for _, m := range asList(bundletest.Get(ctr, "volumeMounts")) {
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
