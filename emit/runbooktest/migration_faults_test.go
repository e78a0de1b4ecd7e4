package runbooktest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// migrationFaultAt names, by step name (without its hop), the call that
// fails after the cluster applied it in the drawn fault sequence, instead
// of one drawn by the seed: a redeploy the cluster took while the client
// saw an error. The exhaustive sweep of the 2.8 migration found the
// re-run of restore-redis finding no running pod (the rollout under way)
// and, once one ran, redeploying a second time.
var migrationFaultAt = map[string]string{"restore-redis": "rollout latest dc/backend-redis"}

// migrationRun is one migration of the template-based 2.8 site onto an
// OpenShift 4 cluster, as the person at the console runs it: the runbook
// on the source cluster to the switch, then on the target, where the
// person installs the operator (and the simulated operator deploys the
// site: operatorDeploys) at the runbook's stop, then the last manual
// steps. A run that fails at a step with an injected fault is run again.
type migrationRun struct {
	t              *testing.T
	bundle, work   string
	site           map[string]map[string]any
	source, target *bundletest.Cluster
	// faults injects the fault sequence into both clusters' calls, and
	// counts the calls of each step (the run without faults records them
	// for the fault plans).
	faults *bundletest.StepFaults
	log    strings.Builder
	runs   int
}

func newMigrationRun(t *testing.T, bundle string, plan map[string]bundletest.CallFault) *migrationRun {
	m := &migrationRun{t: t, bundle: bundle, work: t.TempDir(), site: migrationSite(t), faults: bundletest.NewStepFaults(plan)}
	m.source = bundletest.NewCluster(t, bundletest.WriteObjects(t, m.site))
	m.source.Seed(t, ocsim.Seed{Workload: "dc/system-mysql", Data: ocsim.Data{MySQL: migrationRows()}})
	m.source.Seed(t, ocsim.Seed{Workload: "dc/zync-database", Data: ocsim.Data{PostgreSQL: zyncRows()}})
	for name, keys := range migrationKeys {
		m.source.Seed(t, ocsim.Seed{Workload: "dc/" + name, Data: ocsim.Data{Redis: keys}})
	}
	m.source.Seed(t, ocsim.Seed{Workload: "dc/system-app", Data: ocsim.Data{Files: map[string]string{migrationUpload: "PNG of the provider"}}})
	m.target = bundletest.NewCluster(t, "")
	m.target.Env = append(m.target.Env, "FAKEOC_SERVER=https://api.ocp4.example.com:6443")
	m.source.Fault, m.target.Fault = m.faults.Fault, m.faults.Fault
	return m
}

// migrationUpload is the file the site's provider uploaded.
const migrationUpload = "/opt/system/public/system/provider-name/2/logo.png"

// until runs the runbook on c with args until a run ends with exit code
// want and says stop; a run that fails at the step whose fault fired in it is run
// again, any other failure stops the test.
func (m *migrationRun) until(c *bundletest.Cluster, want int, stop string, args ...string) string {
	t := m.t
	t.Helper()
	waits := 0
	for run := 1; ; run++ {
		if run > len(m.faults.Plan)+2+waits {
			t.Fatalf("no run of %v ended with exit %d after %d runs:\n%s", args, want, run-1, m.log.String())
		}
		m.runs++
		m.faults.Run()
		out, err := c.Exec(t, m.bundle, m.work, nil, args...)
		fmt.Fprintf(&m.log, "--- run %d %v: exit %d\n%s", m.runs, args, exitCode(err), bundletest.Tail(out, 20))
		if exitCode(err) == want && strings.Contains(out, stop) {
			return out
		}
		// A step that found the command of a detached exec still running
		// says to wait for it: the person does, then re-runs.
		if exitCode(err) == 1 && !m.faults.Injected(out) && c.Pending() > 0 && bundletest.AsksToWait(out) {
			waits++
			c.WaitDetached(t)
			continue
		}
		if exitCode(err) != 1 || !m.faults.Injected(out) {
			t.Fatalf("run %v failed, not at a step with an injected fault (exit %d):\n%s", args, exitCode(err), m.log.String())
		}
	}
}

// migrate runs the whole migration at 2.8.
func (m *migrationRun) migrate() {
	m.t.Helper()
	m.migrateAt(migrationAt28)
}

// migrationVersion is what a run of the migration at one version needs:
// its hop name, the operator channel and CSV the person installs, and the
// manual steps of the hops before it, acknowledged as the runbook reaches
// them on the source cluster.
type migrationVersion struct {
	hop, channel, csv string
	before            []string
}

var migrationAt28 = migrationVersion{hop: "2.8-2.8", channel: "threescale-2.8", csv: "3scale-operator.v0.5.0"}

// migrateAt runs the whole migration at v.
func (m *migrationRun) migrateAt(v migrationVersion) {
	m.t.Helper()
	m.deployTarget(v)
	m.until(m.target, 3, "MANUAL STEP "+v.hop+"/dns-switch:", "--ack", v.hop+"/operator-install")
	m.until(m.target, 0, "all steps done", "--ack", v.hop+"/dns-switch", "--ack", v.hop+"/portal-check")
}

// deployTarget runs the migration at v to where 3scale runs on the new
// cluster: the runbook on the source to the switch, then on the target,
// where the person installs the operator at the runbook's stop and the
// simulated operator deploys the site (operatorDeploys).
func (m *migrationRun) deployTarget(v migrationVersion) {
	t := m.t
	t.Helper()
	var acks []string
	for _, id := range v.before {
		m.until(m.source, 3, "MANUAL STEP "+id+":", acks...)
		acks = append(acks, "--ack", id)
	}
	m.until(m.source, 3, "MANUAL STEP "+v.hop+"/switch-to-target:", acks...)
	m.until(m.target, 3, "MANUAL STEP "+v.hop+"/operator-install:", "--ack", v.hop+"/switch-to-target")
	installOperator(t, m.target, v.channel, v.csv, "Automatic")
	opPut(t, m.target, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": ocsim.OperatorDeployment("3scale-operator", v.csv), "namespace": "3scale-operator"},
		"spec": map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"name": "threescale-operator"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"name": "threescale-operator"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "3scale-operator", "image": "registry.redhat.io/3scale-amp2/3scale-rhel7-operator:" + strings.TrimPrefix(v.csv, "3scale-operator.v")}}}}}})
	// The simulator does not deploy from the APIManager: the claims
	// first, then what the operator deploys, then the rest of the run.
	m.until(m.target, 0, "ampc: step "+v.hop+"/create-claims done (--only)", "--only", v.hop+"/create-claims")
	operatorDeploys(t, m.target, operatorSite(t, m.site, strings.TrimPrefix(v.channel, "threescale-")))
}

// sameState reports, as errors of t, where got (migrationState) differs
// from want.
func sameState(t *testing.T, when string, want, got map[string]string) {
	t.Helper()
	for _, key := range slices.Sorted(maps.Keys(want)) {
		if want[key] != got[key] {
			t.Errorf("%s: %s differs from the run without faults:\n%s\n%s", when, key, want[key], got[key])
		}
	}
	for key := range got {
		if _, ok := want[key]; !ok {
			t.Errorf("%s: %s is there, not after the run without faults", when, key)
		}
	}
}

// checkMigratedData checks that the target holds exactly the source
// site's rows, keys and uploaded file.
func checkMigratedData(t *testing.T, target *bundletest.Cluster, when string) {
	t.Helper()
	if got := target.Data(t, "", "dc/system-mysql").MySQL["system"]; got == nil || !reflect.DeepEqual(got.Tables, migrationRows()["system"].Tables) {
		t.Errorf("%s: the new system database: %+v", when, got)
	}
	if got := target.Data(t, "", "dc/zync-database").PostgreSQL["zync_production"]; got == nil || !reflect.DeepEqual(got.Tables, zyncRows()["zync_production"].Tables) {
		a, _ := json.Marshal(got)
		t.Errorf("%s: the new zync_production: %s", when, a)
	}
	for name, keys := range migrationKeys {
		got := target.Data(t, "", "dc/"+name).Redis
		for db, kv := range keys {
			for k, v := range kv {
				if got[db][k] != v {
					t.Errorf("%s: %s db%d %s = %q, want %q", when, name, db, k, got[db][k], v)
				}
			}
		}
		if got[0]["service/provider_key:new/id"] != "" {
			t.Errorf("%s: %s keeps the new install's keys", when, name)
		}
	}
	if got, err := target.OC(t, "", "exec", "dc/system-app", "--", "cat", migrationUpload); err != nil || got != "PNG of the provider" {
		t.Errorf("%s: the new system storage's %s: %v %q", when, migrationUpload, err, got)
	}
}

// migrationFaults crashes the template → operator migration at its calls,
// on both clusters: the cluster connection fails at one call of each step
// that calls oc (bundletest.FaultedSteps: the verify and wait steps too;
// the manual ones are the person's), before the call reaches the cluster or
// after the cluster applied it with the client seeing an error, the call
// and the way drawn by the seed; the person runs the runbook again after
// each failure. Every sequence must end as the run without faults did
// (perStep, the calls of its steps, and want, its migrationState: those of
// TestMigrationKeepsEverything's run): the new cluster holding exactly the
// site's rows, keys and file (no dump loaded twice over data it already
// holds, none lost), the objects of both clusters and the backup files the
// same. AMPC_EXHAUSTIVE=1 fails every call of every such step, both ways,
// one sequence per call number; AMPC_DETACH_SWEEP=1 detaches every oc exec
// call of every such step (perStepExec, their exec calls), one sequence
// per exec call number. migrate runs the migration (migrateAt28,
// migrate216), check checks what the new cluster holds after it.
func migrationFaults(t *testing.T, bundle string, perStep, perStepExec map[string]int, want map[string]string, migrate func(*migrationRun), check func(*testing.T, *migrationRun, string)) {
	var pf struct{ Steps []struct{ ID, Kind string } }
	raw, err := os.ReadFile(filepath.Join(bundle, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pf); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, s := range pf.Steps {
		kinds[s.ID] = s.Kind
	}
	faulted := bundletest.FaultedSteps(perStep)
	for step := range faulted {
		if kinds[step] == "manual" {
			delete(faulted, step)
		}
	}
	var plans []map[string]bundletest.CallFault
	switch {
	case testenv.DetachSweep():
		plans = bundletest.EveryExecPlans(perStepOf(perStepExec, faulted))
	case testenv.Exhaustive():
		plans = bundletest.EveryCallPlans(perStepOf(perStep, faulted))
	default:
		plan := map[string]bundletest.CallFault{}
		for step := range faulted {
			plan[step] = bundletest.DrawnFault(migrationHash(step, 1), perStep[step])
			if at, ok := migrationFaultAt[step[strings.Index(step, "/")+1:]]; ok {
				plan[step] = bundletest.CallFault{At: at, Mode: ocsim.After}
			}
		}
		plans = append(plans, plan)
	}
	for i, plan := range plans {
		name := fmt.Sprintf("fault sequence %d", i+1)
		t.Logf("%s: %d steps fail once (%s)", name, len(plan), strings.Join(slices.Sorted(maps.Keys(plan)), " "))
		m := newMigrationRun(t, bundle, plan)
		migrate(m)
		// A drawn plan's calls are among the run without faults'; the
		// sweep's nth call of a poll may not come in a run whose waits
		// end sooner, nor that of a step the run without faults ran twice.
		if missed := m.faults.Missed(); len(missed) > 0 {
			for i, step := range missed {
				call := fmt.Sprintf("call %d of %d", plan[step].Nth, perStep[step])
				if plan[step].At != "" {
					call = fmt.Sprintf("the call %q", plan[step].At)
				}
				missed[i] = fmt.Sprintf("%s (%s)", step, call)
			}
			report := t.Errorf
			if testenv.Exhaustive() || testenv.DetachSweep() {
				report = t.Logf
			}
			report("%s: %d of the %d faults fired; not %s", name, len(plan)-len(missed), len(plan), strings.Join(missed, ", "))
		}
		sameState(t, name, want, migrationState(t, m.source, m.target, m.work))
		// What detached commands are left end before the data is
		// checked (the objects are as the runs left them: time moves
		// them on): one that lands after the runs, a second import,
		// shows then.
		m.source.WaitDetached(t)
		m.target.WaitDetached(t)
		check(t, m, name)
		if t.Failed() {
			t.Logf("%s:\n%s", name, m.log.String())
			return
		}
	}
}

// migrationState is what a migration left that the runbook made: the
// objects of both clusters (spec, without its restart stamp, and data,
// those the controllers own aside), the backup files, the
// DeploymentConfigs' deployments and the Deployments' generations, each as
// a JSON text keyed by where it is.
func migrationState(t *testing.T, source, target *bundletest.Cluster, work string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for side, c := range map[string]*bundletest.Cluster{"source": source, "target": target} {
		for key, obj := range c.AllObjects(t) {
			switch bundletest.KindOfKey(key) {
			case "Pod", "ReplicationController", "ReplicaSet", "Event", "InstallPlan":
				continue
			}
			state := map[string]any{"spec": bundletest.WithoutRestartStamp(obj["spec"]), "data": obj["data"], "latestVersion": bundletest.Get(obj, "status", "latestVersion")}
			if obj["kind"] == "Deployment" {
				// A restart made twice shows in the generation only.
				state["generation"] = bundletest.Get(obj, "metadata", "generation")
			}
			raw, _ := json.Marshal(state)
			out[side+" "+key] = string(raw)
		}
	}
	var files []string
	_ = filepath.WalkDir(filepath.Join(work, "backups"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(work, p)
		files = append(files, rel)
		return nil
	})
	sort.Strings(files)
	out["backup files"] = strings.Join(files, "\n")
	return out
}

func migrationHash(s string, seed uint64) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d", s, seed)
	return h.Sum64()
}

// operatorSite is what the operator of version deploys from the objects of
// a 2.8 template site: the site itself at 2.8, later the simulator's own
// upgrade of its workloads (ocsim.UpgradeSite: at 2.12 no AMP_RELEASE and
// no MESSAGE_BUS env in the system containers, whose values the restored
// ConfigMap and Secret of a site past the 2.11 → 2.12 template hop no
// longer hold).
func operatorSite(t *testing.T, site map[string]map[string]any, version string) map[string]map[string]any {
	t.Helper()
	if version == "2.8" {
		return site
	}
	// UpgradeSite upgrades what an APIManager owns: the site's workloads
	// owned by one at 2.8 (operatorDeploys sets the owner again), which
	// is left out of what it returns (the runbook creates its own).
	am := map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager",
		"metadata": map[string]any{"name": "apimanager", "namespace": "3scale", "uid": "8f3c", "annotations": map[string]any{
			"apps.3scale.net/apimanager-threescale-version": "2.8", "apps.3scale.net/threescale-operator-version": "0.5.0"}},
		"spec": map[string]any{"wildcardDomain": "3scale.example.com", "system": map[string]any{"sphinxSpec": map[string]any{}}}}
	objs := []map[string]any{am}
	for _, key := range slices.Sorted(maps.Keys(site)) {
		obj := bundletest.DeepCopy(t, site[key])
		if obj["kind"] == "DeploymentConfig" {
			obj["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": "apimanager", "uid": "8f3c", "controller": true}}
		}
		objs = append(objs, obj)
	}
	upgraded, err := ocsim.UpgradeSite(objs, "2.8", version)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, obj := range upgraded {
		if obj["kind"] != "APIManager" {
			out[obj["kind"].(string)+"/"+bundletest.Get(obj, "metadata", "name").(string)] = obj
		}
	}
	return out
}

// perStepOf is perStep's counts of the steps of steps.
func perStepOf(perStep map[string]int, steps map[string]bool) map[string]int {
	out := map[string]int{}
	for step := range steps {
		out[step] = perStep[step]
	}
	return out
}
