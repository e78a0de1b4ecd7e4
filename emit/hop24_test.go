package emit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The tests of the 2.4 → 2.5 hop (002_fcdd7c3ee9f6ca34.txt) against the
// 2.4 fixtures: every patch applied with kubectl, what each section of the
// guide prescribes, the 2.5 fixtures for the fields the guide changes, the
// Oracle branch and the rollback section. Its run-time steps run on the
// simulated cluster in emit/runbooktest (TestHop24RunbookSteps).

func plan24(t *testing.T, db string, s3 bool, to string) string {
	t.Helper()
	return bundletest.WritePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.4"
  to              = %q
  system_database = %q
  s3              = %v
}
`, to, db, s3))
}

// stream24 is the 2.5.0 image of each image stream section 2.1 patches.
var stream24 = map[string]string{
	"amp-system":          "registry.access.redhat.com/3scale-amp25/system",
	"amp-apicast":         "registry.access.redhat.com/3scale-amp25/apicast-gateway",
	"amp-backend":         "registry.access.redhat.com/3scale-amp25/backend",
	"amp-zync":            "registry.access.redhat.com/3scale-amp25/zync",
	"amp-wildcard-router": "registry.access.redhat.com/3scale-amp22/wildcard-router",
}

func envNames(env []any) []string {
	var out []string
	for _, e := range env {
		out = append(out, bundletest.Get(e, "name").(string))
	}
	return out
}

// check24to25 asserts what sections 2.1, 2.3 and 2.5.3 prescribe, on the
// objects after every patch, and compares the fields the guide changes with
// a fresh 2.5 install (target).
func check24to25(t *testing.T, objects, before, target map[string]map[string]any) {
	t.Helper()
	// 2.1: each image stream has its 2.5.0 tag and latest points at it, in
	// place of the 2.4.0 one (no second latest).
	for stream, image := range stream24 {
		tags := bundletest.Tags(t, objects["ImageStream/"+stream])
		if got := bundletest.Get(tags["2.5.0"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "DockerImage", "name": image}) {
			t.Errorf("%s:2.5.0 from %v, want %s", stream, got, image)
		}
		if got := bundletest.Get(tags["latest"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "ImageStreamTag", "name": "2.5.0"}) {
			t.Errorf("%s:latest from %v, want 2.5.0", stream, got)
		}
		if _, ok := tags["2.4.0"]; !ok {
			t.Errorf("%s lost its 2.4.0 tag", stream)
		}
	}
	// 2.1: AMP_RELEASE is the ConfigMap's, with a fresh 2.5 install's value.
	want := bundletest.Get(target["ConfigMap/system-environment"], "data", "AMP_RELEASE")
	if want != "2.5.0" {
		t.Fatalf("the 2.5 fixture's AMP_RELEASE is %v", want)
	}
	checkRelease(t, objects, "2.5.0")
	app, fresh := objects["DeploymentConfig/system-app"], target["DeploymentConfig/system-app"]
	for _, c := range []string{"system-master", "system-provider", "system-developer"} {
		got := bundletest.EnvOf(t, bundletest.ContainerEnv(t, app, c))["AMP_RELEASE"]
		if w := bundletest.EnvOf(t, bundletest.ContainerEnv(t, fresh, c))["AMP_RELEASE"]; !reflect.DeepEqual(got, w) {
			t.Errorf("system-app/%s AMP_RELEASE = %v, a fresh 2.5 install has %v", c, got, w)
		}
	}
	// 2.3: MYSQL_USER and MYSQL_PASSWORD read system-database, as in a fresh
	// 2.5 install; every other env var is where and what it was.
	mysql := bundletest.ContainerEnv(t, objects["DeploymentConfig/system-mysql"], "system-mysql")
	old := bundletest.ContainerEnv(t, before["DeploymentConfig/system-mysql"], "system-mysql")
	if !reflect.DeepEqual(envNames(mysql), envNames(old)) {
		t.Errorf("system-mysql env order %v, was %v", envNames(mysql), envNames(old))
	}
	env, freshEnv := bundletest.EnvOf(t, mysql), bundletest.EnvOf(t, bundletest.ContainerEnv(t, target["DeploymentConfig/system-mysql"], "system-mysql"))
	for name, key := range map[string]string{"MYSQL_USER": "DB_USER", "MYSQL_PASSWORD": "DB_PASSWORD"} {
		bundletest.WantSecretRef(t, "system-mysql", env, name, "system-database", key, false)
		if !reflect.DeepEqual(env[name], freshEnv[name]) {
			t.Errorf("system-mysql %s = %v, a fresh 2.5 install has %v", name, env[name], freshEnv[name])
		}
	}
	for i, e := range old {
		if n := bundletest.Get(e, "name"); n != "MYSQL_USER" && n != "MYSQL_PASSWORD" && !reflect.DeepEqual(e, mysql[i]) {
			t.Errorf("system-mysql env %v changed", n)
		}
	}
	// 2.5.3: postgresql:10 exists and zync-database follows it, with the
	// triggers of a fresh 2.5 install.
	pg := bundletest.Tags(t, objects["ImageStream/postgresql"])
	if got := bundletest.Get(pg["10"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "DockerImage", "name": "registry.access.redhat.com/rhscl/postgresql-10-rhel7"}) {
		t.Errorf("postgresql:10 from %v", got)
	}
	triggers := bundletest.Get(objects["DeploymentConfig/zync-database"], "spec", "triggers")
	if w := bundletest.Get(target["DeploymentConfig/zync-database"], "spec", "triggers"); !reflect.DeepEqual(triggers, w) {
		t.Errorf("zync-database triggers %v, a fresh 2.5 install has %v", triggers, w)
	}
	if bundletest.Get(triggers, 1, "imageChangeParams", "from", "name") != "postgresql:10" {
		t.Errorf("zync-database does not follow postgresql:10: %v", triggers)
	}
}

// literalCredentials returns what the fixture holds in clear outside its
// Secrets: the literal passwords of its DeploymentConfigs' env and the
// MASTER_ACCESS_TOKEN the 2.4 pre-hook command embeds.
func literalCredentials(t *testing.T, fixture string) []string {
	t.Helper()
	token := regexp.MustCompile(`MASTER_ACCESS_TOKEN="([^"]+)"`)
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if name, _ := x["name"].(string); strings.Contains(name, "PASSWORD") {
				if value, _ := x["value"].(string); len(value) >= 8 {
					out = append(out, value)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			for _, m := range token.FindAllStringSubmatch(x, -1) {
				out = append(out, m[1])
			}
		}
	}
	for _, o := range bundletest.FixtureObjects(t, fixture) {
		if o["kind"] == "DeploymentConfig" {
			walk(o["spec"])
		}
	}
	if len(out) < 3 {
		t.Fatalf("the fixture has %d literal credentials, want MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD and the pre-hook token", len(out))
	}
	return out
}

func checkNoLiteralCredentials(t *testing.T, fixture string, files map[string][]byte) {
	t.Helper()
	for _, v := range literalCredentials(t, fixture) {
		for name, data := range files {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s holds a literal credential of the fixture (%d bytes)", name, len(v))
			}
		}
	}
}

// matchesRedacted compares a rendered value with the applied one; a
// rendered string with <redacted> in it stands for any text there.
func matchesRedacted(rendered, applied any) bool {
	switch r := rendered.(type) {
	case map[string]any:
		a, ok := applied.(map[string]any)
		if !ok || len(a) != len(r) {
			return false
		}
		for k, v := range r {
			if !matchesRedacted(v, a[k]) {
				return false
			}
		}
		return true
	case []any:
		a, ok := applied.([]any)
		if !ok || len(a) != len(r) {
			return false
		}
		for i := range r {
			if !matchesRedacted(r[i], a[i]) {
				return false
			}
		}
		return true
	case string:
		a, ok := applied.(string)
		if !ok {
			return false
		}
		if !strings.Contains(r, "<redacted>") {
			return r == a
		}
		parts := strings.Split(r, "<redacted>")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$").MatchString(a)
	}
	return reflect.DeepEqual(rendered, applied)
}

// checkKustomize24 renders the hop's kustomization with kubectl and checks
// that it holds the objects kubectl patch gave: with a snapshot field for
// field (redacted credentials aside), with the standard layout by name.
func checkKustomize24(t *testing.T, kubectl, dir string, objects map[string]map[string]any, exact bool) {
	t.Helper()
	rendered := kustomized(t, kubectl, dir, "2.4-2.5")
	if len(rendered) < 8 {
		t.Fatalf("kustomize rendered %d objects", len(rendered))
	}
	for key, obj := range rendered {
		applied, ok := objects[key]
		if !ok {
			t.Errorf("kustomize renders %s, which the fixture lacks", key)
			continue
		}
		if !exact {
			continue
		}
		for _, field := range []string{"spec", "data"} {
			if !matchesRedacted(obj[field], applied[field]) {
				t.Errorf("%s: kustomize renders another %s than kubectl patch gives", key, field)
			}
		}
	}
}

func TestHop24FixturesApplyWithKubectl(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	for _, tc := range []struct {
		fixture, target string
		s3              bool
	}{
		{"templates/2.4-amp.yaml", "templates/2.5-amp.yaml", false},
		{"templates/2.4-amp-s3.yaml", "templates/2.5-amp-s3.yaml", true},
	} {
		fixture := testenv.Shared(t, "fixtures/"+tc.fixture)
		target := testenv.Shared(t, "fixtures/"+tc.target)
		planPath := plan24(t, "mysql", tc.s3, "2.5")
		for _, withSnapshot := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/snapshot=%v", tc.fixture, withSnapshot), func(t *testing.T) {
				snap := ""
				if withSnapshot {
					snap = fixture
				}
				b := bundletest.New(t, planPath, snap)
				files, dir := b.Files, b.Dir
				objects := bundletest.FixtureObjects(t, fixture)
				b.Apply(objects)
				check24to25(t, objects, bundletest.FixtureObjects(t, fixture), bundletest.FixtureObjects(t, target))
				checkLikeFixture(t, objects, target)
				b.NoSecrets(fixture)
				checkNoLiteralCredentials(t, fixture, files)
				checkKustomize24(t, kubectl, dir, objects, withSnapshot)
				runbookChecks(t, dir)
			})
		}
	}
}

func stepsByID(t *testing.T, files map[string][]byte) map[string]map[string]any {
	t.Helper()
	var pf struct {
		Steps []map[string]any `json:"steps"`
	}
	if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, s := range pf.Steps {
		out[s["id"].(string)] = s
	}
	return out
}

// TestHop24Oracle compiles an Oracle plan against the standard layout: the
// system image is built from bc/3scale-amp-system-oracle on amp-system:2.5.0,
// the Accounts table window is there, and nothing touches system-mysql.
func TestHop24Oracle(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	files := bundletest.Compile(t, plan24(t, "oracle", false, "2.5"), "")
	steps := stepsByID(t, files)
	for _, id := range []string{
		"2.4-2.5/oracle-window-scale-down", "2.4-2.5/image-amp-system-oracle", "2.4-2.5/oracle-build-config",
		"2.4-2.5/oracle-build-context", "2.4-2.5/oracle-build", "2.4-2.5/oracle-accounts-migration",
		"2.4-2.5/oracle-window-scale-up",
	} {
		if _, ok := steps[id]; !ok {
			t.Errorf("no step %s", id)
		}
	}
	if k := steps["2.4-2.5/oracle-accounts-migration"]["kind"]; k != "manual" {
		t.Errorf("the Accounts table migration is a %v step", k)
	}
	for id, s := range steps {
		if id == "2.4-2.5/image-amp-system" || strings.Contains(id, "mysql") || strings.Contains(id, "system-database") {
			t.Errorf("unexpected step %s on an Oracle site", id)
		}
		raw, _ := json.Marshal(s["patches"])
		if strings.Contains(string(raw), "system-mysql") {
			t.Errorf("step %s patches system-mysql", id)
		}
	}
	runbook := string(files["runbook.sh"])
	for _, want := range []string{
		"oc start-build 3scale-amp-system-oracle --from-dir=\"$build_dir\" --follow --wait",
		"oc -n 3scale debug dc/system-app -c system-master --one-container -- bash -c 'bundle exec rake db:migrate'",
		"AMPC_ORACLE_BUILD_DIR=/path/to/system-oracle ./runbook.sh --ack 2.4-2.5/oracle-build-context",
	} {
		if !strings.Contains(runbook, want) {
			t.Errorf("the runbook lacks %q", want)
		}
	}
	// The order of the window: opened before the image is built, closed
	// after the restart of 2.2 and the migration.
	order := []string{"2.4-2.5/oracle-window-scale-down", "2.4-2.5/oracle-build", "2.4-2.5/restart-system", "2.4-2.5/oracle-accounts-migration", "2.4-2.5/oracle-window-scale-up"}
	last := -1
	for _, id := range order {
		i := strings.Index(runbook, "\n  '"+id+"'\n")
		if i < last {
			t.Errorf("step %s comes too early", id)
		}
		last = i
	}

	// Each patch applies: the amp-system tag to the 2.4 fixture's stream
	// (latest stays the build's), the BuildConfig patch to the BuildConfig
	// build.yml of the 2.4 templates creates.
	dir := bundletest.WriteBundle(t, files)
	work := t.TempDir()
	objects := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.4-amp.yaml"))
	bc := map[string]any{
		"apiVersion": "build.openshift.io/v1", "kind": "BuildConfig",
		"metadata": map[string]any{"name": "3scale-amp-system-oracle", "namespace": "3scale"},
		"spec": map[string]any{
			"source":   map[string]any{"type": "Binary"},
			"output":   map[string]any{"to": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:latest"}},
			"strategy": map[string]any{"type": "Docker", "dockerStrategy": map[string]any{"from": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:2.4.0"}}},
		},
	}
	for id, obj := range map[string]map[string]any{"2.4-2.5/image-amp-system-oracle": objects["ImageStream/amp-system"], "2.4-2.5/oracle-build-config": bc} {
		patches, _ := steps[id]["patches"].([]any)
		if len(patches) != 1 {
			t.Fatalf("step %s has %d patches", id, len(patches))
		}
		got := bundletest.KubectlPatch(t, kubectl, work, obj, filepath.Join(dir, bundletest.Get(patches[0], "file").(string)))
		switch id {
		case "2.4-2.5/image-amp-system-oracle":
			tags := bundletest.Tags(t, got)
			if bundletest.Get(tags["2.5.0"], "from", "name") != stream24["amp-system"] || bundletest.Get(tags["latest"], "from", "name") != "2.4.0" {
				t.Errorf("amp-system tags after the Oracle patch: %v", bundletest.Get(got, "spec", "tags"))
			}
		default:
			if n := bundletest.Get(got, "spec", "strategy", "dockerStrategy", "from", "name"); n != "amp-system:2.5.0" {
				t.Errorf("the Oracle build starts from %v", n)
			}
		}
	}
	runbookChecks(t, dir)

	// A snapshot of an Oracle site must hold the BuildConfig. (The site is
	// the 2.4 fixture without system-mysql, as the standard layout models an
	// Oracle site: with system-mysql and no BuildConfig, it is a MySQL site,
	// which the plan's system_database is refused for; see
	// TestOracleSiteMismatch in compiler.)
	oracleSite := testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.4-amp.yaml"), func(obj map[string]any) bool {
		return !(obj["kind"] == "DeploymentConfig" && bundletest.Get(obj, "metadata", "name") == "system-mysql")
	})
	_, diags := ampc.CompileFile(plan24(t, "oracle", false, "2.5"), ampc.Options{Snapshot: oracleSite})
	if !diags.HasErrors() || diags[0].Summary != "Object missing from snapshot" || !strings.Contains(diags[0].Detail, "BuildConfig 3scale-amp-system-oracle") {
		t.Errorf("an Oracle snapshot without the BuildConfig: %v", diags)
	}
}

// TestHop24Branches checks the steps each system database gets.
func TestHop24Branches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		db      string
		want    []string
		notWant []string
	}{
		{"mysql", []string{"2.4-2.5/image-amp-system", "2.4-2.5/system-database-secret", "2.4-2.5/system-mysql-env", "2.4-2.5/zync-database-trigger"}, []string{"2.4-2.5/oracle-build", "2.4-2.5/oracle-accounts-migration"}},
		{"postgresql", []string{"2.4-2.5/image-amp-system", "2.4-2.5/zync-database-trigger"}, []string{"2.4-2.5/system-database-secret", "2.4-2.5/system-mysql-env", "2.4-2.5/oracle-build"}},
	} {
		files := bundletest.Compile(t, plan24(t, tc.db, false, "2.5"), "")
		steps := stepsByID(t, files)
		for _, id := range tc.want {
			if _, ok := steps[id]; !ok {
				t.Errorf("%s: no step %s", tc.db, id)
			}
		}
		for _, id := range tc.notWant {
			if _, ok := steps[id]; ok {
				t.Errorf("%s: unexpected step %s", tc.db, id)
			}
		}
		for id, s := range steps {
			if src := s["source"].(string); !regexp.MustCompile(`^002_fcdd7c3ee9f6ca34\.txt 2\.[1-5](\.[1-6])?$`).MatchString(src) {
				t.Errorf("step %s has source %q", id, src)
			}
		}
	}
}

// TestHop24Rollback checks that the guide's rollback (2.5.6) is a section of
// plan.json and of the runbook, listed and printed without a cluster, and
// never one of the steps.
func TestHop24Rollback(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	files := bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), "")
	var pf struct {
		Steps     []struct{ ID string }
		Rollbacks []struct{ ID, Hop, Title, Source string }
	}
	if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
		t.Fatal(err)
	}
	if len(pf.Rollbacks) != 1 || pf.Rollbacks[0].ID != "2.4-2.5/zync-database" || pf.Rollbacks[0].Source != "002_fcdd7c3ee9f6ca34.txt 2.5.6" {
		t.Fatalf("plan.json rollbacks = %+v", pf.Rollbacks)
	}
	for _, s := range pf.Steps {
		if s.ID == pf.Rollbacks[0].ID {
			t.Error("the rollback is also a step")
		}
	}
	dir := bundletest.WriteBundle(t, files)
	runbook := filepath.Join(dir, "runbook.sh")
	// No oc on PATH: --list and --dry-run must not need one.
	env := append(os.Environ(), "PATH="+filepath.Dir(bash))
	cmd := exec.Command(bash, runbook, "--list")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^\s+2\.4-2\.5/zync-database\s+Roll zync-database back to PostgreSQL 9\.5`).Match(out) {
		t.Errorf("runbook --list: %v\n%s", err, out)
	}
	cmd = exec.Command(bash, runbook, "--dry-run", "--rollback", "2.4-2.5/zync-database")
	cmd.Env = env
	out, err = cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("runbook --dry-run --rollback: %v\n%s", err, out)
	}
	for _, want := range []string{"postgresql:9.5", "oc tag --source=docker", "psql -d postgres -f -", "oc scale dc/zync --replicas="} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the rollback section lacks %q:\n%s", want, out)
		}
	}
	if !bytes.Contains(files["PLAN.md"], []byte("2.4-2.5/zync-database")) {
		t.Error("PLAN.md does not show the rollback section")
	}
}

// TestHop24ChainTo28 compiles 2.4 → 2.8 once the 2.5 → 2.6 module exists,
// applies every create, patch and delete to the 2.4 fixture, and checks that
// every system-app container ends reading AMP_RELEASE 2.8 from
// system-environment. By default amp without a snapshot and amp-s3 with
// one (each export and each way once; every hop of the chain is applied
// both ways here, and each on its own in the hops' tests); both ways on
// both with AMPC_EXHAUSTIVE=1.
func TestHop24ChainTo28(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	for _, fx := range []struct {
		name string
		s3   bool
	}{{"2.4-amp.yaml", false}, {"2.4-amp-s3.yaml", true}} {
		fixture := testenv.Shared(t, "fixtures/templates/"+fx.name)
		planPath := plan24(t, "mysql", fx.s3, "2.8")
		for _, withSnapshot := range []bool{false, true} {
			if withSnapshot != fx.s3 && !testenv.Exhaustive() {
				continue
			}
			t.Run(fmt.Sprintf("%s/snapshot=%v", fx.name, withSnapshot), func(t *testing.T) {
				snap := ""
				if withSnapshot {
					snap = fixture
				}
				b := bundletest.New(t, planPath, snap)
				objects := bundletest.FixtureObjects(t, fixture)
				b.Apply(objects)
				checkRelease(t, objects, "2.8")
				b.NoSecrets(fixture)
				checkNoLiteralCredentials(t, fixture, b.Files)
			})
		}
	}
}
