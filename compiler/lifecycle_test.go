package compiler_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/ir"
)

// operatorChain is an operator plan from FROM to TO; extra goes into the
// install block, and a 2.16 plan gets the externalize block it needs.
func operatorChain(from, to, db, extra string) string {
	out := fmt.Sprintf("install {\n  namespace = \"3scale\"\n  deployment = \"operator\"\n  from = %q\n  to = %q\n  system_database = %q\n%s}\noperator {\n  namespace = \"3scale-operator\"\n}\n", from, to, db, extra)
	if to == "2.16" {
		out += "externalize {\n  system_database = \"on-cluster\"\n  redis = \"on-cluster\"\n  namespace = \"3scale-db\"\n}\n"
	}
	return out
}

func waits(s ir.Step) []string {
	var out []string
	for _, w := range s.Wait {
		out = append(out, w.Kind+"/"+w.Name)
	}
	return out
}

// TestOperatorLifecycleChain compiles 2.9 → 2.16 on one model: each hop
// moves the Subscription from its channel to the next (the test of each
// patch is the channel the hop before left), the waits follow the
// operator's own moves (system-sphinx becomes system-searchd at 2.14, the
// DeploymentConfigs Deployments at 2.15), and the 2.15 → 2.16 hop finds the
// Deployments, claims and Secrets its steps need.
func TestOperatorLifecycleChain(t *testing.T) {
	b, diags := compiler.Compile(parse(t, operatorChain("2.9", "2.16", "mysql", "")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var hops []string
	for _, h := range b.Hops {
		hops = append(hops, h.Name())
	}
	if got := strings.Join(hops, " "); got != "2.9-2.10 2.10-2.11 2.11-2.12 2.12-2.13 2.13-2.14 2.14-2.15 2.15-2.16" {
		t.Fatalf("hops %s", got)
	}
	ids := stepIDs(b)
	for minor := 9; minor <= 14; minor++ {
		hop := fmt.Sprintf("2.%d-2.%d", minor, minor+1)
		p := ids[hop+"/subscription-channel"]
		if len(p.Patches) != 1 {
			t.Fatalf("%s/subscription-channel patches %+v", hop, p.Patches)
		}
		opsJSON, err := json.Marshal(p.Patches[0].Ops)
		if err != nil {
			t.Fatal(err)
		}
		ops := string(opsJSON)
		for _, want := range []string{fmt.Sprintf(`"value":"threescale-2.%d"`, minor), fmt.Sprintf(`"value":"threescale-2.%d"`, minor+1)} {
			if !strings.Contains(ops, want) {
				t.Errorf("%s/subscription-channel: %s lacks %s", hop, ops, want)
			}
		}
		if _, ok := ids[hop+"/preflight-operator"]; !ok {
			t.Errorf("%s has no preflight-operator (the gate between channels)", hop)
		}
	}
	w13 := waits(ids["2.12-2.13/wait-rollouts"])
	w14 := waits(ids["2.13-2.14/wait-rollouts"])
	w15 := waits(ids["2.14-2.15/wait-rollouts"])
	if !slices.Contains(w13, "DeploymentConfig/system-sphinx") || slices.Contains(w13, "DeploymentConfig/system-searchd") {
		t.Errorf("2.12 → 2.13 waits for %v", w13)
	}
	if slices.Contains(w14, "DeploymentConfig/system-sphinx") || !slices.Contains(w14, "DeploymentConfig/system-searchd") {
		t.Errorf("2.13 → 2.14 waits for %v, not for system-searchd", w14)
	}
	for _, w := range w15 {
		if !strings.HasPrefix(w, "Deployment/") {
			t.Errorf("2.14 → 2.15 waits for %s: the 2.15 operator replaced the DeploymentConfigs", w)
		}
	}
	if len(w15) != len(w14) {
		t.Errorf("2.14 → 2.15 waits for %d workloads, 2.13 → 2.14 for %d: %v / %v", len(w15), len(w14), w15, w14)
	}
	// The database steps: Redis dumps before 2.11 and 2.14, a MySQL dump
	// before 2.12, each before its hop's channel change.
	order := map[string]int{}
	for i, s := range b.Steps {
		order[s.ID] = i
	}
	for _, c := range [][2]string{
		{"2.10-2.11/redis-backup", "2.10-2.11/subscription-channel"},
		{"2.11-2.12/mysql-backup", "2.11-2.12/subscription-channel"},
		{"2.13-2.14/redis-backup", "2.13-2.14/subscription-channel"},
		{"2.10-2.11/wait-rollouts", "2.10-2.11/redis-verify"},
		{"2.11-2.12/wait-rollouts", "2.11-2.12/mysql-verify"},
	} {
		a, okA := order[c[0]]
		z, okZ := order[c[1]]
		if !okA || !okZ || a > z {
			t.Errorf("%s must come before %s (positions %d %v, %d %v)", c[0], c[1], a, okA, z, okZ)
		}
	}
	if _, ok := ids["2.15-2.16/mysql-detach"]; !ok {
		t.Error("2.15 → 2.16 lost its MySQL steps in the chain")
	}
}

// TestOperatorLifecyclePostgreSQL: without an internal MySQL there is no
// MySQL dump; the PostgreSQL workload is waited for.
func TestOperatorLifecyclePostgreSQL(t *testing.T) {
	b, diags := compiler.Compile(parse(t, operatorChain("2.11", "2.12", "postgresql", "")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ids := stepIDs(b)
	if _, ok := ids["2.11-2.12/mysql-backup"]; ok {
		t.Error("a PostgreSQL site gets a MySQL dump")
	}
	if w := waits(ids["2.11-2.12/wait-rollouts"]); !slices.Contains(w, "DeploymentConfig/system-postgresql") {
		t.Errorf("waits for %v", w)
	}
}

// TestOpenShiftAlongTheChain: install.openshift is followed hop by hop.
func TestOpenShiftAlongTheChain(t *testing.T) {
	for _, tc := range []struct {
		from, to, openshift string
		err, warn           string
	}{
		// 2.10 → 2.11 runs on 4.6 to 4.8 only: a 4.9 cluster is too late.
		{"2.10", "2.11", "4.9", "runs on OpenShift 4.8 at the latest", ""},
		{"2.10", "2.11", "4.5", "", "needs OpenShift 4.6 or later"},
		{"2.10", "2.11", "4.8", "", ""},
		// A chain that needs OpenShift 4.12 at 2.14: a warning naming the step.
		{"2.9", "2.15", "4.8", "", "2.13-2.14/preflight-openshift"},
		// Past 4.8 before 2.11: no order of upgrades reaches 2.15.
		{"2.9", "2.15", "4.10", "runs on OpenShift 4.8 at the latest", ""},
		// An upgrade needed for 2.11 (4.6) that then passes 2.12's bound is fine.
		{"2.12", "2.14", "4.11", "", "needs OpenShift 4.12 or later"},
	} {
		t.Run(tc.from+"-"+tc.to+"-"+tc.openshift, func(t *testing.T) {
			_, diags := compiler.Compile(parse(t, operatorChain(tc.from, tc.to, "mysql", fmt.Sprintf("  openshift = %q\n", tc.openshift))), nil)
			var errs, warns []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d.Detail)
				} else {
					warns = append(warns, d.Detail)
				}
			}
			check := func(what, want string, got []string) {
				text := strings.Join(got, "\n")
				if want == "" && len(got) > 0 {
					t.Errorf("unexpected %s: %s", what, text)
				}
				if want != "" && !strings.Contains(text, want) {
					t.Errorf("%s %q, want %q", what, text, want)
				}
			}
			check("error", tc.err, errs)
			check("warning", tc.warn, warns)
		})
	}
}

// TestOperatorOracle: the operator runs Oracle from 2.10, and the guides
// have an operator-based Oracle procedure from 2.14 on: hops before are
// refused, 2.13 → 2.14 gets the image procedure and manual approval.
func TestOperatorOracle(t *testing.T) {
	for _, from := range []string{"2.8", "2.9", "2.10", "2.11", "2.12"} {
		v := strings.Split(from, ".")[1]
		to := "2." + fmt.Sprint(atoi(t, v)+1)
		_, diags := compiler.Compile(parse(t, operatorChain(from, to, "oracle", "")), nil)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "No operator-based Oracle procedure") {
			t.Errorf("%s → %s with Oracle: %v", from, to, diags)
		}
	}
	b, diags := compiler.Compile(parse(t, operatorChain("2.13", "2.14", "oracle", "")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ids := stepIDs(b)
	for _, id := range []string{"2.13-2.14/oracle-approval", "2.13-2.14/oracle-system-image-build", "2.13-2.14/oracle-system-image"} {
		if _, ok := ids[id]; !ok {
			t.Errorf("no step %s", id)
		}
	}
	order := map[string]int{}
	for i, s := range b.Steps {
		order[s.ID] = i
	}
	if !(order["2.13-2.14/oracle-system-image-build"] < order["2.13-2.14/subscription-channel"] && order["2.13-2.14/wait-operator"] < order["2.13-2.14/oracle-system-image"]) {
		t.Errorf("Oracle steps out of the guide's order (build, upgrade, image): %v", order)
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrationThenOperatorHops: a template site that migrates goes on to
// its to version with the operator hops: template hops up to the
// migration's version, the migration, then one operator hop per release,
// the first of which patches the Subscription the migration's operator
// install left (threescale-2.8).
func TestMigrationThenOperatorHops(t *testing.T) {
	src := `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.10"
  system_database = "mysql"
  migrate_to      = "operator"
}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
`
	b, diags := compiler.Compile(parse(t, src), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var hops []string
	for _, h := range b.Hops {
		hops = append(hops, h.Name()+"/"+h.Deployment)
	}
	if got := strings.Join(hops, " "); got != "2.7-2.8/template 2.8-2.8/template-to-operator 2.8-2.9/operator 2.9-2.10/operator" {
		t.Fatalf("hops %s", got)
	}
	ids := stepIDs(b)
	p := ids["2.8-2.9/subscription-channel"]
	if len(p.Patches) != 1 || p.Patches[0].Target.Namespace != "3scale-operator" {
		t.Fatalf("2.8-2.9/subscription-channel patches %+v", p.Patches)
	}
	if w := waits(ids["2.8-2.9/wait-rollouts"]); !slices.Contains(w, "DeploymentConfig/system-app") {
		t.Errorf("2.8 → 2.9 after the migration waits for %v", w)
	}
	// A migration plan to 2.8 is the migration alone, as before.
	b, diags = compiler.Compile(parse(t, strings.Replace(src, `to              = "2.10"`, `to              = "2.8"`, 1)), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if last := b.Hops[len(b.Hops)-1]; last.Deployment != "template-to-operator" {
		t.Errorf("a migration plan to 2.8 ends with %s", last.Name())
	}
	// No migration between from and to: refused.
	_, diags = compiler.Compile(parse(t, strings.Replace(strings.Replace(src, `from            = "2.7"`, `from            = "2.4"`, 1), `to              = "2.10"`, `to              = "2.7"`, 1)), nil)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "between 2.4 and 2.7") {
		t.Errorf("a migration plan with no migration in its range: %v", diags)
	}
}
