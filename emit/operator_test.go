package emit_test

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// The operator chapters of seed 000: 2.7 → 2.8 with the operator
// (chapter 2) and the template-to-operator migration at 2.8 (chapter 3).
// Their runbooks run on the simulated cluster in emit/runbooktest.

func op27Plan(t *testing.T, subscription string) string {
	t.Helper()
	return bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}

operator {
  namespace    = "3scale-operator"
  subscription = "`+subscription+`"
}
`)
}

// compileDiags compiles a plan against a snapshot and returns the
// diagnostics, for plans that must be refused.
func compileDiags(t *testing.T, planPath, snapshotPath string) string {
	t.Helper()
	_, diags := ampc.CompileFile(planPath, ampc.Options{Snapshot: snapshotPath})
	var parts []string
	for _, d := range diags {
		parts = append(parts, d.Summary+": "+d.Detail)
	}
	return strings.Join(parts, "\n")
}

// TestOperator27ApplyWithKubectl compiles the 2.7 → 2.8 operator example
// with and without a snapshot, applies its one patch to the site's
// Subscription with kubectl patch --local, and checks the channel, that
// nothing else changed, the kustomize rendering and the runbook.
func TestOperator27ApplyWithKubectl(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	example := filepath.Join(testenv.Root(), "examples", "2.7-to-2.8-operator.hcl")
	for _, withSnapshot := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard-layout", true: "snapshot"}[withSnapshot], func(t *testing.T) {
			objects := bundletest.Op27Objects(t)
			before := bundletest.Op27Objects(t)
			snap := ""
			if withSnapshot {
				snap = bundletest.WriteObjects(t, objects)
			}
			b := bundletest.New(t, example, snap)
			files, dir := b.Files, b.Dir
			b.Apply(objects)

			sub := objects["Subscription/3scale-operator"]
			if got := bundletest.Get(sub, "spec", "channel"); got != "threescale-2.8" {
				t.Errorf("Subscription channel = %v, want threescale-2.8", got)
			}
			if bundletest.Get(sub, "metadata", "namespace") != "3scale-operator" {
				t.Errorf("the Subscription moved to namespace %v", bundletest.Get(sub, "metadata", "namespace"))
			}
			beforeSpec := bundletest.DeepCopy(t, bundletest.Get(before["Subscription/3scale-operator"], "spec").(map[string]any))
			beforeSpec["channel"] = "threescale-2.8"
			if !reflect.DeepEqual(bundletest.Get(sub, "spec"), any(beforeSpec)) {
				t.Errorf("the patch changed more than the channel: %v", bundletest.Get(sub, "spec"))
			}
			for key, obj := range before {
				if key != "Subscription/3scale-operator" && !reflect.DeepEqual(obj["spec"], objects[key]["spec"]) {
					t.Errorf("%s changed", key)
				}
			}

			var pf planFile
			if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
				t.Fatal(err)
			}
			patches := 0
			for _, s := range pf.Steps {
				for _, p := range s.Patches {
					patches++
					want := ir.Target{APIVersion: "operators.coreos.com/v1alpha1", Kind: "Subscription", Name: "3scale-operator", Namespace: "3scale-operator"}
					if s.ID != "2.7-2.8/subscription-channel" || p.Target != want {
						t.Errorf("step %s patches %+v", s.ID, p.Target)
					}
				}
			}
			if patches != 1 {
				t.Errorf("%d patches, want the Subscription's only", patches)
			}
			if !strings.Contains(string(files["runbook.sh"]), "oc patch subscription.operators.coreos.com/3scale-operator --namespace=3scale-operator --type=json") {
				t.Error("the runbook does not patch the Subscription in the operator's project")
			}

			rendered := kustomized(t, kubectl, dir, "2.7-2.8")
			if len(rendered) != 1 || bundletest.Get(rendered["Subscription/3scale-operator"], "spec", "channel") != "threescale-2.8" ||
				bundletest.Get(rendered["Subscription/3scale-operator"], "metadata", "namespace") != "3scale-operator" {
				t.Errorf("kustomize renders %v", rendered)
			}
			runbookChecks(t, dir)
		})
	}
}

// TestOperator27SiteSpecific checks what the plan and the snapshot decide:
// a Subscription with another name, a snapshot without it, and one taken
// after the channel changed.
func TestOperator27SiteSpecific(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")

	// The Subscription named "threescale" by the site: the plan says so.
	objects := bundletest.Op27Objects(t)
	sub := objects["Subscription/3scale-operator"]
	delete(objects, "Subscription/3scale-operator")
	sub["metadata"].(map[string]any)["name"] = "threescale"
	objects["Subscription/threescale"] = sub
	planPath := op27Plan(t, "threescale")
	for _, snap := range []string{"", bundletest.WriteObjects(t, objects)} {
		b := bundletest.New(t, planPath, snap)
		dir := b.Dir
		got := map[string]map[string]any{"Subscription/threescale": bundletest.DeepCopy(t, sub)}
		b.Apply(got)
		if bundletest.Get(got["Subscription/threescale"], "spec", "channel") != "threescale-2.8" {
			t.Errorf("snapshot %q: the Subscription named threescale is not moved", snap)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "patches", "2.7-2.8", "subscription-channel", "subscription-threescale.*.json")); len(files) != 1 {
			t.Errorf("snapshot %q: the patch files of subscription/threescale: %v", snap, files)
		}
	}
	// The default name against that snapshot: the Subscription is missing,
	// and the diagnostic says how to export it from its project.
	msg := compileDiags(t, op27Plan(t, "3scale-operator"), bundletest.WriteObjects(t, objects))
	if !strings.Contains(msg, "Object missing from snapshot") || !strings.Contains(msg, "oc get subscription 3scale-operator -n 3scale-operator -o yaml") {
		t.Errorf("diagnostics: %s", msg)
	}
	// A snapshot taken after the channel changed.
	objects = bundletest.Op27Objects(t)
	objects["Subscription/3scale-operator"]["spec"].(map[string]any)["channel"] = "threescale-2.8"
	msg = compileDiags(t, op27Plan(t, "3scale-operator"), bundletest.WriteObjects(t, objects))
	if !strings.Contains(msg, "Precondition failed") || !strings.Contains(msg, `/spec/channel is "threescale-2.8", not "threescale-2.7"`) {
		t.Errorf("diagnostics: %s", msg)
	}
}

// migrationPlan is a template-to-operator plan.
func migrationPlan(t *testing.T, from, db string, s3 bool) string {
	t.Helper()
	s3s := "false"
	if s3 {
		s3s = "true"
	}
	return bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "`+from+`"
  to              = "2.8"
  system_database = "`+db+`"
  s3              = `+s3s+`
  migrate_to      = "operator"
}

operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
`)
}

// TestMigrationBundles compiles the template-to-operator migration for each
// kind of site (and after the 2.7 → 2.8 template hop), and checks the
// bundle: the runbook passes bash -n and shellcheck, kustomize renders the
// APIManager the plan asks for, every step on the OpenShift 3.11 cluster
// comes before the manual switch and checks that cluster, every later one
// checks the other, and each database is dumped before it is restored.
func TestMigrationBundles(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	for _, tc := range []struct {
		from, db string
		s3       bool
		system   map[string]any // the APIManager's spec.system
	}{
		{"2.8", "mysql", false, nil},
		{"2.8", "postgresql", true, map[string]any{
			"database":    map[string]any{"postgresql": map[string]any{}},
			"fileStorage": map[string]any{"simpleStorageService": map[string]any{"configurationSecretRef": map[string]any{"name": "aws-auth"}}},
		}},
		{"2.8", "mysql", true, map[string]any{
			"fileStorage": map[string]any{"simpleStorageService": map[string]any{"configurationSecretRef": map[string]any{"name": "aws-auth"}}},
		}},
		{"2.7", "mysql", false, nil},
	} {
		name := tc.from + "-" + tc.db + map[bool]string{true: "-s3", false: ""}[tc.s3]
		t.Run(name, func(t *testing.T) {
			planPath := migrationPlan(t, tc.from, tc.db, tc.s3)
			res := bundletest.CompileResult(t, planPath, "")
			dir := bundletest.WriteBundle(t, res.Files)
			runbookChecks(t, dir)

			rendered := kustomized(t, kubectl, dir, "2.8-2.8")
			am := rendered["APIManager/apimanager"]
			if am == nil || bundletest.Get(am, "metadata", "namespace") != "3scale" || bundletest.Get(am, "spec", "wildcardDomain") != "3scale.example.com" {
				t.Fatalf("kustomize renders %v", rendered)
			}
			got, _ := bundletest.Get(am, "spec", "system").(map[string]any)
			if !reflect.DeepEqual(got, tc.system) {
				t.Errorf("spec.system = %v, want %v", got, tc.system)
			}
			if tc.from == "2.8" && len(rendered) != 1 {
				t.Errorf("the migration alone renders %d objects", len(rendered))
			}

			b := res.Bundle
			var hops []string
			for _, h := range b.Hops {
				hops = append(hops, h.Name()+"/"+h.Deployment)
			}
			want := "2.8-2.8/template-to-operator"
			if tc.from == "2.7" {
				want = "2.7-2.8/template " + want
			}
			if strings.Join(hops, " ") != want {
				t.Errorf("hops = %v", hops)
			}
			ids := map[string]int{}
			switched := false
			for i, s := range b.Steps {
				ids[s.ID] = i
				if s.Hop != "2.8-2.8" {
					continue
				}
				if !strings.HasPrefix(s.Source, "000_fb66213bb7713c41.txt 3.") {
					t.Errorf("step %s has source %s", s.ID, s.Source)
				}
				if s.ID == "2.8-2.8/switch-to-target" {
					switched = true
				}
				if switched && strings.Contains(s.Run, "on_source") || !switched && strings.Contains(s.Run, "on_target") {
					t.Errorf("step %s checks the wrong cluster", s.ID)
				}
				if !switched && (s.Kind == ir.KindBackup || strings.HasPrefix(s.Title, "Stop")) && !strings.Contains(s.Run, "\n  on_source\n") && !strings.Contains(s.Run, "\non_source\n") {
					t.Errorf("step %s of the OpenShift 3.11 side does not check the cluster", s.ID)
				}
				if strings.HasPrefix(s.ID, "2.8-2.8/restore-") && !strings.Contains(s.Run, "\non_target\n") {
					t.Errorf("restore step %s does not check the cluster", s.ID)
				}
			}
			for _, order := range [][2]string{
				{"backup-objects", "restore-objects"},
				{"backup-" + "system-" + tc.db, "restore-system-" + tc.db},
				{"backup-zync-database", "restore-zync-database"},
				{"backup-redis", "restore-redis"},
				{"scale-down-source", "switch-to-target"},
				{"switch-to-target", "target-check"},
				{"restore-objects", "apimanager"},
				{"operator-verify", "restore-objects"},
				{"redis-restore-mode", "restore-redis"},
				{"restore-redis", "redis-normal-mode"},
				{"resync-routes", "dns-switch"},
				{"wait-deployment", "stop-writers"},
				{"stop-writers", "restore-system-" + tc.db},
				{"stop-writers", "restore-zync-database"},
				{"redis-normal-mode", "redis-verify-keys"},
				{"redis-verify-keys", "restart-system"},
			} {
				a, okA := ids["2.8-2.8/"+order[0]]
				b, okB := ids["2.8-2.8/"+order[1]]
				if !okA || !okB || a >= b {
					t.Errorf("step %s does not come before %s", order[0], order[1])
				}
			}
			_, storage := ids["2.8-2.8/backup-system-storage"]
			if storage == tc.s3 {
				t.Errorf("s3 = %v and a system storage copy = %v", tc.s3, storage)
			}
			if tc.s3 && !strings.Contains(b.Steps[ids["2.8-2.8/backup-objects"]].Run, "system-master-apicast aws-auth;") {
				t.Error("an S3 site's backup does not keep aws-auth")
			}
		})
	}
}
