package operator215test

import (
	"os"
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

// pg215Site is the 2.15 PostgreSQL site of the on-cluster move (chapter
// 3.2), Redis external: its system database, 1.2 GB, on a 5Gi claim, more
// than the 1Gi the guide's manifest asks for PostgreSQL 15. Its cluster
// runs the real tools' behaviour in the database pods (no ExecOut).
func pg215Site(t *testing.T) (*op215Cluster, string, map[string]*ocsim.Database) {
	t.Helper()
	testenv.Tool(t, "jq")
	return pg215Cluster(t), pg215Bundle(t), pg215Rows()
}

// pg215Objects are the objects of pg215Site.
func pg215Objects(t *testing.T) map[string]map[string]any {
	t.Helper()
	objects := bundletest.Op215Objects(t)
	bundletest.Op215PostgreSQL(t, objects)
	bundletest.Op215External(t, objects, false, true)
	claim := objects["3scale/PersistentVolumeClaim/postgresql-data"]
	claim["spec"].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"storage": "5Gi"}}
	claim["status"].(map[string]any)["capacity"] = map[string]any{"storage": "5Gi"}
	return objects
}

// pg215Bundle is the bundle of pg215Site.
func pg215Bundle(t *testing.T) string {
	t.Helper()
	planPath := bundletest.Op215Plan(t, "postgresql", "on-cluster", "external", "")
	return bundletest.WriteBundle(t, bundletest.Compile(t, planPath, bundletest.Op215Snapshot(t, pg215Objects(t))))
}

// pg215Cluster is the cluster of pg215Site, its system database seeded
// with pg215Rows.
func pg215Cluster(t *testing.T) *op215Cluster {
	t.Helper()
	c := newOp215DataCluster(t, pg215Objects(t))
	c.Seed(t, ocsim.Seed{Workload: "deployment/system-postgresql", Data: ocsim.Data{PostgreSQL: pg215Rows()}})
	return c
}

// pg215Rows is what the site's system database holds: 1.2 GB, most of it
// in two rows.
func pg215Rows() map[string]*ocsim.Database {
	return map[string]*ocsim.Database{"system": {Owner: "system", Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Master Account"}, {"2", "Provider"}, {"3", "ocsim-blob:900000000"}}},
		"users":    {Columns: []string{"id", "email"}, Key: "id", Rows: [][]string{{"1", "admin@example.com"}, {"2", "ocsim-blob:300000000"}}}}}}
}

// runPostgreSQL215 runs the 2.15 → 2.16 PostgreSQL 10 → 15 move (chapter
// 3.2) on pg215Site up to the upgrade wait: PostgreSQL 15
// gets a claim as large as the site's (not the guide's 1Gi, which the
// database does not fit), its tables hold every row of the old ones, the
// rows of each table were recorded with the dump, the credentials are
// copied into the databases' project without being decoded, and the URL
// encodes them. On a copy of the site, the rollback (3.2.11) refuses after
// the channel change, and the cleanup while 3scale may still use the old
// database. It is the run of site postgresql of TestVerifiesCanFail, whose
// falsifiers then break its data and version checks.
func runPostgreSQL215(t *testing.T, c *op215Cluster, bundle, work string, acks []string) {
	t.Helper()
	rows := pg215Rows()
	fixture := bundletest.Op215Objects(t)
	bundletest.Op215PostgreSQL(t, fixture)
	out, err := c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
		t.Fatalf("the run did not stop at the upgrade wait: %v\n%s", err, out)
	}
	bundletest.GuardsLetRun(t, "the run without faults", out)
	if strings.Contains(out, "see the rollback section") {
		t.Errorf("a failure after the channel change offers a rollback, which refuses there:\n%s", out)
	}
	if u := c.Unsupported(t); u != "" {
		t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
	}
	got := c.Data(t, "3scale-db", "deployment/system-postgresql-external").PostgreSQL["system"]
	for name, table := range rows["system"].Tables {
		var after [][]string
		if got != nil && got.Tables[name] != nil {
			after = got.Tables[name].Rows
		}
		if !reflect.DeepEqual(after, table.Rows) {
			t.Errorf("system.%s: %d rows in PostgreSQL 15, %d before the move", name, len(after), len(table.Rows))
		}
	}
	objects := c.all(t)
	if size := bundletest.Get(objects["3scale-db/PersistentVolumeClaim/postgresql-data-external"], "spec", "resources", "requests", "storage"); size != "5Gi" {
		t.Errorf("postgresql-data-external asks for %v, not the 5Gi of the site's claim", size)
	}
	backups := filepath.Join(work, "3scale-backup", "2.15-2.16")
	if counts, err := os.ReadFile(filepath.Join(backups, "db_dump.counts")); err != nil || string(counts) != "accounts 3\nusers 2\n" {
		t.Errorf("db_dump.counts: %v\n%q", err, counts)
	}
	if info, err := os.Stat(filepath.Join(backups, "db_dump.backup")); err != nil || info.Size() == 0 {
		t.Errorf("no dump: %v", err)
	}
	copied := objects["3scale-db/Secret/system-database"]
	src := bundletest.Get(fixture["3scale/Secret/system-database"], "data").(map[string]any)
	if copied == nil || !reflect.DeepEqual(bundletest.Get(copied, "data"), map[string]any{"DB_USER": src["DB_USER"], "DB_PASSWORD": src["DB_PASSWORD"]}) {
		t.Errorf("the copied Secret holds %v", bundletest.Get(copied, "data"))
	}
	if v := unb64(t, bundletest.Get(objects["3scale/Secret/system-database"], "data", "URL")); v != "postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql-service.3scale-db.svc.cluster.local/system" {
		t.Errorf("system-database URL = %q", v)
	}
	if n := pgRestores(t, c); n != 1 {
		t.Errorf("pg_restore ran %d times, want once", n)
	}

	c, work = c.copy(t, work)
	// 3.2.11 after the channel change: the 2.16 operator refuses an
	// internal database and OLM cannot go back; the rollback refuses and
	// changes nothing.
	before := op215Desired(c.all(t))
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/postgresql")
	if err == nil || !strings.Contains(out, "this rollback does not apply") {
		t.Errorf("the rollback after the channel change: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(before, op215Desired(c.all(t))) {
		t.Error("the refused rollback changed the site")
	}

	// The cleanup (3.2.10) refuses, deleting nothing, while the Secret
	// names system-postgresql (as after a rollback done by hand).
	url := bundletest.Base64("postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql.3scale.svc.cluster.local/system")
	c.Act(t, "patch", "secret/system-database", "--type=json", "-p", `[{"op": "replace", "path": "/data/URL", "value": "`+url+`"}]`)
	out, err = c.runEnv(t, bundle, work, "", nil, append([]string{"--only", "2.15-2.16/cleanup-postgresql"}, acks...)...)
	if err == nil || !strings.Contains(out, "still points 3scale at system-postgresql.3scale.svc.cluster.local") {
		t.Errorf("the cleanup while the Secret names system-postgresql: %v\n%s", err, out)
	}
	// And while the APIManager does not mark the database external (the
	// operator would run it again).
	c.Act(t, "patch", "secret/system-database", "--type=json", "-p", `[{"op": "replace", "path": "/data/URL", "value": "`+
		bundletest.Base64("postgresql://system:x@system-postgresql-service.3scale-db.svc.cluster.local/system")+`"}]`)
	c.Act(t, "patch", "apimanager/apimanager-sample", "--type=merge", "-p", `{"spec": {"externalComponents": {"system": {"database": false}}}}`)
	out, err = c.runEnv(t, bundle, work, "", nil, append([]string{"--only", "2.15-2.16/cleanup-postgresql"}, acks...)...)
	if err == nil || !strings.Contains(out, "does not mark system.database external") {
		t.Errorf("the cleanup while the APIManager runs the database: %v\n%s", err, out)
	}
	objects = c.all(t)
	for _, k := range []string{"3scale/Deployment/system-postgresql", "3scale/PersistentVolumeClaim/postgresql-data", "3scale/Service/system-postgresql"} {
		if objects[k] == nil {
			t.Errorf("the refused cleanup deleted %s", k)
		}
	}
}

// TestPostgreSQL215FailedRestoreStops: on pg215Site where someone created
// postgresql-data-external with the guide's 1Gi before the run, the
// restore runs out of space halfway. pg_restore's error is not one the
// guide names: the step stops there, before any Secret or the APIManager
// points 3scale at the new database, and so does a re-run, which finds a
// database holding part of the dump and reads in the pod how the restore
// of this dump ended: both say how to empty the database. The rollback
// (3.2.11) applies there:
// 3scale runs on PostgreSQL 10 again, PostgreSQL 15 is scaled down with
// its claim kept, the dump is set aside, and a plain re-run dumps again
// and stops at the restore while the new database holds tables.
func TestPostgreSQL215FailedRestoreStops(t *testing.T) {
	t.Parallel()
	c, bundle, _ := pg215Site(t)
	c.Put(t, map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": map[string]any{"name": "postgresql-data-external", "namespace": "3scale-db"},
		"spec":     map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}})
	before := c.all(t)
	work := t.TempDir()
	acks := op215Manual(t, bundle)
	// The re-run reads how the restore ended in the pod (its status names
	// this dump) and stops with the same error and what to do.
	for run, want := range []string{"No space left on device", "No space left on device"} {
		out, err := c.runEnv(t, bundle, work, "", nil, acks...)
		if err == nil || !strings.Contains(out, "2.15-2.16/pg-restore [shell]") || strings.Contains(out, "2.15-2.16/pg-verify-data [verify]") || !strings.Contains(out, want) {
			t.Fatalf("run %d did not stop at pg-restore with %q: %v\n%s", run+1, want, err, out)
		}
		if !strings.Contains(out, "'DROP DATABASE system' -c 'CREATE DATABASE system OWNER <DB_USER>'), then re-run") {
			t.Errorf("run %d: the stop at pg-restore does not say how to empty the database:\n%s", run+1, out)
		}
		if !regexp.MustCompile(`(?m)^ampc: to undo instead, see the rollback section: \S*runbook\.sh --rollback 2\.15-2\.16/postgresql$`).MatchString(out) {
			t.Errorf("run %d: the failure in the window does not offer the rollback that applies:\n%s", run+1, out)
		}
		got := c.all(t)
		for _, key := range []string{"3scale/Secret/system-database", "3scale/APIManager/apimanager-sample"} {
			if !reflect.DeepEqual(op215Desired(map[string]map[string]any{key: before[key]}), op215Desired(map[string]map[string]any{key: got[key]})) {
				t.Errorf("run %d changed %s", run+1, key)
			}
		}
	}

	out, err := c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/postgresql")
	if err != nil || !strings.Contains(out, "rollback 2.15-2.16/postgresql done") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	got := c.all(t)
	if n := bundletest.Get(got["3scale/Deployment/system-app"], "spec", "replicas"); n != 1.0 {
		t.Errorf("system-app has %v replicas after the rollback", n)
	}
	if n := bundletest.Get(got["3scale-db/Deployment/system-postgresql-external"], "spec", "replicas"); n != 0.0 {
		t.Errorf("system-postgresql-external has %v replicas after the rollback, want it kept and scaled down", n)
	}
	if got["3scale-db/PersistentVolumeClaim/postgresql-data-external"] == nil {
		t.Error("the rollback deleted the claim of PostgreSQL 15")
	}
	backups := filepath.Join(work, "3scale-backup", "2.15-2.16")
	if aside, _ := filepath.Glob(filepath.Join(backups, "db_dump.backup.set-aside-*")); len(aside) != 1 {
		t.Errorf("the dump is not set aside: %v", aside)
	}
	dumps := bundletest.CountCalls(c.Calls(t), "exec deployment/system-postgresql -- pg_dump")
	out, err = c.runEnv(t, bundle, work, "", nil, acks...)
	if err == nil || !strings.Contains(out, "holds tables already") || bundletest.CountCalls(c.Calls(t), "exec deployment/system-postgresql -- pg_dump") != dumps+1 {
		t.Errorf("the re-run after the rollback did not dump again and stop at the restore: %v\n%s", err, out)
	}
}

// TestPostgreSQL215RestoreConnectionLost: on pg215Site, the connection to
// the cluster is lost while pg_restore runs (the cluster ran it to its end,
// the client saw an error). The re-run finds the new database holding
// tables and must read in the pod how the restore of this dump ended (its
// status names the dump), accept it and go on to the upgrade wait, without
// a second pg_restore and without the person: the exhaustive fault sweep
// of site postgresql found the re-run refusing for good ("holds tables
// already"), and the database, complete, dropped by hand.
func TestPostgreSQL215RestoreConnectionLost(t *testing.T) {
	t.Parallel()
	c, bundle, rows := pg215Site(t)
	work := t.TempDir()
	acks := op215Manual(t, bundle)
	out, err := c.runEnv(t, bundle, work, "", []string{"FAKEOC_FAIL_AFTER=pg_restore -v"}, acks...)
	if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != "2.15-2.16/pg-restore" {
		t.Fatalf("the run did not fail in pg-restore: %v\n%s", err, bundletest.Tail(out, 20))
	}
	out, err = c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
		t.Fatalf("the re-run did not go on to the upgrade wait: %v\n%s", err, bundletest.Tail(out, 30))
	}
	if !strings.Contains(out, "has ended in the pod: its outcome follows") {
		t.Errorf("the re-run does not say it read the restore's outcome in the pod:\n%s", out)
	}
	restoredOnce(t, c, rows)
}

// redis215Keys are the keys of the Redis pods of redis215Cluster.
var redis215Keys = map[string]map[int]map[string]string{
	"backend-redis": {0: {"stats/{service:1}/metric:1/day:20261201": "42", "service/provider_key:abc/id": "1"}, 1: {"resque:queue:priority": "job"}},
	"system-redis":  {1: {"sidekiq:queues": "default", "session:1": "x"}},
}

// redis215Cluster is the MySQL-kept, Redis-on-cluster example's site
// whose Redis pods hold redis215Keys (no ExecOut).
func redis215Cluster(t *testing.T) *op215Cluster {
	t.Helper()
	objects := bundletest.Op215Objects(t)
	objects["3scale/Deployment/apicast-production"]["spec"].(map[string]any)["replicas"] = 2.0
	c := newOp215DataCluster(t, objects)
	for name, keys := range redis215Keys {
		c.Seed(t, ocsim.Seed{Workload: "deployment/" + name, Data: ocsim.Data{Redis: keys}})
	}
	return c
}

// runRedis215 runs the 2.15 → 2.16 upgrade with the Redis move (chapter
// 3.4) of the MySQL-kept, Redis-on-cluster example on redis215Cluster
// (apicast-production at 2 pods). Stopped at the channel change, the
// namespace shows the externalized databases with the saved replica counts
// back; a second run goes through the 2.16 operator's upgrade and finishes
// with the cleanup, each new Redis instance holding the keys of the old
// one, counted with the dumps; a third changes nothing, and so does one
// without the state file (refused at the preflight). On a copy stopped
// at the channel change, the Redis rollback gives the Secrets and Redis
// back, sets the dumps aside, and a plain re-run redoes the move; after
// the channel change it refuses. c is left as the complete run left it: it
// is the run of site upgraded of TestVerifiesCanFail, where the key check
// (redis-verify-keys) fails on an instance that lost a key.
func runRedis215(t *testing.T, c *op215Cluster, bundle, work string, acks []string) {
	t.Helper()
	const channelPatch = "patch subscription.operators.coreos.com/3scale-operator"
	out, err := c.runEnv(t, bundle, work, channelPatch, nil, acks...)
	if err == nil || !strings.Contains(out, "2.15-2.16/channel [patch]") {
		t.Fatalf("the first run did not stop at the channel change: %v\n%s", err, out)
	}
	bundletest.GuardsLetRun(t, "the run without faults", out)
	// The Redis rollback's site: a copy of this one, stopped before the
	// channel change.
	stopped, stoppedWork := c.copy(t, work)
	got := c.all(t)
	bundletest.Op215Detached(t, got)
	bundletest.Op215WantExternal(t, got, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
	for key, want := range map[string]float64{
		"3scale/Deployment/apicast-production":                                 2, // its saved count
		"3scale/Deployment/system-app":                                         1,
		"3scale/Deployment/backend-redis":                                      0, // replaced
		"3scale-operator/Deployment/threescale-operator-controller-manager-v2": 1,
	} {
		if n := bundletest.Get(got[key], "spec", "replicas"); n != want {
			t.Errorf("%s has %v replicas, want %v", key, n, want)
		}
	}
	backend := got["3scale/Secret/backend-redis"]
	for k, want := range map[string]string{
		"REDIS_STORAGE_URL": "redis://backend-redis-service.3scale-db.svc.cluster.local:6379/0",
		"REDIS_QUEUES_URL":  "redis://backend-redis-service.3scale-db.svc.cluster.local:6379/1",
	} {
		if v := unb64(t, bundletest.Get(backend, "data", k)); v != want {
			t.Errorf("backend-redis %s = %q, want %q", k, v, want)
		}
	}
	if v := unb64(t, bundletest.Get(got["3scale/Secret/system-redis"], "data", "URL")); v != "redis://system-redis-service.3scale-db.svc.cluster.local:6379/1" {
		t.Errorf("system-redis URL = %q", v)
	}
	if got["3scale-db/Deployment/backend-redis-external"] == nil || got["3scale-db/ConfigMap/redis-config-external"] == nil {
		t.Error("the Redis objects of 3scale-db were not created")
	}
	// Each new claim asks for what the claim of the Redis it replaces holds.
	for claim, from := range map[string]string{"backend-redis-storage-external": "backend-redis-storage", "system-redis-storage-external": "system-redis-storage"} {
		want := bundletest.Get(bundletest.Op215Objects(t)["3scale/PersistentVolumeClaim/"+from], "status", "capacity", "storage")
		if size := bundletest.Get(got["3scale-db/PersistentVolumeClaim/"+claim], "spec", "resources", "requests", "storage"); size == nil || size != want {
			t.Errorf("%s asks for %v, %s holds %v", claim, size, from, want)
		}
	}
	redisConf := bundletest.Get(bundletest.Op215Objects(t)["3scale/ConfigMap/redis-config"], "data", "redis.conf")
	if conf := bundletest.Get(got["3scale-db/ConfigMap/redis-config-external"], "data", "redis.conf"); conf != redisConf {
		t.Errorf("redis-config-external was not turned persistent:\n%v", conf)
	}
	backups := filepath.Join(work, "backups", "3scale-2.15", "2.15-2.16")
	for _, f := range []string{"replicas.json", "operator-replicas", "backend-redis-dump.rdb", "system-redis-dump.rdb", "system-database-secret.json", "apimanager.yaml", "subscription-apicast-operator.yaml"} {
		if info, err := os.Stat(filepath.Join(backups, f)); err != nil || info.Size() == 0 {
			t.Errorf("backup %s: %v", f, err)
		}
	}
	calls := c.Calls(t)
	for prefix, want := range map[string]int{
		"scale deployment threescale-operator-controller-manager-v2 --replicas=0": 1,
		"scale deployment/system-app --replicas=0":                                1,
		"scale deployment/system-app --replicas=1":                                1,
		"scale deployment/apicast-production --replicas=2":                        1,
		"scale deployment/backend-redis --replicas=0":                             1,
		"new-project 3scale-db --skip-config-write":                               1,
		"set triggers deployment/system-mysql --remove-all":                       1,
		"exec deployment/backend-redis -- redis-cli SAVE":                         1,
		"exec deployment/backend-redis-external -- redis-cli BGREWRITEAOF":        1,
		"patch apimanager.apps.3scale.net/apimanager-sample --type=json":          2,
		"apply -f": 7, // the manifests; the two claims are created by redis-claims
	} {
		if n := bundletest.CountCalls(calls, prefix); n != want {
			t.Errorf("%q ran %d times, want %d", prefix, n, want)
		}
	}
	if i, j := indexOfCall(calls, "scale deployment/system-app --replicas=0"), indexOfCall(calls, channelPatch); i < 0 || j < i {
		t.Error("the channel changed before the databases moved")
	}

	// After the channel change (made here on a copy, as the channel step
	// makes it) the Redis rollback does not apply (the 2.16 operator
	// refuses internal databases, OLM cannot go back): it refuses and
	// changes nothing.
	changed, changedWork := c.copy(t, work)
	changed.Act(t, "patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec": {"channel": "threescale-2.16"}}`)
	before := op215Desired(changed.all(t))
	out, err = changed.runEnv(t, bundle, changedWork, "", nil, "--rollback", "2.15-2.16/redis")
	if err == nil || !strings.Contains(out, "this rollback does not apply") || !strings.Contains(out, "threescale-2.16") {
		t.Errorf("the Redis rollback after the channel change: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(before, op215Desired(changed.all(t))) {
		t.Error("the refused rollback changed the site")
	}

	// The simulated 2.16 operator upgrades the APIManager and the APIcast
	// operator its APIcast, by themselves; the second run finishes,
	// cleanup included.
	out, err = c.runEnv(t, bundle, work, "", nil, acks...)
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if u := c.Unsupported(t); u != "" {
		t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
	}
	// Each new instance holds the keys of the old one, counted with the
	// dumps.
	for name, want := range redis215Keys {
		got := c.Data(t, "3scale-db", "deployment/"+name+"-external").Redis
		for db, keys := range want {
			for k, v := range keys {
				if got[db][k] != v {
					t.Errorf("%s-external db%d %q = %q, want %q", name, db, k, got[db][k], v)
				}
			}
		}
	}
	if keys, err := os.ReadFile(filepath.Join(backups, "backend-redis-dump.keys")); err != nil || !strings.HasPrefix(string(keys), "db0:keys=") {
		t.Errorf("backend-redis-dump.keys: %v\n%q", err, keys)
	}
	if !strings.Contains(out, "2.15-2.16/scale-down: done before, skipped") {
		t.Errorf("the second run did not skip the finished steps:\n%s", out)
	}
	got = c.all(t)
	if ch := bundletest.Get(got["3scale-operator/Subscription/3scale-operator"], "spec", "channel"); ch != "threescale-2.16" {
		t.Errorf("channel = %v", ch)
	}
	for _, k := range []string{"3scale/Deployment/backend-redis", "3scale/PersistentVolumeClaim/system-redis-storage", "3scale/ConfigMap/redis-config"} {
		if got[k] != nil {
			t.Errorf("%s is not deleted", k)
		}
	}
	if ch := bundletest.Get(got["apicast/Subscription/apicast-operator"], "spec", "channel"); ch != "threescale-2.16" {
		t.Errorf("APIcast channel = %v", ch)
	}
	am := bundletest.Get(got["3scale/APIManager/apimanager-sample"], "metadata", "annotations").(map[string]any)
	if v, op := am["apps.3scale.net/apimanager-threescale-version"], am["apps.3scale.net/threescale-operator-version"]; v != "2.16.1" || op != "0.13.1" {
		t.Errorf("the APIManager is at %v, reconciled by operator %v: not upgraded by the 2.16 operator (2.16.1, 0.13.1)", v, op)
	}
	if v := bundletest.Get(got["apicast/APIcast/example-apicast"], "metadata", "annotations", "apicast.apps.3scale.net/operator-version"); v != "0.13.1" {
		t.Errorf("the APIcast was reconciled by APIcast operator %v, not 0.13.1", v)
	}
	// A third run changes nothing.
	before = op215Desired(c.all(t))
	patches := bundletest.CountCalls(c.Calls(t), "patch ")
	if out, err := c.runEnv(t, bundle, work, "", nil, acks...); err != nil {
		t.Fatalf("third run: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(before, op215Desired(c.all(t))) || bundletest.CountCalls(c.Calls(t), "patch ") != patches {
		t.Error("a run after completion changed the site")
	}
	// So does a run after the state file is lost: the preflight refuses
	// the 2.16 site. (The state file is put back for the falsifiers.)
	states, _ := filepath.Glob(filepath.Join(work, "*.state"))
	if len(states) != 1 {
		t.Fatalf("state files in the working directory: %v", states)
	}
	state, err := os.ReadFile(states[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(states[0]); err != nil {
		t.Fatal(err)
	}
	ran := len(c.Calls(t))
	if out, err := c.runEnv(t, bundle, work, "", nil, acks...); err == nil || !strings.Contains(out, "this bundle upgrades a 2.15 site") {
		t.Errorf("the run without its state file was not refused at the preflight: %v\n%s", err, bundletest.Tail(out, 10))
	}
	for _, call := range c.Calls(t)[ran:] {
		if proptest.Changes(call) {
			t.Errorf("the run without its state file called oc %s", call)
		}
	}
	if err := os.WriteFile(states[0], state, 0o600); err != nil {
		t.Fatal(err)
	}

	// The Redis rollback (3.4.12) on a site stopped before the channel
	// change: the Secrets and Redis 6 are back, the Redis 7 instances are
	// scaled down with their claims (never deleted), the dumps are set
	// aside, and a plain re-run redoes the move, dumping again.
	c, work = stopped, stoppedWork
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/redis")
	if err != nil || !strings.Contains(out, "rollback 2.15-2.16/redis done") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	got = c.all(t)
	fixture := bundletest.Op215Objects(t)
	for _, s := range []string{"backend-redis", "system-redis"} {
		if !reflect.DeepEqual(bundletest.Get(got["3scale/Secret/"+s], "data"), bundletest.Get(fixture["3scale/Secret/"+s], "data")) {
			t.Errorf("secret %s is not restored", s)
		}
		if n := bundletest.Get(got["3scale/Deployment/"+s], "spec", "replicas"); n != 1.0 {
			t.Errorf("%s has %v replicas after the rollback", s, n)
		}
		if n := bundletest.Get(got["3scale-db/Deployment/"+s+"-external"], "spec", "replicas"); n != 0.0 {
			t.Errorf("%s-external has %v replicas after the rollback, want it kept and scaled down", s, n)
		}
		if got["3scale-db/PersistentVolumeClaim/"+s+"-storage-external"] == nil {
			t.Errorf("the claim of %s-external is gone after the rollback", s)
		}
	}
	ext := bundletest.Get(got["3scale/APIManager/apimanager-sample"], "spec", "externalComponents")
	if !reflect.DeepEqual(ext, map[string]any{"system": map[string]any{"database": true, "redis": false}, "backend": map[string]any{"redis": false}}) {
		t.Errorf("externalComponents after the Redis rollback = %v", ext)
	}
	backups = filepath.Join(work, "backups", "3scale-2.15", "2.15-2.16")
	for _, f := range []string{"backend-redis-dump.rdb", "system-redis-dump.rdb"} {
		if _, err := os.Stat(filepath.Join(backups, f)); err == nil {
			t.Errorf("%s is still in place after the rollback: a new attempt would restore it", f)
		}
		if aside, _ := filepath.Glob(filepath.Join(backups, f+".set-aside-*")); len(aside) != 1 {
			t.Errorf("%s is not set aside (%v)", f, aside)
		}
	}
	saves := bundletest.CountCalls(c.Calls(t), "exec deployment/backend-redis -- redis-cli SAVE")
	// (The simulator fails FAKEOC_FAIL's call once per cluster: this run
	// goes on to the end.)
	if out, err := c.runEnv(t, bundle, work, "", nil, acks...); err != nil || !strings.Contains(out, "2.15-2.16/redis-dump [backup]") || !strings.Contains(out, "all steps done") {
		t.Errorf("the re-run after the rollback did not redo the move: %v\n%s", err, out[max(0, len(out)-6000):])
	}
	if n := bundletest.CountCalls(c.Calls(t), "exec deployment/backend-redis -- redis-cli SAVE"); n != saves+1 {
		t.Errorf("the re-run after the rollback saved backend-redis %d times, want once", n-saves)
	}
}

// pgRDSHost is the RDS endpoint of pgRDSSite.
const pgRDSHost = "system.abc.eu-west-1.rds.amazonaws.com"

// pgRDSSite is the 2.15 PostgreSQL site (Redis external) whose system
// database moves to RDS (chapter 5): system-postgresql holds pg215Rows,
// and the RDS endpoint runs PostgreSQL 15 whose master user has none of
// the site's roles. It returns the runbook's AMPC_RDS_* variables.
func pgRDSSite(t *testing.T) (*op215Cluster, string, []string) {
	t.Helper()
	testenv.Tool(t, "jq")
	return pgRDSCluster(t), pgRDSBundle(t), pgRDSEnv
}

// pgRDSEnv is the runbook's AMPC_RDS_* variables of pgRDSSite.
var pgRDSEnv = []string{"AMPC_RDS_HOST=" + pgRDSHost, "AMPC_RDS_USER=admin", "AMPC_RDS_PASSWORD=rds-pass"}

// pgRDSObjects are the objects of pgRDSSite.
func pgRDSObjects(t *testing.T) map[string]map[string]any {
	t.Helper()
	objects := bundletest.Op215Objects(t)
	bundletest.Op215PostgreSQL(t, objects)
	bundletest.Op215External(t, objects, false, true)
	return objects
}

// pgRDSBundle is the bundle of pgRDSSite.
func pgRDSBundle(t *testing.T) string {
	t.Helper()
	planPath := bundletest.Op215Plan(t, "postgresql", "aws", "external", "")
	return bundletest.WriteBundle(t, bundletest.Compile(t, planPath, bundletest.Op215Snapshot(t, pgRDSObjects(t))))
}

// pgRDSCluster is a new cluster of pgRDSSite.
func pgRDSCluster(t *testing.T) *op215Cluster {
	t.Helper()
	c := newOp215DataCluster(t, pgRDSObjects(t))
	c.Seed(t, ocsim.Seed{Workload: "deployment/system-postgresql", Data: ocsim.Data{PostgreSQL: pg215Rows()}})
	c.Seed(t, ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "15.8"}})
	return c
}

// TestPostgreSQLToRDSKeepsRows runs chapter 5 on pgRDSSite up to the
// Secret switch: the system database on RDS holds every row, imported
// without the owners and the extension comment RDS refuses, counted
// against the dump's record. The data check fails on a record RDS does not
// match. The rollback before the switch keeps RDS's copy (3scale never
// wrote there), and the next attempt dumps again, finds the import done,
// points 3scale at RDS and completes the upgrade.
func TestPostgreSQLToRDSKeepsRows(t *testing.T) {
	t.Parallel()
	c, bundle, env := pgRDSSite(t)
	fixture := bundletest.Op215Objects(t)
	bundletest.Op215PostgreSQL(t, fixture)
	work := t.TempDir()
	acks := op215Manual(t, bundle)
	out, err := c.runEnv(t, bundle, work, "replace -f -", env, acks...)
	if err == nil || !strings.Contains(out, "2.15-2.16/pg-rds-secret [shell]") || !strings.Contains(out, "imported: every table of system on "+pgRDSHost) {
		t.Fatalf("the run did not import and stop at the Secret switch: %v\n%s", err, out)
	}
	if u := c.Unsupported(t); u != "" {
		t.Errorf("the run asked the simulator for what it does not model:\n%s", u)
	}
	got := c.Data(t, "", "host/"+pgRDSHost).PostgreSQL["system"]
	if got == nil || !reflect.DeepEqual(got.Tables, pg215Rows()["system"].Tables) {
		t.Fatalf("system on RDS holds %+v, not the rows of the site", got)
	}
	backups := filepath.Join(work, "3scale-backup", "2.15-2.16")
	if counts, err := os.ReadFile(filepath.Join(backups, "system_postgres_backup.counts")); err != nil || string(counts) != "accounts 3\nusers 2\n" {
		t.Errorf("system_postgres_backup.counts: %v %q", err, counts)
	}
	if !reflect.DeepEqual(bundletest.Get(c.all(t)["3scale/Secret/system-database"], "data"), bundletest.Get(fixture["3scale/Secret/system-database"], "data")) {
		t.Error("the Secret changed although the switch failed")
	}

	// The data check holds, and fails on a record RDS does not match.
	only := append([]string{"--only", "2.15-2.16/pg-rds-verify-data"}, acks...)
	if out, err := c.runEnv(t, bundle, work, "", env, only...); err != nil {
		t.Errorf("pg-rds-verify-data after the import: %v\n%s", err, out)
	}
	countsFile := filepath.Join(backups, "system_postgres_backup.counts")
	bundletest.WriteSealed(t, countsFile, []byte("accounts 4\nusers 2\n"))
	if out, err := c.runEnv(t, bundle, work, "", env, only...); err == nil || !strings.Contains(out, "do not hold the rows of the dump") {
		t.Errorf("pg-rds-verify-data with a row more in the record than on RDS: %v\n%s", err, out)
	}
	bundletest.WriteSealed(t, countsFile, []byte("accounts 3\nusers 2\n"))

	// The rollback before the switch: 3scale never wrote to RDS.
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/postgresql-rds")
	if err != nil || !strings.Contains(out, "it never wrote to RDS") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if aside, _ := filepath.Glob(filepath.Join(backups, "system_postgres_backup.psql.set-aside-*")); len(aside) != 1 {
		t.Errorf("the dump is not set aside: %v", aside)
	}
	dumps := bundletest.CountCalls(c.Calls(t), "exec deployment/system-postgresql -- bash -c PGPASSWORD=$POSTGRESQL_PASSWORD pg_dump")
	if dumps == 0 {
		t.Fatal("the calls log shows no dump of the first attempt")
	}
	out, err = c.runEnv(t, bundle, work, "", env, acks...)
	if err != nil || !strings.Contains(out, "ampc: all steps done") || !strings.Contains(out, "holds the rows of the dump already") {
		t.Fatalf("the next attempt did not find the import done and complete the upgrade: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "exec deployment/system-postgresql -- bash -c PGPASSWORD=$POSTGRESQL_PASSWORD pg_dump"); n != dumps+1 {
		t.Errorf("the next attempt dumped %d times, want once", n-dumps)
	}
	if v := unb64(t, bundletest.Get(c.all(t)["3scale/Secret/system-database"], "data", "URL")); v != "postgresql://admin:rds-pass@"+pgRDSHost+"/system" {
		t.Errorf("system-database URL = %q", v)
	}
}

// TestRDSCheckRefusesTablesItDidNotImport: before the window opens, the RDS
// check stops the run when the database the guide names on RDS holds
// tables this runbook did not import (MySQL and PostgreSQL), and when the
// instance runs a version 3scale 2.16 does not support; 3scale keeps
// running and RDS keeps its tables.
func TestRDSCheckRefusesTablesItDidNotImport(t *testing.T) {
	t.Parallel()
	foreign := map[string]*ocsim.Table{"orders": {Columns: []string{"id"}, Key: "id", Rows: [][]string{{"1"}}}}
	for _, tc := range []struct {
		name, step, want string
		seed             ocsim.Seed
	}{
		{"postgresql", "pg-rds-check", "holds 1 tables that this runbook did not import",
			ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "15.8", PostgreSQL: map[string]*ocsim.Database{"system": {Owner: "admin", Tables: foreign}}}}},
		{"postgresql 13", "pg-rds-check", "3scale 2.16 needs PostgreSQL 15 or later",
			ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "13.16"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, bundle, env := pgRDSSite(t)
			c.Seed(t, tc.seed)
			out, err := c.runEnv(t, bundle, t.TempDir(), "", env, op215Manual(t, bundle)...)
			if err == nil || !strings.Contains(out, "2.15-2.16/"+tc.step+" [verify]") || !strings.Contains(out, tc.want) || strings.Contains(out, "2.15-2.16/scale-down [shell]") {
				t.Errorf("the run did not stop at %s before the window with %q: %v\n%s", tc.step, tc.want, err, out)
			}
			if strings.Contains(out, "see the rollback section") {
				t.Errorf("a failure before the window offers a rollback:\n%s", out)
			}
			if d := c.Data(t, "", "host/"+pgRDSHost).PostgreSQL["system"]; tc.seed.Data.PostgreSQL != nil && (d == nil || !reflect.DeepEqual(d.Tables, foreign)) {
				t.Errorf("the refused run changed system on RDS: %+v", d)
			}
		})
	}
}

// TestRedis215FailedAOFStops: backend-redis holds 600 MB, and someone
// created backend-redis-storage-external with 1Gi before the run: the dump
// fits, Redis loads it, but BGREWRITEAOF cannot write the append-only file
// beside it. INFO then says aof_rewrite_in_progress:0 as after a good
// rewrite; redis-aof reads aof_last_bgrewrite_status and stops there,
// before any Secret points 3scale at the instance.
func TestRedis215FailedAOFStops(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	objects := bundletest.Op215Objects(t)
	for _, name := range []string{"backend-redis-storage", "system-redis-storage"} {
		claim := objects["3scale/PersistentVolumeClaim/"+name]
		claim["spec"].(map[string]any)["resources"] = map[string]any{"requests": map[string]any{"storage": "5Gi"}}
		if st, ok := claim["status"].(map[string]any); ok {
			st["capacity"] = map[string]any{"storage": "5Gi"}
		}
	}
	c := newOp215DataCluster(t, objects)
	c.Put(t, map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": map[string]any{"name": "backend-redis-storage-external", "namespace": "3scale-db"},
		"spec":     map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}})
	c.Seed(t, ocsim.Seed{Workload: "deployment/backend-redis", Data: ocsim.Data{Redis: map[int]map[string]string{0: {"stats/big": "ocsim-blob:600000000"}}}})
	c.Seed(t, ocsim.Seed{Workload: "deployment/system-redis", Data: ocsim.Data{Redis: map[int]map[string]string{1: {"session:1": "x"}}}})
	before := c.all(t)
	out, err := c.runEnv(t, bundle, t.TempDir(), "", nil, op215Manual(t, bundle)...)
	if err == nil || !strings.Contains(out, "2.15-2.16/redis-aof [shell]") || !strings.Contains(out, "backend-redis-external could not write its append-only file (aof_last_bgrewrite_status:err") {
		t.Fatalf("the run did not stop at redis-aof on the failed rewrite: %v\n%s", err, out)
	}
	got := c.all(t)
	for _, key := range []string{"3scale/Secret/backend-redis", "3scale/Secret/system-redis"} {
		if !reflect.DeepEqual(op215Desired(map[string]map[string]any{key: before[key]}), op215Desired(map[string]map[string]any{key: got[key]})) {
			t.Errorf("the failed run changed %s", key)
		}
	}
	for _, component := range []string{"backend", "system"} {
		if v := bundletest.Get(got["3scale/APIManager/apimanager-sample"], "spec", "externalComponents", component, "redis"); v == true {
			t.Errorf("the failed run marked %s's Redis external", component)
		}
	}
}

// TestPostgreSQL215RestoreStillRunning: the re-runs of pg-restore after
// its connection was lost, with the restore in the pod in each state it
// can be in (the simulator runs a command to its end at once: the test
// writes the pod's status as the restore leaves it). With the database
// holding tables and no status of this dump's restore (one cut off by a
// pod restart), and with the status saying running (a restore not ended:
// before, a re-run read its log as an outcome and went on), the re-run
// stops as it is, says what to do, and starts no second pg_restore. Once
// the status holds pg_restore's exit code, the next re-run reads the
// outcome and goes on, pg_restore having run once.
func TestPostgreSQL215RestoreStillRunning(t *testing.T) {
	t.Parallel()
	c, bundle, rows := pg215Site(t)
	work := t.TempDir()
	acks := op215Manual(t, bundle)
	out, err := c.runEnv(t, bundle, work, "", []string{"FAKEOC_FAIL_AFTER=pg_restore -v"}, acks...)
	if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != "2.15-2.16/pg-restore" {
		t.Fatalf("the run did not fail in pg-restore: %v\n%s", err, bundletest.Tail(out, 20))
	}
	const pod = "deployment/system-postgresql-external"
	status, err := c.OC(t, "", "exec", pod, "--namespace=3scale-db", "--", "cat", "/tmp/ampc-pg_restore.status")
	sum, code, ok := strings.Cut(strings.TrimSpace(status), " ")
	if err != nil || !ok || code == "running" {
		t.Fatalf("the pod's restore status after the run: %v %q", err, status)
	}
	for _, tc := range []struct{ name, status, want string }{
		{"no status", "", "that this step started has ended in its pod"},
		{"running", sum + " running\n", "that an earlier attempt started has not ended in the pod of system-postgresql-external"},
	} {
		script := "rm -f /tmp/ampc-pg_restore.status"
		if tc.status != "" {
			script = "cat > /tmp/ampc-pg_restore.status"
		}
		if _, err := c.OC(t, tc.status, "exec", "-i", pod, "--namespace=3scale-db", "--", "bash", "-c", script); err != nil {
			t.Fatal(err)
		}
		out, err = c.runEnv(t, bundle, work, "", nil, acks...)
		if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != "2.15-2.16/pg-restore" || !strings.Contains(out, tc.want) {
			t.Errorf("%s: the re-run did not stop at pg-restore saying %q: %v\n%s", tc.name, tc.want, err, bundletest.Tail(out, 20))
		}
		if n := pgRestores(t, c); n != 1 {
			t.Errorf("%s: pg_restore ran %d times, want once", tc.name, n)
		}
	}
	// The restore ends: its status holds pg_restore's exit code.
	if _, err := c.OC(t, status, "exec", "-i", pod, "--namespace=3scale-db", "--", "bash", "-c", "cat > /tmp/ampc-pg_restore.status"); err != nil {
		t.Fatal(err)
	}
	out, err = c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") || !strings.Contains(out, "has ended in the pod: its outcome follows") {
		t.Fatalf("the re-run after the restore ended did not read its outcome and go on: %v\n%s", err, bundletest.Tail(out, 30))
	}
	restoredOnce(t, c, rows)
}

// TestPostgreSQL215RestoreDetached: the connection of pg-restore's
// pg_restore exec drops while the restore goes on in the pod (ocsim.Detach).
// The run fails there; a re-run while the restore still runs stops, says
// to wait until it ends, and starts no second pg_restore; once it ended,
// the next re-run reads its outcome and goes on, pg_restore having run
// once and the rows of the site restored once.
func TestPostgreSQL215RestoreDetached(t *testing.T) {
	t.Parallel()
	c, bundle, rows := pg215Site(t)
	work := t.TempDir()
	acks := op215Manual(t, bundle)
	fired := false
	c.Fault = func(call ocsim.Call) ocsim.Fault {
		if !fired && strings.Contains(strings.Join(call.Args, " "), "pg_restore -v") {
			fired = true
			return ocsim.Detach
		}
		return ocsim.Pass
	}
	out, err := c.runEnv(t, bundle, work, "", nil, acks...)
	if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != "2.15-2.16/pg-restore" {
		t.Fatalf("the run did not fail in pg-restore: %v\n%s", err, bundletest.Tail(out, 20))
	}
	if c.Pending() != 1 {
		t.Fatalf("%d commands run on in the pods, want the restore", c.Pending())
	}
	out, err = c.runEnv(t, bundle, work, "", nil, acks...)
	if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != "2.15-2.16/pg-restore" || !bundletest.AsksToWait(out) {
		t.Fatalf("the re-run while the restore runs did not stop at pg-restore asking to wait: %v\n%s", err, bundletest.Tail(out, 20))
	}
	if c.Pending() != 1 {
		t.Fatalf("the restore ended during the re-run: the re-run cannot show that it waits for it")
	}
	c.WaitDetached(t)
	out, err = c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") || !strings.Contains(out, "has ended in the pod: its outcome follows") {
		t.Fatalf("the re-run after the restore ended did not read its outcome and go on: %v\n%s", err, bundletest.Tail(out, 30))
	}
	restoredOnce(t, c, rows)
}

// restoredOnce checks that pg_restore ran once into the new PostgreSQL 15,
// and that its database system holds the rows of the site's.
func restoredOnce(t *testing.T, c *op215Cluster, rows map[string]*ocsim.Database) {
	t.Helper()
	if n := pgRestores(t, c); n != 1 {
		t.Errorf("pg_restore ran %d times, want once", n)
	}
	got := c.Data(t, "3scale-db", "deployment/system-postgresql-external").PostgreSQL["system"]
	for name, table := range rows["system"].Tables {
		if got == nil || got.Tables[name] == nil || !reflect.DeepEqual(got.Tables[name].Rows, table.Rows) {
			t.Errorf("system.%s in PostgreSQL 15 does not hold the rows of the site's", name)
		}
	}
}

// pgRestores counts the runs of pg_restore into the new PostgreSQL 15.
func pgRestores(t *testing.T, c *op215Cluster) int {
	t.Helper()
	n := 0
	for _, call := range c.Calls(t) {
		if strings.Contains(call, "pg_restore -v -h localhost") {
			n++
		}
	}
	return n
}
