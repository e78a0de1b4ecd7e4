package runbooktest

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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

// TestMigrationRunbookAgainstFakeOC runs the migration against two fake
// clusters: the template-based site (the 2.7 fixture, upgraded to 2.8) and
// an empty OpenShift 4 one. The OpenShift 3.11 side backs up and stops at
// the manual switch; the restore refuses to run on the same cluster; on the
// other one the runbook restores the saved Secrets and ConfigMaps, creates
// the APIManager and restores the data, and the rollback section restarts
// the old site.
func TestMigrationRunbookAgainstFakeOC(t *testing.T) {
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.8-template-to-operator.hcl"), ""))
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	site := bundletest.FixtureObjects(t, fixture)
	env := site["ConfigMap/system-environment"]["data"].(map[string]any)
	env["AMP_RELEASE"] = "2.8"
	env["THREESCALE_SUPERDOMAIN"] = "3scale.example.com"
	site["Secret/system-smtp"] = map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "system-smtp", "namespace": "3scale", "uid": "0f6b5a3c", "resourceVersion": "4711"},
		"data":     map[string]any{"address": bundletest.Base64("smtp.example.com"), "password": bundletest.Base64("smtp-password-1234")}}
	source := bundletest.NewCluster(t, bundletest.WriteObjects(t, site))
	for _, dc := range []string{"system-app", "system-mysql", "zync-database", "backend-redis", "system-redis"} {
		opPut(t, source, runningPod(dc+"-1-abcde", dc))
	}
	// What the dumps print in the pods.
	source.ExecOut(t, "fake dump\n")
	work := t.TempDir()
	rel := "backups/3scale-migration/2.8-2.8" // the plan's backup_dir, where the runbook runs
	dir := filepath.Join(work, rel)
	var c *bundletest.Cluster
	run := func(args ...string) (string, error) {
		t.Helper()
		return c.Run(t, bundle, work, "", args...)
	}
	exitCode := func(err error) int {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			return -1
		}
		return 0
	}

	// The OpenShift 3.11 side, to the manual switch.
	c = source
	for _, step := range []string{"source-check", "backup-objects", "scale-down-source", "backup-system-storage"} {
		if out, err := run("--only", "2.8-2.8/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	if err := os.Remove(filepath.Join(source.Dir, "objects", "Pod.system-app-1-abcde.json")); err != nil {
		t.Fatal(err) // system-app stops next
	}
	out, err := run()
	if exitCode(err) != 3 || !strings.Contains(out, "MANUAL STEP 2.8-2.8/switch-to-target:") || !strings.Contains(out, "oc new-project 3scale") {
		t.Fatalf("the OpenShift 3.11 side did not stop at the switch: %v\n%s", err, out)
	}
	for _, f := range []string{"source-server", "system-mysql-backup.gz", "zync-database-backup.gz", "backend-redis-dump.rdb", "system-redis-dump.rdb",
		"system-storage/system/fakeoc-placeholder", "replicas.json", "restore/secret-system-seed.json", "restore/configmap-apicast-environment.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("backup: %v", err)
		}
	}
	var saved map[string]any
	raw, _ := os.ReadFile(filepath.Join(dir, "restore", "secret-system-smtp.json"))
	if err := json.Unmarshal(raw, &saved); err != nil {
		t.Fatal(err)
	}
	if meta := saved["metadata"].(map[string]any); meta["uid"] != nil || meta["resourceVersion"] != nil || meta["namespace"] != nil || meta["name"] != "system-smtp" {
		t.Errorf("the saved Secret keeps the source cluster's fields: %v", meta)
	}
	var replicas map[string]any
	raw, _ = os.ReadFile(filepath.Join(dir, "replicas.json"))
	if err := json.Unmarshal(raw, &replicas); err != nil || replicas["system-app"] != 1.0 || replicas["zync-que"] == nil {
		t.Errorf("saved replicas (system-app and zync-que): %s, %v", raw, err)
	}
	if got := bundletest.Get(source.Objects(t)["DeploymentConfig/apicast-production"], "spec", "replicas"); got != float64(0) {
		t.Errorf("apicast-production still wants %v pods", got)
	}

	// Acknowledging the switch without switching: the restore refuses.
	out, err = run("--ack", "2.8-2.8/switch-to-target")
	if exitCode(err) != 1 || !strings.Contains(out, "oc is still logged in to the template-based site's cluster") {
		t.Fatalf("the target check passed on the source cluster: %v\n%s", err, out)
	}
	sourceCalls := len(source.Calls(t))

	// The OpenShift 4 cluster: empty, then the operator is installed by hand.
	target := bundletest.NewCluster(t, "")
	c = target
	t.Setenv("FAKEOC_SERVER", "https://api.ocp4.example.com:6443")
	out, err = run()
	if exitCode(err) != 3 || !strings.Contains(out, "no 3scale in project 3scale yet") || !strings.Contains(out, "MANUAL STEP 2.8-2.8/operator-install:") {
		t.Fatalf("the OpenShift 4 side did not stop at the operator install: %v\n%s", err, out)
	}
	opPut(t, target, map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "Subscription",
		"metadata": map[string]any{"name": "3scale-operator", "namespace": "3scale-operator"},
		"spec":     map[string]any{"channel": "threescale-2.8", "name": "3scale-operator", "source": "redhat-operators", "sourceNamespace": "openshift-marketplace"},
		"status":   map[string]any{"installedCSV": "3scale-operator.v0.5.0"}})
	opPut(t, target, map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "ClusterServiceVersion",
		"metadata": map[string]any{"name": "3scale-operator.v0.5.0", "namespace": "3scale-operator"},
		"status":   map[string]any{"phase": "Succeeded"}})
	// What the operator deploys once the APIManager exists, with the
	// Secrets and ConfigMaps it makes itself (the runbook restores the
	// others; a pod that reads a missing one waits with
	// CreateContainerConfigError, as on a cluster).
	restored := map[string]bool{"ConfigMap/system-environment": true, "ConfigMap/apicast-environment": true}
	for _, name := range []string{"system-smtp", "system-seed", "system-database", "backend-internal-api", "system-events-hook", "system-app", "system-recaptcha", "system-redis", "zync", "system-master-apicast", "aws-auth"} {
		restored["Secret/"+name] = true
	}
	for key, obj := range site {
		if (obj["kind"] == "Secret" || obj["kind"] == "ConfigMap") && !restored[key] && key != "ConfigMap/redis-config" {
			opPut(t, target, obj)
		}
	}
	for key, obj := range site {
		// With the image streams their ImageChange triggers follow, else
		// the simulator's DeploymentConfigs wait on an image forever.
		if obj["kind"] == "DeploymentConfig" || obj["kind"] == "ImageStream" || key == "ConfigMap/redis-config" {
			obj = bundletest.DeepCopy(t, obj)
			if obj["kind"] == "DeploymentConfig" {
				obj["status"] = map[string]any{"readyReplicas": bundletest.Get(obj, "spec", "replicas")}
			}
			opPut(t, target, obj)
		}
	}
	// Running pods whose name suffix, 22222, sorts before any the
	// simulator draws: the first running pod the runbook picks.
	for _, dc := range []string{"system-app", "system-mysql", "zync-database", "backend-redis", "system-redis", "system-sidekiq"} {
		opPut(t, target, runningPod(dc+"-1-22222", dc))
	}
	for _, host := range []string{"master", "3scale-admin"} {
		opPut(t, target, map[string]any{"apiVersion": "route.openshift.io/v1", "kind": "Route",
			"metadata": map[string]any{"name": "zync-" + host, "namespace": "3scale"},
			"spec":     map[string]any{"host": host + ".3scale.example.com"}})
	}
	target.ExecOut(t, "aof_rewrite_in_progress:0\r\n")
	out, err = run("--ack", "2.8-2.8/operator-install")
	if exitCode(err) != 3 || !strings.Contains(out, "MANUAL STEP 2.8-2.8/dns-switch:") {
		t.Fatalf("the restore did not reach the DNS switch: %v\n%s", err, out)
	}
	objects := target.Objects(t)
	for _, name := range []string{"system-smtp", "system-seed", "system-database", "backend-internal-api", "system-events-hook", "system-app", "system-recaptcha", "system-redis", "zync", "system-master-apicast"} {
		want, gotObj := site["Secret/"+name], objects["Secret/"+name]
		if gotObj == nil || !reflect.DeepEqual(gotObj["data"], want["data"]) {
			t.Errorf("secret %s is not restored as it was", name)
		}
	}
	if !reflect.DeepEqual(bundletest.Get(objects["ConfigMap/system-environment"], "data"), any(env)) {
		t.Error("system-environment is not restored as it was")
	}
	am := objects["APIManager/apimanager"]
	if bundletest.Get(am, "spec", "wildcardDomain") != "3scale.example.com" {
		t.Fatalf("APIManager: %v", am)
	}
	calls := target.Calls(t)
	for _, prefix := range []string{
		"exec -i system-mysql-1-22222 -- bash -c set -o pipefail; export MYSQL_PWD=${MYSQL_ROOT_PASSWORD}; gzip -dc | mysql",
		"rsync " + rel + "/system-storage/system/ system-app-1-22222:/opt/system/public/system",
		"exec -i zync-database-1-22222 -- bash -c set -o pipefail; gzip -dc | psql",
		"cp " + rel + "/backend-redis-dump.rdb backend-redis-1-22222:/var/lib/redis/data/dump.rdb",
		"cp " + rel + "/system-redis-dump.rdb system-redis-1-22222:/var/lib/redis/data/dump.rdb",
		"patch configmap redis-config --type=merge",
		"exec system-sidekiq-1-22222 -- bash -c bundle exec rake zync:resync:domains",
	} {
		if bundletest.CountCalls(calls, prefix) == 0 {
			t.Errorf("no call %q", prefix)
		}
	}
	conf := bundletest.Get(objects["ConfigMap/redis-config"], "data", "redis.conf")
	if conf != bundletest.Get(site["ConfigMap/redis-config"], "data", "redis.conf") {
		t.Errorf("redis.conf is not back as it was:\n%v", conf)
	}
	if len(source.Calls(t)) != sourceCalls {
		t.Error("the OpenShift 4 side called the source cluster's oc")
	}

	// The operator reports its version; the manual steps are done.
	am["metadata"].(map[string]any)["annotations"] = map[string]any{
		"apps.3scale.net/apimanager-threescale-version": "2.8",
		"apps.3scale.net/threescale-operator-version":   "0.5.0",
	}
	opPut(t, target, am)
	out, err = run("--ack", "2.8-2.8/dns-switch", "--ack", "2.8-2.8/portal-check")
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the last steps: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(target.Calls(t), "apply -f "); n != 13 {
		t.Errorf("%d oc apply calls, want 12 saved objects and the APIManager", n)
	}
	// A re-run restores nothing twice.
	if out, err := run("--from", "2.8-2.8/restore-objects", "--ack", "2.8-2.8/dns-switch", "--ack", "2.8-2.8/portal-check"); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(target.Calls(t), "apply -f "); n != 13 {
		t.Errorf("the re-run applied again (%d apply calls)", n)
	}
	if n := bundletest.CountCalls(target.Calls(t), "exec -i system-mysql"); n != 1 {
		t.Errorf("system-mysql was restored %d times", n)
	}

	// The rollback restarts the template-based site, on its own cluster only.
	out, err = run("--rollback", "2.8-2.8/source")
	if err == nil || !strings.Contains(out, "not to the template-based site's cluster") {
		t.Errorf("the rollback ran on the OpenShift 4 cluster: %v\n%s", err, out)
	}
	c = source
	t.Setenv("FAKEOC_SERVER", "")
	out, err = run("--rollback", "2.8-2.8/source")
	if err != nil || !strings.Contains(out, "the template-based site runs again") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	for key, obj := range source.Objects(t) {
		if obj["kind"] == "DeploymentConfig" && !reflect.DeepEqual(bundletest.Get(obj, "spec", "replicas"), bundletest.Get(site[key], "spec", "replicas")) {
			t.Errorf("%s wants %v pods after the rollback, %v before the migration", key, bundletest.Get(obj, "spec", "replicas"), bundletest.Get(site[key], "spec", "replicas"))
		}
	}
}
