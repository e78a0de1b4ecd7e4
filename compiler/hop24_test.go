package compiler_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
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

// TestRollingUpdatesExactPatch: compiled against a snapshot, 002 §2.2's
// rolling_updates.yml edit is a JSON patch computed from the snapshot's
// text (tested against it, reviewable in PLAN.md), not run-time shell: a
// flag that is there is set to true where it stands, a missing one is
// added first under production, the other flags are kept; a site with both
// flags on gets no step; a text without production is refused. Without a
// snapshot the run-time step edits the live text.
func TestRollingUpdatesExactPatch(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	withText := func(text string) string {
		return editFixture(t, fixture, func(obj map[string]any) bool {
			if obj["kind"] == "ConfigMap" && obj["metadata"].(map[string]any)["name"] == "system" {
				obj["data"].(map[string]any)["rolling_updates.yml"] = text
			}
			return true
		})
	}
	for _, c := range []struct{ name, old, want string }{
		{"both missing", "production:\n  old_charts: false\n  policies: true\n",
			"production:\n  policy_registry: true\n  service_mesh_integration: true\n  old_charts: false\n  policies: true\n"},
		{"one off, one missing", "production:\n  service_mesh_integration: false\n  policies: true\n",
			"production:\n  policy_registry: true\n  service_mesh_integration: true\n  policies: true\n"},
		{"both off", "production:\n  policy_registry: false # staged\n  service_mesh_integration:   false\n",
			"production:\n  policy_registry: true\n  service_mesh_integration: true\n"},
		{"both on", "production:\n  policy_registry: true\n  service_mesh_integration: true\n", ""},
	} {
		res, diags := compileSnapshotResult(t, plan24For("mysql"), withText(c.old))
		if diags.HasErrors() {
			t.Fatalf("%s: %v", c.name, diags)
		}
		ids := stepIDs(res.Bundle)
		if _, ok := ids["2.4-2.5/rolling-updates"]; ok {
			t.Errorf("%s: the run-time edit is in a bundle compiled against a snapshot", c.name)
		}
		step, ok := ids["2.4-2.5/rolling-updates-patch"]
		if c.want == "" {
			if ok {
				t.Errorf("%s: a patch for flags that are on: %+v", c.name, step.Patches)
			}
			continue
		}
		if !ok || len(step.Patches) != 1 {
			t.Fatalf("%s: no rolling-updates-patch step", c.name)
		}
		ops := step.Patches[0].Ops
		if len(ops) != 2 || ops[0].Op != "test" || ops[0].Value != c.old || ops[1].Op != "replace" || ops[1].Value != c.want {
			t.Errorf("%s: %+v, want test %q, replace %q", c.name, ops, c.old, c.want)
		}
	}
	diags := compileSnapshot(t, plan24For("mysql"), withText("staging:\n  policies: true\n"))
	if !diags.HasErrors() || diags[0].Summary != "rolling_updates.yml has no production section" {
		t.Errorf("a text without production: %v", diags)
	}
	b, diags := compiler.Compile(parse(t, plan24For("mysql")), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ids := stepIDs(b)
	if _, ok := ids["2.4-2.5/rolling-updates"]; !ok {
		t.Error("without a snapshot, no run-time edit")
	}
	if _, ok := ids["2.4-2.5/rolling-updates-patch"]; ok {
		t.Error("without a snapshot, a patch computed from the standard layout")
	}
}

// TestPostgreSQL10TagImportPolicy: with a snapshot, 2.5.3's postgresql:10
// tag imports as the snapshot's postgresql:9.5 does (the guide's
// --insecure=$IMPORT_POLICY_VAL), in the patch; without one, the tag has
// no import policy and the run-time step sets it.
func TestPostgreSQL10TagImportPolicy(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	tag10 := func(b *ir.Bundle) map[string]any {
		t.Helper()
		step, ok := stepIDs(b)["2.4-2.5/zync-database-tag"]
		if !ok || len(step.Patches) != 1 {
			t.Fatal("no zync-database-tag patch")
		}
		for _, o := range step.Patches[0].Ops {
			if m, ok := o.Value.(map[string]any); ok && m["name"] == "10" {
				return m
			}
		}
		t.Fatalf("the patch adds no tag 10: %+v", step.Patches[0].Ops)
		return nil
	}
	for _, insecure := range []bool{false, true} {
		snap := editFixture(t, fixture, func(obj map[string]any) bool {
			if obj["kind"] == "ImageStream" && obj["metadata"].(map[string]any)["name"] == "postgresql" {
				for _, tag := range obj["spec"].(map[string]any)["tags"].([]any) {
					if tag := tag.(map[string]any); tag["name"] == "9.5" {
						tag["importPolicy"] = map[string]any{"insecure": insecure}
					}
				}
			}
			return true
		})
		res, diags := compileSnapshotResult(t, plan24For("mysql"), snap)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := tag10(res.Bundle)["importPolicy"]; !reflect.DeepEqual(got, map[string]any{"insecure": insecure}) {
			t.Errorf("9.5 imports with insecure=%v: tag 10's import policy is %v", insecure, got)
		}
	}
	b, diags := compiler.Compile(parse(t, plan24For("mysql")), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got, ok := tag10(b)["importPolicy"]; ok {
		t.Errorf("without a snapshot, tag 10 has the import policy %v from the standard layout", got)
	}
}
