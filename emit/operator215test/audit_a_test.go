package operator215test

// Tests of section A of the December 2026 runbook audit on the 2.15 → 2.16
// operator hop, each on the simulated cluster (internal/ocsim), each
// failing on the runbook before its fix; emit/runbooktest holds the others.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestAuditAOperator215OLM runs the 2.15 → 2.16 runbook (MySQL kept, Redis on
// the cluster) where OLM does not simply follow the channel change (audit
// section A, "S2 OLM"):
//   - the Subscription wants manual approval: the run must stop right
//     after the channel change with the command that approves the
//     InstallPlan, as the 2.7 → 2.8 hop does, and go on once it is
//     approved (before, it waited 30 minutes for an APIManager upgrade
//     that never started, and failed without saying why);
//   - the catalog lacks the threescale-2.16 channel (OCSIM_CATALOG_DROP):
//     the run must stop before the window opens, with nothing scaled down
//     and no database moved (before, it moved the databases first);
//   - the cluster runs Knative eventing (OCSIM_KNATIVE), whose
//     Subscriptions a bare `subscription` names: every Subscription call
//     must name OLM's (before, the preflight found no Subscription).
func TestAuditAOperator215OLM(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	acks := op215Manual(t, bundle)

	t.Run("manual approval", func(t *testing.T) {
		t.Parallel()
		objects := bundletest.Op215Objects(t)
		objects["3scale-operator/Subscription/3scale-operator"]["spec"].(map[string]any)["installPlanApproval"] = "Manual"
		c := newOp215Cluster(t, objects, op215ExecOut)
		work := t.TempDir()
		// The backup (it records the installed CSV), then from the channel
		// change: the database moves between them do not touch OLM.
		if out, err := c.runEnv(t, bundle, work, "", nil, "--only", "2.15-2.16/backup"); err != nil {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		out, err := c.runEnv(t, bundle, work, "", nil, append([]string{"--from", "2.15-2.16/channel"}, acks...)...)
		if err == nil || !strings.Contains(out, "2.15-2.16/wait-operator-upgrade [shell]") || strings.Contains(out, "2.15-2.16/wait-upgrade [verify]") {
			t.Fatalf("the run did not stop at the wait for the 2.16 operator: %v\n%s", err, out)
		}
		var plan string
		for key, obj := range c.all(t) {
			if strings.HasPrefix(key, "3scale-operator/InstallPlan/") && bundletest.Get(obj, "spec", "approved") == false {
				plan = bundletest.Get(obj, "metadata", "name").(string)
			}
		}
		approve := "oc patch installplan " + plan + " --namespace=3scale-operator --type=merge -p '{\"spec\":{\"approved\":true}}'"
		if plan == "" || !strings.Contains(out, approve) {
			t.Fatalf("the run does not say how to approve InstallPlan %q:\n%s", plan, out)
		}
		c.Act(t, "patch", "installplan", plan, "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"approved":true}}`)
		out, err = c.runEnv(t, bundle, work, op215PollFail, nil, append([]string{"--from", "2.15-2.16/wait-operator-upgrade"}, acks...)...)
		if !strings.Contains(out, "the operator is upgraded: 3scale-operator.v0.12.5 -> 3scale-operator.v0.13.1") {
			t.Errorf("the re-run after the approval did not see the 2.16 operator installed: %v\n%s", err, out)
		}
	})

	t.Run("catalog without threescale-2.16", func(t *testing.T) {
		t.Parallel()
		c := newOp215Cluster(t, bundletest.Op215Objects(t), op215ExecOut)
		c.Env = append(c.Env, "OCSIM_CATALOG_DROP=3scale-operator:threescale-2.16")
		out, err := c.runEnv(t, bundle, t.TempDir(), "", nil, acks...)
		if err == nil || !strings.Contains(out, "2.15-2.16/channel-check [verify]") || !strings.Contains(out, "offers no channel threescale-2.16 of package 3scale-operator") {
			t.Fatalf("the run did not stop at the catalog check: %v\n%s", err, out)
		}
		calls := c.Calls(t)
		for _, prefix := range []string{"scale ", "patch ", "exec ", "new-project "} {
			if n := bundletest.CountCalls(calls, prefix); n != 0 {
				t.Errorf("%d %q calls before the run stopped: the window opened", n, prefix)
			}
		}
	})

	t.Run("knative", func(t *testing.T) {
		t.Parallel()
		c := newOp215Cluster(t, bundletest.Op215Objects(t), op215ExecOut)
		c.Env = append(c.Env, "OCSIM_KNATIVE=1")
		out, err := c.runEnv(t, bundle, t.TempDir(), op215PollFail, nil, acks...)
		if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
			t.Fatalf("the run did not reach the upgrade wait: %v\n%s", err, out)
		}
		got := c.all(t)
		if ch := bundletest.Get(got["3scale-operator/Subscription/3scale-operator"], "spec", "channel"); ch != "threescale-2.16" {
			t.Errorf("channel = %v", ch)
		}
		for _, call := range c.Calls(t) {
			for _, bare := range []string{"subscription ", "subscription/", "subscriptions ", "sub "} {
				if strings.Contains(" "+call, " "+bare) {
					t.Errorf("a call names a bare Subscription: %s", call)
				}
			}
		}
	})
}

// TestAuditADumpsAfterWritersGone runs the 2.15 → 2.16 runbook (MySQL kept,
// Redis on the cluster) up to its scale-down, then at once the Redis dump,
// stopped at its first call before the cluster sees it (audit section A,
// "S2 wait_scaled_down"): at that moment
// no pod of a Deployment the window stopped may be left, terminating ones
// included. The simulated cluster keeps a terminating pod for its grace
// period, while the Deployment's status.replicas, which the hop's former
// wait_scaled_down read, counts it no longer: system-sidekiq and
// backend-worker could still write while Redis was dumped.
func TestAuditADumpsAfterWritersGone(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	objects := bundletest.Op215Objects(t)
	stopped := map[string]bool{}
	for key := range objects {
		if name, ok := strings.CutPrefix(key, "3scale/Deployment/"); ok && !strings.Contains(name, "redis") && !strings.Contains(name, "mysql") && !strings.Contains(name, "postgresql") {
			stopped[name] = true
		}
	}
	if !stopped["system-sidekiq"] || !stopped["backend-worker"] {
		t.Fatalf("the fixture's Deployments: %v", stopped)
	}
	c := newOp215Cluster(t, objects, op215ExecOut)
	// An oc call takes 10ms of the cluster's time: the dump comes right
	// after the scale-down returned, as it would if the steps between
	// were quick.
	c.Env = append(c.Env, "OCSIM_STEP=10ms")
	work := t.TempDir()
	out, err := c.runEnv(t, bundle, work, "new-project", nil, op215Manual(t, bundle)...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/database-namespace failed") {
		t.Fatalf("the run did not stop after the scale-down: %v\n%s", err, out)
	}
	// FAKEOC_FAIL fails once per cluster: let it fail again.
	if err := os.Remove(filepath.Join(c.Dir, "failed")); err != nil {
		t.Fatal(err)
	}
	out, err = c.runEnv(t, bundle, work, "redis-cli SAVE", nil, "--only", "2.15-2.16/redis-dump")
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/redis-dump failed") {
		t.Fatalf("the run did not stop at the Redis dump: %v\n%s", err, out)
	}
	for key, obj := range c.all(t) {
		if !strings.HasPrefix(key, "3scale/Pod/") {
			continue
		}
		for _, ref := range bundletest.Get(obj, "metadata", "ownerReferences").([]any) {
			rs, _ := bundletest.Get(ref, "name").(string)
			if i := strings.LastIndex(rs, "-"); bundletest.Get(ref, "kind") == "ReplicaSet" && i > 0 && stopped[rs[:i]] {
				t.Errorf("pod %s of deployment/%s (phase %v, deleting since %v) is left when Redis is dumped",
					bundletest.Get(obj, "metadata", "name"), rs[:i], bundletest.Get(obj, "status", "phase"), bundletest.Get(obj, "metadata", "deletionTimestamp"))
			}
		}
	}
}
