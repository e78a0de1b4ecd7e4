package propertytest

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

// The falsifiers of the 2.4 → 2.5 verify steps (verifyFalsifiers), on the
// cluster of the 2.4-to-2.5-mysql site as its run leaves it when it stops
// at the step.

// site24 is the example whose run the 2.4 → 2.5 falsifiers break.
const site24 = "2.4-to-2.5-mysql"

// breakRollingUpdates turns policy_registry off again in
// rolling_updates.yml, as a 2.4 install has it.
func breakRollingUpdates(t *testing.T, o map[string]map[string]any) {
	data := bundletest.Get(o["ConfigMap/system"], "data").(map[string]any)
	text, _ := data["rolling_updates.yml"].(string)
	broken := regexp.MustCompile(`(?m)^([ \t]+policy_registry:[ \t]*)true[ \t]*$`).ReplaceAllString(text, "${1}false")
	if broken == text {
		t.Fatalf("rolling_updates.yml sets no policy_registry: true to break:\n%s", text)
	}
	data["rolling_updates.yml"] = broken
}

// breakSystemDatabaseSecret gives system-database another DB_PASSWORD than
// the MYSQL_PASSWORD system-mysql runs with.
func breakSystemDatabaseSecret(t *testing.T, o map[string]map[string]any) {
	data := bundletest.Get(o["Secret/system-database"], "data").(map[string]any)
	if _, ok := data["DB_PASSWORD"]; !ok {
		t.Fatal("secret/system-database has no DB_PASSWORD to break")
	}
	data["DB_PASSWORD"] = base64.StdEncoding.EncodeToString([]byte("another-password"))
}

// breakSystemMySQLEnv makes system-mysql's MYSQL_PASSWORD a literal again
// instead of system-database's DB_PASSWORD.
func breakSystemMySQLEnv(t *testing.T, o map[string]map[string]any) {
	for _, c := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-mysql"], "spec", "template", "spec", "containers")) {
		for _, e := range proptest.AsList(bundletest.Get(c, "env")) {
			if e := e.(map[string]any); e["name"] == "MYSQL_PASSWORD" {
				delete(e, "valueFrom")
				e["value"] = "literal-password"
				return
			}
		}
	}
	t.Fatal("dc/system-mysql has no MYSQL_PASSWORD to break")
}

// breakZyncDatabaseCleanup puts tag 9.5 back into the postgresql image
// stream.
func breakZyncDatabaseCleanup(t *testing.T, o map[string]map[string]any) {
	spec := bundletest.Get(o["ImageStream/postgresql"], "spec").(map[string]any)
	spec["tags"] = append(proptest.AsList(spec["tags"]), map[string]any{
		"name": "9.5",
		"from": map[string]any{"kind": "DockerImage", "name": "registry.access.redhat.com/rhscl/postgresql-95-rhel7"},
	})
}

// breakZyncDatabaseTag removes tag 10 from the postgresql image stream,
// spec and status, as if its import had never been asked for.
func breakZyncDatabaseTag(t *testing.T, o map[string]map[string]any) {
	is := o["ImageStream/postgresql"]
	for _, part := range []struct{ field, key string }{{"spec", "name"}, {"status", "tag"}} {
		m, _ := bundletest.Get(is, part.field).(map[string]any)
		if m == nil {
			continue
		}
		var kept []any
		for _, tag := range proptest.AsList(m["tags"]) {
			if name, _ := tag.(map[string]any)[part.key].(string); !strings.HasPrefix(name, "10") {
				kept = append(kept, tag)
			}
		}
		m["tags"] = kept
	}
}

// breakSystemMySQLPods scales system-mysql to zero: the DeploymentConfig,
// its replication controllers, and no pod left.
func breakSystemMySQLPods(t *testing.T, o map[string]map[string]any) {
	bundletest.Get(o["DeploymentConfig/system-mysql"], "spec").(map[string]any)["replicas"] = 0
	pods := 0
	for key, obj := range o {
		switch {
		case strings.HasPrefix(key, "ReplicationController/system-mysql-"):
			bundletest.Get(obj, "spec").(map[string]any)["replicas"] = 0
		case strings.HasPrefix(key, "Pod/") && podOf(obj, "system-mysql"):
			delete(o, key)
			pods++
		}
	}
	if pods == 0 {
		t.Fatal("no system-mysql pod to remove")
	}
}

// breakZyncDatabasePods makes the pods of zync-database run the
// PostgreSQL 9.5 image, as the old deployment's pod does when the new one
// never came.
func breakZyncDatabasePods(t *testing.T, o map[string]map[string]any) {
	pods := 0
	for key, obj := range o {
		if !strings.HasPrefix(key, "Pod/") || !podOf(obj, "zync-database") {
			continue
		}
		for _, c := range proptest.AsList(bundletest.Get(obj, "spec", "containers")) {
			c.(map[string]any)["image"] = "registry.access.redhat.com/rhscl/postgresql-95-rhel7@sha256:" + strings.Repeat("9", 64)
		}
		pods++
	}
	if pods == 0 {
		t.Fatal("no zync-database pod to break")
	}
}

// podOf tells whether a pod belongs to DeploymentConfig dc, by the labels
// its deployments give it.
func podOf(pod map[string]any, dc string) bool {
	labels, _ := bundletest.Get(pod, "metadata", "labels").(map[string]any)
	return labels["deploymentConfig"] == dc || labels["deploymentconfig"] == dc
}
