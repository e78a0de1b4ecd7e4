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

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

var update = flag.Bool("update", false, "update golden files")

// compile compiles a plan file, against a snapshot when snapshotPath is not
// "", and returns the bundle's files.
func compile(t *testing.T, planFile, snapshotPath string) map[string][]byte {
	t.Helper()
	return compileResult(t, planFile, snapshotPath).Files
}

// compileResult compiles a plan file with ampc.CompileFile, as ampc compile
// does, and fails the test on an error.
func compileResult(t *testing.T, planFile, snapshotPath string) *ampc.Result {
	t.Helper()
	res, diags := ampc.CompileFile(planFile, ampc.Options{Snapshot: snapshotPath})
	if diags.HasErrors() {
		t.Fatalf("compile: %s", diags.Error())
	}
	return res
}

func writePlan(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeBundle(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := emit.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGolden(t *testing.T) {
	t.Parallel()
	examples, err := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".hcl")
		t.Run(name, func(t *testing.T) {
			files := compile(t, ex, "")
			again := compile(t, ex, "")
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

// fixtureObjects reads a fixture List into objects keyed by "Kind/name".
func fixtureObjects(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range testenv.ListItems(t, path) {
		meta := o["metadata"].(map[string]any)
		out[o["kind"].(string)+"/"+meta["name"].(string)] = o
	}
	return out
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

func kubectlPatch(t *testing.T, kubectl, work string, obj map[string]any, patchFile string) map[string]any {
	t.Helper()
	out, err := tryPatch(kubectl, work, obj, patchFile)
	if err != nil {
		t.Fatalf("kubectl patch --local %s: %v", filepath.Base(patchFile), err)
	}
	return out
}

func tryPatch(kubectl, work string, obj map[string]any, patchFile string) (map[string]any, error) {
	patch, err := os.ReadFile(patchFile)
	if err != nil {
		return nil, err
	}
	return tryPatchOps(kubectl, work, obj, patch)
}

// tryPatchOps applies a JSON patch to an object with kubectl patch --local
// (once per object and patch in the test binary).
func tryPatchOps(kubectl, work string, obj map[string]any, patch []byte) (map[string]any, error) {
	raw, _ := json.Marshal(obj)
	key := append(append(append([]byte("kubectl patch --local --type=json\x00"), raw...), 0), patch...)
	out, err := cachedRun(key, func() ([]byte, error) {
		objFile := filepath.Join(work, "object.json")
		if err := os.WriteFile(objFile, raw, 0o644); err != nil {
			return nil, err
		}
		cmd := exec.Command(kubectl, "patch", "--local", "-f", objFile, "--type=json", "-p", string(patch), "-o", "json")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, stderr.String())
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var next map[string]any
	if err := json.Unmarshal(out, &next); err != nil {
		return nil, err
	}
	return next, nil
}

func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func envOf(t *testing.T, list any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, e := range list.([]any) {
		m := e.(map[string]any)
		name := m["name"].(string)
		if _, dup := out[name]; dup {
			t.Errorf("env var %s appears twice", name)
		}
		out[name] = m
	}
	return out
}

var smtpKeys = map[string]string{
	"SMTP_ADDRESS": "address", "SMTP_USER_NAME": "username", "SMTP_PASSWORD": "password",
	"SMTP_DOMAIN": "domain", "SMTP_PORT": "port", "SMTP_AUTHENTICATION": "authentication",
	"SMTP_OPENSSL_VERIFY_MODE": "openssl.verify.mode",
}

func wantSecretRef(t *testing.T, where string, env map[string]map[string]any, name, secret, key string, optional bool) {
	t.Helper()
	e, ok := env[name]
	if !ok {
		t.Errorf("%s: no env var %s", where, name)
		return
	}
	want := map[string]any{"name": secret, "key": key}
	if optional {
		want["optional"] = true
	}
	if got := get(e, "valueFrom", "secretKeyRef"); !reflect.DeepEqual(got, want) || get(e, "valueFrom", "configMapKeyRef") != nil || e["value"] != nil {
		t.Errorf("%s: %s = %v, want secretKeyRef %v", where, name, e, want)
	}
}

// checkUpgraded asserts what section 1.2 of the 2.7 → 2.8 guide prescribes.
func checkUpgraded(t *testing.T, objects map[string]map[string]any, s3 bool, db string) {
	t.Helper()
	app := objects["DeploymentConfig/system-app"]
	pre := get(app, "spec", "strategy", "rollingParams", "pre", "execNewPod")
	if got := get(pre, "command"); !reflect.DeepEqual(got, []any{"bash", "-c", "bundle exec rake boot openshift:deploy"}) {
		t.Errorf("pre-hook command = %v", got)
	}
	envs := map[string]map[string]map[string]any{"pre-hook": envOf(t, get(pre, "env"))}
	for i, c := range get(app, "spec", "template", "spec", "containers").([]any) {
		envs["system-app/"+get(c, "name").(string)] = envOf(t, get(app, "spec", "template", "spec", "containers", i, "env"))
	}
	sidekiq := objects["DeploymentConfig/system-sidekiq"]
	envs["system-sidekiq"] = envOf(t, get(sidekiq, "spec", "template", "spec", "containers", 0, "env"))
	if len(envs) != 5 {
		t.Fatalf("env lists: %d, want pre-hook, 3 system-app containers and sidekiq", len(envs))
	}
	wantSecretRef(t, "pre-hook", envs["pre-hook"], "MASTER_ACCESS_TOKEN", "system-seed", "MASTER_ACCESS_TOKEN", false)
	for where, env := range envs {
		for name, key := range smtpKeys {
			wantSecretRef(t, where, env, name, "system-smtp", key, false)
		}
		if s3 {
			wantSecretRef(t, where, env, "AWS_BUCKET", "aws-auth", "AWS_BUCKET", false)
			wantSecretRef(t, where, env, "AWS_REGION", "aws-auth", "AWS_REGION", false)
			for _, n := range []string{"AWS_PROTOCOL", "AWS_HOSTNAME", "AWS_PATH_STYLE"} {
				wantSecretRef(t, where, env, n, "aws-auth", n, true)
			}
		} else if _, ok := env["AWS_BUCKET"]; ok {
			t.Errorf("%s: AWS_BUCKET on a site without S3", where)
		}
		for name, e := range env {
			if get(e, "valueFrom", "configMapKeyRef", "name") == "smtp" {
				t.Errorf("%s: %s still reads the deleted smtp ConfigMap", where, name)
			}
		}
	}
	cm := objects["ConfigMap/system-environment"]
	if got := get(cm, "data", "AMP_RELEASE"); got != "2.8" {
		t.Errorf("AMP_RELEASE = %v", got)
	}
	for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
		if _, ok := get(cm, "data").(map[string]any)[k]; ok && s3 {
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
		for _, tag := range get(is, "spec", "tags").([]any) {
			name := get(tag, "name").(string)
			if _, dup := tags[name]; dup {
				t.Errorf("image stream %s has two tags named %s", stream, name)
			}
			tags[name] = tag
		}
		if got := get(tags["2.8"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "DockerImage", "name": image}) {
			t.Errorf("%s:2.8 from %v, want %s", stream, got, image)
		}
		if got := get(tags["latest"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "ImageStreamTag", "name": "2.8"}) {
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
}

// upgradedByHand turns a fresh install into a site upgraded by hand to
// version to: it applies ampc's bundle for that hop, then leaves what the
// guide's `oc set env dc/system-app AMP_RELEASE=...` leaves: the literal in
// every system-app container, and the ConfigMap at the installed release.
func upgradedByHand(from, to string) func(*testing.T, map[string]map[string]any) {
	return func(t *testing.T, objects map[string]map[string]any) {
		t.Helper()
		planPath := writePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = "mysql"
}
`, from, to))
		installed := get(objects["ConfigMap/system-environment"], "data", "AMP_RELEASE")
		newBundleTest(t, planPath, "").Apply(objects)
		objects["ConfigMap/system-environment"]["data"].(map[string]any)["AMP_RELEASE"] = installed
		app := objects["DeploymentConfig/system-app"]
		for _, c := range get(app, "spec", "template", "spec", "containers").([]any) {
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
	} {
		fixture := testenv.Shared(t, "fixtures/"+tc.fixture)
		installedAt := ""
		if tc.installedAt != "" {
			installedAt = fmt.Sprintf("  installed_at    = %q\n", tc.installedAt)
		}
		planPath := writePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = "mysql"
  s3              = %v
%s}
`, tc.from, tc.to, tc.s3, installedAt))
		for _, withSnapshot := range []bool{false, true} {
			name := fmt.Sprintf("%s/%s-%s/installed=%s/snapshot=%v", tc.fixture, tc.from, tc.to, tc.installedAt, withSnapshot)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				objects := fixtureObjects(t, fixture)
				snap := ""
				if tc.edit != nil {
					tc.edit(t, objects)
				}
				if withSnapshot {
					snap = fixture
					if tc.edit != nil {
						snap = writeObjects(t, objects)
					}
				}
				b := newBundleTest(t, planPath, snap)
				dir := b.Dir
				b.Apply(objects)
				checkRelease(t, objects, tc.to)
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
				}
				checkKustomizeMatches(t, kubectl, dir, objects, withSnapshot)
				b.NoSecrets(fixture)
			})
		}
	}
}

// writeObjects writes objects as a List, for use as a snapshot.
func writeObjects(t *testing.T, objects map[string]map[string]any) string {
	t.Helper()
	var items []any
	for _, k := range sortedKeys(objects) {
		items = append(items, objects[k])
	}
	out, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
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
	if got := get(objects["ConfigMap/system-environment"], "data", "AMP_RELEASE"); got != to {
		t.Errorf("system-environment AMP_RELEASE = %v, want %s", got, to)
	}
	app := objects["DeploymentConfig/system-app"]
	for i, c := range get(app, "spec", "template", "spec", "containers").([]any) {
		env := envOf(t, get(app, "spec", "template", "spec", "containers", i, "env"))
		want := map[string]any{"name": "system-environment", "key": "AMP_RELEASE"}
		if got := get(env["AMP_RELEASE"], "valueFrom", "configMapKeyRef"); !reflect.DeepEqual(got, want) || env["AMP_RELEASE"]["value"] != nil {
			t.Errorf("container %v: AMP_RELEASE = %v, want a reference to system-environment", get(c, "name"), env["AMP_RELEASE"])
		}
	}
}

// checkLikeFixture compares what the 2.6 → 2.7 guide changes with a fresh
// install of the target version: each image stream's release tag.
func checkLikeFixture(t *testing.T, objects map[string]map[string]any, target string) {
	t.Helper()
	want := fixtureObjects(t, target)
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
		for _, tag := range get(got, "spec", "tags").([]any) {
			name := get(tag, "name").(string)
			if _, dup := tags[name]; dup {
				t.Errorf("%s has two tags named %s", key, name)
			}
			tags[name] = tag
		}
		for _, tag := range get(obj, "spec", "tags").([]any) {
			name := get(tag, "name").(string)
			if !reflect.DeepEqual(get(tags[name], "from"), get(tag, "from")) {
				t.Errorf("%s tag %s: from %v, a fresh install has %v", key, name, get(tags[name], "from"), get(tag, "from"))
			}
		}
	}
}

// guardChecks collects, for each patch a test applies, its checks file
// and the object before and after it, and evaluates them all in one run of
// jq with the runbook's own program (emit.CheckProgram), as the runbook's
// applied function does: a patch's checks must not hold before the patch
// and must hold after it.
type guardChecks struct {
	cases []guardCase
}

type guardCase struct {
	File   string         `json:"file"`
	Checks any            `json:"c"`
	Before map[string]any `json:"before"`
	After  map[string]any `json:"after"`
}

func (g *guardChecks) add(t *testing.T, checkFile string, before, after map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(checkFile)
	if err != nil {
		t.Fatal(err)
	}
	var checks any
	if err := json.Unmarshal(raw, &checks); err != nil {
		t.Fatalf("%s: %v", checkFile, err)
	}
	g.cases = append(g.cases, guardCase{File: filepath.Base(checkFile), Checks: checks, Before: before, After: after})
}

// verify runs jq once over every case collected. An error of the program on
// an object counts as "does not hold", as a failed jq -e does in the runbook.
func (g *guardChecks) verify(t *testing.T, jq string) {
	t.Helper()
	if len(g.cases) == 0 {
		return
	}
	input, err := json.Marshal(g.cases)
	if err != nil {
		t.Fatal(err)
	}
	holds := "(try (" + emit.CheckProgram() + ") catch false) == true"
	program := ".[] | [.c] as $c | [.file, (.before | " + holds + "), (.after | " + holds + ")]"
	cmd := exec.Command(jq, "-c", program)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(g.cases) {
		t.Fatalf("jq gave %d results for %d patches", len(lines), len(g.cases))
	}
	for _, line := range lines {
		var r []any
		if err := json.Unmarshal([]byte(line), &r); err != nil || len(r) != 3 {
			t.Fatalf("jq: %q", line)
		}
		if r[1] == true {
			t.Errorf("%s holds before its patch is applied", r[0])
		}
		if r[2] != true {
			t.Errorf("%s does not hold after its patch is applied", r[0])
		}
	}
	g.cases = nil
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
			if !reflect.DeepEqual(obj[field], applied[field]) {
				t.Errorf("%s: kustomize renders another %s than kubectl patch gives", key, field)
			}
		}
	}
}

func TestSecretNeverCopied(t *testing.T) {
	t.Parallel()
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	files := compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), fixture)
	token := ""
	for _, o := range fixtureObjects(t, fixture) {
		if o["kind"] == "Secret" && get(o, "metadata", "name") == "system-seed" {
			dec, _ := base64.StdEncoding.DecodeString(get(o, "data", "MASTER_ACCESS_TOKEN").(string))
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
			bundleToolChecks(t, writeBundle(t, compile(t, ex, "")), "  todo  ")
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
	shellcheck(t, runbook)
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
// Kind/name.
func kustomized(t *testing.T, kubectl, dir, hop string) map[string]map[string]any {
	t.Helper()
	root := filepath.Join(dir, "kustomize", hop)
	out, err := cachedRun(append([]byte("kubectl kustomize\x00"+hop+"\x00"), treeDigest(t, filepath.Join(dir, "kustomize"))...), func() ([]byte, error) {
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
		objects[obj["kind"].(string)+"/"+get(obj, "metadata", "name").(string)] = obj
	}
	return objects
}
