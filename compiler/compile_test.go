package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

func parse(t *testing.T, body string) *plan.Plan {
	t.Helper()
	p, _, diags := plan.Parse("plan.hcl", []byte(body))
	if diags.HasErrors() {
		t.Fatalf("plan: %s", diags.Error())
	}
	return p
}

func planFor(db string, s3 bool) string {
	s3s := "false"
	if s3 {
		s3s = "true"
	}
	return `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "` + db + `"
  s3              = ` + s3s + `
}
`
}

func stepIDs(b *ir.Bundle) map[string]ir.Step {
	out := map[string]ir.Step{}
	for _, s := range b.Steps {
		out[s.ID] = s
	}
	return out
}

func TestRuleModulesLoad(t *testing.T) {
	hops, err := compiler.Hops()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, h := range hops {
		names = append(names, h.Name()+"/"+h.Deployment)
	}
	want := "2.4-2.5/template 2.5-2.6/template 2.6-2.7/template 2.7-2.8/operator 2.7-2.8/template 2.8-2.9/operator 2.8-2.9/template 2.8-2.8/template-to-operator 2.9-2.10/operator 2.9-2.10/template 2.9-2.9/template-to-operator 2.10-2.11/operator 2.10-2.11/template 2.10-2.10/template-to-operator 2.11-2.12/operator 2.11-2.12/template 2.11-2.11/template-to-operator 2.12-2.13/operator 2.12-2.12/template-to-operator 2.13-2.14/operator 2.14-2.15/operator 2.15-2.16/operator"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("hops = %s", got)
	}
}

func TestBranches(t *testing.T) {
	for _, tc := range []struct {
		db      string
		s3      bool
		want    []string
		notWant []string
	}{
		{"mysql", false, []string{"2.7-2.8/image-amp-system", "2.7-2.8/image-system-mysql"}, []string{"2.7-2.8/s3-aws-auth", "2.7-2.8/image-system-postgresql", "2.7-2.8/image-amp-system-oracle"}},
		{"mysql", true, []string{"2.7-2.8/s3-aws-auth", "2.7-2.8/s3-prehook-env", "2.7-2.8/s3-system-app-env", "2.7-2.8/s3-sidekiq-env", "2.7-2.8/s3-system-environment"}, nil},
		{"postgresql", false, []string{"2.7-2.8/image-system-postgresql", "2.7-2.8/wait-system-postgresql"}, []string{"2.7-2.8/image-system-mysql"}},
		{"oracle", false, []string{"2.7-2.8/image-amp-system-oracle"}, []string{"2.7-2.8/image-amp-system", "2.7-2.8/image-system-mysql", "2.7-2.8/image-system-postgresql"}},
	} {
		b, diags := compiler.Compile(parse(t, planFor(tc.db, tc.s3)), nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", tc.db, diags.Error())
		}
		ids := stepIDs(b)
		for _, id := range tc.want {
			if _, ok := ids[id]; !ok {
				t.Errorf("%s s3=%v: no step %s", tc.db, tc.s3, id)
			}
		}
		for _, id := range tc.notWant {
			if _, ok := ids[id]; ok {
				t.Errorf("%s s3=%v: unexpected step %s", tc.db, tc.s3, id)
			}
		}
		for _, s := range b.Steps {
			if !strings.HasPrefix(s.Source, "000_fb66213bb7713c41.txt 1.2.") {
				t.Errorf("step %s has source %q", s.ID, s.Source)
			}
		}
		if tc.db == "oracle" && !strings.Contains(ids["2.7-2.8/backup"].Run, "system-app system-memcache system-redis") {
			t.Errorf("oracle backup lists a database DeploymentConfig:\n%s", ids["2.7-2.8/backup"].Run)
		}
	}
}

func TestUnsupportedHop(t *testing.T) {
	for _, tc := range []struct{ body, summary, detail string }{
		{strings.Replace(planFor("mysql", false), `from            = "2.7"`, `from            = "2.3"`, 1), "Unsupported hop", "2.7 → 2.8 (template)"},
		// Past the last template release: migrate to the operator.
		{strings.Replace(planFor("mysql", false), `to              = "2.8"`, `to              = "2.99"`, 1), "Template-based installs end at 2.12", `add migrate_to = "operator"`},
	} {
		_, diags := compiler.Compile(parse(t, tc.body), nil)
		if !diags.HasErrors() || diags[0].Summary != tc.summary || !strings.Contains(diags[0].Detail, tc.detail) {
			t.Errorf("diags = %v", diags)
		}
		if diags[0].Subject == nil || diags[0].Subject.Filename != "plan.hcl" {
			t.Errorf("diagnostic does not point into the plan: %v", diags[0].Subject)
		}
	}
}

// editFixture writes a copy of a fixture with one object changed.
func editFixture(t *testing.T, fixture string, edit func(obj map[string]any) bool) string {
	t.Helper()
	return testenv.EditList(t, fixture, edit)
}

// compileSnapshot compiles a plan against a snapshot with ampc.Compile and
// returns the diagnostics; a plan or a snapshot that does not read fails
// the test.
func compileSnapshot(t *testing.T, body, snapshotPath string) hcl.Diagnostics {
	t.Helper()
	_, diags := compileSnapshotResult(t, body, snapshotPath)
	return diags
}

func compileSnapshotResult(t *testing.T, body, snapshotPath string) (*ampc.Result, hcl.Diagnostics) {
	t.Helper()
	res, diags := ampc.Compile("plan.hcl", []byte(body), ampc.Options{Snapshot: snapshotPath})
	if res.Plan == nil {
		t.Fatalf("plan: %s", diags.Error())
	}
	if res.Snapshot == nil {
		t.Fatalf("snapshot: %s", diags.Error())
	}
	return res, diags
}

func TestPreconditionAlreadyMoved(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	snapshot := editFixture(t, fixture, func(obj map[string]any) bool {
		meta := obj["metadata"].(map[string]any)
		if obj["kind"] == "DeploymentConfig" && meta["name"] == "system-sidekiq" {
			c := obj["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			for _, e := range c["env"].([]any) {
				e := e.(map[string]any)
				if e["name"] == "SMTP_PORT" {
					e["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": "system-smtp", "key": "port"}}
				}
			}
		}
		return true
	})
	diags := compileSnapshot(t, planFor("mysql", false), snapshot)
	if len(diags) != 1 {
		t.Fatalf("want one diagnostic, got %v", diags)
	}
	d := diags[0]
	if d.Summary != "Precondition failed" || !strings.Contains(d.Detail, "SMTP_PORT of container system-sidekiq already reads secret system-smtp key port") || !strings.Contains(d.Detail, "2.7-2.8/sidekiq-env") {
		t.Errorf("diagnostic = %s: %s", d.Summary, d.Detail)
	}
	lines := strings.Split(string(mustRead(t, snapshot)), "\n")
	if d.Subject == nil || d.Subject.Filename != snapshot || d.Subject.Start.Line < 2 {
		t.Fatalf("subject = %v", d.Subject)
	}
	window := strings.Join(lines[d.Subject.Start.Line-1:min(len(lines), d.Subject.Start.Line+400)], "\n")
	if !strings.Contains(window, "name: system-sidekiq") {
		t.Errorf("the diagnostic points at line %d, not at dc/system-sidekiq", d.Subject.Start.Line)
	}
}

func TestSnapshotMissingObjects(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	// A snapshot exported without the smtp ConfigMap, which section 1.2.2
	// reads.
	noSMTP := editFixture(t, fixture, func(obj map[string]any) bool {
		return !(obj["kind"] == "ConfigMap" && obj["metadata"].(map[string]any)["name"] == "smtp")
	})
	diags := compileSnapshot(t, planFor("mysql", false), noSMTP)
	found := false
	for _, d := range diags {
		if d.Summary == "Object missing from snapshot" && strings.Contains(d.Detail, "ConfigMap smtp") && strings.Contains(d.Detail, "oc get configmap smtp -o yaml") {
			found = true
		}
	}
	if !found {
		t.Errorf("no missing smtp diagnostic in %v", diags)
	}
	// A site with external Redis: no backend-redis or system-redis
	// DeploymentConfig, so their image streams are not tagged.
	noRedis := editFixture(t, fixture, func(obj map[string]any) bool {
		name := obj["metadata"].(map[string]any)["name"]
		return !(obj["kind"] == "DeploymentConfig" && (name == "backend-redis" || name == "system-redis"))
	})
	res, d := compileSnapshotResult(t, planFor("mysql", false), noRedis)
	if d.HasErrors() {
		t.Fatal(d.Error())
	}
	ids := stepIDs(res.Bundle)
	for _, id := range []string{"2.7-2.8/image-backend-redis", "2.7-2.8/image-system-redis", "2.7-2.8/wait-backend-redis"} {
		if _, ok := ids[id]; ok {
			t.Errorf("step %s runs on a site without that DeploymentConfig", id)
		}
	}
	if _, ok := ids["2.7-2.8/image-system-mysql"]; !ok {
		t.Error("system-mysql is not tagged")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLayoutHistory(t *testing.T) {
	body := strings.Replace(planFor("mysql", false), `  s3 `, `  installed_at    = "2.3"
  s3 `, 1)
	_, diags := compiler.Compile(parse(t, body), nil)
	if !diags.HasErrors() || diags[0].Summary != "No standard layout for this site" || !strings.Contains(diags[0].Detail, "installed at 2.3 and upgraded to 2.7") {
		t.Fatalf("diags = %v", diags)
	}
	if diags[0].Subject.Start.Line != 7 {
		t.Errorf("the diagnostic points at line %d, not at installed_at", diags[0].Subject.Start.Line)
	}
	// Installed at 2.6 and upgraded by hand to 2.7: system-app has a literal
	// AMP_RELEASE, which the 2.7 → 2.8 hop turns back into a reference.
	body = strings.Replace(planFor("mysql", false), `  s3 `, `  installed_at    = "2.6"
  s3 `, 1)
	b, diags := compiler.Compile(parse(t, body), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	s := stepIDs(b)["2.7-2.8/amp-release-env"]
	if len(s.Patches) != 1 {
		t.Fatalf("amp-release-env: %d patches", len(s.Patches))
	}
	replaced := 0
	for _, op := range s.Patches[0].Ops {
		if op.Op == "replace" {
			replaced++
		}
	}
	if replaced != 3 {
		t.Errorf("amp-release-env replaces %d env vars, want the 3 containers' AMP_RELEASE", replaced)
	}
}

// TestSiteMismatch: every hop that starts from a template site refuses a
// plan whose system_database or s3 contradicts the snapshot (a MySQL site
// planned as PostgreSQL and the other way round; an S3 site planned without
// S3 and the other way round), pointing at the plan's attribute. The
// database and S3 steps are per site kind and guarded by has() or plan.s3,
// so without the refusal the bundle would silently skip the site's steps.
func TestSiteMismatch(t *testing.T) {
	const dbSummary, s3Summary = "The plan's system database is not the site's", "The plan's S3 setting is not the site's"
	for _, from := range []string{"2.4", "2.5", "2.6", "2.7", "2.8"} {
		to, extra := map[string]string{"2.4": "2.5", "2.5": "2.6", "2.6": "2.7", "2.7": "2.8", "2.8": "2.8"}[from], ""
		fixtureVersion := from
		if from == "2.8" {
			extra = "  migrate_to      = \"operator\"\n}\noperator {\n  namespace       = \"3scale-operator\"\n  wildcard_domain = \"3scale.example.com\"\n"
		}
		mysqlSite := testenv.Shared(t, "fixtures/templates/"+fixtureVersion+"-amp.yaml")
		s3Site := testenv.Shared(t, "fixtures/templates/"+fixtureVersion+"-amp-s3.yaml")
		postgresqlSite := editFixture(t, mysqlSite, func(obj map[string]any) bool {
			meta := obj["metadata"].(map[string]any)
			if obj["kind"] == "DeploymentConfig" && meta["name"] == "system-mysql" {
				meta["name"] = "system-postgresql"
			}
			return true
		})
		for _, tc := range []struct {
			db, s3, site string
			refusal      string // "" for none
			line         int
		}{
			{"postgresql", "false", mysqlSite, dbSummary, 6},
			{"mysql", "false", postgresqlSite, dbSummary, 6},
			{"mysql", "true", mysqlSite, s3Summary, 7},
			{"mysql", "false", s3Site, s3Summary, 7},
			{"mysql", "false", mysqlSite, "", 0},
			{"mysql", "true", s3Site, "", 0},
		} {
			body := "install {\n  namespace       = \"3scale\"\n  deployment      = \"template\"\n  from            = \"" + from + "\"\n  to              = \"" + to +
				"\"\n  system_database = \"" + tc.db + "\"\n  s3              = " + tc.s3 + "\n" + extra + "}\n"
			diags := compileSnapshot(t, body, tc.site)
			name := fmt.Sprintf("%s db=%s s3=%s on %s", from, tc.db, tc.s3, filepath.Base(tc.site))
			var got []*hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == dbSummary || d.Summary == s3Summary {
					got = append(got, d)
				}
			}
			if tc.refusal == "" {
				if len(got) > 0 {
					t.Errorf("%s: refused: %s", name, got[0].Detail)
				}
				continue
			}
			if len(got) != 1 || got[0].Summary != tc.refusal {
				t.Errorf("%s: want one %q, got %v (all: %v)", name, tc.refusal, got, diags)
				continue
			}
			if got[0].Subject == nil || got[0].Subject.Filename != "plan.hcl" || got[0].Subject.Start.Line != tc.line {
				t.Errorf("%s: the refusal points at %v, not at line %d of the plan", name, got[0].Subject, tc.line)
			}
		}
	}
}

// postgresqlSite is the 2.5 fixture with its system-mysql turned into a
// site's own system-postgresql that runs image.
func postgresqlSite(t *testing.T, image string) string {
	t.Helper()
	return editFixture(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"), func(obj map[string]any) bool {
		meta := obj["metadata"].(map[string]any)
		if obj["kind"] == "DeploymentConfig" && meta["name"] == "system-mysql" {
			meta["name"] = "system-postgresql"
			c := obj["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			c["name"], c["image"] = "system-postgresql", image
		}
		return true
	})
}

// TestPostgreSQLMajorRefused (audit D, S1 "2.5→2.6 PostgreSQL"): the 2.5
// templates ship no PostgreSQL, and the 2.5 → 2.6 hop moves the site's own
// system-postgresql onto PostgreSQL 10. A snapshot whose system-postgresql
// image shows another major version is refused at the plan's
// system_database, saying what to do; one on PostgreSQL 10, or whose image
// shows no version, is not (the runbook checks the running server).
func TestPostgreSQLMajorRefused(t *testing.T) {
	const summary = "The system database is not PostgreSQL 10"
	plan := strings.Replace(strings.Replace(planFor("postgresql", false), `"2.7"`, `"2.5"`, 1), `"2.8"`, `"2.6"`, 1)
	for image, refused := range map[string]bool{
		"registry.access.redhat.com/rhscl/postgresql-95-rhel7":                 true,
		"centos/postgresql-96-centos7@sha256:0123456789abcdef0123456789abcdef": true,
		"postgres:12": true,
		"registry.access.redhat.com/rhscl/postgresql-10-rhel7@sha256:0123456789":              false,
		"image-registry.openshift-image-registry.svc:5000/3scale/system-db@sha256:0123456789": false,
	} {
		diags := compileSnapshot(t, plan, postgresqlSite(t, image))
		var got *hcl.Diagnostic
		for _, d := range diags {
			if d.Summary == summary {
				got = d
			}
		}
		if !refused {
			if got != nil || diags.HasErrors() {
				t.Errorf("%s: %v", image, diags)
			}
			continue
		}
		if got == nil {
			t.Errorf("%s: not refused: %v", image, diags)
			continue
		}
		if got.Subject == nil || got.Subject.Filename != "plan.hcl" || got.Subject.Start.Line != 6 {
			t.Errorf("%s: the refusal points at %v, not at system_database", image, got.Subject)
		}
		if !strings.Contains(got.Detail, image) || !strings.Contains(got.Detail, "Upgrade the system database to PostgreSQL 10 first") {
			t.Errorf("%s: detail %q", image, got.Detail)
		}
	}
}

// TestOracleSiteMismatch (audit D, S2 "Oracle plan against a MySQL site"):
// every template hop refuses an Oracle plan whose snapshot holds the
// system-mysql DeploymentConfig and no BuildConfig 3scale-amp-system-oracle,
// which every template-based Oracle site builds its system image with, at
// the plan's system_database, saying what to do. A snapshot with the
// BuildConfig, or without a database DeploymentConfig, is not refused.
func TestOracleSiteMismatch(t *testing.T) {
	const summary = "The plan's system database is not the site's"
	bc := map[string]any{"apiVersion": "build.openshift.io/v1", "kind": "BuildConfig",
		"metadata": map[string]any{"name": "3scale-amp-system-oracle", "namespace": "3scale"},
		"spec": map[string]any{"strategy": map[string]any{"type": "Docker", "dockerStrategy": map[string]any{
			"from": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:2.5.0"}}}}}
	for _, from := range []string{"2.4", "2.5", "2.6", "2.7"} {
		to := map[string]string{"2.4": "2.5", "2.5": "2.6", "2.6": "2.7", "2.7": "2.8"}[from]
		mysqlSite := testenv.Shared(t, "fixtures/templates/"+from+"-amp.yaml")
		withBuild := appendObject(t, mysqlSite, bc)
		noDatabase := editFixture(t, mysqlSite, func(obj map[string]any) bool {
			return !(obj["kind"] == "DeploymentConfig" && obj["metadata"].(map[string]any)["name"] == "system-mysql")
		})
		body := strings.Replace(strings.Replace(planFor("oracle", false), `"2.7"`, `"`+from+`"`, 1), `"2.8"`, `"`+to+`"`, 1)
		for site, refused := range map[string]bool{mysqlSite: true, withBuild: false, noDatabase: false} {
			diags := compileSnapshot(t, body, site)
			var got []*hcl.Diagnostic
			for _, d := range diags {
				if d.Summary == summary {
					got = append(got, d)
				}
			}
			name := from + " on " + filepath.Base(filepath.Dir(site)) + "/" + filepath.Base(site)
			if !refused {
				if len(got) > 0 {
					t.Errorf("%s: refused: %s", name, got[0].Detail)
				}
				continue
			}
			if len(got) != 1 {
				t.Errorf("%s: want one %q, got %v", name, summary, diags)
				continue
			}
			if got[0].Subject == nil || got[0].Subject.Filename != "plan.hcl" || got[0].Subject.Start.Line != 6 {
				t.Errorf("%s: the refusal points at %v, not at system_database", name, got[0].Subject)
			}
			if !strings.Contains(got[0].Detail, "system-mysql DeploymentConfig and no BuildConfig 3scale-amp-system-oracle") || !strings.Contains(got[0].Detail, "Correct install.system_database") {
				t.Errorf("%s: detail %q", name, got[0].Detail)
			}
		}
	}
}

// appendObject writes a copy of a List fixture with one more object.
func appendObject(t *testing.T, fixture string, obj map[string]any) string {
	t.Helper()
	var list map[string]any
	if err := yaml.Unmarshal(mustRead(t, fixture), &list); err != nil {
		t.Fatal(err)
	}
	list["items"] = append(list["items"].([]any), obj)
	out, err := yaml.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// guideUpgraded edits a 2.7 fixture's objects into a site installed at
// installed and upgraded to 2.7 with the guides: the ConfigMap keeps the
// installed release and, when literal, every system-app container holds
// the literal AMP_RELEASE=2.7 that the guide's `oc set env` sets; backend
// is amp-backend:latest's tag.
func guideUpgraded(t *testing.T, installed string, literal bool, backend string) string {
	t.Helper()
	return editFixture(t, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"), func(obj map[string]any) bool {
		meta := obj["metadata"].(map[string]any)
		switch {
		case obj["kind"] == "ConfigMap" && meta["name"] == "system-environment":
			obj["data"].(map[string]any)["AMP_RELEASE"] = installed
		case obj["kind"] == "DeploymentConfig" && meta["name"] == "system-app" && literal:
			for _, c := range obj["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any) {
				for _, e := range c.(map[string]any)["env"].([]any) {
					if e := e.(map[string]any); e["name"] == "AMP_RELEASE" {
						delete(e, "valueFrom")
						e["value"] = "2.7"
					}
				}
			}
		case obj["kind"] == "ImageStream" && meta["name"] == "amp-backend":
			for _, tag := range obj["spec"].(map[string]any)["tags"].([]any) {
				if tag := tag.(map[string]any); tag["name"] == "latest" {
					tag["from"].(map[string]any)["name"] = backend
				}
			}
		}
		return true
	})
}

// TestGuideUpgradedSite (audit D, S2 "Guide-upgraded sites refused"): a
// site upgraded to 2.7 with the guides' own `oc set env dc/system-app
// AMP_RELEASE=...` keeps the installed release in the ConfigMap. When every
// system-app container holds the literal 2.7 and amp-backend:latest follows
// 2.7, the evidence is unambiguous: the bundle tests the ConfigMap's own
// value and sets it to 2.8. Otherwise the plan is refused at install.from
// with the cause the snapshot shows, not "the snapshot must be taken before
// the upgrade starts".
func TestGuideUpgradedSite(t *testing.T) {
	res, diags := compileSnapshotResult(t, planFor("mysql", false), guideUpgraded(t, "2.5.0", true, "2.7"))
	if diags.HasErrors() {
		t.Fatalf("a guide-upgraded site is refused: %s", diags.Error())
	}
	s := stepIDs(res.Bundle)["2.7-2.8/amp-release"]
	if len(s.Patches) != 1 || len(s.Patches[0].Ops) != 2 || s.Patches[0].Ops[0].Op != "test" || s.Patches[0].Ops[0].Value != "2.5.0" || s.Patches[0].Ops[1].Value != "2.8" {
		t.Errorf("amp-release on a guide-upgraded site: %+v", s.Patches)
	}
	if !strings.Contains(s.Note, "which left the ConfigMap at 2.5.0") {
		t.Errorf("the note does not say why the ConfigMap holds 2.5.0: %s", s.Note)
	}
	// Without the literal, the site runs 2.5 (issue 14 item 4): the
	// diagnostic points at the export's AMP_RELEASE, says the site is older
	// than from and that from should say 2.5 (the snapshot was not taken
	// too late). With the literal and older images, the rule module's
	// refusal points at install.from and says why.
	noLiteral := guideUpgraded(t, "2.5.0", false, "2.7")
	for _, tc := range []struct {
		name       string
		snap       string
		file, line string // where the diagnostic points: the file and the line's text
		details    []string
	}{
		{"no literal", noLiteral, noLiteral, "AMP_RELEASE: 2.5.0", []string{`The snapshot shows 2.5 (ConfigMap system-environment, data.AMP_RELEASE = "2.5.0"), and the plan says from = "2.7" (plan.hcl:4:21).`, "The site runs an earlier version than the plan's from.", `set from = "2.5" in the plan`}},
		{"images at 2.6", guideUpgraded(t, "2.5.0", true, "2.6"), "plan.hcl", `from            = "2.7"`, []string{"Every system-app container holds the literal AMP_RELEASE=2.7", "amp-backend:latest follows 2.6, not 2.7"}},
	} {
		res, diags := compileSnapshotResult(t, planFor("mysql", false), tc.snap)
		if len(diags) != 1 || diags[0].Summary != "The site's AMP_RELEASE is not the plan's from" {
			t.Errorf("%s: %v", tc.name, diags)
			continue
		}
		d := diags[0]
		if d.Subject == nil || d.Subject.Filename != tc.file {
			t.Errorf("%s: the diagnostic points at %v, not at %s", tc.name, d.Subject, tc.file)
		} else if lines := strings.Split(string(res.Sources[tc.file].Bytes), "\n"); !strings.Contains(lines[d.Subject.Start.Line-1], tc.line) {
			t.Errorf("%s: the diagnostic points at %q, not at %q", tc.name, lines[d.Subject.Start.Line-1], tc.line)
		}
		if strings.Contains(d.Detail, "after an upgrade") && tc.name == "no literal" {
			t.Errorf("%s: a site older than from is told the snapshot was taken too late: %s", tc.name, d.Detail)
		}
		for _, want := range tc.details {
			if !strings.Contains(d.Detail, want) {
				t.Errorf("%s: the detail lacks %q: %s", tc.name, want, d.Detail)
			}
		}
		if strings.Contains(d.Detail, "must be taken before the upgrade starts") {
			t.Errorf("%s: the old, wrong cause: %s", tc.name, d.Detail)
		}
	}
}

// TestPreconditionAtField (issue 14 item 4): a precondition on a field
// points at that field of the export, or at the deepest part of its path
// there, not at the start of the object's list item. Here an S3 site
// without the bucket in system-environment, which 1.2.7 removes from it.
func TestPreconditionAtField(t *testing.T) {
	snapshot := editFixture(t, testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml"), func(obj map[string]any) bool {
		if obj["kind"] == "ConfigMap" && obj["metadata"].(map[string]any)["name"] == "system-environment" {
			delete(obj["data"].(map[string]any), "AWS_BUCKET")
		}
		return true
	})
	diags := compileSnapshot(t, planFor("mysql", true), snapshot)
	var d *hcl.Diagnostic
	for _, x := range diags {
		if x.Summary == "Precondition failed" && strings.Contains(x.Detail, "/data/AWS_BUCKET") {
			d = x
		}
	}
	if d == nil || d.Subject == nil || d.Subject.Filename != snapshot {
		t.Fatalf("no precondition at the snapshot for /data/AWS_BUCKET: %v", diags)
	}
	lines := strings.Split(string(mustRead(t, snapshot)), "\n")
	// The ConfigMap has no AWS_BUCKET: the diagnostic points at its data.
	if got := lines[d.Subject.Start.Line-1]; strings.TrimSpace(got) != "data:" || !strings.Contains(strings.Join(lines[d.Subject.Start.Line:min(len(lines), d.Subject.Start.Line+40)], "\n"), "name: system-environment") {
		t.Errorf("the precondition points at %q (line %d), not at the data of configmap/system-environment", got, d.Subject.Start.Line)
	}
}
