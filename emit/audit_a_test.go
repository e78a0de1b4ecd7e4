package emit_test

// Tests of section A of the December 2026 runbook audit ("The cluster is
// asynchronous; the runbook assumes it is not"), each on the simulated
// cluster (internal/ocsim), each failing on the runbook before its fix.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// plan26to27 is a 2.6 → 2.7 plan of a MySQL site.
func plan26to27(t *testing.T) string {
	t.Helper()
	return writePlan(t, `install {
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
	for _, ctr := range get(objects["DeploymentConfig/system-app"], "spec", "template", "spec", "containers").([]any) {
		for _, e := range get(ctr, "env").([]any) {
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
	v, _ := get(objects["DeploymentConfig/"+dc], "status", "latestVersion").(float64)
	return int(v)
}

// rcPhase is the phase of deployment N of a DeploymentConfig.
func rcPhase(objects map[string]map[string]any, dc string, n int) string {
	p, _ := get(objects[fmt.Sprintf("ReplicationController/%s-%d", dc, n)], "metadata", "annotations", "openshift.io/deployment.phase").(string)
	return p
}

// TestRedeploySystemAppOnce runs the AMP_RELEASE steps of 2.6 → 2.7 and the
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
func TestRedeploySystemAppOnce(t *testing.T) {
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			objects := fixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.6-amp.yaml"))
			if tc.literal {
				literalRelease(t, objects, "2.6")
			}
			snapshot := writeObjects(t, objects)
			bundle := writeBundle(t, compile(t, plan26to27(t), snapshot))
			c := newFakeCluster(t, snapshot)
			work := t.TempDir()
			// The first call settles the seeded site.
			if out, err := c.run(t, bundle, work, "", "--only", "2.6-2.7/amp-release"); err != nil {
				t.Fatalf("amp-release: %v\n%s", err, out)
			}
			before := latestVersion(c.objects(t), "system-app")
			if out, err := c.run(t, bundle, work, "", "--only", "2.6-2.7/amp-release-env"); err != nil {
				t.Fatalf("amp-release-env: %v\n%s", err, out)
			}
			out, err := c.exec(t, bundle, work, tc.env, "--only", "2.6-2.7/redeploy-system-app")
			if err != nil && len(tc.env) > 0 && strings.HasPrefix(tc.env[0], "FAKEOC_FAIL_AFTER") {
				// The re-run after the client's error.
				out, err = c.run(t, bundle, work, "", "--only", "2.6-2.7/redeploy-system-app")
			}
			if err != nil {
				t.Fatalf("redeploy-system-app: %v\n%s", err, out)
			}
			if strings.Contains(out, "already in progress") {
				t.Errorf("the step collided with a rollout in progress:\n%s", out)
			}
			objects = c.objects(t)
			after := latestVersion(objects, "system-app")
			if after != before+1 {
				t.Errorf("system-app went from deployment #%d to #%d, want one redeploy (#%d)", before, after, before+1)
			}
			if phase := rcPhase(objects, "system-app", after); phase != "Complete" {
				t.Errorf("the step returned with system-app-%d %s", after, phase)
			}
			// A later run of the step, with --only, only waits.
			if out, err := c.run(t, bundle, work, "", "--only", "2.6-2.7/redeploy-system-app"); err != nil {
				t.Fatalf("redeploy-system-app again: %v\n%s", err, out)
			}
			if again := latestVersion(c.objects(t), "system-app"); again != after {
				t.Errorf("running the step again redeployed system-app (#%d → #%d)", after, again)
			}
		})
	}
}
