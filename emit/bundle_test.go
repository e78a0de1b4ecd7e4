package emit_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

var update = flag.Bool("update", false, "update golden files")

func TestGolden(t *testing.T) {
	t.Parallel()
	examples, err := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".hcl")
		t.Run(name, func(t *testing.T) {
			files := bundletest.Compile(t, ex, "")
			again := bundletest.Compile(t, ex, "")
			if !reflect.DeepEqual(files, again) {
				t.Fatal("two compiles of the same plan differ")
			}
			dir := filepath.Join(testenv.Root(), "testdata", "golden", name)
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := emit.Write(dir, files); err != nil {
					t.Fatal(err)
				}
				return
			}
			var golden []string
			err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					golden = append(golden, filepath.ToSlash(rel))
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%v (run go test ./emit -run Golden -update)", err)
			}
			var got []string
			for f := range files {
				got = append(got, f)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, golden) {
				t.Fatalf("bundle files differ from %s:\n got %v\nwant %v", dir, got, golden)
			}
			for _, f := range golden {
				want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(files[f], want) {
					t.Errorf("%s differs from the golden file; run go test ./emit -run Golden -update and read the diff", f)
				}
			}
		})
	}
}

type planFile struct {
	Steps []struct {
		ID      string
		Kind    string
		Patches []struct {
			File   string
			Target ir.Target
		}
		Deletes []ir.Target
	}
}

var smtpKeys = map[string]string{
	"SMTP_ADDRESS": "address", "SMTP_USER_NAME": "username", "SMTP_PASSWORD": "password",
	"SMTP_DOMAIN": "domain", "SMTP_PORT": "port", "SMTP_AUTHENTICATION": "authentication",
	"SMTP_OPENSSL_VERIFY_MODE": "openssl.verify.mode",
}

// checkUpgraded asserts what section 1.2 of the 2.7 → 2.8 guide prescribes.
func checkUpgraded(t *testing.T, objects map[string]map[string]any, s3 bool, db string) {
	t.Helper()
	app := objects["DeploymentConfig/system-app"]
	pre := bundletest.Get(app, "spec", "strategy", "rollingParams", "pre", "execNewPod")
	if got := bundletest.Get(pre, "command"); !reflect.DeepEqual(got, []any{"bash", "-c", "bundle exec rake boot openshift:deploy"}) {
		t.Errorf("pre-hook command = %v", got)
	}
	envs := map[string]map[string]map[string]any{"pre-hook": bundletest.EnvOf(t, bundletest.Get(pre, "env"))}
	for i, c := range bundletest.Get(app, "spec", "template", "spec", "containers").([]any) {
		envs["system-app/"+bundletest.Get(c, "name").(string)] = bundletest.EnvOf(t, bundletest.Get(app, "spec", "template", "spec", "containers", i, "env"))
	}
	sidekiq := objects["DeploymentConfig/system-sidekiq"]
	envs["system-sidekiq"] = bundletest.EnvOf(t, bundletest.Get(sidekiq, "spec", "template", "spec", "containers", 0, "env"))
	if len(envs) != 5 {
		t.Fatalf("env lists: %d, want pre-hook, 3 system-app containers and sidekiq", len(envs))
	}
	bundletest.WantSecretRef(t, "pre-hook", envs["pre-hook"], "MASTER_ACCESS_TOKEN", "system-seed", "MASTER_ACCESS_TOKEN", false)
	for where, env := range envs {
		for name, key := range smtpKeys {
			bundletest.WantSecretRef(t, where, env, name, "system-smtp", key, false)
		}
		if s3 {
			bundletest.WantSecretRef(t, where, env, "AWS_BUCKET", "aws-auth", "AWS_BUCKET", false)
			bundletest.WantSecretRef(t, where, env, "AWS_REGION", "aws-auth", "AWS_REGION", false)
			for _, n := range []string{"AWS_PROTOCOL", "AWS_HOSTNAME", "AWS_PATH_STYLE"} {
				bundletest.WantSecretRef(t, where, env, n, "aws-auth", n, true)
			}
		} else if _, ok := env["AWS_BUCKET"]; ok {
			t.Errorf("%s: AWS_BUCKET on a site without S3", where)
		}
		for name, e := range env {
			if bundletest.Get(e, "valueFrom", "configMapKeyRef", "name") == "smtp" {
				t.Errorf("%s: %s still reads the deleted smtp ConfigMap", where, name)
			}
		}
	}
	cm := objects["ConfigMap/system-environment"]
	if got := bundletest.Get(cm, "data", "AMP_RELEASE"); got != "2.8" {
		t.Errorf("AMP_RELEASE = %v", got)
	}
	for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
		if _, ok := bundletest.Get(cm, "data").(map[string]any)[k]; ok && s3 {
			t.Errorf("system-environment still has %s", k)
		}
	}
	if _, ok := objects["ConfigMap/smtp"]; ok {
		t.Error("the smtp ConfigMap is not deleted")
	}
	images := map[string]string{
		"amp-system":               "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8",
		"amp-apicast":              "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.8",
		"amp-backend":              "registry.redhat.io/3scale-amp2/backend-rhel7:3scale2.8",
		"amp-zync":                 "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.8",
		"system-memcached":         "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.8",
		"zync-database-postgresql": "registry.redhat.io/rhscl/postgresql-10-rhel7",
		"backend-redis":            "registry.redhat.io/rhscl/redis-32-rhel7:3.2",
		"system-redis":             "registry.redhat.io/rhscl/redis-32-rhel7:3.2",
	}
	switch db {
	case "mysql":
		images["system-mysql"] = "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"
	case "postgresql":
		images["system-postgresql"] = "registry.redhat.io/rhscl/postgresql-10-rhel7"
	}
	for stream, image := range images {
		is := objects["ImageStream/"+stream]
		tags := map[string]any{}
		for _, tag := range bundletest.Get(is, "spec", "tags").([]any) {
			name := bundletest.Get(tag, "name").(string)
			if _, dup := tags[name]; dup {
				t.Errorf("image stream %s has two tags named %s", stream, name)
			}
			tags[name] = tag
		}
		if got := bundletest.Get(tags["2.8"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "DockerImage", "name": image}) {
			t.Errorf("%s:2.8 from %v, want %s", stream, got, image)
		}
		if got := bundletest.Get(tags["latest"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "ImageStreamTag", "name": "2.8"}) {
			t.Errorf("%s:latest from %v, want 2.8", stream, got)
		}
	}
}

type fixtureCase struct {
	fixture     string
	from, to    string
	s3          bool
	installedAt string
	// edit changes the fixture's objects into the site's, when the site is
	// not a fresh install.
	edit func(t *testing.T, objects map[string]map[string]any)
	// snapshot, when set, is the one way ("with" or "without" the
	// export as the snapshot) the case compiles by default: each hop of
	// the 2.8 exports to 2.12 is applied both ways in the cases together
	// (see TestFixturesApplyWithKubectl). AMPC_EXHAUSTIVE=1 runs both.
	snapshot string
}

// upgradedByHand turns a fresh install into a site upgraded by hand to
// version to: it applies ampc's bundle for that hop, then leaves what the
// guide's `oc set env dc/system-app AMP_RELEASE=...` leaves: the literal in
// every system-app container, and the ConfigMap at the installed release.
func upgradedByHand(from, to string) func(*testing.T, map[string]map[string]any) {
	return func(t *testing.T, objects map[string]map[string]any) {
		t.Helper()
		planPath := bundletest.WritePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = "mysql"
}
`, from, to))
		installed := bundletest.Get(objects["ConfigMap/system-environment"], "data", "AMP_RELEASE")
		bundletest.New(t, planPath, "").Apply(objects)
		objects["ConfigMap/system-environment"]["data"].(map[string]any)["AMP_RELEASE"] = installed
		app := objects["DeploymentConfig/system-app"]
		for _, c := range bundletest.Get(app, "spec", "template", "spec", "containers").([]any) {
			for _, e := range c.(map[string]any)["env"].([]any) {
				e := e.(map[string]any)
				if e["name"] == "AMP_RELEASE" {
					delete(e, "valueFrom")
					e["value"] = to
				}
			}
		}
	}
}

func TestFixturesApplyWithKubectl(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	for _, tc := range []fixtureCase{
		{fixture: "templates/2.7-amp.yaml", from: "2.7", to: "2.8"},
		{fixture: "templates/2.7-amp-s3.yaml", from: "2.7", to: "2.8", s3: true},
		{fixture: "templates/2.6-amp.yaml", from: "2.6", to: "2.7"},
		{fixture: "templates/2.6-amp-s3.yaml", from: "2.6", to: "2.7", s3: true},
		{fixture: "templates/2.6-amp.yaml", from: "2.6", to: "2.8"},
		{fixture: "templates/2.6-amp-s3.yaml", from: "2.6", to: "2.8", s3: true},
		{fixture: "templates/2.6-amp.yaml", from: "2.7", to: "2.8", installedAt: "2.6", edit: upgradedByHand("2.6", "2.7")},
		// The hops after 2.8 by default each way once among these cases
		// (2.8 → 2.9 without a snapshot here, with one in the 2.10 and
		// 2.12 cases of amp-s3 and amp; 2.9 → 2.10 with one on amp-s3,
		// without on 2.7-amp and on amp-s3 to 2.12; 2.10 → 2.12 with one
		// on amp, without on amp-s3 and on 2.7-amp), each export both
		// ways: the cases cost about 20 s of kubectl each way. 2.7-amp
		// goes to 2.12 without a snapshot: the model of a site installed
		// at 2.7 (the 2.7 layout and ampc's hops) must hold what the
		// 2.10 → 2.12 hops read, or their patches are skipped or refused.
		{fixture: "templates/2.8-amp.yaml", from: "2.8", to: "2.9", snapshot: "without"},
		{fixture: "templates/2.8-amp-s3.yaml", from: "2.8", to: "2.10", s3: true, snapshot: "with"},
		{fixture: "templates/2.7-amp.yaml", from: "2.7", to: "2.12", snapshot: "without"},
		{fixture: "templates/2.8-amp.yaml", from: "2.8", to: "2.12", snapshot: "with"},
		{fixture: "templates/2.8-amp-s3.yaml", from: "2.8", to: "2.12", s3: true, snapshot: "without"},
	} {
		fixture := testenv.Shared(t, "fixtures/"+tc.fixture)
		installedAt := ""
		if tc.installedAt != "" {
			installedAt = fmt.Sprintf("  installed_at    = %q\n", tc.installedAt)
		}
		planPath := bundletest.WritePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = "mysql"
  s3              = %v
%s}
`, tc.from, tc.to, tc.s3, installedAt))
		for _, withSnapshot := range []bool{false, true} {
			if !testenv.Exhaustive() && tc.snapshot != "" && (tc.snapshot == "with") != withSnapshot {
				continue
			}
			name := fmt.Sprintf("%s/%s-%s/installed=%s/snapshot=%v", tc.fixture, tc.from, tc.to, tc.installedAt, withSnapshot)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				objects := bundletest.FixtureObjects(t, fixture)
				snap := ""
				if tc.edit != nil {
					tc.edit(t, objects)
				}
				if withSnapshot {
					snap = fixture
					if tc.edit != nil {
						snap = bundletest.WriteObjects(t, objects)
					}
				}
				b := bundletest.New(t, planPath, snap)
				dir := b.Dir
				b.Apply(objects)
				if tc.to != "2.12" {
					checkRelease(t, objects, tc.to)
				}
				switch tc.to {
				case "2.8":
					checkUpgraded(t, objects, tc.s3, "mysql")
					fresh := "fixtures/templates/2.8-amp.yaml"
					if tc.s3 {
						fresh = "fixtures/templates/2.8-amp-s3.yaml"
					}
					checkLikeFixture(t, objects, testenv.Shared(t, fresh))
				case "2.7":
					checkLikeFixture(t, objects, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
				case "2.9", "2.10":
					checkVersionedTemplate(t, objects, tc.to)
				case "2.12":
					checkTemplate212(t, objects)
				}
				checkKustomizeMatches(t, kubectl, dir, objects, withSnapshot)
				b.NoSecrets(fixture)
			})
		}
	}
}

// versionedImages are the images of the 2.9.1.GA and 3scale-2.10.0-GA
// templates (amp/amp.yml of 3scale-amp-openshift-templates), by image
// stream, with %s for the release: there is no export of either.
var versionedImages = map[string]string{
	"amp-system":               "registry.redhat.io/3scale-amp2/system-rhel7:3scale%s",
	"amp-apicast":              "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale%s",
	"amp-backend":              "registry.redhat.io/3scale-amp2/backend-rhel7:3scale%s",
	"amp-zync":                 "registry.redhat.io/3scale-amp2/zync-rhel7:3scale%s",
	"system-memcached":         "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale%s",
	"zync-database-postgresql": "registry.redhat.io/rhscl/postgresql-10-rhel7",
	"backend-redis":            "registry.redhat.io/rhscl/redis-32-rhel7:3.2",
	"system-redis":             "registry.redhat.io/rhscl/redis-32-rhel7:3.2",
	"system-mysql":             "registry.redhat.io/rhscl/mysql-57-rhel7:5.7",
}

// checkVersionedTemplate checks what the 2.8 → 2.9 and 2.9 → 2.10 hops
// leave as the 2.9.1.GA and 3scale-2.10.0-GA templates have it (there is
// no export of those versions): each stream's tag of the release on the
// template's image, no latest tag, each ImageChange trigger on
// STREAM:RELEASE, no BASE_URL in system-master-apicast.
func checkVersionedTemplate(t *testing.T, objects map[string]map[string]any, to string) {
	t.Helper()
	for stream, image := range versionedImages {
		is := objects["ImageStream/"+stream]
		if is == nil {
			t.Errorf("ImageStream/%s: missing", stream)
			continue
		}
		if strings.Contains(image, "%s") {
			image = fmt.Sprintf(image, to)
		}
		found := false
		for _, tag := range bundletest.Get(is, "spec", "tags").([]any) {
			if bundletest.Get(tag, "name") == "latest" {
				t.Errorf("ImageStream/%s still has a latest tag", stream)
			}
			if bundletest.Get(tag, "name") == to {
				found = true
				if got := bundletest.Get(tag, "from", "name"); got != image || bundletest.Get(tag, "from", "kind") != "DockerImage" {
					t.Errorf("ImageStream/%s tag %s: from %v, the template has %s", stream, to, got, image)
				}
			}
		}
		if !found {
			t.Errorf("ImageStream/%s has no tag %s", stream, to)
		}
	}
	for key, obj := range objects {
		if obj["kind"] != "DeploymentConfig" {
			continue
		}
		for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
			if bundletest.Get(tr, "type") != "ImageChange" {
				continue
			}
			if from, _ := bundletest.Get(tr, "imageChangeParams", "from", "name").(string); !strings.HasSuffix(from, ":"+to) {
				t.Errorf("%s follows %s, not a %s tag", key, from, to)
			}
		}
	}
	if _, ok := bundletest.Get(objects["Secret/system-master-apicast"], "data").(map[string]any)["BASE_URL"]; ok {
		t.Errorf("Secret/system-master-apicast still has BASE_URL")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkRelease asserts that every system-app container resolves AMP_RELEASE
// through system-environment, and that the ConfigMap holds the target.
func checkRelease(t *testing.T, objects map[string]map[string]any, to string) {
	t.Helper()
	if got := bundletest.Get(objects["ConfigMap/system-environment"], "data", "AMP_RELEASE"); got != to {
		t.Errorf("system-environment AMP_RELEASE = %v, want %s", got, to)
	}
	app := objects["DeploymentConfig/system-app"]
	for i, c := range bundletest.Get(app, "spec", "template", "spec", "containers").([]any) {
		env := bundletest.EnvOf(t, bundletest.Get(app, "spec", "template", "spec", "containers", i, "env"))
		want := map[string]any{"name": "system-environment", "key": "AMP_RELEASE"}
		if got := bundletest.Get(env["AMP_RELEASE"], "valueFrom", "configMapKeyRef"); !reflect.DeepEqual(got, want) || env["AMP_RELEASE"]["value"] != nil {
			t.Errorf("container %v: AMP_RELEASE = %v, want a reference to system-environment", bundletest.Get(c, "name"), env["AMP_RELEASE"])
		}
	}
}

// checkLikeFixture compares what the 2.6 → 2.7 guide changes with a fresh
// install of the target version: each image stream's release tag.
func checkLikeFixture(t *testing.T, objects map[string]map[string]any, target string) {
	t.Helper()
	want := bundletest.FixtureObjects(t, target)
	for key, obj := range want {
		if obj["kind"] != "ImageStream" {
			continue
		}
		got, ok := objects[key]
		if !ok {
			t.Errorf("%s: missing", key)
			continue
		}
		tags := map[string]any{}
		for _, tag := range bundletest.Get(got, "spec", "tags").([]any) {
			name := bundletest.Get(tag, "name").(string)
			if _, dup := tags[name]; dup {
				t.Errorf("%s has two tags named %s", key, name)
			}
			tags[name] = tag
		}
		for _, tag := range bundletest.Get(obj, "spec", "tags").([]any) {
			name := bundletest.Get(tag, "name").(string)
			if !reflect.DeepEqual(bundletest.Get(tags[name], "from"), bundletest.Get(tag, "from")) {
				t.Errorf("%s tag %s: from %v, a fresh install has %v", key, name, bundletest.Get(tags[name], "from"), bundletest.Get(tag, "from"))
			}
		}
	}
}

// checkKustomizeMatches builds the hop's kustomization with kubectl and
// compares the rendered objects with the ones kubectl patch produced.
func checkKustomizeMatches(t *testing.T, kubectl, dir string, objects map[string]map[string]any, exact bool) {
	t.Helper()
	rendered := kustomized(t, kubectl, dir, lastHop(t, dir))
	if len(rendered) < 10 {
		t.Fatalf("kustomize rendered %d objects", len(rendered))
	}
	for key, obj := range rendered {
		applied, ok := objects[key]
		if !ok {
			t.Errorf("kustomize renders %s, which the upgrade deletes or never had", key)
			continue
		}
		if !exact {
			continue // the standard layout holds only the fields rules touch
		}
		for _, field := range []string{"spec", "data"} {
			// Literal credentials (the templates' MYSQL_PASSWORD of
			// system-mysql, which the 2.8 → 2.9 triggers patch) render as
			// <redacted>.
			if !matchesRedacted(obj[field], applied[field]) {
				t.Errorf("%s: kustomize renders another %s than kubectl patch gives", key, field)
			}
		}
	}
}

func TestSecretNeverCopied(t *testing.T) {
	t.Parallel()
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), fixture)
	token := ""
	for _, o := range bundletest.FixtureObjects(t, fixture) {
		if o["kind"] == "Secret" && bundletest.Get(o, "metadata", "name") == "system-seed" {
			dec, _ := base64.StdEncoding.DecodeString(bundletest.Get(o, "data", "MASTER_ACCESS_TOKEN").(string))
			token = string(dec)
		}
	}
	if len(token) < 8 {
		t.Fatal("no MASTER_ACCESS_TOKEN in the fixture")
	}
	for name, data := range files {
		if bytes.Contains(data, []byte(token)) {
			t.Errorf("%s holds MASTER_ACCESS_TOKEN", name)
		}
	}
	if !bytes.Contains(files["PLAN.md"], []byte(`MASTER_ACCESS_TOKEN="<redacted>"`)) {
		t.Error("PLAN.md does not show the pre-hook command's token as redacted")
	}
}

// TestBundleTools checks every example's bundle with bundleToolChecks.
func TestBundleTools(t *testing.T) {
	t.Parallel()
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	for _, ex := range examples {
		t.Run(filepath.Base(ex), func(t *testing.T) {
			bundleToolChecks(t, bundletest.WriteBundle(t, bundletest.Compile(t, ex, "")), "  todo  ")
		})
	}
}

// runbookChecks runs bash -n and shellcheck on a bundle's runbook.
func runbookChecks(t *testing.T, dir string) {
	t.Helper()
	runbook := filepath.Join(dir, "runbook.sh")
	if out, err := exec.Command(testenv.Tool(t, "bash"), "-n", runbook).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s", err, out)
	}
	bundletest.Shellcheck(t, runbook)
}

// bundleToolChecks checks a written bundle with the tools a site uses:
// runbookChecks, sha256sum -c on SHA256SUMS, and runbook.sh --list, whose
// output must hold listed.
func bundleToolChecks(t *testing.T, dir, listed string) {
	t.Helper()
	runbookChecks(t, dir)
	cmd := exec.Command(testenv.Tool(t, "sha256sum"), "-c", "--strict", "SHA256SUMS")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	out, err := exec.Command(testenv.Tool(t, "bash"), filepath.Join(dir, "runbook.sh"), "--list").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte(listed)) {
		t.Errorf("runbook --list: %v\n%s", err, out)
	}
}

// lastHop names the last hop of a written bundle, from its plan.json.
func lastHop(t *testing.T, dir string) string {
	t.Helper()
	var pf struct{ Hops []struct{ Name string } }
	raw, _ := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err := json.Unmarshal(raw, &pf); err != nil || len(pf.Hops) == 0 {
		t.Fatalf("plan.json hops: %v", err)
	}
	return pf.Hops[len(pf.Hops)-1].Name
}

// kustomized renders the kustomization of a hop with kubectl, keyed by
// Kind/name. No Secret may be among them: kustomize/ is for review, and
// applying it must never change a Secret's values; each decodes strictly
// into its API type.
func kustomized(t *testing.T, kubectl, dir, hop string) map[string]map[string]any {
	t.Helper()
	root := filepath.Join(dir, "kustomize", hop)
	out, err := bundletest.CachedRun(append([]byte("kubectl kustomize\x00"+hop+"\x00"), bundletest.TreeDigest(t, filepath.Join(dir, "kustomize"))...), func() ([]byte, error) {
		return exec.Command(kubectl, "kustomize", root).Output()
	})
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v", hop, err)
	}
	objects := map[string]map[string]any{}
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		if obj["kind"] == "Secret" {
			t.Errorf("kustomize/%s renders secret/%s: applying it would change the site's Secret", hop, bundletest.Get(obj, "metadata", "name"))
		}
		if raw, err := yaml.YAMLToJSON([]byte(doc)); err != nil {
			t.Fatal(err)
		} else if err := ocsim.DecodeStrict(raw); err != nil {
			t.Errorf("kustomize/%s renders %s/%v, which is not valid for the server: %v", hop, obj["kind"], bundletest.Get(obj, "metadata", "name"), err)
		}
		objects[obj["kind"].(string)+"/"+bundletest.Get(obj, "metadata", "name").(string)] = obj
	}
	return objects
}

// images212 are the images of the 3scale-2.12.0-GA templates (amp/amp.yml
// of 3scale-amp-openshift-templates; the backend image on
// registry.redhat.io, not the template's registry.redhat.com typo).
var images212 = map[string]string{
	"amp-system":               "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.12",
	"amp-apicast":              "registry.redhat.io/3scale-amp2/apicast-gateway-rhel8:3scale2.12",
	"amp-backend":              "registry.redhat.io/3scale-amp2/backend-rhel8:3scale2.12",
	"amp-zync":                 "registry.redhat.io/3scale-amp2/zync-rhel8:3scale2.12",
	"system-memcached":         "registry.redhat.io/3scale-amp2/memcached-rhel7:3scale2.12",
	"zync-database-postgresql": "registry.redhat.io/rhscl/postgresql-10-rhel7",
	"backend-redis":            "registry.redhat.io/rhscl/redis-5-rhel7:5",
	"system-redis":             "registry.redhat.io/rhscl/redis-5-rhel7:5",
	"system-mysql":             "registry.redhat.io/rhel8/mysql-80:1",
}

// checkTemplate212 checks what the hops 2.8 → 2.12 leave as the
// 3scale-2.11.0-GA and 3scale-2.12.0-GA templates have it: each stream's
// 2.12 tag on the template's image and every trigger on it, Redis 5's
// command, backend-cron's 150Mi, zync's annotations on its pod template,
// BACKEND_ROUTE the internal address, no AMP_RELEASE and no MESSAGE_BUS
// left (env, ConfigMap, Secret), MySQL 8.0's authentication plugin
// setting.
func checkTemplate212(t *testing.T, objects map[string]map[string]any) {
	t.Helper()
	for stream, image := range images212 {
		found := false
		for _, tag := range bundletest.Get(objects["ImageStream/"+stream], "spec", "tags").([]any) {
			if bundletest.Get(tag, "name") == "2.12" {
				found = true
				if got := bundletest.Get(tag, "from", "name"); got != image {
					t.Errorf("ImageStream/%s tag 2.12: from %v, the template has %s", stream, got, image)
				}
			}
		}
		if !found {
			t.Errorf("ImageStream/%s has no tag 2.12", stream)
		}
	}
	for key, obj := range objects {
		if obj["kind"] != "DeploymentConfig" {
			continue
		}
		for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
			if from, _ := bundletest.Get(tr, "imageChangeParams", "from", "name").(string); bundletest.Get(tr, "type") == "ImageChange" && !strings.HasSuffix(from, ":2.12") {
				t.Errorf("%s follows %s, not a 2.12 tag", key, from)
			}
		}
		var lists []any
		for _, field := range []string{"containers", "initContainers"} {
			if cs, ok := bundletest.Get(obj, "spec", "template", "spec", field).([]any); ok {
				for _, c := range cs {
					lists = append(lists, bundletest.Get(c, "env"))
				}
			}
		}
		lists = append(lists, bundletest.Get(obj, "spec", "strategy", "rollingParams", "pre", "execNewPod", "env"))
		for _, l := range lists {
			if l == nil {
				continue
			}
			for name, e := range bundletest.EnvOf(t, l) {
				if name == "AMP_RELEASE" || strings.HasPrefix(name, "MESSAGE_BUS_") {
					t.Errorf("%s still sets %s", key, name)
				}
				if name == "BACKEND_ROUTE" && e["value"] != "http://backend-listener:3000/internal/" {
					t.Errorf("%s: BACKEND_ROUTE = %v", key, e)
				}
			}
		}
	}
	for _, r := range []string{"backend-redis", "system-redis"} {
		if got := bundletest.Get(objects["DeploymentConfig/"+r], "spec", "template", "spec", "containers", 0, "command", 0); got != "/opt/rh/rh-redis5/root/usr/bin/redis-server" {
			t.Errorf("%s runs %v", r, got)
		}
	}
	if got := bundletest.Get(objects["DeploymentConfig/backend-cron"], "spec", "template", "spec", "containers", 0, "resources", "limits", "memory"); got != "150Mi" {
		t.Errorf("backend-cron's memory limit is %v", got)
	}
	zync := objects["DeploymentConfig/zync"]
	if got := bundletest.Get(zync, "spec", "template", "metadata", "annotations", "prometheus.io/port"); got != "9393" {
		t.Errorf("zync's pod template has prometheus.io/port %v", got)
	}
	if got := bundletest.Get(zync, "spec", "template", "metadata", "labels", "deploymentConfig"); got != "zync" {
		t.Errorf("zync's pod template lost its labels: %v", bundletest.Get(zync, "spec", "template", "metadata"))
	}
	if a, _ := bundletest.Get(zync, "metadata", "annotations").(map[string]any); a["prometheus.io/port"] != nil {
		t.Errorf("the zync DeploymentConfig keeps its prometheus.io annotations")
	}
	if _, ok := bundletest.Get(objects["ConfigMap/system-environment"], "data").(map[string]any)["AMP_RELEASE"]; ok {
		t.Errorf("system-environment keeps AMP_RELEASE")
	}
	for k := range bundletest.Get(objects["Secret/system-redis"], "data").(map[string]any) {
		if strings.HasPrefix(k, "MESSAGE_BUS_") {
			t.Errorf("system-redis keeps %s", k)
		}
	}
	if got := bundletest.Get(objects["ConfigMap/mysql-extra-conf"], "data", "mysql-default-authentication-plugin.cnf"); got != "[mysqld]\ndefault_authentication_plugin=mysql_native_password\n" {
		t.Errorf("mysql-extra-conf's authentication plugin file is %q", got)
	}
}
