package compiler_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

// migrationAt is a template plan from FROM to TO that migrates to the
// operator; extra goes into the install block, and a 2.16 plan gets the
// externalize block it needs.
func migrationAt(from, to, extra string) string {
	out := fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = "mysql"
  migrate_to      = "operator"
%s}
operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
`, from, to, extra)
	if to == "2.16" {
		out += "externalize {\n  system_database = \"on-cluster\"\n  redis = \"on-cluster\"\n  namespace = \"3scale-db\"\n}\n"
	}
	return out
}

func hopNames(b *ir.Bundle) string {
	var hops []string
	for _, h := range b.Hops {
		hops = append(hops, h.Name()+"/"+h.Deployment)
	}
	return strings.Join(hops, " ")
}

// hasTemplateHop reports whether a template hop from from exists.
func hasTemplateHop(t *testing.T, from string) bool {
	hops, err := compiler.Hops()
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(hops, func(h ir.Hop) bool { return h.From == from && h.Deployment == "template" })
}

// TestMigrationVersions: the one migration module serves 2.8 to 2.12 (the
// version blocks of its hop block); a plan migrates at migrate_at, else at
// the first version from its from on, with the template hops before and
// the operator hops after.
func TestMigrationVersions(t *testing.T) {
	for _, c := range []struct{ from, to, extra, want string }{
		{"2.8", "2.8", "", "2.8-2.8/template-to-operator"},
		{"2.9", "2.9", "", "2.9-2.9/template-to-operator"},
		{"2.10", "2.10", "", "2.10-2.10/template-to-operator"},
		{"2.11", "2.11", "", "2.11-2.11/template-to-operator"},
		{"2.12", "2.12", "", "2.12-2.12/template-to-operator"},
		{"2.7", "2.9", "", "2.7-2.8/template 2.8-2.8/template-to-operator 2.8-2.9/operator"},
		{"2.9", "2.10", "", "2.9-2.9/template-to-operator 2.9-2.10/operator"},
		{"2.9", "2.10", `  migrate_at = "2.10"` + "\n", "2.9-2.10/template 2.10-2.10/template-to-operator"},
		{"2.8", "2.10", `  migrate_at = "2.9"` + "\n", "2.8-2.9/template 2.9-2.9/template-to-operator 2.9-2.10/operator"},
		// A site installed at 2.8: the full 2.8 layout and the 2.8 → 2.9
		// template hop model it, then the migration at 2.9.
		{"2.9", "2.10", `  installed_at = "2.8"` + "\n", "2.9-2.9/template-to-operator 2.9-2.10/operator"},
		{"2.9", "2.16", "", "2.9-2.9/template-to-operator 2.9-2.10/operator 2.10-2.11/operator 2.11-2.12/operator 2.12-2.13/operator 2.13-2.14/operator 2.14-2.15/operator 2.15-2.16/operator"},
		// The plan's OpenShift is the old cluster's: checked against the
		// template hops, not followed past the migration (2.10 → 2.11
		// needs 4.6 or later).
		{"2.9", "2.11", `  openshift = "3.11"` + "\n" + `  migrate_at = "2.10"` + "\n", "2.9-2.10/template 2.10-2.10/template-to-operator 2.10-2.11/operator"},
	} {
		t.Run(c.from+"-"+c.to+strings.TrimSpace(strings.ReplaceAll(c.extra, " ", "")), func(t *testing.T) {
			b, diags := compiler.Compile(parse(t, migrationAt(c.from, c.to, c.extra)), nil)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			for _, d := range diags {
				t.Errorf("warning: %s", d.Error())
			}
			if got := hopNames(b); got != c.want {
				t.Errorf("hops %s, want %s", got, c.want)
			}
		})
	}
}

// TestMigrationOpenShiftIgnored: a plan that migrates before any hop that
// bounds OpenShift ignores install.openshift (the old cluster's), with a
// warning, and no error from the operator hops' bounds after it.
func TestMigrationOpenShiftIgnored(t *testing.T) {
	_, diags := compiler.Compile(parse(t, migrationAt("2.12", "2.13", `  openshift = "3.11"`+"\n")), nil)
	if diags.HasErrors() || len(diags) != 1 || diags[0].Summary != "openshift is ignored" || !strings.Contains(diags[0].Detail, "another cluster") {
		t.Errorf("diagnostics %v", diags)
	}
}

// TestMigrationAtVersion: the steps of the migration at 2.10 take the
// version from the hop (step ids, backup folder, operator channel and
// version, the target cluster's OpenShift range) and cite the fact sheet;
// at 2.8 they are as before (no OpenShift check, seed 000).
func TestMigrationAtVersion(t *testing.T) {
	b, diags := compiler.Compile(parse(t, migrationAt("2.10", "2.10", "")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ids := stepIDs(b)
	for _, s := range b.Steps {
		if !strings.HasPrefix(s.ID, "2.10-2.10/") || !strings.HasPrefix(s.Source, "guides/template-after-2.10.md migration chapter, ") {
			t.Errorf("step %s: source %q", s.ID, s.Source)
		}
		for _, old := range []string{"2.8-2.8", "threescale-2.8", "0.5.*"} {
			if strings.Contains(s.Run+s.Manual+s.Guard, old) {
				t.Errorf("step %s still says %s", s.ID, old)
			}
		}
	}
	checks := map[string][]string{
		"2.10-2.10/backup-objects":    {`dir="$BACKUP_DIR/2.10-2.10"`},
		"2.10-2.10/operator-install":  {"channel: threescale-2.10"},
		"2.10-2.10/operator-verify":   {"[ \"$channel\" = threescale-2.10 ]", "0.7.*) echo"},
		"2.10-2.10/target-check":      {"openshift_between '4.1' '4.8' 'the 3scale 2.10 operator'"},
		"2.10-2.10/apimanager-verify": {"check_apimanager 2.10 0.7 apimanager"},
	}
	for id, wants := range checks {
		s, ok := ids[id]
		if !ok {
			t.Errorf("no step %s", id)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(s.Run+s.Manual, w) {
				t.Errorf("step %s lacks %q", id, w)
			}
		}
	}
	if h := b.Hops[0]; h.Seed != "guides/template-after-2.10.md" || h.OperatorVersion != "0.7" || h.OpenShiftMin != "4.1" || h.OpenShiftMax != "4.8" || h.Confidence == "" {
		t.Errorf("hop %+v", h)
	}
	if len(b.Rollbacks) != 1 || b.Rollbacks[0].ID != "2.10-2.10/source" || !strings.Contains(b.Rollbacks[0].Run, "forget_from 2.10-2.10/scale-down-source") {
		t.Errorf("rollbacks %+v", b.Rollbacks)
	}

	b, diags = compiler.Compile(parse(t, migrationAt("2.8", "2.8", "")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, s := range b.Steps {
		if !strings.HasPrefix(s.Source, "000_fb66213bb7713c41.txt 3.") {
			t.Errorf("step %s: source %q", s.ID, s.Source)
		}
	}
	if run := stepIDs(b)["2.8-2.8/target-check"].Run; strings.Contains(run, "openshift_between") {
		t.Errorf("the 2.8 target-check checks an OpenShift range it has none of:\n%s", run)
	}
}

// TestMigrationRefusals: a migration outside 2.8 to 2.12, a migrate_at
// outside from and to or without migrate_to, and template hops that do
// not reach migrate_at are refused at the plan's attribute.
func TestMigrationRefusals(t *testing.T) {
	for _, c := range []struct {
		name, src, summary, at string
	}{
		{"no migration at 2.13", migrationAt("2.12", "2.14", `  migrate_at = "2.13"`+"\n"), "Unsupported hop", "plan.hcl:8:16"},
		{"no migration between", migrationAt("2.13", "2.14", ""), "Unsupported hop", "plan.hcl:7:21"},
		{"migrate_at below from", migrationAt("2.9", "2.10", `  migrate_at = "2.8"`+"\n"), "migrate_at outside from and to", "plan.hcl:8:16"},
		{"migrate_at above to", migrationAt("2.9", "2.10", `  migrate_at = "2.11"`+"\n"), "migrate_at outside from and to", "plan.hcl:8:16"},
		{"migrate_at without migrate_to", strings.Replace(migrationAt("2.9", "2.10", `  migrate_at = "2.9"`+"\n"), `  migrate_to      = "operator"`+"\n", "", 1), "migrate_at without a migration", "plan.hcl:7:16"},
		// Template hops from 2.12 never exist (templates end at 2.12).
		{"template hops end", migrationAt("2.12", "2.12", ""), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _, diags := plan.Parse("plan.hcl", []byte(c.src))
			if !diags.HasErrors() {
				_, diags = compiler.Compile(p, nil)
			}
			if c.summary == "" {
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				return
			}
			i := slices.IndexFunc(diags, func(d *hcl.Diagnostic) bool { return d.Summary == c.summary && d.Subject != nil })
			if i < 0 {
				t.Fatalf("want %s at %s, got %v", c.summary, c.at, diags)
			}
			if at := fmt.Sprintf("%s:%d:%d", diags[i].Subject.Filename, diags[i].Subject.Start.Line, diags[i].Subject.Start.Column); at != c.at {
				t.Errorf("%s at %s, want %s", c.summary, at, c.at)
			}
		})
	}
	// Template hops that do not reach migrate_at: 2.10 → 2.12 while the
	// template hops stop at 2.10 (once 2.10 → 2.11 and 2.11 → 2.12 exist,
	// the plan compiles).
	p := parse(t, migrationAt("2.10", "2.12", `  migrate_at = "2.12"`+"\n"))
	_, diags := compiler.Compile(p, nil)
	if hasTemplateHop(t, "2.10") && hasTemplateHop(t, "2.11") {
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		return
	}
	if !diags.HasErrors() || diags[0].Summary != "Unsupported hop" || !strings.Contains(diags[0].Detail, "the template hops from 2.10 stop at") {
		t.Fatalf("want the template hops' end, got %v", diags)
	}
	if r := diags[0].Subject; r == nil || r.Start.Line != 8 {
		t.Errorf("at %v, want migrate_at (line 8)", r)
	}
}

// TestMigrationStepsNameTheirCluster: every step of a migration says which
// cluster it runs on (PLAN.md and plan.json show it), and says it truly: a
// step whose shell checks that oc talks to the old site's cluster
// (on_source) is a source step, one that checks the new cluster
// (on_target) a target step; the steps run on the old cluster up to the
// switch and on the new one after, never back. Steps of other hops name no
// cluster.
func TestMigrationStepsNameTheirCluster(t *testing.T) {
	for _, db := range []string{"mysql", "postgresql"} {
		body := strings.Replace(migrationAt("2.8", "2.9", ""), `"mysql"`, fmt.Sprintf("%q", db), 1)
		b, diags := compiler.Compile(parse(t, body), nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		seenTarget, counted := false, 0
		for _, s := range b.Steps {
			migration := strings.Contains(s.Hop, "2.8-2.8")
			switch {
			case !migration && s.Cluster != "":
				t.Errorf("%s: step of a hop on one cluster names cluster %q", s.ID, s.Cluster)
			case !migration:
				continue
			case s.Cluster != ir.ClusterSource && s.Cluster != ir.ClusterTarget:
				t.Errorf("%s: a migration step with cluster %q", s.ID, s.Cluster)
			case strings.Contains(s.Run, "\non_source") && s.Cluster != ir.ClusterSource,
				strings.Contains(s.Run, "\non_target") && s.Cluster != ir.ClusterTarget:
				t.Errorf("%s: cluster %q, but its shell checks the other cluster", s.ID, s.Cluster)
			case seenTarget && s.Cluster == ir.ClusterSource:
				t.Errorf("%s: runs on the old cluster after a step on the new one", s.ID)
			}
			seenTarget = seenTarget || s.Cluster == ir.ClusterTarget
			if strings.Contains(s.Run, "\non_source") || strings.Contains(s.Run, "\non_target") {
				counted++
			}
		}
		if !seenTarget || counted < 10 {
			t.Errorf("%s: %d steps check their cluster, new cluster reached: %v; the test reads the wrong steps", db, counted, seenTarget)
		}
	}
}
