package emit_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// The 2.15 → 2.16 operator hop (seed 004) against the operator fixtures: a
// snapshot directory of the 3scale project and the operator projects. Objects
// are keyed NAMESPACE/KIND/NAME here, since the same name lives in several
// projects (system-database in 3scale and in the databases' project).

func op215Key(ns, kind, name string) string { return ns + "/" + kind + "/" + name }

func op215KeyOf(obj map[string]any) string {
	return op215Key(get(obj, "metadata", "namespace").(string), obj["kind"].(string), get(obj, "metadata", "name").(string))
}

// op215Objects reads both operator fixtures.
func op215Objects(t *testing.T) map[string]map[string]any {
	t.Helper()
	dir := testenv.Shared(t, "fixtures/operator")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 2 {
		t.Fatalf("fixtures/operator holds %d files", len(files))
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		for _, o := range testenv.ListItems(t, f) {
			out[op215KeyOf(o)] = o
		}
	}
	return out
}

// op215Snapshot writes objects as a snapshot directory.
func op215Snapshot(t *testing.T, objects map[string]map[string]any) string {
	t.Helper()
	var items []any
	for _, k := range sortedKeys(objects) {
		items = append(items, objects[k])
	}
	out, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "namespaces.yaml"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, v any) string {
	t.Helper()
	s, _ := v.(string)
	dec, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("%q is not base64: %v", s, err)
	}
	return string(dec)
}

// op215PostgreSQL turns the MySQL fixture into the same site on PostgreSQL,
// as the 2.15 operator deploys it: system-postgresql with its claim
// postgresql-data and Service, and a system-database Secret whose password
// needs URL encoding.
func op215PostgreSQL(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	rename := func(kind, from, to string) map[string]any {
		obj := objects[op215Key("3scale", kind, from)]
		delete(objects, op215Key("3scale", kind, from))
		raw, _ := json.Marshal(obj)
		raw = bytes.ReplaceAll(raw, []byte(`"system-mysql"`), []byte(`"`+to+`"`))
		raw = bytes.ReplaceAll(raw, []byte(`"mysql-storage"`), []byte(`"postgresql-data"`))
		raw = bytes.ReplaceAll(raw, []byte(`"threescale_component_element":"mysql"`), []byte(`"threescale_component_element":"postgresql"`))
		var next map[string]any
		_ = json.Unmarshal(raw, &next)
		next["metadata"].(map[string]any)["name"] = to
		objects[op215KeyOf(next)] = next
		return next
	}
	dep := rename("Deployment", "system-mysql", "system-postgresql")
	c := get(dep, "spec", "template", "spec", "containers", 0).(map[string]any)
	c["image"] = "registry.redhat.io/rhscl/postgresql-10-rhel7"
	c["env"] = []any{
		map[string]any{"name": "POSTGRESQL_USER", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_USER", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_PASSWORD", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_DATABASE", "value": "system"},
	}
	rename("PersistentVolumeClaim", "mysql-storage", "postgresql-data")
	rename("Service", "system-mysql", "system-postgresql")
	delete(objects, op215Key("3scale", "ConfigMap", "mysql-extra-conf"))
	delete(objects, op215Key("3scale", "ConfigMap", "mysql-main-conf"))
	am := objects[op215Key("3scale", "APIManager", "apimanager-sample")]
	am["spec"].(map[string]any)["system"].(map[string]any)["database"] = map[string]any{"postgresql": map[string]any{}}
	secret := objects[op215Key("3scale", "Secret", "system-database")]
	secret["data"] = map[string]any{
		"DB_USER":     b64("system"),
		"DB_PASSWORD": b64("p@ss:w/rd+0815"),
		"URL":         b64("postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql/system"),
	}
}

// op215External turns databases of the fixture external: the APIManager
// says so, and the operator's objects of them are gone.
func op215External(t *testing.T, objects map[string]map[string]any, database, redis bool) {
	t.Helper()
	am := objects[op215Key("3scale", "APIManager", "apimanager-sample")]
	ext := map[string]any{}
	if database {
		ext["system"] = map[string]any{"database": true}
		for _, k := range []string{"Deployment/system-mysql", "PersistentVolumeClaim/mysql-storage", "Service/system-mysql", "ConfigMap/mysql-extra-conf", "ConfigMap/mysql-main-conf"} {
			delete(objects, "3scale/"+k)
		}
	}
	if redis {
		system, _ := ext["system"].(map[string]any)
		if system == nil {
			system = map[string]any{}
		}
		system["redis"] = true
		ext["system"] = system
		ext["backend"] = map[string]any{"redis": true}
		for _, k := range []string{"Deployment/system-redis", "Deployment/backend-redis", "PersistentVolumeClaim/system-redis-storage", "PersistentVolumeClaim/backend-redis-storage", "Service/system-redis", "Service/backend-redis", "ConfigMap/redis-config"} {
			delete(objects, "3scale/"+k)
		}
	}
	am["spec"].(map[string]any)["externalComponents"] = ext
}

func op215Plan(t *testing.T, db, database, redis, extra string) string {
	t.Helper()
	return writePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = %q
%s}

operator {
  namespace         = "3scale-operator"
  apicast_namespace = "apicast"
}

externalize {
  system_database = %q
  redis           = %q
  namespace       = "3scale-db"
}
`, db, extra, database, redis))
}

type op215PlanFile struct {
	Steps []struct {
		ID      string
		Kind    string
		Patches []struct {
			File   string
			Target ir.Target
		}
		Manifests []struct {
			File   string
			Target ir.Target
		}
		Deletes []ir.Target
		Waits   []ir.Target
	}
	Rollbacks []struct{ ID, Title, Source string }
}

func op215ReadPlan(t *testing.T, dir string) op215PlanFile {
	t.Helper()
	var pf op215PlanFile
	raw, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pf); err != nil {
		t.Fatal(err)
	}
	return pf
}

// op215Bundle compiles an operator-2.15 plan with newBundleTest, keying
// the objects NAMESPACE/KIND/NAME as op215Objects does.
func op215Bundle(t *testing.T, planPath, snapshot string) *bundleTest {
	t.Helper()
	b := newBundleTest(t, planPath, snapshot)
	b.Key = func(tg ir.Target) string { return op215Key(tg.Namespace, tg.Kind, tg.Name) }
	return b
}

// op215Kustomize builds the hop's kustomization and compares what it
// renders with the objects kubectl patch gave: each rendered object exists,
// and against a snapshot its spec, data, labels and owner references are
// the same.
func op215Kustomize(t *testing.T, kubectl, dir string, objects map[string]map[string]any, exact bool) {
	t.Helper()
	out, err := exec.Command(kubectl, "kustomize", filepath.Join(dir, "kustomize", "2.15-2.16")).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, out)
	}
	n := 0
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		n++
		key := op215KeyOf(obj)
		applied, ok := objects[key]
		if !ok {
			t.Errorf("kustomize renders %s, which the upgrade deletes or never had", key)
			continue
		}
		if !exact || obj["kind"] == "Secret" {
			continue
		}
		for _, path := range [][]any{{"spec"}, {"data"}, {"metadata", "labels"}, {"metadata", "ownerReferences"}} {
			// Literal credentials (MYSQL_ROOT_PASSWORD) render as <redacted>.
			if !matchesRedacted(get(obj, path...), get(applied, path...)) {
				t.Errorf("%s: kustomize renders another %v than kubectl patch gives:\n%v\n%v", key, path, get(obj, path...), get(applied, path...))
			}
		}
	}
	if n < 1 {
		t.Errorf("kustomize rendered %d objects", n)
	}
}

func op215Shellcheck(t *testing.T, dir string) {
	t.Helper()
	shellcheck(t, filepath.Join(dir, "runbook.sh"))
}

func op215Steps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range op215ReadPlan(t, dir).Steps {
		out[strings.TrimPrefix(s.ID, "2.15-2.16/")] = true
	}
	return out
}

func op215WantSteps(t *testing.T, steps map[string]bool, want, notWant []string) {
	t.Helper()
	for _, s := range want {
		if !steps[s] {
			t.Errorf("no step %s", s)
		}
	}
	for _, s := range notWant {
		if steps[s] {
			t.Errorf("unexpected step %s", s)
		}
	}
}

// op215Detached asserts that section 3.3 left system-mysql and its objects
// without the APIManager's owner references and 3scale labels.
func op215Detached(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	for _, k := range []string{"Deployment/system-mysql", "PersistentVolumeClaim/mysql-storage", "ConfigMap/mysql-extra-conf", "ConfigMap/mysql-main-conf", "Service/system-mysql"} {
		obj := objects["3scale/"+k]
		if obj == nil {
			t.Errorf("%s is gone: 3.3 keeps it", k)
			continue
		}
		if refs := get(obj, "metadata", "ownerReferences"); refs != nil {
			t.Errorf("%s is still owned: %v", k, refs)
		}
		labels, _ := get(obj, "metadata", "labels").(map[string]any)
		for _, l := range []string{"app", "threescale_component", "threescale_component_element"} {
			if _, ok := labels[l]; ok {
				t.Errorf("%s still has label %s", k, l)
			}
		}
	}
	pod := get(objects["3scale/Deployment/system-mysql"], "spec", "template", "metadata", "labels")
	if !reflect.DeepEqual(pod, map[string]any{"deployment": "system-mysql"}) {
		t.Errorf("system-mysql pod labels = %v, want only deployment (its selector)", pod)
	}
}

func op215WantExternal(t *testing.T, objects map[string]map[string]any, want map[string]any) {
	t.Helper()
	got := get(objects["3scale/APIManager/apimanager-sample"], "spec", "externalComponents")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("APIManager externalComponents = %v, want %v", got, want)
	}
}

func op215WantChannels(t *testing.T, objects map[string]map[string]any, apicast bool) {
	t.Helper()
	if got := get(objects["3scale-operator/Subscription/3scale-operator"], "spec", "channel"); got != "threescale-2.16" {
		t.Errorf("3scale operator channel = %v", got)
	}
	want := "threescale-2.15"
	if apicast {
		want = "threescale-2.16"
	}
	if got := get(objects["apicast/Subscription/apicast-operator"], "spec", "channel"); got != want {
		t.Errorf("APIcast operator channel = %v, want %s", got, want)
	}
}

// TestOperator215Fixtures compiles each branch with and without the
// snapshot, applies every patch, manifest and delete to the fixture's
// objects, builds the kustomization and checks the runbook with shellcheck.
func TestOperator215Fixtures(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	fixture := op215Objects(t)
	redisConf := get(fixture["3scale/ConfigMap/redis-config"], "data", "redis.conf")
	for _, tc := range []struct {
		name                   string
		db, database, redis    string
		site                   func(t *testing.T, objects map[string]map[string]any)
		want, notWant          []string
		check                  func(t *testing.T, objects map[string]map[string]any)
		snapshotOnly, noLayout bool
	}{
		{
			name: "mysql-on-cluster/redis-on-cluster", db: "mysql", database: "on-cluster", redis: "on-cluster",
			want:    []string{"preflight-operator", "preflight-apicast", "preflight-openshift", "preflight-databases", "save-replicas", "scale-down-operator", "scale-down", "database-namespace", "mysql-external", "mysql-detach", "mysql-triggers", "redis-dump", "redis-create", "redis-config-persist", "redis-secrets", "redis-external", "scale-up", "channel", "apicast-channel", "cleanup-redis"},
			notWant: []string{"pg-dump", "mysql-rds-import", "elasticache-create", "confirm-external-versions", "oracle-system-image", "cleanup-mysql"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215Detached(t, objects)
				op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				op215WantChannels(t, objects, true)
				if got := get(objects["3scale-db/ConfigMap/redis-config-external"], "data", "redis.conf"); got != redisConf {
					t.Errorf("redis-config-external after 3.4.7 differs from the operator's redis-config:\n%v", got)
				}
				for _, k := range []string{"3scale-db/Deployment/backend-redis-external", "3scale-db/Deployment/system-redis-external", "3scale-db/Service/backend-redis-service", "3scale-db/PersistentVolumeClaim/system-redis-storage-external", "3scale-db/ServiceAccount/system-redis-external"} {
					if objects[k] == nil {
						t.Errorf("no %s", k)
					}
				}
				for _, k := range []string{"3scale/Deployment/backend-redis", "3scale/Deployment/system-redis", "3scale/PersistentVolumeClaim/backend-redis-storage", "3scale/ConfigMap/redis-config"} {
					if objects[k] != nil {
						t.Errorf("%s is not deleted (3.4.11)", k)
					}
				}
				if objects["3scale/Service/backend-redis"] == nil {
					t.Error("the guide's cleanup keeps Service backend-redis")
				}
			},
		},
		{
			name: "mysql-aws/redis-aws", db: "mysql", database: "aws", redis: "aws",
			want:    []string{"mysql-rds-create", "elasticache-prepare", "mysql-rds-import", "mysql-rds-secret", "mysql-rds-external", "elasticache-dump", "elasticache-create", "elasticache-check", "elasticache-secrets", "elasticache-external", "cleanup-mysql", "cleanup-redis-elasticache"},
			notWant: []string{"mysql-detach", "redis-create", "database-namespace", "redis-dump", "cleanup-redis"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				for _, k := range []string{"Deployment/system-mysql", "PersistentVolumeClaim/mysql-storage", "ConfigMap/mysql-main-conf", "Deployment/backend-redis"} {
					if objects["3scale/"+k] != nil {
						t.Errorf("%s is not deleted", k)
					}
				}
			},
		},
		{
			name: "postgresql-on-cluster/redis-external", db: "postgresql", database: "on-cluster", redis: "external",
			site: func(t *testing.T, objects map[string]map[string]any) {
				op215PostgreSQL(t, objects)
				op215External(t, objects, false, true)
			},
			want:    []string{"pg-dump", "pg-secret", "pg-create", "pg-wait", "pg-version", "pg-restore", "pg-verify-data", "pg-url", "pg-external", "confirm-external-versions", "cleanup-postgresql"},
			notWant: []string{"redis-dump", "redis-create", "mysql-detach", "cleanup-redis"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				for _, k := range []string{"3scale-db/Deployment/system-postgresql-external", "3scale-db/PersistentVolumeClaim/postgresql-data-external", "3scale-db/Service/system-postgresql-service", "3scale-db/ServiceAccount/postgresql-db-external"} {
					if objects[k] == nil {
						t.Errorf("no %s", k)
					}
				}
				if img := get(objects["3scale-db/Deployment/system-postgresql-external"], "spec", "template", "spec", "containers", 0, "image"); img != "registry.redhat.io/rhel9/postgresql-15" {
					t.Errorf("PostgreSQL image %v", img)
				}
				for _, k := range []string{"Deployment/system-postgresql", "PersistentVolumeClaim/postgresql-data", "Service/system-postgresql"} {
					if objects["3scale/"+k] != nil {
						t.Errorf("%s is not deleted (3.2.10)", k)
					}
				}
			},
		},
		{
			name: "postgresql-aws/redis-on-cluster", db: "postgresql", database: "aws", redis: "on-cluster",
			site:    func(t *testing.T, objects map[string]map[string]any) { op215PostgreSQL(t, objects) },
			want:    []string{"pg-rds-create", "pg-rds-import", "pg-rds-secret", "pg-rds-external", "redis-create", "cleanup-postgresql-rds", "cleanup-redis"},
			notWant: []string{"pg-create", "mysql-rds-import"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
			},
		},
		{
			name: "already-external", db: "mysql", database: "external", redis: "external",
			site:    func(t *testing.T, objects map[string]map[string]any) { op215External(t, objects, true, true) },
			want:    []string{"preflight-operator", "confirm-external-versions", "backup", "channel", "wait-upgrade", "wait-pods", "verify-upgrade", "apicast-channel"},
			notWant: []string{"save-replicas", "scale-down", "scale-up", "verify-portals", "cleanup-confirm", "mysql-external", "redis-dump"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215WantChannels(t, objects, true)
			},
		},
	} {
		for _, withSnapshot := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/snapshot=%v", tc.name, withSnapshot), func(t *testing.T) {
				objects := op215Objects(t)
				if tc.site != nil {
					tc.site(t, objects)
				}
				snap := ""
				if withSnapshot {
					snap = op215Snapshot(t, objects)
				}
				planPath := op215Plan(t, tc.db, tc.database, tc.redis, "")
				b := op215Bundle(t, planPath, snap)
				dir := b.Dir
				op215WantSteps(t, op215Steps(t, dir), tc.want, tc.notWant)
				b.Apply(objects)
				tc.check(t, objects)
				op215Kustomize(t, kubectl, dir, objects, withSnapshot)
				op215Shellcheck(t, dir)
				b.noValues(longValues(secretValues(t, testenv.Shared(t, "fixtures/operator/2.15-mysql.yaml")), false), "Secret value of the fixture")
			})
		}
	}
}

// TestOperator215Rollbacks checks that each database move lists its
// rollback section, in plan.json and in runbook --list, and that none runs
// by default.
func TestOperator215Rollbacks(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	for _, tc := range []struct {
		db, database, redis string
		want                []string
	}{
		{"mysql", "on-cluster", "on-cluster", []string{"2.15-2.16/redis"}},
		{"mysql", "aws", "aws", []string{"2.15-2.16/mysql-rds", "2.15-2.16/redis-elasticache"}},
		{"postgresql", "on-cluster", "external", []string{"2.15-2.16/postgresql"}},
		{"postgresql", "aws", "external", []string{"2.15-2.16/postgresql-rds"}},
		{"mysql", "external", "external", nil},
	} {
		dir := writeBundle(t, compile(t, op215Plan(t, tc.db, tc.database, tc.redis, ""), ""))
		var got []string
		for _, r := range op215ReadPlan(t, dir).Rollbacks {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s %s: rollbacks %v, want %v", tc.db, tc.database, tc.redis, got, tc.want)
		}
		out, err := exec.Command(bash, filepath.Join(dir, "runbook.sh"), "--list").CombinedOutput()
		if err != nil {
			t.Fatalf("--list: %v\n%s", err, out)
		}
		for _, id := range tc.want {
			if !bytes.Contains(out, []byte("     "+id+"  ")) {
				t.Errorf("--list does not name rollback %s:\n%s", id, out)
			}
		}
		plan, _ := os.ReadFile(filepath.Join(dir, "PLAN.md"))
		for _, id := range tc.want {
			if !bytes.Contains(plan, []byte("`"+id+"`")) {
				t.Errorf("PLAN.md does not show rollback %s", id)
			}
		}
	}
}

// TestOperator215Refusals checks the diagnostics of the plans the hop
// refuses: Oracle on 2.16.0, a missing externalize choice, and a choice the
// snapshot contradicts.
func TestOperator215Refusals(t *testing.T) {
	t.Parallel()
	base := `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "%s"
%s}

operator {
  namespace = "3scale-operator"
}
%s`
	for _, tc := range []struct {
		name, db, install, rest string
		snapshot                func(t *testing.T, objects map[string]map[string]any)
		summary                 string
		line                    int
		detail                  []string
	}{
		{
			name: "oracle-2.16.0", db: "oracle", rest: "externalize {\n  redis = \"external\"\n}\n",
			summary: "3scale 2.16.0 does not support Oracle", line: 6,
			detail: []string{"DO NOT ATTEMPT TO INSTALL OR UPGRADE TO 3scale 2.16 IF YOUR DEPLOYMENT USES ORACLE DATABASE", "planned for 2.16.1", `to_release = "2.16.1"`},
		},
		{
			name: "oracle-to-release-2.16.0", db: "oracle", install: "  to_release      = \"2.16.0\"\n", rest: "externalize {\n  redis = \"external\"\n}\n",
			summary: "3scale 2.16.0 does not support Oracle", line: 7,
		},
		{
			name: "no-externalize", db: "mysql",
			summary: "No choice for the internal system database", line: 5,
			detail: []string{`system_database = "on-cluster"  keep system-mysql and detach it from the operator (section 3.3)`, `system_database = "aws"`, `system_database = "external"`, "1.1.1"},
		},
		{
			name: "no-redis-choice", db: "postgresql", rest: "externalize {\n  system_database = \"aws\"\n}\n",
			summary: "No choice for the internal Redis", line: 12,
			detail: []string{`redis = "on-cluster"`, `redis = "aws"`, `redis = "external"`},
		},
		{
			name: "external-but-internal", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"external\"\n}\n",
			snapshot: func(t *testing.T, objects map[string]map[string]any) {},
			summary:  "Redis is not external", line: 14,
		},
		{
			name: "on-cluster-but-external", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"external\"\n}\n",
			snapshot: func(t *testing.T, objects map[string]map[string]any) { op215External(t, objects, true, true) },
			summary:  "The system database is external already", line: 13,
		},
		{
			name: "no-database-namespace", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"on-cluster\"\n}\n",
			summary: "No namespace for the on-cluster databases", line: 12,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts ampc.Options
			if tc.snapshot != nil {
				objects := op215Objects(t)
				tc.snapshot(t, objects)
				opts.Snapshot = op215Snapshot(t, objects)
			}
			res, diags := ampc.Compile("plan.hcl", []byte(fmt.Sprintf(base, tc.db, tc.install, tc.rest)), opts)
			if res.Plan == nil || tc.snapshot != nil && res.Snapshot == nil {
				t.Fatalf("the plan or the snapshot does not read: %s", diags.Error())
			}
			if res.Bundle != nil || !diags.HasErrors() {
				t.Fatal("the plan compiled")
			}
			found := false
			for _, d := range diags {
				if d.Summary != tc.summary {
					continue
				}
				found = true
				if d.Subject == nil || d.Subject.Filename != "plan.hcl" || d.Subject.Start.Line != tc.line {
					t.Errorf("%s points at %v, want plan.hcl line %d", d.Summary, d.Subject, tc.line)
				}
				for _, want := range tc.detail {
					if !strings.Contains(d.Detail, want) {
						t.Errorf("detail lacks %q:\n%s", want, d.Detail)
					}
				}
			}
			if !found {
				t.Errorf("no %q among %v", tc.summary, diags)
			}
		})
	}
}

// TestOperator215Oracle compiles an Oracle site for a later micro release:
// the custom image procedure of 1.3, manual InstallPlan approval, no
// system database move.
func TestOperator215Oracle(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	objects := op215Objects(t)
	op215External(t, objects, true, false)
	planPath := writePlan(t, `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  to_release      = "2.16.1"
  system_database = "oracle"
}

operator {
  namespace = "3scale-operator"
}

externalize {
  redis     = "on-cluster"
  namespace = "3scale-db"
}
`)
	for _, snap := range []string{"", op215Snapshot(t, objects)} {
		b := op215Bundle(t, planPath, snap)
		files, dir := b.Files, b.Dir
		op215WantSteps(t, op215Steps(t, dir),
			[]string{"oracle-system-image-build", "oracle-installplan", "oracle-system-image", "confirm-external-versions", "redis-create", "channel"},
			[]string{"mysql-external", "pg-dump", "mysql-rds-import", "apicast-channel", "preflight-apicast"})
		site := op215Objects(t)
		op215External(t, site, true, false)
		b.Apply(site)
		op215Shellcheck(t, dir)
		runbook := string(files["runbook.sh"])
		for _, want := range []string{"system-oracle-3scale-2.16.1-1", "installPlanApproval", "AMPC_ORACLE_SYSTEM_IMAGE", `{spec: {system: {image: $image}}}`} {
			if !strings.Contains(runbook, want) {
				t.Errorf("the runbook lacks %q", want)
			}
		}
	}
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
		out[key] = []any{obj["spec"], obj["data"], get(obj, "metadata", "labels"), get(obj, "metadata", "annotations")}
	}
	return out
}

// op215Cluster is the fake oc seeded with the operator fixtures, each
// namespace in its own directory (the default one, 3scale, at the top).
type op215Cluster struct {
	*fakeCluster
}

func newOp215Cluster(t *testing.T, objects map[string]map[string]any, execOut string) *op215Cluster {
	t.Helper()
	c := &op215Cluster{&fakeCluster{dir: t.TempDir(), bin: fakeOCDir(t)}}
	for _, obj := range objects {
		c.put(t, obj)
	}
	c.put(t, map[string]any{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": map[string]any{"name": "version", "namespace": "3scale"},
		"status":   map[string]any{"desired": map[string]any{"version": "4.16.12"}}})
	if err := os.WriteFile(filepath.Join(c.dir, "exec.out"), []byte(execOut), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *op215Cluster) path(obj map[string]any) string {
	dir := filepath.Join(c.dir, "objects")
	if ns, _ := get(obj, "metadata", "namespace").(string); ns != "3scale" && ns != "" {
		dir = filepath.Join(dir, ns)
	}
	return filepath.Join(dir, obj["kind"].(string)+"."+get(obj, "metadata", "name").(string)+".json")
}

func (c *op215Cluster) put(t *testing.T, obj map[string]any) {
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
	err := filepath.WalkDir(filepath.Join(c.dir, "objects"), func(path string, d os.DirEntry, err error) error {
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
		if get(obj, "metadata", "namespace") == nil {
			obj["metadata"].(map[string]any)["namespace"] = "3scale"
		}
		out[op215KeyOf(obj)] = obj
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
	return c.exec(t, bundle, workDir, append([]string{"FAKEOC_FAIL=" + fail, "AMPC_UPGRADE_MINUTES=10"}, env...), args...)
}

// upgradeBy2_16 does what the 2.16 operators do once the channels change:
// the APIManager and the APIcasts report the new versions.
func (c *op215Cluster) upgradeBy2_16(t *testing.T) {
	t.Helper()
	all := c.all(t)
	am := all["3scale/APIManager/apimanager-sample"]
	ann := am["metadata"].(map[string]any)["annotations"].(map[string]any)
	ann["apps.3scale.net/apimanager-threescale-version"] = "2.16"
	ann["apps.3scale.net/threescale-operator-version"] = "0.13.0"
	c.put(t, am)
	if apicast := all["apicast/APIcast/example-apicast"]; apicast != nil {
		apicast["metadata"].(map[string]any)["annotations"].(map[string]any)["apicast.apps.3scale.net/operator-version"] = "0.13.0"
		c.put(t, apicast)
	}
}

// op215Manual lists --ack for every manual step of a bundle.
func op215Manual(t *testing.T, dir string) []string {
	t.Helper()
	var args []string
	for _, s := range op215ReadPlan(t, dir).Steps {
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

// TestOperator215RunbookOnCluster runs the MySQL-kept, Redis-on-cluster
// runbook against the fake oc: it stops where the 2.16 operator takes over,
// the namespace then shows the externalized databases with the saved replica
// counts back, a second run after the operator's upgrade finishes with the
// cleanup, and a third changes nothing. The Redis rollback, run on a site
// stopped before the upgrade, gives the Secrets and Redis back.
func TestOperator215RunbookOnCluster(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := writeBundle(t, compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	acks := op215Manual(t, bundle)
	seed := func() map[string]map[string]any {
		objects := op215Objects(t)
		objects["3scale/Deployment/apicast-production"]["spec"].(map[string]any)["replicas"] = 2.0
		return objects
	}
	c := newOp215Cluster(t, seed(), op215ExecOut)
	work := t.TempDir()

	out, err := c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
		t.Fatalf("the first run did not stop at the upgrade wait: %v\n%s", err, out)
	}
	got := c.all(t)
	op215Detached(t, got)
	op215WantExternal(t, got, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
	if ch := get(got["3scale-operator/Subscription/3scale-operator"], "spec", "channel"); ch != "threescale-2.16" {
		t.Errorf("channel = %v", ch)
	}
	for key, want := range map[string]float64{
		"3scale/Deployment/apicast-production":                                 2, // its saved count
		"3scale/Deployment/system-app":                                         1,
		"3scale/Deployment/backend-redis":                                      0, // replaced
		"3scale-operator/Deployment/threescale-operator-controller-manager-v2": 1,
	} {
		if n := get(got[key], "spec", "replicas"); n != want {
			t.Errorf("%s has %v replicas, want %v", key, n, want)
		}
	}
	backend := got["3scale/Secret/backend-redis"]
	for k, want := range map[string]string{
		"REDIS_STORAGE_URL": "redis://backend-redis-service.3scale-db.svc.cluster.local:6379/0",
		"REDIS_QUEUES_URL":  "redis://backend-redis-service.3scale-db.svc.cluster.local:6379/1",
	} {
		if v := unb64(t, get(backend, "data", k)); v != want {
			t.Errorf("backend-redis %s = %q, want %q", k, v, want)
		}
	}
	if v := unb64(t, get(got["3scale/Secret/system-redis"], "data", "URL")); v != "redis://system-redis-service.3scale-db.svc.cluster.local:6379/1" {
		t.Errorf("system-redis URL = %q", v)
	}
	if got["3scale-db/Deployment/backend-redis-external"] == nil || got["3scale-db/ConfigMap/redis-config-external"] == nil {
		t.Error("the Redis objects of 3scale-db were not created")
	}
	redisConf := get(op215Objects(t)["3scale/ConfigMap/redis-config"], "data", "redis.conf")
	if conf := get(got["3scale-db/ConfigMap/redis-config-external"], "data", "redis.conf"); conf != redisConf {
		t.Errorf("redis-config-external was not turned persistent:\n%v", conf)
	}
	backups := filepath.Join(work, "backups", "3scale-2.15", "2.15-2.16")
	for _, f := range []string{"replicas.json", "operator-replicas", "backend-redis-dump.rdb", "system-redis-dump.rdb", "system-database-secret.json", "apimanager.yaml", "subscription-apicast-operator.yaml"} {
		if info, err := os.Stat(filepath.Join(backups, f)); err != nil || info.Size() == 0 {
			t.Errorf("backup %s: %v", f, err)
		}
	}
	calls := c.calls(t)
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
		"patch subscription.operators.coreos.com/3scale-operator --type=json":     1,
		"patch apimanager.apps.3scale.net/apimanager-sample --type=json":          2,
		"apply -f": 9,
	} {
		if n := countCalls(calls, prefix); n != want {
			t.Errorf("%q ran %d times, want %d", prefix, n, want)
		}
	}
	if i, j := indexOfCall(calls, "scale deployment/system-app --replicas=0"), indexOfCall(calls, "patch subscription.operators.coreos.com/3scale-operator"); i < 0 || j < i {
		t.Error("the channel changed before the databases moved")
	}

	// The 2.16 operator upgrades; the second run finishes, cleanup included.
	c.upgradeBy2_16(t)
	out, err = c.runEnv(t, bundle, work, "", nil, acks...)
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2.15-2.16/scale-down: done before, skipped") {
		t.Errorf("the second run did not skip the finished steps:\n%s", out)
	}
	got = c.all(t)
	for _, k := range []string{"3scale/Deployment/backend-redis", "3scale/PersistentVolumeClaim/system-redis-storage", "3scale/ConfigMap/redis-config"} {
		if got[k] != nil {
			t.Errorf("%s is not deleted", k)
		}
	}
	if ch := get(got["apicast/Subscription/apicast-operator"], "spec", "channel"); ch != "threescale-2.16" {
		t.Errorf("APIcast channel = %v", ch)
	}
	// A third run changes nothing.
	before := c.all(t)
	patches := countCalls(c.calls(t), "patch ")
	if out, err := c.runEnv(t, bundle, work, "", nil, acks...); err != nil {
		t.Fatalf("third run: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(op215Desired(before), op215Desired(c.all(t))) || countCalls(c.calls(t), "patch ") != patches {
		t.Error("a run after completion changed the site")
	}

	// The Redis rollback (3.4.12) on a site stopped before the upgrade.
	c = newOp215Cluster(t, seed(), op215ExecOut)
	work = t.TempDir()
	if out, err := c.runEnv(t, bundle, work, op215PollFail, nil, acks...); err == nil {
		t.Fatalf("the run did not stop:\n%s", out)
	}
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/redis")
	if err != nil || !strings.Contains(out, "rollback 2.15-2.16/redis done") {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	got = c.all(t)
	fixture := op215Objects(t)
	for _, s := range []string{"backend-redis", "system-redis"} {
		if !reflect.DeepEqual(get(got["3scale/Secret/"+s], "data"), get(fixture["3scale/Secret/"+s], "data")) {
			t.Errorf("secret %s is not restored", s)
		}
		if n := get(got["3scale/Deployment/"+s], "spec", "replicas"); n != 1.0 {
			t.Errorf("%s has %v replicas after the rollback", s, n)
		}
	}
	ext := get(got["3scale/APIManager/apimanager-sample"], "spec", "externalComponents")
	if !reflect.DeepEqual(ext, map[string]any{"system": map[string]any{"database": true, "redis": false}, "backend": map[string]any{"redis": false}}) {
		t.Errorf("externalComponents after the Redis rollback = %v", ext)
	}
	for _, k := range []string{"3scale-db/Deployment/backend-redis-external", "3scale-db/ConfigMap/redis-config-external", "3scale-db/ServiceAccount/system-redis-external"} {
		if got[k] != nil {
			t.Errorf("%s is not removed by the rollback", k)
		}
	}
}

func indexOfCall(calls []string, prefix string) int {
	for i, c := range calls {
		if strings.HasPrefix(c, prefix) {
			return i
		}
	}
	return -1
}

// TestOperator215RunbookAWS runs the MySQL-to-RDS, Redis-to-ElastiCache
// runbook: the Secrets point at AWS with URL-encoded credentials, the
// credentials are never on a command line or in the log, system keeps the
// Redis database of its URL, and the RDS rollback restores the Secret.
func TestOperator215RunbookAWS(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := writeBundle(t, compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-aws.hcl"), ""))
	acks := op215Manual(t, bundle)
	const password = "s3cr3t:p@ss/word"
	env := []string{
		"AMPC_RDS_HOST=threescale.abc.eu-west-1.rds.amazonaws.com", "AMPC_RDS_USER=admin", "AMPC_RDS_PASSWORD=" + password,
		"AMPC_BACKEND_REDIS_HOST=backend.abc.cache.amazonaws.com", "AMPC_SYSTEM_REDIS_HOST=system.abc.cache.amazonaws.com",
	}
	c := newOp215Cluster(t, op215Objects(t), op215ExecOut)
	work := t.TempDir()

	// Without the variables the runbook stops at the import.
	out, err := c.runEnv(t, bundle, work, "", nil, acks...)
	if err == nil || !strings.Contains(out, "AMPC_RDS_HOST, AMPC_RDS_USER and AMPC_RDS_PASSWORD must be set") {
		t.Fatalf("the run without AMPC_RDS_* did not stop at the import: %v\n%s", err, out)
	}
	out, err = c.runEnv(t, bundle, work, op215PollFail, env, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
		t.Fatalf("the run did not stop at the upgrade wait: %v\n%s", err, out)
	}
	got := c.all(t)
	db := get(got["3scale/Secret/system-database"], "data")
	for k, want := range map[string]string{
		"DB_USER":     "admin",
		"DB_PASSWORD": password,
		"URL":         "mysql2://admin:s3cr3t%3Ap%40ss%2Fword@threescale.abc.eu-west-1.rds.amazonaws.com/threescale",
	} {
		if v := unb64(t, get(db, k)); v != want {
			t.Errorf("system-database %s = %q, want %q", k, v, want)
		}
	}
	for k, want := range map[string]string{
		"REDIS_STORAGE_URL": "redis://backend.abc.cache.amazonaws.com:6379/0",
		"REDIS_QUEUES_URL":  "redis://backend.abc.cache.amazonaws.com:6379/1",
	} {
		if v := unb64(t, get(got["3scale/Secret/backend-redis"], "data", k)); v != want {
			t.Errorf("backend-redis %s = %q, want %q", k, v, want)
		}
	}
	if v := unb64(t, get(got["3scale/Secret/system-redis"], "data", "URL")); v != "redis://system.abc.cache.amazonaws.com:6379/1" {
		t.Errorf("system-redis URL = %q (the guide's /0 would lose system's keys of database 1)", v)
	}
	op215WantExternal(t, got, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
	calls, _ := os.ReadFile(filepath.Join(c.dir, "calls.log"))
	if bytes.Contains(calls, []byte(password)) || strings.Contains(out, password) {
		t.Error("the RDS password is on a command line or in the runbook's output")
	}
	if !bytes.Contains(calls, []byte("exec -i deployment/system-mysql -- bash -c")) {
		t.Error("the import does not go through system-mysql")
	}
	if info, err := os.Stat(filepath.Join(work, "3scale-backup", "2.15-2.16", "cleaned_system_mysql_backup.sql")); err != nil || info.Size() == 0 {
		t.Errorf("no cleaned dump: %v", err)
	}

	// The RDS restoration (4.2.8) gives the old Secret back.
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/mysql-rds")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(get(c.all(t)["3scale/Secret/system-database"], "data"), get(op215Objects(t)["3scale/Secret/system-database"], "data")) {
		t.Error("system-database is not restored")
	}
}

// TestOperator215RunbookPostgreSQL runs the PostgreSQL 10 → 15 runbook on
// the PostgreSQL variant of the fixture: the credentials are copied into
// the databases' project without being decoded, and the URL encodes them.
func TestOperator215RunbookPostgreSQL(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	objects := op215Objects(t)
	op215PostgreSQL(t, objects)
	op215External(t, objects, false, true)
	planPath := op215Plan(t, "postgresql", "on-cluster", "external", "")
	bundle := writeBundle(t, compile(t, planPath, op215Snapshot(t, objects)))
	acks := op215Manual(t, bundle)
	c := newOp215Cluster(t, objects, "PGDMP"+op215ExecOut)
	work := t.TempDir()
	out, err := c.runEnv(t, bundle, work, op215PollFail, nil, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/wait-upgrade failed") {
		t.Fatalf("the run did not stop at the upgrade wait: %v\n%s", err, out)
	}
	got := c.all(t)
	copied := got["3scale-db/Secret/system-database"]
	if copied == nil {
		t.Fatal("no system-database Secret in 3scale-db")
	}
	src := get(objects["3scale/Secret/system-database"], "data").(map[string]any)
	if !reflect.DeepEqual(get(copied, "data"), map[string]any{"DB_USER": src["DB_USER"], "DB_PASSWORD": src["DB_PASSWORD"]}) {
		t.Errorf("the copied Secret holds %v", get(copied, "data"))
	}
	if v := unb64(t, get(got["3scale/Secret/system-database"], "data", "URL")); v != "postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql-service.3scale-db.svc.cluster.local/system" {
		t.Errorf("system-database URL = %q", v)
	}
	for _, k := range []string{"3scale-db/Deployment/system-postgresql-external", "3scale-db/Service/system-postgresql-service"} {
		if got[k] == nil {
			t.Errorf("no %s", k)
		}
	}
	if info, err := os.Stat(filepath.Join(work, "3scale-backup", "2.15-2.16", "db_dump.backup")); err != nil || info.Size() == 0 {
		t.Errorf("no dump: %v", err)
	}
	calls := c.calls(t)
	if countCalls(calls, "exec deployment/system-postgresql-external -- pg_restore") != 1 {
		t.Error("pg_restore did not run once")
	}
	// 3.2.11: back to PostgreSQL 10.
	out, err = c.runEnv(t, bundle, work, "", nil, "--rollback", "2.15-2.16/postgresql")
	if err != nil {
		t.Fatalf("rollback: %v\n%s", err, out)
	}
	got = c.all(t)
	if !reflect.DeepEqual(get(got["3scale/Secret/system-database"], "data"), src) {
		t.Error("system-database is not restored")
	}
	if got["3scale-db/Deployment/system-postgresql-external"] != nil {
		t.Error("the PostgreSQL 15 Deployment is still there")
	}
	if db := get(got["3scale/APIManager/apimanager-sample"], "spec", "externalComponents", "system", "database"); db != false {
		t.Errorf("externalComponents.system.database = %v after the rollback", db)
	}
}
