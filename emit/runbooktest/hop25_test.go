package runbooktest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestHop25WildcardPolicyCheck runs the 2.5 → 2.6 check of the site's
// wildcard policy alone on the 2.5 fixture: it passes on the site as it is
// (wildcardPolicy None, the plan's), fails on a route of a site deployed
// with WILDCARD_POLICY=Subdomain, passes on a site whose route is deleted
// already, and fails when the route cannot be read. Before the step read
// the route with exists, a failed read (a lost connection) was taken for
// a deleted route and the step passed without checking anything.
func TestHop25WildcardPolicyCheck(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.5-to-2.6-mysql.hcl"), ""))
	const step = "2.5-2.6/wildcard-policy-check"
	for _, tc := range []struct {
		name string
		// change changes the site's objects before the run.
		change func(c *bundletest.Cluster, objects map[string]map[string]any)
		// fail is the call that fails before it reaches the cluster.
		fail string
		// want is what the step prints; "" when it must pass.
		want string
	}{
		{name: "as deployed"},
		{name: "Subdomain", change: func(c *bundletest.Cluster, o map[string]map[string]any) {
			route := o["Route/apicast-wildcard-router"]
			spec := route["spec"].(map[string]any)
			spec["wildcardPolicy"], spec["host"] = "Subdomain", "wildcard.apps.example.com"
			c.Put(t, route)
		}, want: "has wildcardPolicy 'Subdomain', but the plan says wildcard_policy = \"None\""},
		{name: "route deleted", change: func(c *bundletest.Cluster, o map[string]map[string]any) {
			c.Remove(t, "Route/apicast-wildcard-router")
		}},
		{name: "read fails", fail: "route apicast-wildcard-router", want: "could not read route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := bundletest.NewCluster(t, fixture)
			if tc.change != nil {
				tc.change(c, c.Objects(t))
			}
			out, err := c.Run(t, bundle, t.TempDir(), tc.fail, "--only", step)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("the step failed: %v\n%s", err, out)
			case tc.want != "" && (err == nil || !strings.Contains(out, "] "+step+" ")):
				t.Errorf("the step passed, or the run failed before it: %v\n%s", err, out)
			case tc.want != "" && !strings.Contains(out, tc.want):
				t.Errorf("the step failed without saying %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestHop25SiteValuesFromSnapshot: a 2.5 site deployed with its own
// APP_LABEL (acme-3scale) and insecure image imports. Compiled against its
// snapshot, the manifests of the new objects hold the site's values (a
// reviewer sees them in the bundle), and new-objects-site-values, run
// after the create steps on the site, changes nothing; run on a site whose
// values are not the snapshot's (the unedited fixture, drift ignored), it
// gives the new objects the live site's values. Without a snapshot the
// manifests hold the template's defaults (TestGolden's bundles).
func TestHop25SiteValuesFromSnapshot(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	site := testenv.EditList(t, fixture, func(obj map[string]any) bool {
		name := bundletest.Get(obj, "metadata", "name")
		switch {
		case obj["kind"] == "DeploymentConfig" && name == "backend-listener":
			bundletest.Get(obj, "spec", "template", "metadata", "labels").(map[string]any)["app"] = "acme-3scale"
		case obj["kind"] == "ImageStream" && name == "amp-system":
			for _, tag := range bundletest.Get(obj, "spec", "tags").([]any) {
				if tag := tag.(map[string]any); bundletest.Get(tag, "from", "kind") == "DockerImage" {
					tag["importPolicy"] = map[string]any{"insecure": true}
				}
			}
		}
		return true
	})
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.5-to-2.6-mysql.hcl"), site)
	var stream, zyncQue map[string]any
	for _, m := range []struct {
		file string
		obj  *map[string]any
	}{{"manifests/imagestream-backend-redis.json", &stream}, {"manifests/deploymentconfig-zync-que.json", &zyncQue}} {
		if err := json.Unmarshal(files[m.file], m.obj); err != nil {
			t.Fatalf("%s: %v", m.file, err)
		}
	}
	if got := bundletest.Get(stream, "metadata", "labels", "app"); got != "acme-3scale" {
		t.Errorf("the backend-redis manifest has app label %v, not the snapshot's acme-3scale", got)
	}
	if got := bundletest.Get(zyncQue, "spec", "template", "metadata", "labels", "app"); got != "acme-3scale" {
		t.Errorf("the zync-que manifest's pod template has app label %v, not the snapshot's acme-3scale", got)
	}
	imports := func(obj map[string]any) []any {
		var out []any
		for _, tag := range bundletest.Get(obj, "spec", "tags").([]any) {
			if tag := tag.(map[string]any); bundletest.Get(tag, "from", "kind") == "DockerImage" {
				out = append(out, bundletest.Get(tag, "importPolicy", "insecure"))
			}
		}
		return out
	}
	if got := imports(stream); len(got) == 0 || slices.ContainsFunc(got, func(v any) bool { return v != true }) {
		t.Errorf("the backend-redis manifest imports with insecure %v, not the snapshot's true", got)
	}
	bundle := bundletest.WriteBundle(t, files)
	steps := []string{"2.5-2.6/new-image-streams", "2.5-2.6/new-image-stream-system-mysql", "2.5-2.6/new-zync-que", "2.5-2.6/new-objects-site-values"}
	for _, tc := range []struct {
		name, fixture, label string
		insecure             bool
		changes              bool // the last step labels or patches
	}{
		{"like the snapshot", site, "acme-3scale", true, false},
		{"changed since", fixture, "3scale-api-management", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bundletest.NewCluster(t, tc.fixture)
			work := t.TempDir()
			env := []string{"AMPC_IGNORE_DRIFT=1"}
			for _, step := range steps {
				before := len(c.Calls(t))
				if out, err := c.Exec(t, bundle, work, env, "--only", step); err != nil {
					t.Fatalf("--only %s: %v\n%s", step, err, out)
				}
				if step != steps[len(steps)-1] {
					continue
				}
				calls := c.Calls(t)[before:]
				n := bundletest.CountCalls(calls, "label") + bundletest.CountCalls(calls, "patch")
				if (n > 0) != tc.changes {
					t.Errorf("%s made %d label and patch calls, want %s\n%s", step, n, map[bool]string{false: "none", true: "some"}[tc.changes], strings.Join(calls, "\n"))
				}
			}
			objects := c.Objects(t)
			for _, name := range []string{"ImageStream/backend-redis", "ImageStream/system-mysql", "DeploymentConfig/zync-que"} {
				if got := bundletest.Get(objects[name], "metadata", "labels", "app"); got != tc.label {
					t.Errorf("%s has app label %v, want the site's %s", name, got, tc.label)
				}
			}
			for _, v := range imports(objects["ImageStream/backend-redis"]) {
				if v != tc.insecure {
					t.Errorf("imagestream/backend-redis imports with insecure %v, want the site's %v", v, tc.insecure)
				}
			}
		})
	}
}

// TestHop25BackupObjectsListFails runs the 2.5 → 2.6 backup of the
// OpenShift objects (2.1.6 to 2.1.12) with the list of one kind's names
// failing before it reaches the cluster: the step must fail, and its
// re-run write every object of every kind. Before the lists were read into
// a variable, each was a command substitution in a for loop's word list,
// whose failure bash ignores: the step passed with that kind's files
// missing (found by the exhaustive fault sweep of site 2.5-to-2.6-mysql).
func TestHop25BackupObjectsListFails(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.5-to-2.6-mysql.hcl"), ""))
	const step = "2.5-2.6/backup-objects"
	for _, kind := range []struct{ list, kind, dir, suffix string }{
		{"dc", "DeploymentConfig", "deploymentConfigs", "dc"},
		{"is", "ImageStream", "imageStreams", "is"},
		{"secret", "Secret", "secrets", "secret"},
		{"svc", "Service", "services", "svc"},
		{"routes", "Route", "routes", "route"},
		{"cm", "ConfigMap", "configmaps", "cm"},
	} {
		t.Run(kind.dir, func(t *testing.T) {
			t.Parallel()
			c := bundletest.NewCluster(t, fixture)
			work := t.TempDir()
			if out, err := c.Run(t, bundle, work, "", "--only", "2.5-2.6/backup-directories"); err != nil {
				t.Fatalf("backup-directories: %v\n%s", err, out)
			}
			// The simulator fails the first matching call once per cluster.
			out, err := c.Run(t, bundle, work, "get "+kind.list+" -o jsonpath", "--only", step)
			if err == nil || !strings.Contains(out, "ampc: step "+step+" failed") {
				t.Fatalf("the step passed with the list of %s failing: %v\n%s", kind.list, err, bundletest.Tail(out, 20))
			}
			if out, err := c.Run(t, bundle, work, "", "--only", step); err != nil {
				t.Fatalf("the re-run: %v\n%s", err, bundletest.Tail(out, 20))
			}
			var want []string
			for key, obj := range c.Objects(t) {
				name, _ := bundletest.Get(obj, "metadata", "name").(string)
				if !strings.HasPrefix(key, kind.kind+"/") || (kind.list == "secret" && (strings.HasPrefix(name, "default-") || strings.HasPrefix(name, "builder-") || strings.HasPrefix(name, "deployer-"))) {
					continue
				}
				want = append(want, name+"_"+kind.suffix+".yaml")
			}
			slices.Sort(want)
			entries, err := os.ReadDir(filepath.Join(work, "backups", "3scale-2.5", "2.5-2.6", "openshift", kind.dir))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("the backup of the %s holds %v, want %v", kind.dir, got, want)
			}
		})
	}
}
