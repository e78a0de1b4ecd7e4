package bundletest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// There is no export of a template-based site on PostgreSQL: its sites are
// the MySQL fixtures turned into one.

// TemplatePostgreSQL turns a template-based site's fixture objects (keyed
// Kind/name, a MySQL site) into the same site on PostgreSQL, as the
// amp-postgresql template of 2.6 and 2.7 deploys it: the DeploymentConfig
// system-postgresql on the image stream system-postgresql (tag latest → the
// release's tag → registry.redhat.io/rhscl/postgresql-10-rhel7), its claim
// postgresql-data mounted at /var/lib/pgsql/data, its Service on port 5432,
// the system-database Secret's URL a postgresql:// one, and no MySQL
// ConfigMaps.
func TemplatePostgreSQL(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	rename := func(kind, from, to string) map[string]any {
		obj := objects[kind+"/"+from]
		if obj == nil {
			t.Fatalf("the fixture has no %s/%s", kind, from)
		}
		delete(objects, kind+"/"+from)
		raw, _ := json.Marshal(obj)
		raw = bytes.ReplaceAll(raw, []byte(`system-mysql`), []byte(to))
		raw = bytes.ReplaceAll(raw, []byte(`"mysql-storage"`), []byte(`"postgresql-data"`))
		raw = bytes.ReplaceAll(raw, []byte(`"threescale_component_element":"mysql"`), []byte(`"threescale_component_element":"postgresql"`))
		var next map[string]any
		_ = json.Unmarshal(raw, &next)
		next["metadata"].(map[string]any)["name"] = to
		objects[kind+"/"+to] = next
		return next
	}
	dc := rename("DeploymentConfig", "system-mysql", "system-postgresql")
	pod := Get(dc, "spec", "template", "spec").(map[string]any)
	c := Get(pod, "containers", 0).(map[string]any)
	c["env"] = []any{
		map[string]any{"name": "POSTGRESQL_USER", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_USER", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"key": "DB_PASSWORD", "name": "system-database"}}},
		map[string]any{"name": "POSTGRESQL_DATABASE", "value": "system"},
	}
	c["ports"] = []any{map[string]any{"containerPort": 5432, "protocol": "TCP"}}
	c["livenessProbe"] = map[string]any{"initialDelaySeconds": 30, "periodSeconds": 10, "tcpSocket": map[string]any{"port": 5432}}
	c["readinessProbe"] = map[string]any{"exec": map[string]any{"command": []any{"/bin/sh", "-i", "-c",
		"psql -h 127.0.0.1 -U $POSTGRESQL_USER -q -d $POSTGRESQL_DATABASE -c 'SELECT 1'"}}, "initialDelaySeconds": 10, "periodSeconds": 30, "timeoutSeconds": 5}
	c["volumeMounts"] = []any{map[string]any{"mountPath": "/var/lib/pgsql/data", "name": "postgresql-data"}}
	pod["volumes"] = []any{map[string]any{"name": "postgresql-data", "persistentVolumeClaim": map[string]any{"claimName": "postgresql-data"}}}

	is := rename("ImageStream", "system-mysql", "system-postgresql")
	for _, tag := range Get(is, "spec", "tags").([]any) {
		m := tag.(map[string]any)
		if from := m["from"].(map[string]any); from["kind"] == "DockerImage" {
			from["name"] = "registry.redhat.io/rhscl/postgresql-10-rhel7"
			m["annotations"] = map[string]any{"openshift.io/display-name": "System " + m["name"].(string) + " PostgreSQL"}
		}
	}
	svc := rename("Service", "system-mysql", "system-postgresql")
	svc["spec"].(map[string]any)["ports"] = []any{map[string]any{"name": "system-postgresql", "port": 5432, "protocol": "TCP", "targetPort": 5432}}
	rename("PersistentVolumeClaim", "mysql-storage", "postgresql-data")
	delete(objects, "ConfigMap/mysql-extra-conf")
	delete(objects, "ConfigMap/mysql-main-conf")
	secret := objects["Secret/system-database"]
	secret["data"] = map[string]any{
		"DB_USER":     Base64("system"),
		"DB_PASSWORD": Base64("p@ss:w/rd+0815"),
		"URL":         Base64("postgresql://system:p%40ss%3Aw%2Frd%2B0815@system-postgresql/system"),
	}
}
