package survey_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
	"github.com/ampc/ampc/survey"
)

// rules are the rule modules, parsed once for every compile of the tests.
var rules = sync.OnceValues(compiler.LoadRules)

// facts is what a test expects a survey to read: the plan's attributes
// as Render writes them, and a piece of the comment above each.
type facts struct {
	deployment, from, db string
	s3                   bool
	wildcard             string // "" when the plan states none
	installedAt          string
	operator             string // namespace/subscription, "" when none
	apicast              string
	external             string // "system_database=...,redis=..."
}

// survey reads an export, checks the facts, renders the plan for to and
// compiles it against the same export: it must validate, and hold no
// Secret value of the export.
func surveyExport(t *testing.T, path, to string, want facts) string {
	t.Helper()
	snap, diags := snapshot.Read(path, "")
	if diags.HasErrors() {
		t.Fatalf("%s: %s", path, diags.Error())
	}
	site, diags := survey.Read(snap)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", path, diags.Error())
	}
	got := facts{deployment: string(site.Deployment), from: site.Release.Version.String(), db: string(site.SystemDatabase),
		s3: site.S3, wildcard: string(site.WildcardPolicy)}
	if !site.Release.InstalledAt.IsZero() {
		got.installedAt = site.Release.InstalledAt.String()
	}
	if op := site.Operator; op != nil {
		got.operator = op.Namespace + "/" + op.Subscription
		got.apicast = op.APIcastNamespace
	}
	if ex := site.External; ex != nil {
		got.external = "system_database=" + yesNo(ex.SystemDatabase) + ",redis=" + yesNo(ex.Redis)
	}
	if got != want {
		t.Errorf("%s: read\n  %+v\nwant\n  %+v", path, got, want)
	}
	v, _ := plan.ParseVersion(to)
	src, _ := survey.Render(site, survey.Options{To: v, Export: path})
	r, err := rules()
	if err != nil {
		t.Fatal(err)
	}
	res, diags := ampc.Compile("plan.hcl", src, ampc.Options{Snapshot: path, Rules: r})
	if diags.HasErrors() {
		wr := hcl.NewDiagnosticTextWriter(os.Stderr, res.Sources, 100, false)
		_ = wr.WriteDiagnostics(diags)
		t.Fatalf("%s: the plan does not validate against its export:\n%s", path, src)
	}
	p := res.Plan
	if p.Install.Namespace != site.Namespace || string(p.Install.Deployment) != want.deployment || p.Install.From.String() != want.from ||
		string(p.Install.SystemDatabase) != want.db || p.Install.S3 != want.s3 {
		t.Errorf("%s: the plan states %+v", path, p.Install)
	}
	for _, v := range snap.Sensitive() {
		if strings.Contains(string(src), v) {
			t.Errorf("%s: a Secret value of the export is in the plan", path)
		}
	}
	return string(src)
}

func yesNo(b bool) string {
	if b {
		return "external"
	}
	return "internal"
}

// mustSay fails unless the plan holds each piece of text (the evidence
// comments).
func mustSay(t *testing.T, src string, pieces ...string) {
	t.Helper()
	for _, p := range pieces {
		if !strings.Contains(src, p) {
			t.Errorf("the plan lacks %q:\n%s", p, src)
		}
	}
}

// TestFixtures: every shared fixture gives the facts it shows, with the
// object and field each was read from, and a plan that validates against
// the fixture.
func TestFixtures(t *testing.T) {
	none := facts{deployment: "template", db: "mysql"}
	for _, tc := range []struct {
		fixture, to string
		want        facts
		says        []string
	}{
		{"templates/2.4-amp.yaml", "2.8", with(none, "2.4", false, "None"), []string{`data.AMP_RELEASE = "2.4.0"`, "Route apicast-wildcard-router, spec.wildcardPolicy", "DeploymentConfig system-mysql", "No Secret aws-auth in namespace 3scale"}},
		{"templates/2.4-amp-s3.yaml", "2.5", with(none, "2.4", true, "None"), []string{"From Secret aws-auth"}},
		{"templates/2.5-amp.yaml", "2.6", with(none, "2.5", false, "None"), []string{`data.AMP_RELEASE = "2.5.0"`}},
		{"templates/2.5-amp-s3.yaml", "2.8", with(none, "2.5", true, "None"), nil},
		{"templates/2.6-amp.yaml", "2.7", with(none, "2.6", false, ""), []string{`data.AMP_RELEASE = "2.6" (2.6-amp.yaml:`}},
		{"templates/2.6-amp-s3.yaml", "2.8", with(none, "2.6", true, ""), nil},
		{"templates/2.7-amp.yaml", "2.8", with(none, "2.7", false, ""), nil},
		{"templates/2.7-amp-s3.yaml", "2.8", with(none, "2.7", true, ""), nil},
		{"templates/2.8-amp.yaml", "2.8", with(none, "2.8", false, ""), []string{`migrate_to = "operator"`, `wildcard_domain = "apps.example.com"`, "data.THREESCALE_SUPERDOMAIN"}},
		{"templates/2.8-amp-s3.yaml", "2.8", with(none, "2.8", true, ""), nil},
		{"operator", "2.16", facts{deployment: "operator", from: "2.15", db: "mysql", operator: "3scale-operator/3scale-operator", apicast: "apicast", external: "system_database=internal,redis=internal"},
			[]string{`apimanager-threescale-version = "2.15.5"`, "spec.system.database.mysql", "Subscription 3scale-operator, metadata.namespace", "Subscription apicast-operator", `CHOOSE: ampc init cannot read this from the export and wrote "on-cluster"`}},
	} {
		t.Run(strings.ReplaceAll(tc.fixture, "/", "_"), func(t *testing.T) {
			t.Parallel()
			src := surveyExport(t, testenv.Shared(t, "fixtures/"+tc.fixture), tc.to, tc.want)
			mustSay(t, src, tc.says...)
		})
	}
}

func with(f facts, from string, s3 bool, wildcard string) facts {
	f.from, f.s3, f.wildcard = from, s3, wildcard
	return f
}

// edit returns a copy of a fixture with each object passed to fn.
func edit(t *testing.T, fixture string, fn func(obj map[string]any) bool) string {
	return testenv.EditList(t, testenv.Shared(t, "fixtures/"+fixture), fn)
}

func named(obj map[string]any, kind, name string) bool {
	meta, _ := obj["metadata"].(map[string]any)
	return obj["kind"] == kind && meta["name"] == name
}

func dig(obj any, path ...string) map[string]any {
	cur := obj.(map[string]any)
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	return cur
}

// operatorDir is a directory of the 2.15 site's export and its operators'
// projects, each edited.
func operatorDir(t *testing.T, site, operators func(obj map[string]any) bool) string {
	t.Helper()
	dir := t.TempDir()
	for name, fn := range map[string]func(map[string]any) bool{"2.15-mysql.yaml": site, "2.15-operator-namespaces.yaml": operators} {
		if fn == nil {
			fn = func(map[string]any) bool { return true }
		}
		src, err := os.ReadFile(edit(t, "operator/"+name, fn))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestEditedExports: exports the fixtures do not hold, made by editing
// them; the facts follow the edit and the plan validates.
func TestEditedExports(t *testing.T) {
	none := facts{deployment: "template", db: "mysql"}
	oracleURL := base64.StdEncoding.EncodeToString([]byte("oracle-enhanced://user:0d519ece7288eeeeb197@oracle.example.com:1521/threescale"))
	for _, tc := range []struct {
		name, to string
		export   func(t *testing.T) string
		want     facts
		says     []string
	}{
		{"postgresql", "2.8", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "DeploymentConfig", "system-mysql") || named(obj, "ImageStream", "system-mysql") {
					dig(obj, "metadata")["name"] = "system-postgresql"
				}
				return true
			})
		}, facts{deployment: "template", from: "2.7", db: "postgresql"}, []string{"From DeploymentConfig system-postgresql"}},
		{"oracle-buildconfig", "2.8", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "DeploymentConfig", "system-mysql") {
					dig(obj, "metadata")["name"] = "3scale-amp-system-oracle"
					obj["kind"] = "BuildConfig"
					obj["apiVersion"] = "build.openshift.io/v1"
					obj["spec"] = map[string]any{"output": map[string]any{"to": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:latest"}}}
				}
				return true
			})
		}, facts{deployment: "template", from: "2.7", db: "oracle"}, []string{"From BuildConfig 3scale-amp-system-oracle"}},
		{"oracle-url", "2.8", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "Secret", "system-database") {
					dig(obj, "data")["URL"] = oracleURL
				}
				return !named(obj, "DeploymentConfig", "system-mysql")
			})
		}, facts{deployment: "template", from: "2.7", db: "oracle"}, []string{"From Secret system-database, data.URL (its scheme, oracle-enhanced://)"}},
		{"s3-on", "2.8", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				// The amp-s3 template's: the aws-auth Secret, and the
				// bucket and region in system-environment until 2.8.
				if named(obj, "Secret", "system-app") {
					dig(obj, "metadata")["name"] = "aws-auth"
					obj["data"] = map[string]any{}
				}
				if named(obj, "ConfigMap", "system-environment") {
					dig(obj, "data")["AWS_BUCKET"] = "bucket"
					dig(obj, "data")["AWS_REGION"] = "eu-west-1"
				}
				return true
			})
		}, with(none, "2.7", true, ""), []string{"From Secret aws-auth"}},
		{"s3-off", "2.8", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp-s3.yaml", func(obj map[string]any) bool { return !named(obj, "Secret", "aws-auth") })
		}, with(none, "2.7", false, ""), []string{"No Secret aws-auth in namespace 3scale"}},
		{"wildcard-subdomain", "2.6", func(t *testing.T) string {
			return edit(t, "templates/2.5-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "Route", "apicast-wildcard-router") {
					dig(obj, "spec")["wildcardPolicy"] = "Subdomain"
				}
				return true
			})
		}, with(none, "2.5", false, "Subdomain"), []string{`wildcard_policy = "Subdomain"`}},
		{"guide-upgraded", "2.8", func(t *testing.T) string {
			// Installed at 2.5, upgraded to 2.7 with the guides' `oc set
			// env dc/system-app AMP_RELEASE=2.7`, which left the ConfigMap.
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "ConfigMap", "system-environment") {
					dig(obj, "data")["AMP_RELEASE"] = "2.5.0"
				}
				if named(obj, "DeploymentConfig", "system-app") {
					for _, c := range dig(obj, "spec", "template", "spec")["containers"].([]any) {
						for _, e := range c.(map[string]any)["env"].([]any) {
							if e := e.(map[string]any); e["name"] == "AMP_RELEASE" {
								delete(e, "valueFrom")
								e["value"] = "2.7"
							}
						}
					}
				}
				return true
			})
		}, facts{deployment: "template", from: "2.7", db: "mysql", installedAt: "2.5"}, []string{"containers[system-master].env[AMP_RELEASE].value", `installed_at = "2.5"`}},
		{"tagged-history", "2.8", func(t *testing.T) string {
			// Installed at 2.5 and upgraded by the guides, which add each
			// release's tag beside the old ones.
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "ImageStream", "amp-backend") {
					spec := dig(obj, "spec")
					old := map[string]any{"name": "2.5.0", "from": map[string]any{"kind": "DockerImage", "name": "registry.access.redhat.com/3scale-amp25/backend:1.9"}}
					older := map[string]any{"name": "2.6", "from": map[string]any{"kind": "DockerImage", "name": "registry.redhat.io/3scale-amp26/backend"}}
					spec["tags"] = append([]any{older, old}, spec["tags"].([]any)...)
				}
				return true
			})
		}, facts{deployment: "template", from: "2.7", db: "mysql", installedAt: "2.5"}, []string{"ImageStream amp-backend, spec.tags[2.5.0].name", `installed_at = "2.5"`}},
		{"operator-subscription", "2.16", func(t *testing.T) string {
			return operatorDir(t, nil, func(obj map[string]any) bool {
				meta := dig(obj, "metadata")
				if named(obj, "Subscription", "3scale-operator") {
					meta["name"] = "threescale"
				}
				if meta["namespace"] == "3scale-operator" {
					meta["namespace"] = "threescale-ops"
				}
				return !named(obj, "Subscription", "apicast-operator")
			})
		}, facts{deployment: "operator", from: "2.15", db: "mysql", operator: "threescale-ops/threescale", external: "system_database=internal,redis=internal"},
			[]string{`subscription = "threescale"`, `namespace = "threescale-ops"`, `# apicast_namespace = "apicast"`}},
		{"operator-external-postgresql", "2.16", func(t *testing.T) string {
			return operatorDir(t, func(obj map[string]any) bool {
				if obj["kind"] == "APIManager" {
					dig(obj, "spec", "system")["database"] = map[string]any{"postgresql": map[string]any{}}
					dig(obj, "spec", "externalComponents", "system")["database"] = true
					dig(obj, "spec", "externalComponents", "system")["redis"] = true
					dig(obj, "spec", "externalComponents", "backend")["redis"] = true
				}
				return true
			}, nil)
		}, facts{deployment: "operator", from: "2.15", db: "postgresql", operator: "3scale-operator/3scale-operator", apicast: "apicast", external: "system_database=external,redis=external"},
			[]string{"spec.externalComponents.system.database is true", `redis = "external"`, "spec.system.database.postgresql"}},
		{"operator-default-mysql", "2.16", func(t *testing.T) string {
			return operatorDir(t, func(obj map[string]any) bool {
				if obj["kind"] == "APIManager" {
					delete(dig(obj, "spec", "system"), "database")
				}
				return true
			}, nil)
		}, facts{deployment: "operator", from: "2.15", db: "mysql", operator: "3scale-operator/3scale-operator", apicast: "apicast", external: "system_database=internal,redis=internal"},
			[]string{"From Deployment system-mysql"}},
		{"operator-installed-earlier", "2.16", func(t *testing.T) string {
			// The AMP_RELEASE an operator up to 0.8 (2.11) wrote at install
			// and never updated (a create-only reconciler): the
			// APIManager's annotation is the site's version.
			return operatorDir(t, func(obj map[string]any) bool {
				if named(obj, "ConfigMap", "system-environment") {
					dig(obj, "data")["AMP_RELEASE"] = "2.10"
				}
				return true
			}, nil)
		}, facts{deployment: "operator", from: "2.15", db: "mysql", operator: "3scale-operator/3scale-operator", apicast: "apicast", external: "system_database=internal,redis=internal"},
			[]string{`apimanager-threescale-version = "2.15.5"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := surveyExport(t, tc.export(t), tc.to, tc.want)
			mustSay(t, src, tc.says...)
		})
	}
}

// TestExportsRefused: an export that is not one 3scale site at one
// version gets an error at the file and object that show it.
func TestExportsRefused(t *testing.T) {
	for _, tc := range []struct {
		name, summary string
		export        func(t *testing.T) string
		at            string // a piece of the file name, and the line's text
		line          string
	}{
		{"operators only", "Not a 3scale namespace", func(t *testing.T) string {
			return testenv.Shared(t, "fixtures/operator/2.15-operator-namespaces.yaml")
		}, "2.15-operator-namespaces.yaml", ""},
		{"images of another version", "Export of mixed versions", func(t *testing.T) string {
			return edit(t, "templates/2.7-amp.yaml", func(obj map[string]any) bool {
				if named(obj, "ConfigMap", "system-environment") {
					dig(obj, "data")["AMP_RELEASE"] = "2.6"
				}
				return true
			})
		}, "2.7-amp.yaml", `name: "2.7"`},
		{"APIManager and AMP_RELEASE disagree", "Export of mixed versions", func(t *testing.T) string {
			return operatorDir(t, func(obj map[string]any) bool {
				if obj["kind"] == "APIManager" {
					dig(obj, "metadata", "annotations")["apps.3scale.net/apimanager-threescale-version"] = "2.14.1"
				}
				if named(obj, "ConfigMap", "system-environment") {
					dig(obj, "data")["AMP_RELEASE"] = "2.15"
				}
				return true
			}, nil)
		}, "2.15-mysql.yaml", "apimanager-threescale-version: 2.14.1"},
		{"two sites", "Export of several 3scale sites", func(t *testing.T) string {
			dir := t.TempDir()
			for _, f := range []string{"templates/2.7-amp.yaml", "operator/2.15-mysql.yaml"} {
				src, err := os.ReadFile(testenv.Shared(t, "fixtures/"+f))
				if err != nil {
					t.Fatal(err)
				}
				if f == "templates/2.7-amp.yaml" {
					src = []byte(strings.ReplaceAll(string(src), "namespace: 3scale\n", "namespace: 3scale-old\n"))
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), src, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			return dir
		}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.export(t)
			snap, diags := snapshot.Read(path, "")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			site, diags := survey.Read(snap)
			if site != nil || !diags.HasErrors() {
				t.Fatalf("accepted: %+v", site)
			}
			d := diags[0]
			if d.Summary != tc.summary || d.Subject == nil || !strings.Contains(d.Subject.Filename, tc.at) {
				t.Fatalf("got %q at %v, want %q in %s", d.Summary, d.Subject, tc.summary, tc.at)
			}
			if tc.line != "" {
				lines := strings.Split(string(snap.Files[d.Subject.Filename].Bytes), "\n")
				if got := lines[d.Subject.Start.Line-1]; !strings.Contains(got, tc.line) {
					t.Errorf("points at line %d, %q; want the line of %q", d.Subject.Start.Line, got, tc.line)
				}
			}
			if !strings.Contains(d.Detail, "xport") {
				t.Errorf("the detail does not say what to export: %s", d.Detail)
			}
		})
	}
}

// TestOperatorWithDeploymentConfigs: the operators before 2.11 deployed
// DeploymentConfigs, system-app among them, beside the APIManager; the
// namespace is one operator-based site, not a template-based one too.
func TestOperatorWithDeploymentConfigs(t *testing.T) {
	src, err := os.ReadFile(testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	apimanager := "---\napiVersion: apps.3scale.net/v1alpha1\nkind: APIManager\nmetadata:\n  name: example-apimanager\n  namespace: 3scale\n" +
		"  annotations:\n    apps.3scale.net/apimanager-threescale-version: \"2.7\"\nspec:\n  wildcardDomain: apps.example.com\n"
	path := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(path, append(src, apimanager...), 0o644); err != nil {
		t.Fatal(err)
	}
	snap, diags := snapshot.Read(path, "")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	site, diags := survey.Read(snap)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if site.Deployment != plan.Operated || site.Release.Version.String() != "2.7" || site.SystemDatabase != plan.MySQL || site.DatabaseFrom.Kind != "DeploymentConfig" {
		t.Errorf("read %s at %s on %s (%s)", site.Deployment, site.Release.Version, site.SystemDatabase, site.DatabaseFrom)
	}
}

// TestOpenShiftFromClusterVersion: an export that holds the cluster's
// ClusterVersion (oc get clusterversion version -o yaml, added to the
// namespace's export) gives the plan's openshift, major.minor of the
// desired release, with where it was read; the plan validates and the
// compile follows it along the hop chain (a 2.15 site on OpenShift 4.14
// may go to 2.16). Without it (every shared fixture; OpenShift 3.11 has
// none), openshift is commented out with the command that reads it.
func TestOpenShiftFromClusterVersion(t *testing.T) {
	var export []byte
	for _, f := range []string{"fixtures/operator/2.15-mysql.yaml", "fixtures/operator/2.15-operator-namespaces.yaml"} {
		raw, err := os.ReadFile(testenv.Shared(t, f))
		if err != nil {
			t.Fatal(err)
		}
		export = append(append(export, raw...), "\n---\n"...)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.yaml")
	withCV := filepath.Join(dir, "export.yaml")
	cv := "apiVersion: config.openshift.io/v1\nkind: ClusterVersion\nmetadata:\n  name: version\nspec:\n  channel: stable-4.14\nstatus:\n  desired:\n    version: 4.14.38\n"
	if err := os.WriteFile(plain, export, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(withCV, append(export, cv...), 0o644); err != nil {
		t.Fatal(err)
	}
	want := facts{deployment: "operator", from: "2.15", db: "mysql", operator: "3scale-operator/3scale-operator", apicast: "apicast", external: "system_database=internal,redis=internal"}
	src := surveyExport(t, withCV, "2.16", want)
	mustSay(t, src, "From ClusterVersion version, status.desired.version", "\n  openshift")
	mustSay(t, src, `= "4.14"`)
	without := surveyExport(t, plain, "2.16", want)
	mustSay(t, without, `# openshift = "4.12"`, "oc get clusterversion version -o jsonpath='{.status.desired.version}'")
	if strings.Contains(without, "\n  openshift") {
		t.Errorf("a plan from an export without ClusterVersion states openshift:\n%s", without)
	}
}
