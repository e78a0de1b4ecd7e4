package runbooktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestMigrationAfterTemplateHops runs, on two simulated clusters, plans
// that upgrade the template-based 2.8 site (its fixture, with the data of
// TestMigrationKeepsEverything) with the template hops to 2.10, 2.11 and
// 2.12 and migrate it there (migrate_at, the same migration module at
// another version): on OpenShift 3.11 the runbook runs the template hops
// (the site's AMP_RELEASE, or at 2.12 system-app's trigger, then gives the
// release that the migration's start and source-check read), then backs
// the site up into the folder 2.X-2.X; on an OpenShift 4 cluster in the
// version's range, where the person installs the version's operator
// (0.7, 0.8, 0.9: each in its Deployment, ocsim.OperatorDeployment),
// target-check reads the cluster's OpenShift version, operator-verify and
// apimanager-verify check the operator, and the new site holds exactly
// the old one's rows, keys and file. Each version costs 60 to 90 s (the
// template hops' rollouts on the simulator, then the migration), so it
// runs with AMPC_EXHAUSTIVE=1 only; TestMigrationTargetOpenShift is its
// default stand-in.
func TestMigrationAfterTemplateHops(t *testing.T) {
	if !testenv.Exhaustive() {
		t.Skip("60 to 90 s a version: runs with AMPC_EXHAUSTIVE=1 (TestMigrationTargetOpenShift covers the migration at 2.10 by default)")
	}
	t.Parallel()
	testenv.Tool(t, "jq")
	for _, tc := range []struct {
		at, openshift, csv string
		before             []string // the manual steps of the template hops
		release            string   // AMP_RELEASE of the source site after the template hops ("" when removed)
	}{
		{"2.10", "4.8.57", "3scale-operator.v0.7.0", []string{"2.8-2.9/oas3-developer-portal"}, "2.10"},
		{"2.11", "4.9.0", "3scale-operator.v0.8.0", []string{"2.8-2.9/oas3-developer-portal"}, "2.11"},
		// 2.12: the template site has no AMP_RELEASE any more (the 2.11 →
		// 2.12 hop removes it); the runbook reads its release from
		// system-app's trigger.
		{"2.12", "4.10.3", "3scale-operator.v0.9.0", []string{"2.8-2.9/oas3-developer-portal", "2.11-2.12/guide-check"}, ""},
	} {
		t.Run(tc.at, func(t *testing.T) {
			t.Parallel()
			bundle := bundletest.WriteBundle(t, bundletest.Compile(t, migrationPlanFile(t, "2.8", tc.at, `  migrate_at      = "`+tc.at+`"`), ""))
			m := newMigrationRun(t, bundle, nil)
			m.target.Env = append(m.target.Env, "OCSIM_OPENSHIFT="+tc.openshift)
			m.migrateAt(migrationVersion{hop: tc.at + "-" + tc.at, channel: "threescale-" + tc.at, csv: tc.csv, before: tc.before})
			checkMigratedData(t, m.target, "after the migration at "+tc.at)
			if got, err := m.source.OC(t, "", "get", "configmap", "system-environment", "-o", "jsonpath={.data.AMP_RELEASE}"); err != nil || got != tc.release {
				t.Errorf("the source site's AMP_RELEASE after the template hops: %q %v, want %q", got, err, tc.release)
			}
			if _, err := os.Stat(filepath.Join(m.work, "backups/3scale-migration/"+tc.at+"-"+tc.at+"/source-server")); err != nil {
				t.Errorf("the migration's backup folder: %v", err)
			}
		})
	}
}

// migrationPlanFile writes a plan that migrates the template-based site
// of namespace 3scale from from to to, with extra in its install block.
func migrationPlanFile(t *testing.T, from, to, extra string) string {
	t.Helper()
	plan := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(plan, []byte(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "`+from+`"
  to              = "`+to+`"
  system_database = "mysql"
  migrate_to      = "operator"
  backup_dir      = "backups/3scale-migration"
`+extra+`
}

operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestMigrationTargetOpenShift: the migration at 2.10 (from = to = 2.10)
// backs up a 2.10 site on OpenShift 3.11 into the folder 2.10-2.10, and
// its target-check passes on an OpenShift 4.8 cluster and stops on 4.12,
// which the 0.7 operator of 3scale 2.10 does not run on (the operator
// hops' preflight-openshift has the same function; this is the
// migration's use of it). The 2.10 site is the 2.8 fixture with the
// release the template hops leave (AMP_RELEASE 2.10): the migration reads
// nothing else that the hops change (its layout,
// template-migration-2.8-2.12.yaml.tmpl); TestMigrationAfterTemplateHops
// runs the hops themselves, under AMPC_EXHAUSTIVE=1.
func TestMigrationTargetOpenShift(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, migrationPlanFile(t, "2.10", "2.10", ""), ""))
	objects := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	data := objects["ConfigMap/system-environment"]["data"].(map[string]any)
	data["THREESCALE_SUPERDOMAIN"], data["AMP_RELEASE"] = "3scale.example.com", "2.10"
	source := falsifyRun{c: bundletest.NewCluster(t, bundletest.WriteObjects(t, objects)), bundle: bundle, work: t.TempDir()}
	source.must(t, "2.10-2.10/source-check", "2.10-2.10/backup-objects")
	if _, err := os.Stat(filepath.Join(source.work, "backups/3scale-migration/2.10-2.10/source-server")); err != nil {
		t.Fatalf("the migration's backup folder: %v", err)
	}
	for _, c := range []struct {
		openshift string
		ok        bool
		want      string
	}{
		{"4.8.57", true, "OpenShift 4.8.57: within 4.1..4.8 for the 3scale 2.10 operator"},
		{"4.12.45", false, "OpenShift is 4.12.45: the 3scale 2.10 operator runs on OpenShift 4.8 at the latest"},
	} {
		target := falsifyRun{c: bundletest.NewCluster(t, ""), bundle: bundle, work: t.TempDir()}
		target.c.Env = append(target.c.Env, "FAKEOC_SERVER=https://api.ocp4.example.com:6443", "OCSIM_OPENSHIFT="+c.openshift)
		bundletest.CopyDir(t, target.work, source.work)
		out, err := target.only(t, "2.10-2.10/target-check")
		if (err == nil) != c.ok || !strings.Contains(out, c.want) {
			t.Errorf("target-check on OpenShift %s (err %v), want %q:\n%s", c.openshift, err, c.want, bundletest.Tail(out, 20))
		}
	}
}
