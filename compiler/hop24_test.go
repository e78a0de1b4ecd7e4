package compiler_test

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
)

// Tests of what the 2.4 → 2.5 hop added to the compiler: the trigger word
// and the fresh 2.4 layout (the literal credentials of a 2.4 snapshot are
// tested by the snapshot package).

func plan24For(db string) string {
	return strings.NewReplacer(`from            = "2.7"`, `from            = "2.4"`, `to              = "2.8"`, `to              = "2.5"`).Replace(planFor(db, false))
}

func TestTriggerPrecondition(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	// A site that moved zync-database to PostgreSQL 10 by hand.
	snapshot := editFixture(t, fixture, func(obj map[string]any) bool {
		if obj["kind"] == "DeploymentConfig" && obj["metadata"].(map[string]any)["name"] == "zync-database" {
			tr := obj["spec"].(map[string]any)["triggers"].([]any)[1].(map[string]any)
			tr["imageChangeParams"].(map[string]any)["from"].(map[string]any)["name"] = "postgresql:10"
		}
		return true
	})
	diags := compileSnapshot(t, plan24For("mysql"), snapshot)
	if len(diags) != 1 || diags[0].Summary != "Precondition failed" ||
		!strings.Contains(diags[0].Detail, `the image change trigger of container postgresql follows "postgresql:10", not postgresql:9.5 as the step expects`) ||
		!strings.Contains(diags[0].Detail, "2.4-2.5/zync-database-trigger") {
		t.Errorf("diags = %v", diags)
	}
	// A zync-database without an image change trigger.
	snapshot = editFixture(t, fixture, func(obj map[string]any) bool {
		if obj["kind"] == "DeploymentConfig" && obj["metadata"].(map[string]any)["name"] == "zync-database" {
			obj["spec"].(map[string]any)["triggers"] = []any{map[string]any{"type": "ConfigChange"}}
		}
		return true
	})
	diags = compileSnapshot(t, plan24For("mysql"), snapshot)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "it has no image change trigger for container postgresql") {
		t.Errorf("diags = %v", diags)
	}
}

func TestLayout24(t *testing.T) {
	for _, db := range []string{"mysql", "postgresql", "oracle"} {
		for _, s3 := range []bool{false, true} {
			body := strings.Replace(plan24For(db), "s3              = false", "s3              = "+map[bool]string{false: "false", true: "true"}[s3], 1)
			b, diags := compiler.Compile(parse(t, body), nil)
			if diags.HasErrors() {
				t.Fatalf("%s s3=%v: %s", db, s3, diags.Error())
			}
			ids := stepIDs(b)
			_, mysql := ids["2.4-2.5/system-mysql-env"]
			_, oracle := ids["2.4-2.5/oracle-build-config"]
			if mysql != (db == "mysql") || oracle != (db == "oracle") {
				t.Errorf("%s s3=%v: system-mysql-env %v, oracle-build-config %v", db, s3, mysql, oracle)
			}
			for _, s := range b.Steps {
				if !strings.HasPrefix(s.Source, "002_fcdd7c3ee9f6ca34.txt 2.") {
					t.Errorf("step %s has source %q", s.ID, s.Source)
				}
			}
		}
	}
}
