package survey_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
	"github.com/ampc/ampc/survey"
)

// FuzzReadRender: whatever an export holds, the survey never panics, and
// the plan it renders is HCL whose only blocks and attributes are those
// Render writes: no name or value of the export leaves its string or its
// comment. go test ./survey -fuzz FuzzReadRender runs it beyond the seeds.
func FuzzReadRender(f *testing.F) {
	site := "apiVersion: v1\nkind: List\nitems:\n" +
		"- {apiVersion: apps.openshift.io/v1, kind: DeploymentConfig, metadata: {name: system-app, namespace: %s}}\n" +
		"- {apiVersion: apps.openshift.io/v1, kind: DeploymentConfig, metadata: {name: system-mysql, namespace: 3scale}}\n" +
		"- {apiVersion: v1, kind: ConfigMap, metadata: {name: system-environment, namespace: 3scale}, data: {AMP_RELEASE: '2.5.0'}}\n" +
		"- {apiVersion: route.openshift.io/v1, kind: Route, metadata: {name: apicast-wildcard-router, namespace: 3scale}, spec: {wildcardPolicy: Subdomain}}\n"
	f.Add([]byte(site))
	f.Add([]byte("apiVersion: apps.3scale.net/v1alpha1\nkind: APIManager\nmetadata:\n  name: \"x\\n}\\nregistry {\\n  mirror = \\\"evil\\\"\\n}\\n#\"\n  namespace: 3scale\n  annotations: {apps.3scale.net/apimanager-threescale-version: 2.15.5}\nspec: {system: {database: {postgresql: {}}}}\n"))
	f.Add([]byte("apiVersion: operators.coreos.com/v1alpha1\nkind: Subscription\nmetadata: {name: \"a\\\"b\", namespace: \"ops\\u2028x\"}\nspec: {name: 3scale-operator}\n---\napiVersion: apps.3scale.net/v1alpha1\nkind: APIManager\nmetadata: {name: am, namespace: 3scale, annotations: {apps.3scale.net/apimanager-threescale-version: '2.7'}}\n"))
	f.Add([]byte("kind: [\n"))
	f.Fuzz(func(t *testing.T, export []byte) {
		path := filepath.Join(t.TempDir(), "export.yaml")
		if err := os.WriteFile(path, export, 0o644); err != nil {
			t.Fatal(err)
		}
		snap, diags := snapshot.Read(path, "")
		if diags.HasErrors() {
			return
		}
		site, diags := survey.Read(snap)
		if diags.HasErrors() {
			return
		}
		for _, to := range []plan.Version{{Major: 2, Minor: 16}, site.Release.Version} {
			src, _ := survey.Render(site, survey.Options{To: to, Export: path})
			file, diags := hclsyntax.ParseConfig(src, "plan.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("the rendered plan is not HCL: %s\n%s", diags.Error(), src)
			}
			body := file.Body.(*hclsyntax.Body)
			if len(body.Attributes) > 0 {
				t.Fatalf("top-level attributes in\n%s", src)
			}
			known := map[string]bool{"namespace": true, "deployment": true, "from": true, "to": true, "system_database": true, "s3": true,
				"wildcard_policy": true, "installed_at": true, "migrate_to": true, "subscription": true, "apicast_namespace": true,
				"wildcard_domain": true, "redis": true}
			for _, b := range body.Blocks {
				switch b.Type {
				case "install", "operator", "externalize":
				default:
					t.Fatalf("block %s in\n%s", b.Type, src)
				}
				for name := range b.Body.Attributes {
					if !known[name] {
						t.Fatalf("attribute %s in\n%s", name, src)
					}
				}
			}
		}
	})
}
