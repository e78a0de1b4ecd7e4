package ocsim

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// dbDC is a database DeploymentConfig in miniature: NAME runs image with
// env, its data directory on the claim (of size) or, with claim "", on an
// emptyDir, and a Service NAME selects its pods. Extra volumes (a
// ConfigMap's redis.conf) are mounted with mounts.
func dbDC(name, image, dataDir, claim, size string, env map[string]string, mounts ...map[string]any) []Object {
	var envList []any
	for _, k := range sortedKeys(env) {
		envList = append(envList, map[string]any{"name": k, "value": env[k]})
	}
	vol := map[string]any{"name": name + "-data", "emptyDir": map[string]any{}}
	if claim != "" {
		vol = map[string]any{"name": name + "-data", "persistentVolumeClaim": map[string]any{"claimName": claim}}
	}
	vols := []any{vol}
	vms := []any{map[string]any{"name": name + "-data", "mountPath": dataDir}}
	var args []any
	for _, m := range mounts {
		vols = append(vols, map[string]any{"name": m["name"], "configMap": map[string]any{"name": m["configMap"]}})
		vms = append(vms, map[string]any{"name": m["name"], "mountPath": m["mountPath"]})
		if a, ok := m["args"]; ok {
			args = append(args, a)
		}
	}
	ctr := map[string]any{"name": name, "image": image, "env": envList, "volumeMounts": vms}
	if len(envList) == 0 {
		delete(ctr, "env")
	}
	if args != nil {
		ctr["args"] = args
	}
	dc := meta("DeploymentConfig", "apps.openshift.io/v1", "3scale", name)
	dc["spec"] = map[string]any{
		"replicas": 1, "selector": map[string]any{"deploymentConfig": name},
		"strategy": map[string]any{"type": "Recreate"},
		"triggers": []any{map[string]any{"type": "ConfigChange"}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"deploymentConfig": name}},
			"spec":     map[string]any{"containers": []any{ctr}, "volumes": vols},
		},
	}
	svc := meta("Service", "v1", "3scale", name)
	svc["spec"] = map[string]any{"selector": map[string]any{"deploymentConfig": name}, "ports": []any{map[string]any{"port": 5432}}}
	out := []Object{dc, svc}
	if claim != "" {
		pvc := meta("PersistentVolumeClaim", "v1", "3scale", claim)
		pvc["spec"] = map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": size}}}
		out = append(out, pvc)
	}
	return out
}

// appDC is a client of a database: a DeploymentConfig whose pods hold
// url in DATABASE_URL, as zync and system do.
func appDC(name, url string) Object {
	dc := meta("DeploymentConfig", "apps.openshift.io/v1", "3scale", name)
	dc["spec"] = map[string]any{
		"replicas": 1, "selector": map[string]any{"deploymentConfig": name},
		"triggers": []any{map[string]any{"type": "ConfigChange"}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"deploymentConfig": name}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": name, "image": "registry.example.com/3scale/" + name + ":2.8",
				"env": []any{map[string]any{"name": "DATABASE_URL", "value": url}}}}},
		},
	}
	return dc
}

func (s *sim) seed(sd Seed) {
	s.t.Helper()
	for _, dir := range []string{s.dir, s.twinDir} {
		if err := SeedData(dir, sd); err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s *sim) data(workload string) *Data {
	s.t.Helper()
	d, err := ReadData(Config{Dir: s.dir, Namespace: "3scale"}, "", workload)
	if err != nil {
		s.t.Fatal(err)
	}
	return d
}

// execIn runs a command in a pod of target, with stdin.
func (s *sim) execIn(stdin, target string, cmd ...string) (string, string, int) {
	s.t.Helper()
	args := []string{"exec", target, "--"}
	if stdin != "" {
		args = []string{"exec", "-i", target, "--"}
	}
	return s.ocIn(stdin, append(args, cmd...)...)
}

func (s *sim) mustExec(stdin, target string, cmd ...string) string {
	s.t.Helper()
	out, errOut, code := s.execIn(stdin, target, cmd...)
	if code != 0 {
		s.t.Fatalf("exec %s %s: exit %d\n%s%s", target, strings.Join(cmd, " "), code, out, errOut)
	}
	return out
}

func gunzip(t *testing.T, b string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func zyncData() map[string]*Database {
	return map[string]*Database{"zync_production": {Owner: "zync", Tables: map[string]*Table{
		"tenants":      {Columns: []string{"id", "endpoint"}, Key: "id", Rows: [][]string{{"1", "https://t1.example.com"}, {"2", "https://t2.example.com"}}},
		"integrations": {Columns: []string{"id", "tenant_id", "state"}, Key: "id", Rows: [][]string{{"1", "1", "active"}, {"2", "2", "it's\tdisabled"}, {"3", "2", Null}}},
	}}}
}

var zyncEnv = map[string]string{"POSTGRESQL_USER": "zync", "POSTGRESQL_PASSWORD": "pw", "POSTGRESQL_DATABASE": "zync_production"}

// TestPostgreSQLDumpallIntoNewServer: zync-database's data on an emptyDir,
// dumped with pg_dumpall | gzip in the pod (as the runbooks' dump_gz),
// checked for the cluster dump's trailer, and restored with gzip -dc |
// psql into the empty PostgreSQL 10 pod the image change starts: psql
// reports the roles and the database the image created, exits 0, and the
// rows are back.
func TestPostgreSQLDumpallIntoNewServer(t *testing.T) {
	s := newSim(t, dbDC("zync-database", "registry.access.redhat.com/rhscl/postgresql-95-rhel7@sha256:95", pgDataDir, "", "", zyncEnv)...)
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}})
	if v := s.mustExec("", "dc/zync-database", "psql", "--version"); v != "psql (PostgreSQL) 9.5.25\n" {
		t.Errorf("psql --version: %q", v)
	}
	dump := s.mustExec("", "dc/zync-database", "bash", "-c", "set -o pipefail; pg_dumpall | gzip -c")
	s.mustExec(dump, "dc/zync-database", "bash", "-c", "gzip -dc | tail -n 5 | grep -q 'PostgreSQL database cluster dump complete'")
	text := gunzip(t, dump)
	for _, want := range []string{"CREATE ROLE zync;", "CREATE DATABASE zync_production WITH TEMPLATE = template0 OWNER = zync;", "\\connect zync_production",
		"COPY public.integrations (id, tenant_id, state) FROM stdin;\n1\t1\tactive\n2\t2\tit's\\tdisabled\n3\t2\t\\N\n\\.\n", "ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dump lacks %q:\n%s", want, text)
		}
	}
	// A truncated dump fails the completeness check.
	if _, _, code := s.execIn(dump[:len(dump)/2], "dc/zync-database", "bash", "-c", "gzip -dc | tail -n 5 | grep -q 'PostgreSQL database cluster dump complete'"); code == 0 {
		t.Error("a truncated dump passed the completeness check")
	}
	// The image change: a new pod, a new emptyDir, an empty PostgreSQL 10.
	s.must("patch", "dc/zync-database", "--type=json", "-p", `[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.access.redhat.com/rhscl/postgresql-10-rhel7@sha256:10"}]`)
	s.waitFor("the PostgreSQL 10 pod", func() bool {
		out, _, code := s.execIn("", "dc/zync-database", "psql", "--version")
		return code == 0 && out == "psql (PostgreSQL) 10.23\n"
	})
	if got := s.mustExec("", "dc/zync-database", "psql", "-d", "zync_production", "-tAc", "select count(*) from information_schema.tables where table_schema = 'public'"); got != "0\n" {
		t.Fatalf("the new database has %q tables", got)
	}
	out, errOut, code := s.execIn(dump, "dc/zync-database", "bash", "-c", "gzip -dc | psql -d postgres -f -")
	if code != 0 {
		t.Fatalf("the restore: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{`ERROR:  role "postgres" already exists`, `ERROR:  role "zync" already exists`, `ERROR:  database "zync_production" already exists`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("the restore did not report %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "COPY 3\n") {
		t.Errorf("the restore's output: %s", out)
	}
	if got := s.data("dc/zync-database"); !reflect.DeepEqual(got.PostgreSQL["zync_production"], zyncData()["zync_production"]) {
		t.Errorf("restored: %+v", got.PostgreSQL["zync_production"].Tables)
	}
	if got := s.mustExec("", "dc/zync-database", "psql", "-d", "zync_production", "-c", "SELECT endpoint FROM tenants LIMIT 20;"); got != "        endpoint        \n------------------------\n https://t1.example.com\n https://t2.example.com\n(2 rows)\n\n" {
		t.Errorf("psql's table:\n%q", got)
	}
}

// TestPsqlOnErrorStop: a dump restored into a database that holds the
// tables already: psql reports "already exists" and the duplicate keys,
// keeps going and exits 0; with ON_ERROR_STOP it stops at the first error
// and exits 3 (psql's exit status). Nothing was added either way.
func TestPsqlOnErrorStop(t *testing.T) {
	s := newSim(t, dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "zync-data", "1Gi", zyncEnv)...)
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}})
	dump := s.mustExec("", "dc/zync-database", "pg_dump", "zync_production")
	if !strings.HasSuffix(dump, "--\n-- PostgreSQL database dump complete\n--\n\n") {
		t.Errorf("pg_dump's trailer:\n%s", dump)
	}
	_, errOut, code := s.execIn(dump, "dc/zync-database", "psql", "-d", "zync_production")
	if code != 0 || !strings.Contains(errOut, `psql:<stdin>:`) || !strings.Contains(errOut, `ERROR:  relation "tenants" already exists`) ||
		!strings.Contains(errOut, "ERROR:  duplicate key value violates unique constraint \"tenants_pkey\"\nDETAIL:  Key (id)=(1) already exists.\nCONTEXT:  COPY tenants, line 1\n") ||
		!strings.Contains(errOut, `ERROR:  multiple primary keys for table "tenants" are not allowed`) {
		t.Errorf("psql without ON_ERROR_STOP: exit %d\n%s", code, errOut)
	}
	_, errOut, code = s.execIn(dump, "dc/zync-database", "psql", "-v", "ON_ERROR_STOP=1", "-d", "zync_production", "-f", "-")
	if code != 3 || strings.Count(errOut, "ERROR:") != 1 || !strings.Contains(errOut, "command terminated with exit code 3") {
		t.Errorf("psql with ON_ERROR_STOP: exit %d\n%s", code, errOut)
	}
	if got := s.data("dc/zync-database"); !reflect.DeepEqual(got.PostgreSQL["zync_production"], zyncData()["zync_production"]) {
		t.Errorf("after the failed restores: %+v", got.PostgreSQL["zync_production"].Tables)
	}
	// A failed -c command exits 1.
	if _, errOut, code := s.execIn("", "dc/zync-database", "psql", "-d", "zync_production", "-c", "SELECT count(*) FROM nope"); code != 1 || errOut != "ERROR:  relation \"nope\" does not exist\ncommand terminated with exit code 1\n" {
		t.Errorf("a failed -c: exit %d %q", code, errOut)
	}
	if got := s.mustExec("", "dc/zync-database", "psql", "-d", "zync_production", "-tAc", "SELECT to_regclass('public.tenants') IS NOT NULL"); got != "t\n" {
		t.Errorf("to_regclass: %q", got)
	}
}

// TestDropDatabaseWithClients: pg_dumpall -c's DROP DATABASE fails while
// zync's pods are connected ("is being accessed by other users"), and
// succeeds once they are gone.
func TestDropDatabaseWithClients(t *testing.T) {
	objs := append(dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "zync-data", "1Gi", zyncEnv),
		appDC("zync", "postgresql://zync:pw@zync-database:5432/zync_production"))
	s := newSim(t, objs...)
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}})
	dump := s.mustExec("", "dc/zync-database", "bash", "-c", "pg_dumpall -c --if-exists")
	if !strings.Contains(dump, "DROP DATABASE IF EXISTS zync_production;") || !strings.HasSuffix(dump, "-- PostgreSQL database cluster dump complete\n--\n\n") {
		t.Fatalf("pg_dumpall -c --if-exists:\n%s", dump)
	}
	_, errOut, code := s.execIn(dump, "dc/zync-database", "psql", "-d", "postgres", "-f", "-")
	if code != 0 || !strings.Contains(errOut, "ERROR:  database \"zync_production\" is being accessed by other users\nDETAIL:  There is 1 other session using the database.\n") ||
		!strings.Contains(errOut, "ERROR:  current user cannot be dropped") {
		t.Errorf("a restore beside zync: exit %d\n%s", code, errOut)
	}
	s.must("scale", "dc/zync", "--replicas=0")
	s.waitFor("zync's pods to be gone", func() bool { return s.must("get", "pods", "-l", "deploymentConfig=zync", "-o", "name") == "" })
	_, errOut, code = s.execIn(dump, "dc/zync-database", "psql", "-d", "postgres", "-f", "-")
	if code != 0 || strings.Contains(errOut, "is being accessed") || strings.Contains(errOut, "duplicate key") {
		t.Errorf("a restore with zync stopped: exit %d\n%s", code, errOut)
	}
	if got := s.data("dc/zync-database"); !reflect.DeepEqual(got.PostgreSQL["zync_production"], zyncData()["zync_production"]) {
		t.Errorf("restored: %+v", got.PostgreSQL["zync_production"].Tables)
	}
}

// TestVolumesKeepOrLoseData: data on a claim survives a new pod; on an
// emptyDir it is lost (the new pod's server starts on the image's empty
// database); a new claim starts empty.
func TestVolumesKeepOrLoseData(t *testing.T) {
	objs := append(dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "", "", zyncEnv),
		dbDC("system-mysql", "registry.redhat.io/rhscl/mysql-57-rhel7", mysqlDataDir, "mysql-storage", "1Gi", map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"})...)
	s := newSim(t, objs...)
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}})
	s.seed(Seed{Workload: "dc/system-mysql", Data: Data{MySQL: map[string]*Database{"system": {Tables: map[string]*Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}}}}}}}})
	s.must("get", "pods")
	if got := s.data("dc/zync-database"); len(got.PostgreSQL["zync_production"].Tables) != 2 {
		t.Fatalf("seeded: %+v", got.PostgreSQL)
	}
	for _, dc := range []string{"zync-database", "system-mysql"} {
		s.must("rollout", "latest", "dc/"+dc)
	}
	s.waitFor("the new pods", func() bool {
		out := s.must("get", "pods", "-l", "deploymentConfig", "-o", "name")
		return strings.Contains(out, "zync-database-2-") && strings.Contains(out, "system-mysql-2-") && !strings.Contains(out, "-1-")
	})
	if got := s.data("dc/zync-database"); len(got.PostgreSQL["zync_production"].Tables) != 0 {
		t.Errorf("zync-database on an emptyDir kept its tables: %+v", got.PostgreSQL["zync_production"].Tables)
	}
	if got := s.data("dc/system-mysql"); len(got.MySQL["system"].Tables["accounts"].Rows) != 1 {
		t.Errorf("system-mysql on a claim lost its rows: %+v", got.MySQL)
	}
	// A new DeploymentConfig on a new claim starts empty.
	for _, o := range dbDC("system-mysql-new", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-storage-new", "1Gi", map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}) {
		raw, _ := marshalJSON(o)
		s.ocIn(string(raw), "create", "-f", "-")
	}
	s.waitFor("system-mysql-new", func() bool { _, _, code := s.execIn("", "dc/system-mysql-new", "mysql", "--version"); return code == 0 })
	if got := s.data("dc/system-mysql-new"); len(got.MySQL["system"].Tables) != 0 || got.Version != "8.0.36" {
		t.Errorf("a new claim: %+v", got)
	}
	// Deleting the claim deletes its data.
	s.must("delete", "dc/system-mysql")
	s.must("delete", "pvc/mysql-storage")
	if _, err := os.Stat(filepath.Join(s.dir, "volumes", "3scale", "pvc.mysql-storage.json")); !os.IsNotExist(err) {
		t.Errorf("the deleted claim's volume: %v", err)
	}
}

func marshalJSON(o Object) ([]byte, error) { return marshal(o), nil }

// TestMySQLDumpAndRestore: mysqldump through the Service with root's
// password from the pod's environment, its "-- Dump completed" trailer,
// and a restore into another MySQL server that replaces the tables
// (mysqldump's DROP TABLE IF EXISTS); a dump without the drops into a
// database holding the rows fails on the first duplicate key, and mysql
// stops there with exit 1.
func TestMySQLDumpAndRestore(t *testing.T) {
	env := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system", "MYSQL_USER": "mysql", "MYSQL_PASSWORD": "userpw"}
	objs := append(dbDC("system-mysql", "registry.redhat.io/rhscl/mysql-57-rhel7", mysqlDataDir, "mysql-storage", "1Gi", env),
		dbDC("mysql-new", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-new", "1Gi", env)...)
	s := newSim(t, objs...)
	system := map[string]*Database{"system": {Tables: map[string]*Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "O'Brien \"Inc\"\n"}}},
		"users":    {Columns: []string{"id", "account_id", "email"}, Key: "id", Rows: [][]string{{"1", "1", "admin@example.com"}}},
	}}}
	s.seed(Seed{Workload: "dc/system-mysql", Data: Data{MySQL: system}})
	version := s.mustExec("", "dc/system-mysql", "mysql", "--version")
	if !strings.Contains(version, "Distrib 5.7.44,") {
		t.Errorf("mysql --version: %q", version)
	}
	dump := s.mustExec("", "dc/system-mysql", "bash", "-c", "export MYSQL_PWD=${MYSQL_ROOT_PASSWORD}; mysqldump --single-transaction -hsystem-mysql -uroot system")
	if !strings.Contains(dump, "-- Dump completed on 2026-12-01") || !strings.Contains(dump, "DROP TABLE IF EXISTS `accounts`;") ||
		!strings.Contains(dump, `INSERT INTO `+"`accounts`"+` VALUES ('1','Provider'),('2','O\'Brien \"Inc\"\n');`) {
		t.Errorf("the dump:\n%s", dump)
	}
	if _, errOut, code := s.execIn("", "dc/system-mysql", "bash", "-c", "mysqldump -hsystem-mysql -uroot system"); code != 2 ||
		!strings.Contains(errOut, "mysqldump: Got error: 1045: Access denied for user 'root'@'") {
		t.Errorf("mysqldump without the password: exit %d %q", code, errOut)
	}
	s.mustExec(dump, "dc/mysql-new", "bash", "-c", "set -o pipefail; export MYSQL_PWD=${MYSQL_ROOT_PASSWORD}; mysql -hmysql-new -uroot system")
	if got := s.data("dc/mysql-new"); !reflect.DeepEqual(got.MySQL["system"], system["system"]) {
		t.Errorf("restored: %+v", got.MySQL["system"].Tables)
	}
	// Again: the dump replaces the tables.
	s.mustExec(dump, "dc/mysql-new", "bash", "-c", "MYSQL_PWD=$MYSQL_ROOT_PASSWORD mysql -h mysql-new -u root system")
	if got := s.mustExec("", "dc/mysql-new", "bash", "-c", `MYSQL_PWD=$MYSQL_ROOT_PASSWORD mysql -h mysql-new -u root system -e "SELECT COUNT(*) FROM accounts"`); got != "COUNT(*)\n2\n" {
		t.Errorf("the count: %q", got)
	}
	noDrops := strings.ReplaceAll(dump, "DROP TABLE IF EXISTS `accounts`;", "")
	noDrops = strings.ReplaceAll(noDrops, "CREATE TABLE `accounts`", "CREATE TABLE IF NOT EXISTS `accounts`")
	_, errOut, code := s.execIn(noDrops, "dc/mysql-new", "bash", "-c", "MYSQL_PWD=$MYSQL_ROOT_PASSWORD mysql -h mysql-new -u root system")
	if code != 1 || !strings.Contains(errOut, "ERROR 1062 (23000) at line ") || !strings.Contains(errOut, ": Duplicate entry '1' for key 'accounts.PRIMARY'") {
		t.Errorf("a restore into the rows: exit %d %q", code, errOut)
	}
}

// TestVolumeFull: a volume smaller than the data fills up: the claim's
// size is its request; PostgreSQL, MySQL and a file write fail with
// their disk-full errors.
func TestVolumeFull(t *testing.T) {
	env := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}
	objs := append(dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "zync-data", "10Gi", zyncEnv),
		dbDC("small-pg", "registry.redhat.io/rhel9/postgresql-15", pgDataDir, "small-pg", "1Gi", zyncEnv)...)
	objs = append(objs, dbDC("small-mysql", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "small-mysql", "1Gi", env)...)
	s := newSim(t, objs...)
	big := zyncData()
	big["zync_production"].Tables["tenants"].Rows = append(big["zync_production"].Tables["tenants"].Rows, []string{"3", "ocsim-blob:2147483648"})
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: big}})
	dump := s.mustExec("", "dc/zync-database", "pg_dump", "zync_production")
	_, errOut, code := s.execIn(dump, "dc/small-pg", "psql", "-v", "ON_ERROR_STOP=1", "-d", "zync_production")
	if code != 3 || !strings.Contains(errOut, ": No space left on device\nHINT:  Check free disk space.\nCONTEXT:  COPY tenants, line 3\n") {
		t.Errorf("PostgreSQL on a full volume: exit %d\n%s", code, errOut)
	}
	rows := "INSERT INTO t VALUES ('1','ocsim-blob:2000000000');"
	_, errOut, code = s.execIn("CREATE TABLE t (id varchar(255) NOT NULL, v longtext, PRIMARY KEY (id));\n"+rows, "dc/small-mysql", "mysql", "system")
	if code != 1 || !strings.Contains(errOut, "ERROR 1114 (HY000) at line 2: The table 't' is full") {
		t.Errorf("MySQL on a full volume: exit %d %q", code, errOut)
	}
	_, errOut, code = s.execIn("ocsim-blob:1073741825", "dc/small-mysql", "bash", "-c", "cat > /var/lib/mysql/data/big")
	if code != 1 || !strings.Contains(errOut, "cat: write error: No space left on device") {
		t.Errorf("a file on a full volume: exit %d %q", code, errOut)
	}
}

// TestDumpNeedsRunningServer: no running pod, no dump: oc exec waits for
// one and gives up; a client reaching the Service of a stopped database is
// refused.
func TestDumpNeedsRunningServer(t *testing.T) {
	env := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}
	objs := append(dbDC("system-mysql", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-storage", "1Gi", env),
		dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "", "", zyncEnv)...)
	objs = append(objs, dbDC("pg-client", "registry.redhat.io/rhel9/postgresql-15", pgDataDir, "", "", nil)...)
	objs = append(objs, dbDC("mysql-client", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "", "", env)...)
	s := newSim(t, objs...)
	if _, errOut, code := s.execIn("", "dc/system-mysql", "psql", "--version"); code != 126 || !strings.Contains(errOut, `exec: "psql": executable file not found in $PATH`) {
		t.Errorf("psql in a MySQL pod: exit %d %q", code, errOut)
	}
	s.must("scale", "dc/zync-database", "--replicas=0")
	s.waitFor("zync-database to stop", func() bool { return s.must("get", "pods", "-l", "deploymentConfig=zync-database", "-o", "name") == "" })
	if _, errOut, code := s.execIn("", "dc/zync-database", "pg_dumpall"); code == 0 || !strings.Contains(errOut, "timed out waiting for the condition") {
		t.Errorf("a dump of a stopped database: exit %d %q", code, errOut)
	}
	if _, errOut, code := s.execIn("", "dc/pg-client", "psql", "-h", "zync-database", "-d", "zync_production", "-c", "SELECT 1"); code != 2 ||
		!strings.Contains(errOut, "psql: error: connection to server at \"zync-database\"") || !strings.Contains(errOut, "Connection refused") {
		t.Errorf("psql to a stopped database: exit %d %q", code, errOut)
	}
	s.must("scale", "dc/system-mysql", "--replicas=0")
	s.waitFor("system-mysql to terminate", func() bool {
		return s.must("get", "pods", "-l", "deploymentConfig=system-mysql", "-o", "jsonpath={.items[*].metadata.deletionTimestamp}") != ""
	})
	if _, errOut, code := s.execIn("", "dc/mysql-client", "bash", "-c", "MYSQL_PWD=rootpw mysqldump -h system-mysql -u root system"); code != 2 ||
		errOut != "mysqldump: Got error: 2003: Can't connect to MySQL server on 'system-mysql:3306' (111) when trying to connect\ncommand terminated with exit code 2\n" {
		t.Errorf("mysqldump of a stopped database: exit %d %q", code, errOut)
	}
	// The pod terminates: its server is shutting down.
	pods := s.must("get", "pods", "-l", "deploymentConfig=system-mysql", "-o", "name")
	name := strings.TrimPrefix(strings.TrimSpace(pods), "pod/")
	if _, errOut, code := s.execIn("", name, "mysqldump", "-uroot", "system"); code != 2 || !strings.Contains(errOut, "Can't connect to local MySQL server") {
		t.Errorf("mysqldump while the pod terminates: exit %d %q", code, errOut)
	}
}

func redisConfigMap(appendonly string) Object {
	cm := meta("ConfigMap", "v1", "3scale", "redis-config")
	cm["data"] = map[string]any{"redis.conf": "save 900 1\nsave 300 10\nappendonly " + appendonly + "\nappendfilename \"appendonly.aof\"\ndir /var/lib/redis/data\n"}
	return cm
}

var redisConf = map[string]any{"name": "redis-config", "configMap": "redis-config", "mountPath": "/etc/redis.d", "args": "/etc/redis.d/redis.conf"}

// TestRedisPersistence: Redis loads its append-only file when appendonly
// is yes (a dump.rdb alone is not read), dump.rdb otherwise; SAVE and
// BGREWRITEAOF write the files, INFO shows the rewrite in progress, then
// done; oc cp copies dump.rdb out; a newer RDB version stops an older
// server.
func TestRedisPersistence(t *testing.T) {
	objs := append(dbDC("backend-redis", "registry.redhat.io/rhscl/redis-32-rhel7:3.2", redisDataDir, "backend-redis-storage", "1Gi", nil, redisConf), redisConfigMap("yes"))
	restore := meta("ConfigMap", "v1", "3scale", "redis-restore")
	restore["data"] = map[string]any{"redis.conf": "save \"\"\nappendonly no\ndir /var/lib/redis/data\n"}
	objs = append(objs, restore)
	objs = append(objs, dbDC("redis-new", "registry.redhat.io/rhel8/redis-6", redisDataDir, "redis-new", "1Gi", nil,
		map[string]any{"name": "redis-config", "configMap": "redis-restore", "mountPath": "/etc/redis.d", "args": "/etc/redis.d/redis.conf"})...)
	s := newSim(t, objs...)
	keys := map[int]map[string]string{0: {"stats/{service:1}/a": "5", "stats/{service:1}/b": "7"}, 1: {"resque:queue": "x"}}
	s.seed(Seed{Workload: "dc/backend-redis", Data: Data{Redis: keys}})
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "DBSIZE"); got != "2\n" {
		t.Errorf("DBSIZE: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "info", "keyspace"); got != "# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\ndb1:keys=1,expires=0,avg_ttl=0\r\n" {
		t.Errorf("INFO keyspace: %q", got)
	}
	// CONFIG GET answers what the server read from its redis.conf at
	// start: backend-redis persists, redis-new (save "", appendonly no)
	// does not.
	for _, c := range []struct{ dc, param, want string }{
		{"dc/backend-redis", "save", "save\n900 1 300 10 60 10000\n"},
		{"dc/backend-redis", "appendonly", "appendonly\nyes\n"},
		{"dc/redis-new", "save", "save\n\n"},
		{"dc/redis-new", "APPENDONLY", "appendonly\nno\n"},
	} {
		if got := s.mustExec("", c.dc, "redis-cli", "CONFIG", "GET", c.param); got != c.want {
			t.Errorf("%s CONFIG GET %s: %q, want %q", c.dc, c.param, got, c.want)
		}
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-server", "--version"); !strings.HasPrefix(got, "Redis server v=3.2.13 ") {
		t.Errorf("redis-server --version: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "SAVE"); got != "OK\n" {
		t.Errorf("SAVE: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "BGSAVE"); got != "Background saving started\n" {
		t.Errorf("BGSAVE: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "BGSAVE"); got != "ERR Background save already in progress\n\n" {
		t.Errorf("a second BGSAVE: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "INFO", "server"); !strings.HasPrefix(got, "# Server\r\nredis_version:3.2.13\r\n") {
		t.Errorf("INFO server: %q", got)
	}
	if _, errOut, code := s.execIn("", "dc/backend-redis", "redis-cli", "--rdb", "/tmp/copy.rdb"); code != 0 || !strings.Contains(errOut, "Transfer finished with success.") {
		t.Errorf("--rdb: exit %d %q", code, errOut)
	}
	if got := s.mustExec("", "dc/backend-redis", "head", "-c", "9", "/tmp/copy.rdb"); got != "REDIS0007" {
		t.Errorf("the --rdb file: %q", got)
	}
	pod := strings.TrimPrefix(strings.TrimSpace(s.must("get", "pods", "-l", "deploymentConfig=backend-redis", "-o", "name")), "pod/")
	local := filepath.Join(t.TempDir(), "dump.rdb")
	s.must("cp", pod+":/var/lib/redis/data/dump.rdb", local)
	rdb, err := os.ReadFile(local)
	if err != nil || !bytes.HasPrefix(rdb, []byte("REDIS0007")) {
		t.Fatalf("the copied dump.rdb: %v %q", err, rdb)
	}
	// A restart keeps the keys (the append-only file).
	s.must("rollout", "latest", "dc/backend-redis")
	s.waitFor("the new backend-redis pod", func() bool {
		out := s.must("get", "pods", "-l", "deploymentConfig=backend-redis")
		return strings.Contains(out, "backend-redis-2-") && !strings.Contains(out, "backend-redis-1-")
	})
	if got := s.data("dc/backend-redis"); !reflect.DeepEqual(got.Redis, keys) {
		t.Errorf("after a restart: %+v", got.Redis)
	}
	// dump.rdb into an instance without the append-only file and without
	// save points (which would save the empty memory over it on
	// shutdown), then a restart: the keys are loaded; BGREWRITEAOF writes
	// the file.
	s.mustExec(string(rdb), "dc/redis-new", "bash", "-c", "cat > /var/lib/redis/data/dump.rdb")
	s.must("rollout", "latest", "dc/redis-new")
	s.waitFor("the new redis-new pod", func() bool {
		out, _, _ := s.execIn("", "dc/redis-new", "redis-cli", "DBSIZE")
		return out == "2\n"
	})
	if got := s.mustExec("", "dc/redis-new", "redis-cli", "BGREWRITEAOF"); got != "Background append only file rewriting started\n" {
		t.Errorf("BGREWRITEAOF: %q", got)
	}
	if got := s.mustExec("", "dc/redis-new", "redis-cli", "info", "persistence"); !strings.Contains(got, "aof_rewrite_in_progress:1\r\n") {
		t.Errorf("INFO persistence during the rewrite: %q", got)
	}
	s.sleep("10")
	if got := s.mustExec("", "dc/redis-new", "bash", "-c", "redis-cli info persistence | grep -q '^aof_rewrite_in_progress:0'"); got != "" {
		t.Errorf("the rewrite did not end: %q", got)
	}
	// Moved aside as the 2.8 restore does.
	s.mustExec("", "dc/redis-new", "bash", "-c", `cd /var/lib/redis/data && for f in dump.rdb appendonly.aof; do if [ -e "$f" ]; then mv "$f" "$f-old"; fi; done`)
	if _, _, code := s.execIn("", "dc/redis-new", "cat", "/var/lib/redis/data/dump.rdb-old"); code != 0 {
		t.Error("dump.rdb was not moved aside")
	}
	// The append-only instance ignores a dump.rdb copied in: its restart
	// loads the append-only file, and starts empty without one.
	s.mustExec("", "dc/backend-redis", "bash", "-c", "rm /var/lib/redis/data/appendonly.aof")
	s.mustExec(string(rdb), "dc/backend-redis", "bash", "-c", "cat > /var/lib/redis/data/dump.rdb")
	s.must("scale", "dc/backend-redis", "--replicas=0")
	s.waitFor("backend-redis to stop", func() bool { return s.must("get", "pods", "-l", "deploymentConfig=backend-redis", "-o", "name") == "" })
	s.must("scale", "dc/backend-redis", "--replicas=1")
	s.waitFor("backend-redis again", func() bool {
		out, _, code := s.execIn("", "dc/backend-redis", "redis-cli", "DBSIZE")
		return code == 0 && out == "0\n"
	})
	// A newer RDB version stops an older server.
	newer := append([]byte("REDIS0011"), rdb[9:]...)
	s.mustExec(string(newer), "dc/backend-redis", "bash", "-c", "cat > /var/lib/redis/data/appendonly.aof")
	s.must("rollout", "latest", "dc/backend-redis")
	s.waitFor("the pod on the RDB 11 file", func() bool {
		return strings.Contains(s.must("get", "pods", "-l", "deploymentConfig=backend-redis", "-o", "name"), "backend-redis-3-")
	})
	s.sleep("60")
	if out := s.must("get", "pods", "-l", "deploymentConfig=backend-redis"); !strings.Contains(out, "0/1\tRunning") {
		t.Errorf("Redis 3.2 on an RDB 11 file is ready:\n%s", out)
	}
	if _, errOut, code := s.execIn("", "dc/backend-redis", "redis-cli", "PING"); code != 1 || !strings.Contains(errOut, "Could not connect to Redis at 127.0.0.1:6379: Connection refused") {
		t.Errorf("PING Redis 3.2 on an RDB 11 file: exit %d %q", code, errOut)
	}
}

// TestRedisDeleteKeys: DEL removes keys of the selected database and
// answers how many, FLUSHDB empties it; with appendonly yes both reach the
// append-only file, so a restart keeps what is left.
func TestRedisDeleteKeys(t *testing.T) {
	s := newSim(t, append(dbDC("backend-redis", "registry.redhat.io/rhscl/redis-32-rhel7:3.2", redisDataDir, "backend-redis-storage", "1Gi", nil, redisConf), redisConfigMap("yes"))...)
	s.seed(Seed{Workload: "dc/backend-redis", Data: Data{Redis: map[int]map[string]string{0: {"a": "1", "b": "2", "c": "3"}, 1: {"q": "x"}}}})
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "DEL", "a", "missing", "b"); got != "2\n" {
		t.Errorf("DEL a missing b: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "DEL", "a"); got != "0\n" {
		t.Errorf("DEL of a deleted key: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "-n", "1", "FLUSHDB"); got != "OK\n" {
		t.Errorf("FLUSHDB: %q", got)
	}
	if got := s.mustExec("", "dc/backend-redis", "redis-cli", "DEL"); got != "ERR wrong number of arguments for 'del' command\n\n" {
		t.Errorf("DEL without a key: %q", got)
	}
	want := map[int]map[string]string{0: {"c": "3"}}
	s.must("rollout", "latest", "dc/backend-redis")
	s.waitFor("the new backend-redis pod", func() bool {
		out := s.must("get", "pods", "-l", "deploymentConfig=backend-redis")
		return strings.Contains(out, "backend-redis-2-") && !strings.Contains(out, "backend-redis-1-")
	})
	if got := s.data("dc/backend-redis"); !reflect.DeepEqual(got.Redis, want) {
		t.Errorf("after a restart: %+v, want %+v", got.Redis, want)
	}
}

// TestPgDumpCustomAndRestore: the 2.15 → 2.16 move: pg_dump -F c into the
// pod's /tmp, cat out, cat into PostgreSQL 15, pg_restore: schema public
// exists already (an archive of PostgreSQL 10), so pg_restore reports it,
// ends "errors ignored on restore: 1" and exits 1; the data are there.
func TestPgDumpCustomAndRestore(t *testing.T) {
	env := map[string]string{"POSTGRESQL_USER": "system", "POSTGRESQL_PASSWORD": "pw", "POSTGRESQL_DATABASE": "system"}
	objs := append(dbDC("system-postgresql", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "postgresql-data", "1Gi", env),
		dbDC("system-postgresql-external", "registry.redhat.io/rhel9/postgresql-15", pgDataDir, "postgresql-data-external", "1Gi", env)...)
	s := newSim(t, objs...)
	accounts := map[string]*Database{"system": {Owner: "system", Tables: map[string]*Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "Developer"}}}}}}
	s.seed(Seed{Workload: "dc/system-postgresql", Data: Data{PostgreSQL: accounts}})
	s.mustExec("", "dc/system-postgresql", "pg_dump", "-U", "system", "-d", "system", "-F", "c", "-b", "-v", "-f", "/tmp/db_dump.backup")
	archive := s.mustExec("", "dc/system-postgresql", "cat", "/tmp/db_dump.backup")
	if !strings.HasPrefix(archive, "PGDMP") {
		t.Fatalf("the archive: %q", archive)
	}
	s.mustExec(archive, "dc/system-postgresql-external", "bash", "-c", "cat > /tmp/db_dump.backup")
	_, errOut, code := s.execIn("", "dc/system-postgresql-external", "pg_restore", "-v", "-h", "localhost", "-U", "postgres", "-d", "system", "/tmp/db_dump.backup")
	if code != 1 || !strings.Contains(errOut, "pg_restore: error: could not execute query: ERROR:  schema \"public\" already exists\nCommand was: CREATE SCHEMA public;\n") ||
		!strings.Contains(errOut, "pg_restore: warning: errors ignored on restore: 1\n") || !strings.Contains(errOut, "pg_restore: creating TABLE \"public.accounts\"") {
		t.Errorf("pg_restore: exit %d\n%s", code, errOut)
	}
	got := s.mustExec("", "dc/system-postgresql-external", "psql", "-U", "postgres", "-d", "system", "-c", "SELECT org_name FROM accounts LIMIT 20;")
	if got != " org_name  \n-----------\n Provider\n Developer\n(2 rows)\n\n" {
		t.Errorf("the accounts:\n%q", got)
	}
	// Restored again, into the rows: duplicate keys.
	_, errOut, code = s.execIn("", "dc/system-postgresql-external", "pg_restore", "-d", "system", "--exit-on-error", "/tmp/db_dump.backup")
	if code != 1 || !strings.Contains(errOut, "schema \"public\" already exists") || strings.Contains(errOut, "errors ignored") {
		t.Errorf("pg_restore --exit-on-error: exit %d\n%s", code, errOut)
	}
	if d := s.data("dc/system-postgresql-external"); !reflect.DeepEqual(d.PostgreSQL["system"].Tables, accounts["system"].Tables) {
		t.Errorf("restored: %+v", d.PostgreSQL["system"].Tables)
	}
}

// TestExternalServers: a MySQL import into a seeded RDS host through the
// runbook's script that reads the endpoint from standard input; an
// unknown host is refused with the client's message.
func TestExternalServers(t *testing.T) {
	env := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}
	s := newSim(t, append(dbDC("system-mysql", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-storage", "1Gi", env),
		dbDC("backend-redis", "registry.redhat.io/rhel8/redis-6", redisDataDir, "backend-redis-storage", "1Gi", nil)...)...)
	system := map[string]*Database{"system": {Tables: map[string]*Table{"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}}}}}}
	s.seed(Seed{Workload: "dc/system-mysql", Data: Data{MySQL: system}})
	s.seed(Seed{Host: "db.rds.example.com", Kind: "mysql", Data: Data{Version: "8.0.40"}})
	dump := s.mustExec("", "dc/system-mysql", "bash", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqldump -h system-mysql -u root system`)
	script := `set -e; IFS= read -r host; IFS= read -r port; IFS= read -r user; IFS= read -r MYSQL_PWD; export MYSQL_PWD
          mysql -h "$host" -P "$port" -u "$user" -e "CREATE DATABASE IF NOT EXISTS threescale;"
          mysql -h "$host" -P "$port" -u "$user" threescale`
	s.mustExec("db.rds.example.com\n3306\nadmin\nsecret\n"+dump, "dc/system-mysql", "bash", "-c", script)
	if d := s.data("host/db.rds.example.com"); !reflect.DeepEqual(d.MySQL["threescale"], system["system"]) {
		t.Errorf("imported: %+v", d.MySQL)
	}
	_, errOut, code := s.execIn("nowhere.example.com\n3306\nadmin\nsecret\n"+dump, "dc/system-mysql", "bash", "-c", script)
	if code != 1 || !strings.Contains(errOut, "ERROR 2005 (HY000): Unknown MySQL server host 'nowhere.example.com' (-2)") {
		t.Errorf("an unknown host: exit %d %q", code, errOut)
	}
	if _, errOut, code := s.execIn("", "dc/backend-redis", "bash", "-c", "timeout 20 redis-cli -h cache.example.com -p 6379 KEYS liveness-probe"); code != 1 ||
		!strings.Contains(errOut, "Could not connect to Redis at cache.example.com:6379: Name or service not known") {
		t.Errorf("redis-cli to an unknown host: exit %d %q", code, errOut)
	}
}

// TestUnsupportedIsLoud: a command the simulator does not model fails
// with status 127 and is logged, never done silently; the fallback that
// a test opts into prints exec.out whatever the command.
func TestUnsupportedIsLoud(t *testing.T) {
	s := newSim(t, dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "", "", zyncEnv)...)
	_, errOut, code := s.execIn("", "dc/zync-database", "bash", "-c", "ls /var/lib/pgsql/data")
	if code != 127 || !strings.Contains(errOut, "ocsim: ls is not simulated") {
		t.Errorf("ls: exit %d %q", code, errOut)
	}
	_, errOut, code = s.execIn("", "dc/zync-database", "psql", "-c", "VACUUM FULL")
	if code != 127 || !strings.Contains(errOut, "not simulated") {
		t.Errorf("VACUUM: exit %d %q", code, errOut)
	}
	log, _ := os.ReadFile(filepath.Join(s.dir, "ocsim-unsupported.log"))
	if !strings.Contains(string(log), `command "ls /var/lib/pgsql/data"`) || !strings.Contains(string(log), "VACUUM FULL") {
		t.Errorf("the log: %q", log)
	}
	if _, errOut, code := s.execIn("", "dc/zync-database", "bash", "-c", "bundle exec rake zync:resync:domains"); code != 127 || !strings.Contains(errOut, "bundle: command not found") {
		t.Errorf("bundle in the database pod: exit %d %q", code, errOut)
	}
	for _, dir := range []string{s.dir, s.twinDir} {
		if err := os.WriteFile(filepath.Join(dir, "exec.out"), []byte("anything\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.env["OCSIM_EXEC_FALLBACK"] = "1"
	if out := s.mustExec("", "dc/zync-database", "ls"); out != "anything\n" {
		t.Errorf("the fallback: %q", out)
	}
}

// asDeployment turns dbDC's DeploymentConfig into the Deployment the 3scale
// operator makes.
func asDeployment(objs []Object) []Object {
	for i, o := range objs {
		if o["kind"] != "DeploymentConfig" {
			continue
		}
		name := str(o, "metadata", "name")
		d := meta("Deployment", "apps/v1", str(o, "metadata", "namespace"), name)
		tmpl := clone(mapAt(o, "spec", "template"))
		setNested(tmpl, map[string]any{"deployment": name}, "metadata", "labels")
		d["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"deployment": name}},
			"strategy": map[string]any{"type": "Recreate"}, "template": tmpl}
		objs[i] = d
	}
	for _, o := range objs {
		if o["kind"] == "Service" {
			setNested(o, map[string]any{"deployment": str(o, "metadata", "name")}, "spec", "selector")
		}
	}
	return objs
}

// TestRunbookCommandForms runs the remaining command forms of the rules'
// oc exec, oc cp and oc rsync calls (compiler/rules/*.hcl and lib/*.sh; the
// others are in the tests above) on Deployments of the operator's kind:
// the 2.15 → 2.16 PostgreSQL → RDS import (pg_dump -c with the pod's
// credentials, then psql reading the endpoint from standard input), the
// ElastiCache check, oc cp into a pod, the system storage's oc rsync out
// and back, the resync rake task, and dump_gz's mysqldump pipeline.
func TestRunbookCommandForms(t *testing.T) {
	pgEnv := map[string]string{"POSTGRESQL_USER": "system", "POSTGRESQL_PASSWORD": "pw", "POSTGRESQL_DATABASE": "system"}
	myEnv := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}
	objs := asDeployment(dbDC("system-postgresql", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "postgresql-data", "1Gi", pgEnv))
	objs = append(objs, asDeployment(dbDC("system-mysql", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-storage", "1Gi", myEnv))...)
	objs = append(objs, asDeployment(dbDC("backend-redis", "registry.redhat.io/rhel8/redis-6", redisDataDir, "backend-redis-storage", "1Gi", nil))...)
	app := asDeployment(dbDC("system-app", "registry.redhat.io/3scale-amp2/system-rhel8:3scale2.15", "/opt/system/public/system", "system-storage", "100Mi", nil))
	list(app[0], "spec", "template", "spec", "containers")[0].(map[string]any)["name"] = "system-master"
	objs = append(objs, app...)
	s := newSim(t, objs...)
	accounts := map[string]*Database{"system": {Owner: "system", Tables: map[string]*Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "Developer"}}}}}}
	s.seed(Seed{Workload: "deployment/system-postgresql", Data: Data{PostgreSQL: accounts}})
	s.seed(Seed{Workload: "deployment/system-app", Data: Data{Files: map[string]string{"/opt/system/public/system/provider/logo.png": "PNG", "/opt/system/public/system/a.txt": "a"}}})
	s.seed(Seed{Host: "pg.rds.example.com", Kind: "postgresql", Data: Data{Version: "15.8"}})
	s.seed(Seed{Host: "backend.cache.example.com", Kind: "redis", Data: Data{Version: "7.2.4", Redis: map[int]map[string]string{0: {"liveness-probe": "x"}}}})

	// 5.2.3: pg_dump -c with the pod's credentials, into psql on RDS.
	dump := s.mustExec("", "deployment/system-postgresql", "bash", "-c", `PGPASSWORD=$POSTGRESQL_PASSWORD pg_dump -U "$POSTGRESQL_USER" -c "$POSTGRESQL_DATABASE"`)
	if !strings.Contains(dump, "DROP TABLE public.accounts;") || !strings.Contains(dump, "PostgreSQL database dump complete") {
		t.Errorf("pg_dump -c:\n%s", dump)
	}
	script := `set -e; IFS= read -r host; IFS= read -r port; IFS= read -r user; IFS= read -r PGPASSWORD; export PGPASSWORD
          psql -h "$host" -p "$port" -U "$user" -d postgres -c "CREATE DATABASE system;" || echo "database system exists: importing into it"
          psql -h "$host" -p "$port" -U "$user" -d system`
	for run := 1; run <= 2; run++ {
		out, errOut, code := s.execIn("pg.rds.example.com\n5432\nadmin\nsecret\n"+dump, "deployment/system-postgresql", "bash", "-c", script)
		if code != 0 {
			t.Fatalf("import %d: exit %d\n%s%s", run, code, out, errOut)
		}
		if run == 2 && (!strings.Contains(out, "database system exists: importing into it") || !strings.Contains(errOut, `ERROR:  database "system" already exists`)) {
			t.Errorf("the second import:\n%s%s", out, errOut)
		}
	}
	if d := s.data("host/pg.rds.example.com"); !reflect.DeepEqual(d.PostgreSQL["system"].Tables, accounts["system"].Tables) {
		t.Errorf("imported into RDS: %+v", d.PostgreSQL["system"])
	}
	if got := s.mustExec("", "deployment/system-postgresql", "bash", "-c", "psql --version"); got != "psql (PostgreSQL) 10.23\n" {
		t.Errorf("psql --version: %q", got)
	}

	// 6.2.4: the ElastiCache check.
	if got := s.mustExec("", "deployment/backend-redis", "timeout", "20", "redis-cli", "-h", "backend.cache.example.com", "-p", "6379", "KEYS", "liveness-probe"); got != "liveness-probe\n" {
		t.Errorf("KEYS liveness-probe: %q", got)
	}

	// oc cp into a pod, oc exec ... cat out of it.
	pod := func(name string) string {
		return strings.TrimPrefix(strings.TrimSpace(s.must("get", "pods", "-l", "deployment="+name, "-o", "name")), "pod/")
	}
	local := filepath.Join(t.TempDir(), "backend-redis-dump.rdb")
	if err := os.WriteFile(local, encodeRDB("6.2.7", map[int]map[string]string{0: {"k": "v"}}), 0o644); err != nil {
		t.Fatal(err)
	}
	s.must("cp", local, pod("backend-redis")+":/var/lib/redis/data/dump.rdb")
	if got := s.mustExec("", "deployment/backend-redis", "cat", "/var/lib/redis/data/dump.rdb"); !strings.HasPrefix(got, "REDIS0009") {
		t.Errorf("the copied file: %q", got)
	}

	// The system storage, out with oc rsync and back into another pod.
	backup := t.TempDir()
	s.must("rsync", pod("system-app")+":/opt/system/public/system", backup, "--container=system-master")
	if b, err := os.ReadFile(filepath.Join(backup, "system", "provider", "logo.png")); err != nil || string(b) != "PNG" {
		t.Fatalf("rsync out: %v %q", err, b)
	}
	s.must("delete", "pvc/system-storage")
	s.must("delete", "pod", pod("system-app"))
	s.waitFor("a new system-app pod", func() bool { return pod("system-app") != "" })
	pvc := meta("PersistentVolumeClaim", "v1", "3scale", "system-storage")
	pvc["spec"] = map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": "100Mi"}}}
	s.ocIn(string(marshal(pvc)), "create", "-f", "-")
	if out, _, code := s.execIn("", "deployment/system-app", "cat", "/opt/system/public/system/a.txt"); code == 0 {
		t.Errorf("a new claim holds the old files: %q", out)
	}
	s.must("rsync", filepath.Join(backup, "system")+"/", pod("system-app")+":/opt/system/public/system", "--container=system-master")
	if got := s.mustExec("", "deployment/system-app", "cat", "/opt/system/public/system/provider/logo.png"); got != "PNG" {
		t.Errorf("rsync back: %q", got)
	}
	s.mustExec("", "deployment/system-app", "bash", "-c", "bundle exec rake zync:resync:domains")

	// dump_gz's mysqldump, and its check of the completion line.
	cmd := `export MYSQL_PWD=${MYSQL_ROOT_PASSWORD}; mysqldump --single-transaction -hsystem-mysql -uroot system`
	gz := s.mustExec("", "deployment/system-mysql", "bash", "-c", "set -o pipefail; "+cmd+" | gzip -c")
	s.mustExec(gz, "deployment/system-mysql", "bash", "-c", "gzip -dc | tail -n 5 | grep -q '^-- Dump completed'")
	if got := s.mustExec("", "deployment/system-mysql", "mysql", "--version"); got != "mysql  Ver 8.0.36 for Linux on x86_64 (Source distribution)\n" {
		t.Errorf("mysql --version: %q", got)
	}
	if log, _ := os.ReadFile(filepath.Join(s.dir, "ocsim-unsupported.log")); len(log) > 0 {
		t.Errorf("not simulated:\n%s", log)
	}
}

// TestRedis7AppendOnlyDir: Redis 7 keeps its append-only file as
// appendonlydir (a manifest, a base RDB file and an incremental file),
// which it makes itself; a restart with appendonly yes loads it.
func TestRedis7AppendOnlyDir(t *testing.T) {
	objs := append(dbDC("redis-7", "registry.redhat.io/rhel9/redis-7", redisDataDir, "redis-7", "1Gi", nil, redisConf), redisConfigMap("yes"))
	s := newSim(t, objs...)
	keys := map[int]map[string]string{0: {"a": "1"}, 3: {"b": "2"}}
	s.seed(Seed{Workload: "dc/redis-7", Data: Data{Redis: keys}})
	s.mustExec("", "dc/redis-7", "bash", "-c", "rm -f /var/lib/redis/data/appendonlydir/appendonly.aof.manifest /var/lib/redis/data/appendonlydir/appendonly.aof.1.base.rdb")
	if got := s.mustExec("", "dc/redis-7", "redis-cli", "BGREWRITEAOF"); got != "Background append only file rewriting started\n" {
		t.Errorf("BGREWRITEAOF: %q", got)
	}
	if got := s.mustExec("", "dc/redis-7", "head", "-c", "9", "/var/lib/redis/data/appendonlydir/appendonly.aof.1.base.rdb"); got != "REDIS0011" {
		t.Errorf("the base file: %q", got)
	}
	s.must("rollout", "latest", "dc/redis-7")
	s.waitFor("the new redis-7 pod", func() bool {
		return strings.Contains(s.must("get", "pods", "-l", "deploymentConfig=redis-7", "-o", "name"), "redis-7-2-")
	})
	if got := s.data("dc/redis-7"); !reflect.DeepEqual(got.Redis, keys) {
		t.Errorf("after a restart: %+v", got.Redis)
	}
}

// TestPostgreSQLIntoManagedServer: a plain pg_dump of PostgreSQL 10 loaded
// into a server outside the cluster (RDS) whose master user is not a
// superuser and has none of the site's roles. The comment pg_dump 10
// writes on the plpgsql extension and the tables' owner (role zync) are
// refused, as RDS refuses them; with ON_ERROR_STOP and one transaction
// nothing is left. Without owners (-O) and without that comment the rows
// arrive.
func TestPostgreSQLIntoManagedServer(t *testing.T) {
	s := newSim(t, dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "zync-data", "1Gi", zyncEnv)...)
	s.seed(Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}})
	s.seed(Seed{Host: "pg.rds.example.com", Kind: "postgresql", Data: Data{Version: "15.8"}})
	s.mustExec("", "dc/zync-database", "bash", "-c", `PGPASSWORD=x psql -h pg.rds.example.com -U admin -d postgres -c "CREATE DATABASE zync_production;"`)
	load := `PGPASSWORD=x psql -h pg.rds.example.com -U admin -d zync_production -v ON_ERROR_STOP=1 --single-transaction -q -f -`
	dump := s.mustExec("", "dc/zync-database", "pg_dump", "zync_production")
	if !strings.Contains(dump, "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';") || !strings.Contains(dump, "OWNER TO zync;") {
		t.Fatalf("pg_dump 10's plain dump:\n%s", dump)
	}
	_, errOut, code := s.execIn(dump, "dc/zync-database", "bash", "-c", load)
	if code != 3 || !strings.Contains(errOut, "ERROR:  must be owner of extension plpgsql") {
		t.Errorf("the dump with the extension's comment: exit %d\n%s", code, errOut)
	}
	withoutComment := strings.Replace(dump, "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';", "", 1)
	_, errOut, code = s.execIn(withoutComment, "dc/zync-database", "bash", "-c", load)
	if code != 3 || !strings.Contains(errOut, `ERROR:  role "zync" does not exist`) {
		t.Errorf("the dump with the tables' owner: exit %d\n%s", code, errOut)
	}
	if d := s.data("host/pg.rds.example.com"); len(d.PostgreSQL["zync_production"].Tables) != 0 {
		t.Errorf("the failed single-transaction loads left tables: %+v", d.PostgreSQL["zync_production"].Tables)
	}
	dump = s.mustExec("", "dc/zync-database", "pg_dump", "-O", "-x", "zync_production")
	if strings.Contains(dump, "OWNER TO") {
		t.Errorf("pg_dump -O wrote owners:\n%s", dump)
	}
	s.mustExec(strings.Replace(dump, "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';", "", 1), "dc/zync-database", "bash", "-c", load)
	if d := s.data("host/pg.rds.example.com"); !reflect.DeepEqual(d.PostgreSQL["zync_production"].Tables, zyncData()["zync_production"].Tables) {
		t.Errorf("imported: %+v", d.PostgreSQL["zync_production"].Tables)
	}
	// In the pod, postgres is the superuser: the comment is accepted.
	if out, errOut, code := s.execIn("", "dc/zync-database", "psql", "-d", "zync_production", "-c", "COMMENT ON EXTENSION plpgsql IS 'x'"); code != 0 {
		t.Errorf("the comment as postgres in the pod: exit %d %s%s", code, out, errOut)
	}
}

// TestBashPositionalParameters: bash -c SCRIPT NAME ARG... gives the ARGs
// to the script as "$@", as bash does (a client command line built in the
// runbook and run in the pod: mysql "$@").
func TestBashPositionalParameters(t *testing.T) {
	env := map[string]string{"MYSQL_ROOT_PASSWORD": "rootpw", "MYSQL_DATABASE": "system"}
	s := newSim(t, dbDC("system-mysql", "registry.redhat.io/rhel8/mysql-80", mysqlDataDir, "mysql-storage", "1Gi", env)...)
	s.seed(Seed{Host: "db.rds.example.com", Kind: "mysql", Data: Data{Version: "8.0.40"}})
	out := s.mustExec("", "dc/system-mysql", "bash", "-c", `echo "$#"; mysql -h db.rds.example.com -u admin "$@"`, "mysql", "-N", "-B", "-e", "SELECT VERSION()")
	if out != "4\n8.0.40\n" {
		t.Errorf("bash -c with arguments: %q", out)
	}
	if out := s.mustExec("", "dc/system-mysql", "bash", "-c", `echo "$#"`, "name"); out != "0\n" {
		t.Errorf("bash -c with only a name: %q", out)
	}
}
