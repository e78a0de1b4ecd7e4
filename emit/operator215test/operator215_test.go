package operator215test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// The 2.15 → 2.16 operator runbooks (seed 004) on the simulated cluster,
// seeded with the operator fixtures (bundletest.Op215Objects, keyed
// NAMESPACE/KIND/NAME); emit/operator215_test.go holds the hop's bundle
// tests.

// unb64 decodes a Secret's data value, failing the test if it is not
// base64.
func unb64(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	dec, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%q is not base64: %v", s, err)
	}
	return string(dec)
}

// op215Desired is what a client sets of the objects, the spec, data,
// labels and annotations of each, without what the simulated cluster's
// controllers keep moving while its clock runs: status, and the pods,
// ReplicationControllers, ReplicaSets and InstallPlans they create.
func op215Desired(objects map[string]map[string]any) map[string]any {
	out := map[string]any{}
	for key, obj := range objects {
		switch obj["kind"] {
		case "Pod", "ReplicationController", "ReplicaSet", "InstallPlan", "Event":
			continue
		}
		out[key] = []any{obj["spec"], obj["data"], bundletest.Get(obj, "metadata", "labels"), bundletest.Get(obj, "metadata", "annotations")}
	}
	return out
}

// op215Cluster is the fake oc seeded with the operator fixtures, each
// namespace in its own directory (the default one, 3scale, at the top).
type op215Cluster struct {
	*bundletest.Cluster
}

// newOp215Cluster is newOp215DataCluster whose oc exec prints execOut.
func newOp215Cluster(t *testing.T, objects map[string]map[string]any, execOut string) *op215Cluster {
	t.Helper()
	c := newOp215DataCluster(t, objects)
	c.ExecOut(t, execOut)
	return c
}

// newOp215DataCluster is a simulated cluster holding objects (keyed as
// bundletest.Op215Objects) and OpenShift 4.16's ClusterVersion, whose
// database pods run the real tools' behaviour on the data they are seeded
// with (Cluster.Seed).
func newOp215DataCluster(t *testing.T, objects map[string]map[string]any) *op215Cluster {
	t.Helper()
	c := &op215Cluster{bundletest.NewCluster(t, "")}
	c.putSite(t, objects)
	return c
}

// putSite puts objects (keyed as bundletest.Op215Objects) and OpenShift
// 4.16's ClusterVersion on c.
func (c *op215Cluster) putSite(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	for _, obj := range objects {
		c.Put(t, obj)
	}
	c.Put(t, map[string]any{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": map[string]any{"name": "version", "namespace": "3scale"},
		"status":   map[string]any{"desired": map[string]any{"version": "4.16.12"}}})
}

// newOp215AWSCluster is the 2.15 MySQL site whose databases move to AWS,
// with data: system-mysql holds mysql215Rows, the Redis instances keys,
// and the RDS and ElastiCache endpoints of TestOperator215RunbookAWS run
// MySQL 8.0 (empty) and Redis 7.2 (seeded by hand from the dumps, as the
// guide's 6.2 does, with the keys of the site).
func newOp215AWSCluster(t *testing.T) *op215Cluster {
	t.Helper()
	c := newOp215DataCluster(t, bundletest.Op215Objects(t))
	c.Seed(t, ocsim.Seed{Workload: "deployment/system-mysql", Data: ocsim.Data{MySQL: mysql215Rows()}})
	c.Seed(t, ocsim.Seed{Host: mysqlRDSHost, Kind: "mysql", Data: ocsim.Data{Version: "8.0.40"}})
	// The readiness probes of 3scale write liveness-probe into each.
	backend := map[int]map[string]string{0: {"service/provider_key:abc/id": "1", "liveness-probe": "1"}, 1: {"resque:queue:priority": "job"}}
	system := map[int]map[string]string{0: {"liveness-probe": "1"}, 1: {"system:cache:1": "x"}}
	c.Seed(t, ocsim.Seed{Workload: "deployment/backend-redis", Data: ocsim.Data{Redis: backend}})
	c.Seed(t, ocsim.Seed{Workload: "deployment/system-redis", Data: ocsim.Data{Redis: system}})
	c.Seed(t, ocsim.Seed{Host: "backend.abc.cache.amazonaws.com", Kind: "redis", Data: ocsim.Data{Version: "7.2.4", Redis: backend}})
	c.Seed(t, ocsim.Seed{Host: "system.abc.cache.amazonaws.com", Kind: "redis", Data: ocsim.Data{Version: "7.2.4", Redis: system}})
	return c
}

// mysqlRDSHost is the RDS endpoint of newOp215AWSCluster.
const mysqlRDSHost = "threescale.abc.eu-west-1.rds.amazonaws.com"

// mysql215Rows is what the 2.15 site's system database holds.
func mysql215Rows() map[string]*ocsim.Database {
	return map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Master Account"}, {"2", "Provider"}, {"3", "it's\tquoted"}}},
		"users":    {Columns: []string{"id", "email"}, Key: "id", Rows: [][]string{{"1", "admin@example.com"}, {"2", ocsim.Null}}}}}}
}

func (c *op215Cluster) path(obj map[string]any) string {
	dir := filepath.Join(c.Dir, "objects")
	if ns, _ := bundletest.Get(obj, "metadata", "namespace").(string); ns != "3scale" && ns != "" {
		dir = filepath.Join(dir, ns)
	}
	return filepath.Join(dir, obj["kind"].(string)+"."+bundletest.Get(obj, "metadata", "name").(string)+".json")
}

// Put writes obj in the directory of its namespace (3scale's at the top),
// where Cluster.Put writes every object into 3scale.
func (c *op215Cluster) Put(t *testing.T, obj map[string]any) {
	t.Helper()
	path := c.path(obj)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.MarshalIndent(obj, "", "  ")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// all reads every object of every namespace, keyed NAMESPACE/KIND/NAME.
func (c *op215Cluster) all(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	err := filepath.WalkDir(filepath.Join(c.Dir, "objects"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if bundletest.Get(obj, "metadata", "namespace") == nil {
			obj["metadata"].(map[string]any)["namespace"] = "3scale"
		}
		out[bundletest.Op215KeyOf(obj)] = obj
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runEnv runs the runbook with more environment variables.
// AMPC_UPGRADE_MINUTES is 10: the simulated OLM and operators take a few
// logical minutes to install a CSV and reconcile the APIcasts, more than
// one, and the runbook's sleeps advance the simulator's clock, not the
// test's.
func (c *op215Cluster) runEnv(t *testing.T, bundle, workDir, fail string, env []string, args ...string) (string, error) {
	t.Helper()
	return c.Exec(t, bundle, workDir, append([]string{"FAKEOC_FAIL=" + fail, "AMPC_UPGRADE_MINUTES=10"}, env...), args...)
}

// op215Manual lists --ack for every manual step of a bundle.
func op215Manual(t *testing.T, dir string) []string {
	t.Helper()
	var args []string
	for _, s := range bundletest.Op215ReadPlan(t, dir).Steps {
		if s.Kind == "manual" {
			args = append(args, "--ack", s.ID)
		}
	}
	return args
}

const op215ExecOut = `REDIS0011 (what fakeoc prints for every oc exec)
mysql  Ver 8.0.36 for Linux on x86_64 (Source distribution)
psql (PostgreSQL) 15.8
Redis server v=7.2.6 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1
aof_rewrite_in_progress:0
aof_rewrite_scheduled:0
aof_last_bgrewrite_status:ok
liveness-probe
 org_name
----------------
 Master Account
(1 row)
-- Dump completed on 2026-11-21
-- PostgreSQL database dump complete
`

// pollFail is the call the upgrade wait makes first: the tests fail it once
// to stop the runbook where the operator would take over.
const op215PollFail = "jsonpath={.metadata.annotations}"

// indexOfCall is the index of the first call that starts with prefix, or -1.
func indexOfCall(calls []string, prefix string) int {
	for i, c := range calls {
		if strings.HasPrefix(c, prefix) {
			return i
		}
	}
	return -1
}

// TestOperator215RunbookAWS runs the MySQL-to-RDS, Redis-to-ElastiCache
// runbook on a site whose databases hold data: the system database's rows
// arrive in threescale on RDS, counted with the dump; the Secrets point at
// AWS with URL-encoded credentials, the credentials are never on a command
// line or in the log, system keeps the Redis database of its URL, and the
// RDS rollback restores the Secret.
func TestOperator215RunbookAWS(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-aws.hcl"), ""))
	acks := op215Manual(t, bundle)
	const password = "s3cr3t:p@ss/word"
	env := []string{
		"AMPC_RDS_HOST=" + mysqlRDSHost, "AMPC_RDS_USER=admin", "AMPC_RDS_PASSWORD=" + password,
		"AMPC_BACKEND_REDIS_HOST=backend.abc.cache.amazonaws.com", "AMPC_SYSTEM_REDIS_HOST=system.abc.cache.amazonaws.com",
	}
	c := newOp215AWSCluster(t)
	work := t.TempDir()

	// Without the variables the runbook stops at the check of RDS, before
	// the window opens.
	out, err := c.runEnv(t, bundle, work, "", nil, acks...)
	if err == nil || !strings.Contains(out, "AMPC_RDS_HOST, AMPC_RDS_USER and AMPC_RDS_PASSWORD must be set") || !strings.Contains(out, "2.15-2.16/mysql-rds-check [verify]") || strings.Contains(out, "2.15-2.16/save-replicas [shell]") {
		t.Fatalf("the run without AMPC_RDS_* did not stop at the RDS check, before the window: %v\n%s", err, out)
	}
	const channelPatch = "patch subscription.operators.coreos.com/3scale-operator"
	out, err = c.runEnv(t, bundle, work, channelPatch, env, acks...)
	if err == nil || !strings.Contains(out, "2.15-2.16/channel [patch]") {
		t.Fatalf("the run did not stop at the channel change: %v\n%s", err, out)
	}
	got := c.all(t)
	db := bundletest.Get(got["3scale/Secret/system-database"], "data")
	for k, want := range map[string]string{
		"DB_USER":     "admin",
		"DB_PASSWORD": password,
		"URL":         "mysql2://admin:s3cr3t%3Ap%40ss%2Fword@threescale.abc.eu-west-1.rds.amazonaws.com/threescale",
	} {
		if v := unb64(t, bundletest.Get(db, k)); v != want {
			t.Errorf("system-database %s = %q, want %q", k, v, want)
		}
	}
	for k, want := range map[string]string{
		"REDIS_STORAGE_URL": "redis://backend.abc.cache.amazonaws.com:6379/0",
		"REDIS_QUEUES_URL":  "redis://backend.abc.cache.amazonaws.com:6379/1",
	} {
		if v := unb64(t, bundletest.Get(got["3scale/Secret/backend-redis"], "data", k)); v != want {
			t.Errorf("backend-redis %s = %q, want %q", k, v, want)
		}
	}
	if v := unb64(t, bundletest.Get(got["3scale/Secret/system-redis"], "data", "URL")); v != "redis://system.abc.cache.amazonaws.com:6379/1" {
		t.Errorf("system-redis URL = %q (the guide's /0 would lose system's keys of database 1)", v)
	}
	bundletest.Op215WantExternal(t, got, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
	calls, _ := os.ReadFile(filepath.Join(c.Dir, "calls.log"))
	if bytes.Contains(calls, []byte(password)) || strings.Contains(out, password) {
		t.Error("the RDS password is on a command line or in the runbook's output")
	}
	if !bytes.Contains(calls, []byte("exec -i deployment/system-mysql -- bash -c")) {
		t.Error("the import does not go through system-mysql")
	}
	if info, err := os.Stat(filepath.Join(work, "3scale-backup", "2.15-2.16", "cleaned_system_mysql_backup.sql")); err != nil || info.Size() == 0 {
		t.Errorf("no cleaned dump: %v", err)
	}
	if got := c.Data(t, "", "host/threescale.abc.eu-west-1.rds.amazonaws.com").MySQL["threescale"]; got == nil || !reflect.DeepEqual(got.Tables, mysql215Rows()["system"].Tables) {
		t.Errorf("threescale on RDS holds %+v, not the rows of system", got)
	}
	if counts, err := os.ReadFile(filepath.Join(work, "3scale-backup", "2.15-2.16", "system_mysql_backup.counts")); err != nil || string(counts) != "accounts 3\nusers 2\n" {
		t.Errorf("system_mysql_backup.counts: %v %q", err, counts)
	}

	// After the channel change (made here on a copy of the site, as the
	// channel step makes it) the RDS restoration (4.2.8) does not apply:
	// it refuses and changes nothing.
	changed, changedWork := c.copy(t, work)
	changed.Act(t, "patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec": {"channel": "threescale-2.16"}}`)
	before := op215Desired(changed.all(t))
	out, err = changed.runEnv(t, bundle, changedWork, "", nil, "--rollback", "2.15-2.16/mysql-rds")
	if err == nil || !strings.Contains(out, "this rollback does not apply") {
		t.Errorf("the RDS rollback after the channel change: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(before, op215Desired(changed.all(t))) {
		t.Error("the refused rollback changed the site")
	}

	// Before it, the RDS restoration gives the old Secret back.
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/mysql-rds")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(bundletest.Get(c.all(t)["3scale/Secret/system-database"], "data"), bundletest.Get(bundletest.Op215Objects(t)["3scale/Secret/system-database"], "data")) {
		t.Error("system-database is not restored")
	}
	backups := filepath.Join(work, "3scale-backup", "2.15-2.16")
	for _, f := range []string{"cleaned_system_mysql_backup.sql", "system_mysql_backup.counts", "rds_import.done", "rds-import.target"} {
		if aside, _ := filepath.Glob(filepath.Join(backups, f+".set-aside-*")); len(aside) != 1 {
			t.Errorf("the rollback did not set %s aside: %v", f, aside)
		}
	}
	// The ElastiCache restoration (6.2.7) gives the Redis Secrets back and
	// sets the Redis dumps aside, so that the next attempt dumps again.
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/redis-elasticache")
	if err != nil {
		t.Fatalf("rollback redis-elasticache: %v\n%s", err, out)
	}
	for _, secret := range []string{"backend-redis", "system-redis"} {
		if !reflect.DeepEqual(bundletest.Get(c.all(t)["3scale/Secret/"+secret], "data"), bundletest.Get(bundletest.Op215Objects(t)["3scale/Secret/"+secret], "data")) {
			t.Errorf("%s is not restored", secret)
		}
	}
	for _, f := range []string{"backend-redis-dump.rdb", "system-redis-dump.rdb", "backend-redis-dump.keys", "system-redis-dump.keys"} {
		if aside, _ := filepath.Glob(filepath.Join(backups, f+".set-aside-*")); len(aside) != 1 {
			t.Errorf("the ElastiCache rollback did not set %s aside: %v", f, aside)
		}
	}
	// 3scale wrote to RDS while the Secret named it: the next attempt
	// dumps again and refuses, before the window, to import over it.
	dumps := bundletest.CountCalls(c.Calls(t), "exec deployment/system-mysql -- bash -c MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\" mysqldump")
	if dumps == 0 {
		t.Fatal("the calls log shows no dump of the first attempt")
	}
	out, err = c.runEnv(t, bundle, work, "", env, acks...)
	if err == nil || !strings.Contains(out, "2.15-2.16/mysql-rds-check [verify]") || !strings.Contains(out, "tables that this runbook did not import") || strings.Contains(out, "2.15-2.16/scale-down [shell]") {
		t.Errorf("the re-run after the rollback did not stop at the RDS check: %v\n%s", err, out)
	}
	if got := c.Data(t, "", "host/threescale.abc.eu-west-1.rds.amazonaws.com").MySQL["threescale"]; got == nil || len(got.Tables) != 2 {
		t.Errorf("the refused re-run changed threescale on RDS: %+v", got)
	}
	if n := bundletest.CountCalls(c.Calls(t), "exec deployment/system-mysql -- bash -c MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\" mysqldump"); n != dumps {
		t.Errorf("the refused re-run dumped %d times", n-dumps)
	}
}
