package runbooktest

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/proptest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestMigrationToOperator216 runs examples/2.9-template-to-operator-2.16.hcl
// on two simulated clusters: the template-based site at 2.9 (the 2.8
// fixture at the release the 2.8 → 2.9 hop leaves, with the data of
// TestMigrationKeepsEverything) migrated at 2.9 onto OpenShift 4.8, where
// the person installs the 0.6 operator from threescale-2.9, then the
// operator hops to 2.16 on the new cluster, the person upgrading
// OpenShift to 4.12 where 2.13-2.14/preflight-openshift stops: the run
// ends with every step done (a second run finds them so and changes
// nothing), the APIManager at 2.16, and the migrated
// site's rows in system-mysql, its keys in the Redis instances the 2.16
// hop moves to 3scale-db and its uploaded file in system storage.
func TestMigrationToOperator216(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.9-template-to-operator-2.16.hcl"), ""))
	m := newMigrationRun(t, bundle, nil)
	migrate216(m)
	perStep, perStepExec, want := maps.Clone(m.faults.PerStep), maps.Clone(m.faults.PerStepExec), migrationState(t, m.source, m.target, m.work)
	// The fault sequences cost twice the run: only in the exhaustive
	// sweep (every step's code fails by default in the 2.8 migration's
	// and the lifecycle chain's sequences).
	if testenv.Exhaustive() || testenv.DetachSweep() {
		t.Run("faults", func(t *testing.T) {
			t.Parallel()
			migrationFaults(t, bundle, perStep, perStepExec, want, migrate216, checkMigrated216)
		})
	}
	// A second run finds every step done.
	before := len(m.target.Calls(t))
	if out, err := m.target.Exec(t, m.bundle, m.work, nil); err != nil || !strings.Contains(out, "all steps done") {
		t.Errorf("the second run: %v\n%s", err, bundletest.Tail(out, 15))
	} else if again := bundletest.StartedSteps(out); len(again) > 0 {
		t.Errorf("the second run ran %v again", again)
	}
	for _, call := range m.target.Calls(t)[before:] {
		if proptest.Changes(call) {
			t.Errorf("the second run called oc %s", call)
		}
	}
	objects := m.target.AllObjects(t)
	if v, _ := bundletest.Get(objects["APIManager/apimanager"], "metadata", "annotations", "apps.3scale.net/apimanager-threescale-version").(string); !strings.HasPrefix(v, "2.16") {
		t.Errorf("the APIManager is at %q after the run, not 2.16", v)
	}
	checkMigrated216(t, m, "after the run")
}

// migrate216 runs the migration of TestMigrationToOperator216 with m: the
// source site at 2.9, the new cluster at OpenShift 4.8, which the person
// updates to 4.12 where 2.13-2.14/preflight-openshift stops.
func migrate216(m *migrationRun) {
	m.t.Helper()
	m.source.Act(m.t, "patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"AMP_RELEASE":"2.9"}}`)
	m.target.Env = append(m.target.Env, "OCSIM_OPENSHIFT=4.8.57")
	csvs := ocsim.ThreescaleChannelCSVs("threescale-2.9")
	v := migrationVersion{hop: "2.9-2.9", channel: "threescale-2.9", csv: csvs[len(csvs)-1]}
	m.migrateTo(v, func(out string) bool {
		if strings.Contains(out, "2.13-2.14/preflight-openshift") && strings.Contains(out, "OpenShift is 4.8") {
			m.target.Env = append(m.target.Env, "OCSIM_OPENSHIFT=4.12.45")
			return true
		}
		return false
	})
}

// checkMigrated216 checks what the site holds on the new cluster after
// migrate216: the migrated site's rows in system-mysql, its keys in the
// Redis instances the 2.16 hop moves to 3scale-db and its uploaded file in
// system storage.
func checkMigrated216(t *testing.T, m *migrationRun, when string) {
	t.Helper()
	objects := m.target.AllObjects(t)
	if got := m.target.Data(t, "", "deployment/system-mysql").MySQL["system"]; got == nil || !reflect.DeepEqual(got.Tables, migrationRows()["system"].Tables) {
		t.Errorf("%s: system-mysql's system database: %+v", when, got)
	}
	// zync-database keeps its data in an emptyDir volume, on the
	// operator's site as on the templates': each redeploy of the hops
	// starts it empty, and zync:resync:domains (which the simulator does
	// not run) fills it again. Its rows are checked after the migration
	// (TestMigrationKeepsEverything), not here.
	for _, v := range bundletest.Get(objects["Deployment/zync-database"], "spec", "template", "spec", "volumes").([]any) {
		if bundletest.Get(v, "emptyDir") == nil {
			t.Errorf("%s: zync-database's volume %v is not an emptyDir: its rows should have been kept", when, bundletest.Get(v, "name"))
		}
	}
	for name, keys := range migrationKeys {
		got := m.target.Data(t, "3scale-db", "deployment/"+name+"-external").Redis
		for db, kv := range keys {
			for k, v := range kv {
				if got[db][k] != v {
					t.Errorf("%s: 3scale-db's %s-external db%d %s = %q, want %q", when, name, db, k, got[db][k], v)
				}
			}
		}
	}
	if got, err := m.target.OC(t, "", "exec", "deployment/system-app", "--", "cat", migrationUpload); err != nil || got != "PNG of the provider" {
		t.Errorf("%s: the system storage's %s: %v %q", when, migrationUpload, err, got)
	}
}

var manualStop = regexp.MustCompile(`(?m)^MANUAL STEP (\S+):`)

// migrateTo runs the migration at v (deployTarget), then the rest of the
// runbook on the new cluster, acknowledging its manual steps. A run that
// fails at the step whose injected fault (migrationRun.faults) fired in it
// is run again; at another failure, person says whether the person did something
// that lets a re-run go on.
func (m *migrationRun) migrateTo(v migrationVersion, person func(out string) bool) {
	t := m.t
	t.Helper()
	m.deployTarget(v)
	args := []string{"--ack", v.hop + "/operator-install"}
	for run := 0; run < 60+len(m.faults.Plan); run++ {
		m.runs++
		m.faults.Run()
		out, err := m.target.Exec(t, m.bundle, m.work, nil, args...)
		fmt.Fprintf(&m.log, "--- run %d %v: exit %d\n%s", m.runs, args, exitCode(err), bundletest.Tail(out, 20))
		if err == nil && strings.Contains(out, "all steps done") {
			return
		}
		if s := manualStop.FindStringSubmatch(out); s != nil && exitCode(err) == 3 {
			args = append(args, "--ack", s[1])
			continue
		}
		if exitCode(err) == 1 && m.faults.Injected(out) {
			continue
		}
		if !person(out) {
			t.Fatalf("the run on the new cluster failed: %v\n%s", err, bundletest.Tail(out, 30))
		}
	}
	t.Fatalf("no complete run:\n%s", m.log.String())
}
