package runbooktest

// Tests of section A of the December 2026 runbook audit ("The cluster is
// asynchronous; the runbook assumes it is not"), each on the simulated
// cluster (internal/ocsim), each failing on the runbook before its fix.

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// podsOf lists the pods of a DeploymentConfig that are not being deleted,
// deployer and hook pods left out.
func podsOf(objects map[string]map[string]any, dc string) []map[string]any {
	var out []map[string]any
	for _, obj := range objects {
		if obj["kind"] != "Pod" || bundletest.Get(obj, "metadata", "labels", "deploymentconfig") != dc || bundletest.Get(obj, "metadata", "deletionTimestamp") != nil {
			continue
		}
		out = append(out, obj)
	}
	return out
}

// plan26to27 is a 2.6 → 2.7 plan of a MySQL site.
func plan26to27(t *testing.T) string {
	t.Helper()
	return bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.6"
  to              = "2.7"
  system_database = "mysql"
}
`)
}

// literalRelease gives system-app's containers AMP_RELEASE as the literal
// value that a guide's `oc set env dc/system-app AMP_RELEASE=...` leaves.
func literalRelease(t *testing.T, objects map[string]map[string]any, release string) {
	t.Helper()
	n := 0
	for _, ctr := range bundletest.Get(objects["DeploymentConfig/system-app"], "spec", "template", "spec", "containers").([]any) {
		for _, e := range bundletest.Get(ctr, "env").([]any) {
			if env := e.(map[string]any); env["name"] == "AMP_RELEASE" {
				delete(env, "valueFrom")
				env["value"] = release
				n++
			}
		}
	}
	if n != 3 {
		t.Fatalf("system-app has AMP_RELEASE in %d containers, want 3", n)
	}
}

// latestVersion is a DeploymentConfig's status.latestVersion.
func latestVersion(objects map[string]map[string]any, dc string) int {
	v, _ := bundletest.Get(objects["DeploymentConfig/"+dc], "status", "latestVersion").(float64)
	return int(v)
}

// rcPhase is the phase of deployment N of a DeploymentConfig.
func rcPhase(objects map[string]map[string]any, dc string, n int) string {
	p, _ := bundletest.Get(objects[fmt.Sprintf("ReplicationController/%s-%d", dc, n)], "metadata", "annotations", "openshift.io/deployment.phase").(string)
	return p
}

// TestAuditARedeploySystemAppOnce runs the AMP_RELEASE steps of 2.6 → 2.7 and the
// redeploy of system-app on the simulated cluster (audit section A, "S2
// rollout latest races"). On a site whose system-app containers hold the
// literal AMP_RELEASE of a guide's `oc set env`, the amp-release-env patch
// changes the template and the ConfigChange trigger starts the redeploy
// the guide's `oc set env` makes: the redeploy step must wait for it, not
// fail with "#N is already in progress", and system-app must be
// redeployed once. The same with the step's oc rollout latest applied by
// the cluster while the client saw an error: the re-run waits for that
// rollout. On a site whose containers read the ConfigMap already, nothing
// else redeploys system-app and the step must roll it out, once. Before
// rollout_once, the step ran oc rollout latest alone and failed in the
// first two cases.
func TestAuditARedeploySystemAppOnce(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	for _, tc := range []struct {
		name    string
		literal bool
		env     []string
	}{
		{name: "literal", literal: true},
		{name: "literal, rollout latest applied but failed", literal: true, env: []string{"FAKEOC_FAIL_AFTER=rollout latest"}},
		{name: "literal, slow trigger", literal: true, env: []string{"OCSIM_STEP=10ms"}},
		{name: "reference", literal: false},
		{name: "reference, rollout latest applied but failed", literal: false, env: []string{"FAKEOC_FAIL_AFTER=rollout latest"}},
		// A lost connection at the read of the latest deployment: taken for
		// "no deployment yet, so one in progress", it skipped the rollout.
		{name: "reference, the deployment's read failed", literal: false, env: []string{"FAKEOC_FAIL=get replicationcontroller/system-app"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			objects := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.6-amp.yaml"))
			if tc.literal {
				literalRelease(t, objects, "2.6")
			}
			snapshot := bundletest.WriteObjects(t, objects)
			bundle := bundletest.WriteBundle(t, bundletest.Compile(t, plan26to27(t), snapshot))
			c := bundletest.NewCluster(t, snapshot)
			work := t.TempDir()
			// The first call settles the seeded site.
			if out, err := c.Run(t, bundle, work, "", "--only", "2.6-2.7/amp-release"); err != nil {
				t.Fatalf("amp-release: %v\n%s", err, out)
			}
			before := latestVersion(c.Objects(t), "system-app")
			if out, err := c.Run(t, bundle, work, "", "--only", "2.6-2.7/amp-release-env"); err != nil {
				t.Fatalf("amp-release-env: %v\n%s", err, out)
			}
			out, err := c.Exec(t, bundle, work, tc.env, "--only", "2.6-2.7/redeploy-system-app")
			if err != nil && len(tc.env) > 0 && strings.HasPrefix(tc.env[0], "FAKEOC_FAIL") {
				// The re-run after the client's error.
				out, err = c.Run(t, bundle, work, "", "--only", "2.6-2.7/redeploy-system-app")
			}
			if err != nil {
				t.Fatalf("redeploy-system-app: %v\n%s", err, out)
			}
			if strings.Contains(out, "already in progress") {
				t.Errorf("the step collided with a rollout in progress:\n%s", out)
			}
			objects = c.Objects(t)
			after := latestVersion(objects, "system-app")
			if after != before+1 {
				t.Errorf("system-app went from deployment #%d to #%d, want one redeploy (#%d)", before, after, before+1)
			}
			if phase := rcPhase(objects, "system-app", after); phase != "Complete" {
				t.Errorf("the step returned with system-app-%d %s", after, phase)
			}
			// A later run of the step, with --only, only waits.
			if out, err := c.Run(t, bundle, work, "", "--only", "2.6-2.7/redeploy-system-app"); err != nil {
				t.Fatalf("redeploy-system-app again: %v\n%s", err, out)
			}
			if again := latestVersion(c.Objects(t), "system-app"); again != after {
				t.Errorf("running the step again redeployed system-app (#%d → #%d)", after, again)
			}
		})
	}
}

// TestAuditARemovalsAfterVerifiedRollout runs the 2.7 → 2.8 S3 runbook on a
// simulated cluster where every rollout of system-app fails
// (OCSIM_DEPLOY_FAIL) and rolls back to its 2.7 deployment, whose pods read
// AWS_BUCKET and AWS_REGION from system-environment and the SMTP settings
// from the smtp ConfigMap (audit section A, "S2 removals before the rollout
// is verified"). The run must stop before it removes any of them: once the
// pod of the 2.7 deployment goes (a node drained), its replacement must
// find its keys and run ready, not wait with CreateContainerConfigError.
// Before s3-system-environment moved after images-verify, the keys were
// gone when the rollout failed, and the replacement never started.
func TestAuditARemovalsAfterVerifiedRollout(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	c.Env = append(c.Env, "OCSIM_DEPLOY_FAIL=system-app")
	out, err := c.Run(t, bundle, t.TempDir(), "")
	if err == nil {
		t.Fatalf("the run passed while system-app's rollouts fail:\n%s", out)
	}
	if !strings.Contains(out, "ampc: step 2.7-2.8/wait-system failed") {
		t.Errorf("the run did not stop at the wait for system-app:\n%s", out)
	}
	objects := c.Objects(t)
	env := objects["ConfigMap/system-environment"]
	for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
		if bundletest.Get(env, "data", k) == nil {
			t.Errorf("system-environment lost %s while system-app's rollout was not verified", k)
		}
	}
	if objects["ConfigMap/smtp"] == nil {
		t.Error("the smtp ConfigMap is gone while system-app's rollout was not verified")
	}
	pods := podsOf(objects, "system-app")
	if len(pods) == 0 {
		t.Fatal("no system-app pod after the rollback")
	}
	rc := bundletest.Get(pods[0], "metadata", "labels", "deployment")
	for _, p := range pods {
		c.Act(t, "delete", "pod", bundletest.Get(p, "metadata", "name").(string), "--wait=false")
	}
	c.Act(t, "sleep", "120")
	objects = c.Objects(t)
	running := 0
	for _, p := range podsOf(objects, "system-app") {
		for _, cs := range bundletest.Get(p, "status", "containerStatuses").([]any) {
			if reason := bundletest.Get(cs, "state", "waiting", "reason"); reason != nil {
				t.Errorf("pod %s of %v waits: %v: %v", bundletest.Get(p, "metadata", "name"), rc, reason, bundletest.Get(cs, "state", "waiting", "message"))
			}
		}
		if bundletest.Get(p, "metadata", "labels", "deployment") == rc && bundletest.Get(p, "status", "phase") == "Running" {
			running++
		}
	}
	if running == 0 {
		t.Errorf("no pod of %v runs after its pod was replaced", rc)
	}
}

// op27Cluster is an operator-based 2.7 site on the simulated cluster
// (bundletest.Op27Seed): its OLM and 0.4 operator run, and upgrade it once
// its Subscription moves to threescale-2.8.
func op27Cluster(t *testing.T) *bundletest.Cluster {
	t.Helper()
	c := bundletest.NewCluster(t, "")
	bundletest.Op27Seed(t, c)
	return c
}

// TestAuditAWaitPodsLatestDeployments runs the 2.7 → 2.8 operator hop's wait-pods
// step on a simulated cluster where pods linger that a real one keeps
// (audit section A, "S2 2.7-2.8/wait-pods"): the Failed deployer pod of a
// rollout of zync that failed before the one that runs, and an evicted pod
// of system-app, replaced by its ReplicationController. Neither is a pod of
// a latest deployment: the step must pass. Its falsifier
// (verifyFalsifiers, TestVerifiesCanFail) shows it failing on a pod of
// zync's latest deployment that cannot start (a Secret key it reads is
// gone), naming the pod and why. Before, the step required every pod that
// had not succeeded to run ready, and never passed on such a cluster.
func TestAuditAWaitPodsLatestDeployments(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-to-2.8-operator.hcl"), ""))
	c := op27Cluster(t)
	// A rollout of zync that fails and rolls back, then one that completes.
	base := c.Env
	c.Env = append(slices.Clip(base), "OCSIM_DEPLOY_FAIL=zync")
	c.Act(t, "rollout", "latest", "dc/zync")
	c.Act(t, "sleep", "300")
	c.Env = base
	c.Act(t, "rollout", "latest", "dc/zync")
	c.Act(t, "sleep", "300")
	// A pod of system-app evicted and replaced.
	c.Env = append(slices.Clip(base), "OCSIM_EVICT=system-app")
	c.Act(t, "sleep", "120")
	c.Env = base
	objects := c.Objects(t)
	if bundletest.Get(objects["Pod/zync-2-deploy"], "status", "phase") != "Failed" || rcPhase(objects, "zync", 3) != "Complete" {
		t.Fatalf("no failed deployer pod of zync-2 beside a complete zync-3: %v, %v", bundletest.Get(objects["Pod/zync-2-deploy"], "status", "phase"), rcPhase(objects, "zync", 3))
	}
	evicted := 0
	for _, obj := range objects {
		if obj["kind"] == "Pod" && bundletest.Get(obj, "status", "reason") == "Evicted" {
			evicted++
		}
	}
	if evicted != 1 {
		t.Fatalf("%d evicted pods", evicted)
	}
	work := t.TempDir()
	if out, err := c.Run(t, bundle, work, "", "--only", "2.7-2.8/wait-pods"); err != nil {
		t.Errorf("wait-pods with a lingering failed deployer pod and an evicted pod: %v\n%s", err, out)
	}
}

// TestAuditAZyncResyncAfterDatabaseRollout runs the 2.7 → 2.8 image patch of
// zync-database-postgresql, on a site where the 2.8 image is another than
// the one zync-database runs, and then at once the zync-resync step (audit
// section A, "S2 zync-database on emptyDir"): zync-database keeps its data
// on an emptyDir, so its new deployment starts empty. The resync must run
// in a system-sidekiq pod after zync-database's new deployment completed
// (its oc rollout status --revision=N returned), and after zync was
// redeployed on it, not before. Compiled against a snapshot whose
// zync-database keeps its data on a claim, the bundle has no such step.
// Before, no step resynced Zync's routes.
func TestAuditAZyncResyncAfterDatabaseRollout(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	objects := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
	for _, tag := range bundletest.Get(objects["ImageStream/zync-database-postgresql"], "spec", "tags").([]any) {
		if bundletest.Get(tag, "name") == "2.7" {
			tag.(map[string]any)["from"].(map[string]any)["name"] = "registry.redhat.io/rhscl/postgresql-10-rhel7:1-47"
		}
	}
	site := bundletest.WriteObjects(t, objects)
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, site)
	c.Env = append(c.Env, "OCSIM_STEP=10ms")
	work := t.TempDir()
	for _, step := range []string{"image-zync-database-postgresql", "zync-resync"} {
		if out, err := c.Run(t, bundle, work, "", "--only", "2.7-2.8/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	got := c.Objects(t)
	n := latestVersion(got, "zync-database")
	if n < 2 || rcPhase(got, "zync-database", n) != "Complete" {
		t.Fatalf("zync-database is at deployment #%d, %s", n, rcPhase(got, "zync-database", n))
	}
	calls := c.Calls(t)
	resync, waited, redeployed := -1, -1, -1
	for i, call := range calls {
		switch {
		case strings.HasPrefix(call, "exec ") && strings.Contains(call, "zync:resync:domains"):
			resync = i
		case strings.HasPrefix(call, "rollout status dc/zync-database") && strings.Contains(call, fmt.Sprintf("--revision=%d", n)):
			waited = i
		case strings.HasPrefix(call, "rollout latest dc/zync"):
			redeployed = i
		}
	}
	if resync < 0 {
		t.Fatal("no zync:resync:domains")
	}
	if !strings.HasPrefix(calls[resync], "exec system-sidekiq-1-") {
		t.Errorf("the resync ran elsewhere than in a system-sidekiq pod: %s", calls[resync])
	}
	if waited < 0 || waited > resync {
		t.Errorf("the resync (call %d) did not wait for zync-database's deployment #%d (call %d)", resync, n, waited)
	}
	if redeployed < waited || redeployed > resync {
		t.Errorf("zync was not redeployed between zync-database's rollout and the resync (calls %d, %d, %d)", waited, redeployed, resync)
	}
	zync := latestVersion(got, "zync")
	if at, dbAt := bundletest.Get(got[fmt.Sprintf("ReplicationController/zync-%d", zync)], "metadata", "creationTimestamp").(string), bundletest.Get(got[fmt.Sprintf("ReplicationController/zync-database-%d", n)], "metadata", "creationTimestamp").(string); at < dbAt || rcPhase(got, "zync", zync) != "Complete" {
		t.Errorf("zync-%d (%s, %s) does not run on zync-database-%d (%s)", zync, at, rcPhase(got, "zync", zync), n, dbAt)
	}

	// A zync-database whose data is on a claim keeps it.
	vols := bundletest.Get(objects["DeploymentConfig/zync-database"], "spec", "template", "spec", "volumes").([]any)
	vols[0] = map[string]any{"name": bundletest.Get(vols[0], "name"), "persistentVolumeClaim": map[string]any{"claimName": "zync-database-data"}}
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), bundletest.WriteObjects(t, objects))
	if strings.Contains(string(files["plan.json"]), "/zync-resync") {
		t.Error("a site whose zync-database has a claim gets step zync-resync")
	}
}
