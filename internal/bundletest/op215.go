package bundletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// The 2.15 → 2.16 operator hop (seed 004) against the operator fixtures: a
// snapshot directory of the 3scale project and the operator projects. Objects
// are keyed NAMESPACE/KIND/NAME here, since the same name lives in several
// projects (system-database in 3scale and in the databases' project).

// Op215Key is the key of an operator site's object: NAMESPACE/KIND/NAME.
func Op215Key(ns, kind, name string) string { return ns + "/" + kind + "/" + name }

// Op215KeyOf is the Op215Key of obj.
func Op215KeyOf(obj map[string]any) string {
	return Op215Key(Get(obj, "metadata", "namespace").(string), obj["kind"].(string), Get(obj, "metadata", "name").(string))
}

// Op215Objects reads both operator fixtures, keyed by Op215Key.
func Op215Objects(t *testing.T) map[string]map[string]any {
	t.Helper()
	dir := testenv.Shared(t, "fixtures/operator")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if len(files) != 2 {
		t.Fatalf("fixtures/operator holds %d files", len(files))
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		for _, o := range testenv.ListItems(t, f) {
			out[Op215KeyOf(o)] = o
		}
	}
	return out
}

// Op215Snapshot writes objects as a snapshot directory and returns it.
func Op215Snapshot(t *testing.T, objects map[string]map[string]any) string {
	t.Helper()
	out := listYAML(t, objects)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "namespaces.yaml"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Op215PostgreSQL turns the MySQL fixture into the same site on PostgreSQL,
// as the 2.15 operator deploys it: system-postgresql with its claim
// postgresql-data and Service, and a system-database Secret whose password
// needs URL encoding.
func Op215PostgreSQL(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	rename := func(kind, from, to string) map[string]any {
		obj := objects[Op215Key("3scale", kind, from)]
		delete(objects, Op215Key("3scale", kind, from))
		raw, _ := json.Marshal(obj)
		raw = bytes.ReplaceAll(raw, []byte(`"system-mysql"`), []byte(`"`+to+`"`))
		raw = bytes.ReplaceAll(raw, []byte(`"mysql-storage"`), []byte(`"postgresql-data"`))
		raw = bytes.ReplaceAll(raw, []byte(`"threescale_component_element":"mysql"`), []byte(`"threescale_component_element":"postgresql"`))
		var next map[string]any
		_ = json.Unmarshal(raw, &next)
		next["metadata"].(map[string]any)["name"] = to
		objects[Op215KeyOf(next)] = next
		return next
	}
	dep := rename("Deployment", "system-mysql", "system-postgresql")
	c := Get(dep, "spec", "template", "spec", "containers", 0).(map[string]any)
	c["image"] = "registry.redhat.io/rhscl/postgresql-10-rhel7"
	c["env"] = []any{
		map[string]any{"name": "POSTGRESQL_USER", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_USER", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_PASSWORD", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_DATABASE", "value": "system"},
	}
	rename("PersistentVolumeClaim", "mysql-storage", "postgresql-data")
	rename("Service", "system-mysql", "system-postgresql")
	delete(objects, Op215Key("3scale", "ConfigMap", "mysql-extra-conf"))
	delete(objects, Op215Key("3scale", "ConfigMap", "mysql-main-conf"))
	am := objects[Op215Key("3scale", "APIManager", "apimanager-sample")]
	am["spec"].(map[string]any)["system"].(map[string]any)["database"] = map[string]any{"postgresql": map[string]any{}}
	secret := objects[Op215Key("3scale", "Secret", "system-database")]
	secret["data"] = map[string]any{
		"DB_USER":     Base64("system"),
		"DB_PASSWORD": Base64("p@ss:w/rd+0815"),
		"URL":         Base64("postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql/system"),
	}
}

// Op215External turns databases of the fixture external: the APIManager
// says so, and the operator's objects of them are gone.
func Op215External(t *testing.T, objects map[string]map[string]any, database, redis bool) {
	t.Helper()
	am := objects[Op215Key("3scale", "APIManager", "apimanager-sample")]
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

// Op215Plan writes a 2.15 → 2.16 operator plan: system database db, the
// externalize choices database and redis, and extra lines of the install
// block.
func Op215Plan(t *testing.T, db, database, redis, extra string) string {
	t.Helper()
	return WritePlan(t, fmt.Sprintf(`install {
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

// Op215PlanFile is what the operator tests read of a bundle's plan.json.
type Op215PlanFile struct {
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

// Op215ReadPlan reads the plan.json of the bundle in dir.
func Op215ReadPlan(t *testing.T, dir string) Op215PlanFile {
	t.Helper()
	var pf Op215PlanFile
	raw, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pf); err != nil {
		t.Fatal(err)
	}
	return pf
}

// Op215Detached asserts that section 3.3 left system-mysql and its objects
// without the APIManager's owner references and 3scale labels.
func Op215Detached(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	for _, k := range []string{"Deployment/system-mysql", "PersistentVolumeClaim/mysql-storage", "ConfigMap/mysql-extra-conf", "ConfigMap/mysql-main-conf", "Service/system-mysql"} {
		obj := objects["3scale/"+k]
		if obj == nil {
			t.Errorf("%s is gone: 3.3 keeps it", k)
			continue
		}
		if refs := Get(obj, "metadata", "ownerReferences"); refs != nil {
			t.Errorf("%s is still owned: %v", k, refs)
		}
		labels, _ := Get(obj, "metadata", "labels").(map[string]any)
		for _, l := range []string{"app", "threescale_component", "threescale_component_element"} {
			if _, ok := labels[l]; ok {
				t.Errorf("%s still has label %s", k, l)
			}
		}
	}
	pod := Get(objects["3scale/Deployment/system-mysql"], "spec", "template", "metadata", "labels")
	if !reflect.DeepEqual(pod, map[string]any{"deployment": "system-mysql"}) {
		t.Errorf("system-mysql pod labels = %v, want only deployment (its selector)", pod)
	}
}

// Op215WantExternal checks the APIManager's externalComponents.
func Op215WantExternal(t *testing.T, objects map[string]map[string]any, want map[string]any) {
	t.Helper()
	got := Get(objects["3scale/APIManager/apimanager-sample"], "spec", "externalComponents")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("APIManager externalComponents = %v, want %v", got, want)
	}
}

// Op215Seed seeds c with objects (keyed as Op215Objects), each in the
// directory of its namespace, with OpenShift 4.16's ClusterVersion, which
// the 2.15 → 2.16 preflight reads, and makes oc exec print execOut.
func Op215Seed(t *testing.T, c *Cluster, objects map[string]map[string]any, execOut string) {
	t.Helper()
	for _, obj := range objects {
		c.PutObject(t, obj)
	}
	c.PutObject(t, map[string]any{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": map[string]any{"name": "version", "namespace": "3scale"},
		"status":   map[string]any{"desired": map[string]any{"version": "4.16.12"}}})
	if err := os.WriteFile(filepath.Join(c.Dir, "exec.out"), []byte(execOut), 0o644); err != nil {
		t.Fatal(err)
	}
}
