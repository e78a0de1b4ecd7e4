package runbooktest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// migrationRows are the tables of the template-based site's system
// database.
func migrationRows() map[string]*ocsim.Database {
	return map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name", "provider"}, Key: "id", Rows: [][]string{
			{"1", "Master Account", "0"}, {"2", "Provider Name", "1"}, {"3", "Developer's Org", "0"}}},
		"cinstances": {Columns: []string{"id", "user_account_id", "user_key"}, Key: "id", Rows: [][]string{
			{"1", "3", "a1b2c3"}, {"2", "3", ocsim.Null}}},
	}}}
}

// migrationKeys are the keys of the template-based site's Redis pods.
var migrationKeys = map[string]map[int]map[string]string{
	"backend-redis": {0: {"service/provider_key:abc/id": "1", "stats/{service:2}/metric:7/day:20261201": "42"}, 1: {"resque:queue:priority": "job"}},
	"system-redis":  {1: {"sidekiq:queues": "default", "session:9": "x"}},
}

// migrationClaims are the sizes of the template-based site's claims: its
// data outgrew the templates' (and the 0.5 operator's) 1Gi and 100Mi.
var migrationClaims = map[string]string{"mysql-storage": "20Gi", "system-storage": "5Gi", "backend-redis-storage": "4Gi", "system-redis-storage": "2Gi"}

// operatorClaims are the sizes the 0.5 operator gives the claims it
// creates (system_mysql.go, system.go, redis.go of 3scale-operator
// v0.5.0).
var operatorClaims = map[string]string{"mysql-storage": "1Gi", "system-storage": "100Mi", "backend-redis-storage": "1Gi", "system-redis-storage": "1Gi"}

// migrationSite is the template-based 2.8 site (its fixture) on the
// example plan's wildcard domain, its claims grown to migrationClaims.
func migrationSite(t *testing.T) map[string]map[string]any {
	t.Helper()
	site := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	site["ConfigMap/system-environment"]["data"].(map[string]any)["THREESCALE_SUPERDOMAIN"] = "3scale.example.com"
	for name, size := range migrationClaims {
		pvc := site["PersistentVolumeClaim/"+name]
		if pvc == nil {
			t.Fatalf("the 2.8 fixture has no claim %s", name)
		}
		pvc["spec"].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"storage": size}}
	}
	return site
}

// operatorDeploys puts on the OpenShift 4 cluster what the 0.5 operator
// deploys for the APIManager apimanager: the site's DeploymentConfigs,
// owned by it, with their image streams, Services, the redis-config
// ConfigMap, its claims at its own sizes unless they exist (its
// CreateOnlyPVCReconciler), and the Secrets and ConfigMaps it makes itself
// (the runbook restores the others; a pod that reads one missing waits
// with CreateContainerConfigError, as on a cluster). Its databases hold
// what 3scale seeds on a new install: the master account, an empty
// zync_production, a key in backend-redis.
func operatorDeploys(t *testing.T, c *bundletest.Cluster, site map[string]map[string]any) {
	t.Helper()
	restored := map[string]bool{"ConfigMap/system-environment": true, "ConfigMap/apicast-environment": true}
	for _, name := range strings.Fields("system-smtp system-seed system-database backend-internal-api system-events-hook system-app system-recaptcha system-redis zync system-master-apicast aws-auth") {
		restored["Secret/"+name] = true
	}
	for key, obj := range site {
		switch kind := bundletest.KindOfKey(key); {
		case restored[key], kind == "Route", kind == "Pod", kind == "ReplicationController":
		case kind == "PersistentVolumeClaim":
			if c.Objects(t)[key] != nil {
				continue
			}
			obj = bundletest.DeepCopy(t, obj)
			if size := operatorClaims[bundletest.Get(obj, "metadata", "name").(string)]; size != "" {
				obj["spec"].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"storage": size}}
			}
			c.Put(t, obj)
		case kind == "DeploymentConfig":
			obj = bundletest.DeepCopy(t, obj)
			meta := obj["metadata"].(map[string]any)
			meta["ownerReferences"] = []any{map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": "apimanager", "uid": "8f3c"}}
			delete(obj, "status")
			c.Put(t, obj)
		default:
			// What the operator creates, it owns (the 2.15 export's
			// ConfigMaps and Services have the APIManager's reference).
			obj = bundletest.DeepCopy(t, obj)
			obj["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": "apimanager", "uid": "8f3c"}}
			c.Put(t, obj)
		}
	}
	c.Seed(t, ocsim.Seed{Workload: "dc/system-mysql", Data: ocsim.Data{MySQL: map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name", "provider"}, Key: "id", Rows: [][]string{{"1", "Master Account", "0"}}},
	}}}}})
	c.Seed(t, ocsim.Seed{Workload: "dc/zync-database", Data: ocsim.Data{PostgreSQL: map[string]*ocsim.Database{"zync_production": {Owner: "zync", Tables: map[string]*ocsim.Table{
		"tenants": {Columns: []string{"id", "endpoint", "access_token"}, Key: "id", Rows: [][]string{{"1", "https://master.3scale.example.com", "seeded"}}},
	}}}}})
	c.Seed(t, ocsim.Seed{Workload: "dc/backend-redis", Data: ocsim.Data{Redis: map[int]map[string]string{0: {"service/provider_key:new/id": "1"}}}})
	// The routes zync creates from the restored system database once the
	// runbook's resync ran (the simulator has no zync).
	for _, host := range []string{"master", "3scale-admin"} {
		c.Put(t, map[string]any{"apiVersion": "route.openshift.io/v1", "kind": "Route",
			"metadata": map[string]any{"name": "zync-" + host, "namespace": "3scale"},
			"spec":     map[string]any{"host": host + ".3scale.example.com", "to": map[string]any{"kind": "Service", "name": "system-provider"}}})
	}
}

func exitCode(err error) int {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestMigrationKeepsEverything runs the template → operator migration with
// data on two simulated clusters: the template-based 2.8 site (its
// fixture, with rows in system-mysql and zync-database, keys in both Redis
// pods and an uploaded file) and an OpenShift 4 cluster where the person
// installs the 0.5 operator, which deploys 3scale (seeded as a new
// install is) and keeps system-app, system-sidekiq, zync and zync-que at
// the APIManager's replicas. The OpenShift 3.11 side stops the site,
// records the rows and keys with the dumps and stops at the manual switch;
// the restore refuses to run on the same cluster; on the other one the
// runbook restores the Secrets and ConfigMaps, creates the APIManager,
// stops what writes (through the APIManager: an oc scale would be undone),
// restores every database with errors stopping it and the rows and keys
// compared, and starts system and zync again: the new site holds exactly
// the old site's rows and keys and its file. A re-run restores nothing
// twice; a restore refuses while writers run, and stops at a failed
// statement; the rollback restarts the old site, on its own cluster only,
// and sets the dumps aside, so that the next attempt dumps again.
func TestMigrationKeepsEverything(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.8-template-to-operator.hcl"), ""))
	// The two clusters with the site's data, counting the calls of each
	// step for the fault sequences (migrationFaults), which end as this
	// run does once it is complete.
	counter := newMigrationRun(t, bundle, nil)
	site, source, target, work := counter.site, counter.source, counter.target, counter.work
	dir := filepath.Join(work, "backups/3scale-migration/2.8-2.8") // the plan's backup_dir
	var c *bundletest.Cluster
	run := func(args ...string) (string, error) {
		t.Helper()
		return c.Exec(t, bundle, work, nil, args...)
	}

	// The OpenShift 3.11 side, to the manual switch.
	c = source
	out, err := run()
	if exitCode(err) != 3 || !strings.Contains(out, "MANUAL STEP 2.8-2.8/switch-to-target:") {
		t.Fatalf("the OpenShift 3.11 side did not stop at the switch: %v\n%s", err, out)
	}
	bundletest.GuardsLetRun(t, "the OpenShift 3.11 side", out)
	for file, want := range map[string]string{
		"system-mysql-backup.counts":  "accounts 3\ncinstances 2\n",
		"zync-database-backup.counts": "integrations 2\nque_jobs 1\ntenants 2\n",
		// The keys of the site and, in db0, the readiness probe's
		// liveness-probe.
		"backend-redis-dump.keys": "db0:keys=3\ndb1:keys=1\n",
		"system-redis-dump.keys":  "db0:keys=1\ndb1:keys=2\n",
	} {
		if got, err := os.ReadFile(filepath.Join(dir, file)); err != nil || string(got) != want {
			t.Errorf("%s: %v\n%s, want\n%s", file, err, got, want)
		}
	}
	for _, f := range []string{"source-server", "system-mysql-backup.gz", "zync-database-backup.gz", "backend-redis-dump.rdb", "system-redis-dump.rdb",
		"system-storage/system/provider-name/2/logo.png", "replicas.json", "restore/secret-system-seed.json", "restore/configmap-apicast-environment.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("backup: %v", err)
		}
	}
	// Acknowledging the switch without switching: the restore refuses.
	out, err = run("--ack", "2.8-2.8/switch-to-target")
	if exitCode(err) != 1 || !strings.Contains(out, "oc is still logged in to the template-based site's cluster") {
		t.Fatalf("the target check passed on the source cluster: %v\n%s", err, out)
	}
	sourceCalls := len(source.Calls(t))

	// The OpenShift 4 cluster: empty, then the operator is installed by hand.
	c = target
	out, err = run()
	if exitCode(err) != 3 || !strings.Contains(out, "no 3scale in project 3scale yet") || !strings.Contains(out, "MANUAL STEP 2.8-2.8/operator-install:") {
		t.Fatalf("the OpenShift 4 side did not stop at the operator install: %v\n%s", err, out)
	}
	installOperator(t, target, "threescale-2.8", "3scale-operator.v0.5.0", "Automatic")
	opPut(t, target, map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "3scale-operator", "namespace": "3scale-operator"},
		"spec": map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"name": "threescale-operator"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"name": "threescale-operator"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "3scale-operator", "image": "registry.redhat.io/3scale-amp2/3scale-rhel7-operator:0.5.0"}}}}}})
	// The claims first, at the site's sizes (the step runs before the
	// APIManager, which the simulator does not deploy from): one the
	// operator left smaller from an earlier attempt stops it.
	target.Put(t, map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "mysql-storage", "namespace": "3scale"},
		"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}})
	claimCalls := counter.faults.PerStep["2.8-2.8/create-claims"]
	out, err = run("--only", "2.8-2.8/create-claims")
	if err == nil || !strings.Contains(out, "pvc/mysql-storage exists and asks for 1Gi, less than the 20Gi the site's holds") {
		t.Errorf("create-claims with a smaller claim in place: %v\n%s", err, out)
	}
	counter.faults.PerStep["2.8-2.8/create-claims"] = claimCalls // a run the fault sequences do not make
	if _, err := target.OC(t, "", "delete", "pvc/mysql-storage"); err != nil {
		t.Fatal(err)
	}
	if out, err := run("--only", "2.8-2.8/create-claims"); err != nil {
		t.Fatalf("create-claims: %v\n%s", err, out)
	}
	operatorDeploys(t, target, site)
	out, err = run("--ack", "2.8-2.8/operator-install")
	if exitCode(err) != 3 || !strings.Contains(out, "MANUAL STEP 2.8-2.8/dns-switch:") {
		t.Fatalf("the restore did not reach the DNS switch: %v\n%s", err, out)
	}
	bundletest.GuardsLetRun(t, "the restore", out)
	if len(source.Calls(t)) != sourceCalls {
		t.Error("the OpenShift 4 side called the source cluster's oc")
	}
	checkMigrated := func(when string) {
		t.Helper()
		checkMigratedData(t, target, when)
	}
	checkMigrated("after the restore")
	objects := target.Objects(t)
	for name, size := range migrationClaims {
		if got := bundletest.Get(objects["PersistentVolumeClaim/"+name], "spec", "resources", "requests", "storage"); got != size {
			t.Errorf("pvc/%s asks for %v on the new cluster, the site's asked for %s", name, got, size)
		}
	}
	for _, name := range []string{"system-smtp", "system-seed", "system-database", "backend-internal-api", "system-events-hook", "system-app", "system-recaptcha", "system-redis", "zync", "system-master-apicast"} {
		if want, got := site["Secret/"+name], objects["Secret/"+name]; got == nil || !reflect.DeepEqual(got["data"], want["data"]) {
			t.Errorf("secret %s is not restored as it was", name)
		}
	}
	am := objects["APIManager/apimanager"]
	if bundletest.Get(am, "spec", "wildcardDomain") != "3scale.example.com" {
		t.Fatalf("APIManager: %v", am)
	}
	for _, f := range [][]string{{"system", "appSpec"}, {"system", "sidekiqSpec"}, {"zync", "appSpec"}, {"zync", "queSpec"}} {
		if n := bundletest.Get(am, "spec", f[0], f[1], "replicas"); n != float64(1) {
			t.Errorf("the APIManager's %s.%s.replicas is %v after the restore, not the 1 it had", f[0], f[1], n)
		}
	}
	for _, name := range []string{"system-app", "system-sidekiq", "system-sphinx", "zync", "zync-que"} {
		if n := bundletest.Get(objects["DeploymentConfig/"+name], "status", "readyReplicas"); n != float64(1) {
			t.Errorf("%s has %v ready pods after the restore", name, n)
		}
	}
	if conf := bundletest.Get(objects["ConfigMap/redis-config"], "data", "redis.conf"); conf != bundletest.Get(site["ConfigMap/redis-config"], "data", "redis.conf") {
		t.Errorf("redis.conf is not back as it was:\n%v", conf)
	}
	out, err = run("--ack", "2.8-2.8/dns-switch", "--ack", "2.8-2.8/portal-check")
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the last steps: %v\n%s", err, out)
	}
	source.Fault, target.Fault = nil, nil
	perStep, perStepExec, want := counter.faults.PerStep, counter.faults.PerStepExec, migrationState(t, source, target, work)
	t.Run("faults", func(t *testing.T) {
		t.Parallel()
		migrationFaults(t, bundle, perStep, perStepExec, want, (*migrationRun).migrate, func(t *testing.T, m *migrationRun, when string) {
			t.Helper()
			checkMigratedData(t, m.target, when)
		})
	})
	again := copyMigration(t, source, target, work)
	t.Run("again", func(t *testing.T) {
		t.Parallel()
		migratedAgain(t, bundle, again, want)
	})
	applies := bundletest.CountCalls(target.Calls(t), "apply -f ")
	restores := countRestores(target.Calls(t))
	// A re-run restores nothing twice.
	if out, err := run("--from", "2.8-2.8/restore-objects", "--ack", "2.8-2.8/dns-switch", "--ack", "2.8-2.8/portal-check"); err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(target.Calls(t), "apply -f "); n != applies {
		t.Errorf("the re-run applied again (%d apply calls, %d before)", n, applies)
	}
	if n := countRestores(target.Calls(t)); n != restores {
		t.Errorf("the re-run loaded a dump again (%d loads, %d before)", n, restores)
	}
	checkMigrated("after a re-run")

	// A restore refuses while what writes runs, and stops at a failed
	// statement once it is stopped: nothing records it as done.
	if err := os.Remove(filepath.Join(dir, "zync-database.restored")); err != nil {
		t.Fatal(err)
	}
	out, err = run("--only", "2.8-2.8/restore-zync-database")
	if err == nil || !strings.Contains(out, "pods that write into the databases are left (") || !strings.Contains(out, "run step 2.8-2.8/stop-writers first") {
		t.Errorf("the zync-database restore with zync running: %v\n%s", err, out)
	}
	if n := countRestores(target.Calls(t)); n != restores {
		t.Errorf("the restore with zync running loaded the dump")
	}
	if out, err := run("--only", "2.8-2.8/stop-writers"); err != nil || !strings.Contains(out, "ampc: step 2.8-2.8/stop-writers done (--only)") || strings.Contains(out, "all steps done") {
		t.Fatalf("stop-writers: %v\n%s", err, out)
	}
	// restart-system waits until the operator has scaled system-app,
	// system-sidekiq, zync and zync-que back to the APIManager's replicas:
	// with the operator stopped (its Deployment gone), the step does not
	// pass on their 0 of 0 pods (it did, and resync-routes found no
	// system-sidekiq pod when the operator was slow).
	operator := opGet(t, target, "3scale-operator", "Deployment", "3scale-operator")
	if err := os.Remove(filepath.Join(target.Dir, "objects/3scale-operator/Deployment.3scale-operator.json")); err != nil {
		t.Fatal(err)
	}
	out, err = run("--only", "2.8-2.8/restart-system")
	if err == nil || !strings.Contains(out, "dc/system-app wants 0 pods and has 0 ready after 20 minutes, not the 1 asked for") {
		t.Errorf("restart-system with the operator stopped: %v\n%s", err, bundletest.Tail(out, 15))
	}
	opPut(t, target, operator)
	// It scaled system-sphinx back: stopped again for the restores below.
	if out, err := run("--only", "2.8-2.8/stop-writers"); err != nil {
		t.Fatalf("stop-writers: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.gz")
	if out, err := exec.Command("bash", "-c", `set -o pipefail; gzip -dc < "$1" | sed '/^COPY public.tenants /i SELECT count(*) FROM public.no_such_table;' | gzip -c > "$2"`, "bash", filepath.Join(dir, "zync-database-backup.gz"), bad).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	good, err := os.ReadFile(filepath.Join(dir, "zync-database-backup.gz"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(bad)
	if err := os.WriteFile(filepath.Join(dir, "zync-database-backup.gz"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run("--only", "2.8-2.8/restore-zync-database")
	if err == nil || !strings.Contains(out, "zync-database-backup.gz is not what its step wrote") {
		t.Errorf("the restore of a dump changed since the backup: %v\n%s", err, out)
	}
	// Sealed, as if its step had written it: psql stops at the failed
	// statement.
	bundletest.WriteSealed(t, filepath.Join(dir, "zync-database-backup.gz"), raw)
	out, err = run("--only", "2.8-2.8/restore-zync-database")
	if err == nil || !strings.Contains(out, "stopped at a failed statement") {
		t.Errorf("the restore of a dump with a failed statement: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "zync-database.restored")); err == nil {
		t.Error("the failed restore is recorded as done")
	}
	// With the dump as it was, a re-run of the restore completes it.
	bundletest.WriteSealed(t, filepath.Join(dir, "zync-database-backup.gz"), good)
	if out, err := run("--from", "2.8-2.8/restore-zync-database", "--ack", "2.8-2.8/dns-switch", "--ack", "2.8-2.8/portal-check"); err != nil {
		t.Fatalf("the re-run after the failed restore: %v\n%s", err, out)
	}
	checkMigrated("after the failed restore and its re-run")

	// The rollback restarts the template-based site, on its own cluster
	// only, and sets the window's dumps aside.
	out, err = run("--rollback", "2.8-2.8/source")
	if err == nil || !strings.Contains(out, "not to the template-based site's cluster") {
		t.Errorf("the rollback ran on the OpenShift 4 cluster: %v\n%s", err, out)
	}
	c = source
	out, err = run("--rollback", "2.8-2.8/source")
	if err != nil || !strings.Contains(out, "the template-based site runs again") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	for key, obj := range source.Objects(t) {
		if obj["kind"] == "DeploymentConfig" && !reflect.DeepEqual(bundletest.Get(obj, "spec", "replicas"), bundletest.Get(site[key], "spec", "replicas")) {
			t.Errorf("%s wants %v pods after the rollback, %v before the migration", key, bundletest.Get(obj, "spec", "replicas"), bundletest.Get(site[key], "spec", "replicas"))
		}
	}
	for _, f := range []string{"system-mysql-backup.gz", "system-mysql-backup.counts", "zync-database-backup.gz", "backend-redis-dump.rdb", "system-mysql.restored"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s is still in place after the rollback: the next attempt would restore this window's data", f)
		}
		if aside, _ := filepath.Glob(filepath.Join(dir, f+".set-aside-*")); len(aside) != 1 {
			t.Errorf("%s set aside: %v", f, aside)
		}
	}
	// The next attempt stops the site and dumps again.
	before := bundletest.CountCalls(source.Calls(t), "exec system-mysql")
	out, err = run()
	if exitCode(err) != 3 || !strings.Contains(out, "MANUAL STEP 2.8-2.8/switch-to-target:") {
		t.Fatalf("the next attempt did not stop at the switch again: %v\n%s", err, out)
	}
	if bundletest.CountCalls(source.Calls(t), "exec system-mysql") == before {
		t.Error("the next attempt did not dump system-mysql again")
	}
	if _, err := os.Stat(filepath.Join(dir, "system-mysql-backup.gz")); err != nil {
		t.Errorf("the next attempt's dump: %v", err)
	}
}

// migration is the two clusters of a migration and its working
// directory.
type migration struct {
	source, target *bundletest.Cluster
	work           string
}

// copyMigration copies both clusters and the working directory as they
// are now.
func copyMigration(t *testing.T, source, target *bundletest.Cluster, work string) migration {
	t.Helper()
	return migration{source: source.Copy(t), target: target.Copy(t), work: bundletest.CopiedDir(t, work)}
}

// migratedAgain runs the migration's runbook again on m, a copy of both
// clusters and of the working directory as the complete migration left
// them (want, migrationState), with oc on the new cluster: a second run
// finds every step done and changes nothing; a run after the state file
// is lost is refused by source-check, which finds the new cluster's
// APIManager, and changes nothing (the new cluster's 3scale is at the
// bundle's release, so the preflight passes).
func migratedAgain(t *testing.T, bundle string, m migration, want map[string]string) {
	source, target, work := m.source, m.target, m.work
	same := func(when string) {
		t.Helper()
		sameState(t, when, want, migrationState(t, source, target, work))
	}
	out, err := target.Exec(t, bundle, work, nil)
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Errorf("the second run: %v\n%s", err, bundletest.Tail(out, 15))
	} else if again := bundletest.StartedSteps(out); len(again) > 0 {
		t.Errorf("the second run ran %v again", again)
	}
	same("after the second run")
	states, _ := filepath.Glob(filepath.Join(work, "*.state"))
	if len(states) != 1 {
		t.Fatalf("state files in the working directory: %v", states)
	}
	if err := os.Remove(states[0]); err != nil {
		t.Fatal(err)
	}
	// The preflight passes (the new site is at the bundle's release):
	// source-check refuses the operator-based project.
	out, err = target.Exec(t, bundle, work, nil)
	if err == nil || !strings.Contains(out, "holds apimanager.apps.3scale.net/apimanager: 3scale there is operator-based") {
		t.Errorf("the run without its state file was not refused at source-check: %v\n%s", err, bundletest.Tail(out, 15))
	}
	same("after the run without its state file")
	// A failed read of the APIManagers stops source-check as well: a lost
	// connection is not a project without one (before, it read as none).
	target.Fault = func(call ocsim.Call) ocsim.Fault {
		if strings.Contains(strings.Join(call.Args, " "), "get apimanagers.apps.3scale.net") {
			return ocsim.Before
		}
		return ocsim.Pass
	}
	out, err = target.Exec(t, bundle, work, nil)
	target.Fault = nil
	if err == nil || !strings.Contains(out, "could not read the apimanagers.apps.3scale.net objects") {
		t.Errorf("the run whose read of the APIManagers failed was not stopped at source-check for it: %v\n%s", err, bundletest.Tail(out, 15))
	}
	same("after the run whose read of the APIManagers failed")
}

// countRestores counts the loads of a dump into a database pod: mysql
// reading a dump, psql reading a cluster dump.
func countRestores(calls []string) int {
	n := 0
	for _, call := range calls {
		if strings.Contains(call, "gzip -dc | mysql") || strings.Contains(call, "psql -v ON_ERROR_STOP=1 -d postgres -f -") {
			n++
		}
	}
	return n
}
