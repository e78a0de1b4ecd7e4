package runbooktest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The runbooks of the operator chapters of seed 000 on the simulated
// cluster: 2.7 → 2.8 with the operator and the template-to-operator
// migration at 2.8; emit/operator_test.go holds their bundle tests.

// opPut writes an object into the fake oc's store, in the directory of its
// namespace (the simulated cluster keeps other namespaces than 3scale apart).
func opPut(t *testing.T, c *bundletest.Cluster, obj map[string]any) {
	t.Helper()
	dir := filepath.Join(c.Dir, "objects")
	if ns, _ := bundletest.Get(obj, "metadata", "namespace").(string); ns != "" && ns != "3scale" {
		dir = filepath.Join(dir, ns)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.MarshalIndent(obj, "", "  ")
	name := obj["kind"].(string) + "." + bundletest.Get(obj, "metadata", "name").(string) + ".json"
	if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// opGet reads an object from the cluster's store, in the directory of its
// namespace; it is nil if there is none.
func opGet(t *testing.T, c *bundletest.Cluster, ns, kind, name string) map[string]any {
	t.Helper()
	dir := filepath.Join(c.Dir, "objects")
	if ns != "3scale" {
		dir = filepath.Join(dir, ns)
	}
	raw, err := os.ReadFile(filepath.Join(dir, kind+"."+name+".json"))
	if err != nil {
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

// runningPod is a running, ready pod of DeploymentConfig dc.
func runningPod(name, dc string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": "3scale", "labels": map[string]any{"deploymentConfig": dc}},
		"status":   map[string]any{"phase": "Running", "containerStatuses": []any{map[string]any{"name": dc, "ready": true}}},
	}
}

// TestOperator27RunbookAgainstFakeOC runs the 2.7 → 2.8 operator runbook
// against the fake oc: the installed version comes from the APIManager (the
// site has no AMP_RELEASE), the channel patch lands on the Subscription in
// the operator's project, the waits pass once OLM and the operator have done
// their part, the portal check stops the run with exit 3 and --ack
// continues it. A Subscription with manual approval stops at the wait with
// the command that approves it; a site at another version is refused.
func TestOperator27RunbookAgainstFakeOC(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-to-2.8-operator.hcl"), ""))
	c := op27Cluster(t)
	work := t.TempDir()
	run := func(args ...string) (string, error) {
		t.Helper()
		return c.Run(t, bundle, work, "", args...)
	}

	// --dry-run shows the patch in the operator's project and calls no oc.
	out, err := run("--dry-run")
	if err != nil || !strings.Contains(out, "oc patch subscription.operators.coreos.com/3scale-operator --namespace=3scale-operator --type=json") {
		t.Fatalf("--dry-run: %v\n%s", err, out)
	}
	if calls := c.Calls(t); len(calls) != 0 {
		t.Errorf("--dry-run called oc: %v", calls)
	}

	// The backup, the catalog check and the channel change.
	for _, step := range []string{"backup", "channel-check", "subscription-channel"} {
		if out, err := run("--only", "2.7-2.8/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	sub := opGet(t, c, "3scale-operator", "Subscription", "3scale-operator")
	if bundletest.Get(sub, "spec", "channel") != "threescale-2.8" {
		t.Fatalf("the Subscription's channel is %v", bundletest.Get(sub, "spec", "channel"))
	}
	if raw, err := os.ReadFile(filepath.Join(work, "backups", "3scale-2.7", "2.7-2.8", "installed-csv")); err != nil || strings.TrimSpace(string(raw)) != "3scale-operator.v0.4.0" {
		t.Errorf("installed-csv: %q, %v", raw, err)
	}

	// The simulated OLM installs the 0.5.0 operator, which upgrades the
	// APIManager and its image streams, by themselves.
	// The rest of the run stops at the portal check.
	out, err = run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("the run did not stop at the manual step with exit 3: %v\n%s", err, out)
	}
	for _, want := range []string{
		"2.7-2.8/subscription-channel: done before, skipped",
		"the operator is upgraded: 3scale-operator.v0.4.0 -> 3scale-operator.v0.5.0",
		"the APIManager is at 2.8",
		"MANUAL STEP 2.7-2.8/portal-check:",
		"--ack 2.7-2.8/portal-check",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the run does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "apimanager-threescale-version: \"2.8\"") {
		t.Error("the run went past the manual step")
	}
	out, err = run("--ack", "2.7-2.8/portal-check")
	if err != nil || !strings.Contains(out, `apps.3scale.net/apimanager-threescale-version: "2.8", apps.3scale.net/threescale-operator-version: "0.5.0"`) ||
		!strings.Contains(out, "all steps done") {
		t.Fatalf("--ack: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch subscription.operators.coreos.com/3scale-operator"); n != 1 {
		t.Errorf("the Subscription was patched %d times", n)
	}
	if n := bundletest.CountCalls(c.Calls(t), "rollout status dc/"); n != 15 {
		t.Errorf("%d rollout waits, want one per DeploymentConfig of the site (15)", n)
	}

	// A Subscription that waits for a manual approval: OLM leaves the
	// InstallPlan of the channel change RequiresApproval.
	c = op27Cluster(t)
	sub = opGet(t, c, "3scale-operator", "Subscription", "3scale-operator")
	sub["spec"].(map[string]any)["installPlanApproval"] = "Manual"
	opPut(t, c, sub)
	work = t.TempDir()
	for _, step := range []string{"backup", "subscription-channel"} {
		if out, err := run("--only", "2.7-2.8/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	out, err = run("--only", "2.7-2.8/wait-operator")
	plan := ""
	for key, obj := range c.AllObjects(t) {
		if strings.HasPrefix(key, "3scale-operator/InstallPlan/") && bundletest.Get(obj, "spec", "approved") == false {
			plan = bundletest.Get(obj, "metadata", "name").(string)
		}
	}
	if err == nil || plan == "" || !strings.Contains(out, "oc patch installplan "+plan+" --namespace=3scale-operator --type=merge") {
		t.Errorf("manual approval of InstallPlan %q: %v\n%s", plan, err, out)
	}

	// A site whose APIManager is at another version is refused before
	// anything changes.
	// (A 2.6 site: its operator, 0.3.0, keeps the APIManager at 2.6.)
	c = op27Cluster(t)
	am := opGet(t, c, "3scale", "APIManager", "apimanager-sample")
	am["metadata"].(map[string]any)["annotations"].(map[string]any)["apps.3scale.net/apimanager-threescale-version"] = "2.6"
	am["metadata"].(map[string]any)["annotations"].(map[string]any)["apps.3scale.net/threescale-operator-version"] = "0.3.0"
	opPut(t, c, am)
	sub = opGet(t, c, "3scale-operator", "Subscription", "3scale-operator")
	sub["spec"].(map[string]any)["channel"] = "threescale-2.6"
	for _, f := range []string{"installedCSV", "currentCSV"} {
		sub["status"].(map[string]any)[f] = "3scale-operator.v0.3.0"
	}
	opPut(t, c, sub)
	work = t.TempDir()
	out, err = run()
	if err == nil || !strings.Contains(out, "is '2.6', not 2.7") {
		t.Errorf("a 2.6 site: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch "); n != 0 {
		t.Errorf("a refused run patched %d objects", n)
	}
}
