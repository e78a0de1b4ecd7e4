package emit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The 2.5 → 2.6 hop (001_94522790b066fb62.txt) against the 2.5 fixtures,
// with and without a snapshot, alone and chained to 2.8.

// plan25 writes a plan for a 2.5 site.
func plan25(t *testing.T, to string, s3 bool, db, policy, installedAt string) string {
	t.Helper()
	extra := ""
	if installedAt != "" {
		extra = fmt.Sprintf("  installed_at    = %q\n", installedAt)
	}
	from := "2.5"
	if installedAt != "" {
		from = "2.7"
	}
	return bundletest.WritePlan(t, fmt.Sprintf(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = %q
  to              = %q
  system_database = %q
  s3              = %v
  wildcard_policy = %q
%s}
`, from, to, db, s3, policy, extra))
}

// stepsFile is the part of plan.json these tests read.
type stepsFile struct {
	Steps []struct {
		ID        string
		Kind      string
		Patches   []struct{ File string }
		Manifests []struct {
			File   string
			Target struct{ Kind, Name, Namespace string }
		}
		Deletes []struct{ Kind, Name string }
	}
}

func readSteps(t *testing.T, files map[string][]byte) stepsFile {
	t.Helper()
	var pf stepsFile
	if err := json.Unmarshal(files["plan.json"], &pf); err != nil {
		t.Fatal(err)
	}
	return pf
}

// stepIndex gives each step id its position in plan.json.
func stepIndex(pf stepsFile) map[string]int {
	out := map[string]int{}
	for i, s := range pf.Steps {
		out[s.ID] = i
	}
	return out
}

// envSources maps each env var of a list to its source, in a form that
// compares across installs: generated passwords written as literals differ
// between two installs and are compared by name only.
func envSources(t *testing.T, list any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, e := range bundletest.EnvOf(t, list) {
		switch {
		case e["valueFrom"] != nil:
			b, _ := json.Marshal(e["valueFrom"])
			out[name] = string(b)
		case strings.Contains(name, "PASSWORD"):
			out[name] = "= (generated)"
		default:
			out[name] = fmt.Sprintf("= %v", e["value"])
		}
	}
	return out
}

// podEnvs lists every env list of a DeploymentConfig: "pre-hook",
// "container NAME" and "init container NAME".
func podEnvs(t *testing.T, dc map[string]any) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	if env := bundletest.Get(dc, "spec", "strategy", "rollingParams", "pre", "execNewPod", "env"); env != nil {
		out["pre-hook"] = envSources(t, env)
	}
	for _, field := range []string{"containers", "initContainers"} {
		cs, _ := bundletest.Get(dc, "spec", "template", "spec", field).([]any)
		for _, c := range cs {
			what := "container " + bundletest.Get(c, "name").(string)
			if field == "initContainers" {
				what = "init " + what
			}
			var list any = []any{}
			if env := bundletest.Get(c, "env"); env != nil {
				list = env
			}
			out[what] = envSources(t, list)
		}
	}
	return out
}

func keysOfKind(objects map[string]map[string]any, kind string) []string {
	var out []string
	for k := range objects {
		if strings.HasPrefix(k, kind+"/") {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// redisEnv is what section 2.4 adds to the system pods: NAME → Secret/key.
var redisEnv = map[string]string{
	"MESSAGE_BUS_REDIS_URL":            "system-redis/MESSAGE_BUS_URL",
	"REDIS_NAMESPACE":                  "system-redis/NAMESPACE",
	"MESSAGE_BUS_REDIS_NAMESPACE":      "system-redis/MESSAGE_BUS_NAMESPACE",
	"REDIS_SENTINEL_HOSTS":             "system-redis/SENTINEL_HOSTS",
	"REDIS_SENTINEL_ROLE":              "system-redis/SENTINEL_ROLE",
	"MESSAGE_BUS_REDIS_SENTINEL_HOSTS": "system-redis/MESSAGE_BUS_SENTINEL_HOSTS",
	"MESSAGE_BUS_REDIS_SENTINEL_ROLE":  "system-redis/MESSAGE_BUS_SENTINEL_ROLE",
}

var backendSentinelEnv = map[string]string{
	"BACKEND_REDIS_SENTINEL_HOSTS": "backend-redis/REDIS_STORAGE_SENTINEL_HOSTS",
	"BACKEND_REDIS_SENTINEL_ROLE":  "backend-redis/REDIS_STORAGE_SENTINEL_ROLE",
}

// wantSecretRefs asserts that each var reads its "SECRET/KEY".
func wantSecretRefs(t *testing.T, where string, env map[string]map[string]any, vars ...map[string]string) {
	t.Helper()
	for _, m := range vars {
		for name, ref := range m {
			secret, key, _ := strings.Cut(ref, "/")
			bundletest.WantSecretRef(t, where, env, name, secret, key, false)
		}
	}
}

// checkHop25 asserts what each section of the 2.5 → 2.6 guide prescribes,
// then compares the fields the guide changes with a fresh 2.6 install.
func checkHop25(t *testing.T, objects map[string]map[string]any, target string) {
	t.Helper()
	// 2.2: every DeploymentConfig runs with amp; the WildcardRouter is gone (2.9).
	for _, key := range keysOfKind(objects, "DeploymentConfig") {
		want := "amp"
		if key == "DeploymentConfig/zync-que" {
			want = "zync-que-sa"
		}
		if got := bundletest.Get(objects[key], "spec", "template", "spec", "serviceAccountName"); got != want {
			t.Errorf("%s: serviceAccountName = %v, want %s", key, got, want)
		}
	}
	if got := bundletest.Get(objects["ServiceAccount/amp"], "imagePullSecrets"); !reflect.DeepEqual(got, []any{map[string]any{"name": "threescale-registry-auth"}}) {
		t.Errorf("ServiceAccount amp: imagePullSecrets = %v", got)
	}
	// 2.4: the system pods read the Redis Enterprise and Sentinel env.
	app := objects["DeploymentConfig/system-app"]
	wantSecretRefs(t, "pre-hook", bundletest.EnvOf(t, bundletest.Get(app, "spec", "strategy", "rollingParams", "pre", "execNewPod", "env")), redisEnv, backendSentinelEnv)
	for i := 0; i < 3; i++ {
		c := bundletest.Get(app, "spec", "template", "spec", "containers", i)
		wantSecretRefs(t, fmt.Sprintf("system-app container %v", bundletest.Get(c, "name")), bundletest.EnvOf(t, bundletest.Get(c, "env")), redisEnv, backendSentinelEnv)
	}
	sidekiq := objects["DeploymentConfig/system-sidekiq"]
	wantSecretRefs(t, "system-sidekiq", bundletest.EnvOf(t, bundletest.Get(sidekiq, "spec", "template", "spec", "containers", 0, "env")), redisEnv, backendSentinelEnv)
	wantSecretRefs(t, "system-sidekiq init container check-svc", bundletest.EnvOf(t, bundletest.Get(sidekiq, "spec", "template", "spec", "initContainers", 0, "env")), redisEnv, map[string]string{"REDIS_URL": "system-redis/URL"})
	sphinx := objects["DeploymentConfig/system-sphinx"]
	wantSecretRefs(t, "system-sphinx", bundletest.EnvOf(t, bundletest.Get(sphinx, "spec", "template", "spec", "containers", 0, "env")), redisEnv, map[string]string{"REDIS_URL": "system-redis/URL"})
	data, _ := bundletest.Get(objects["Secret/system-redis"], "data").(map[string]any)
	for _, key := range []string{"MESSAGE_BUS_SENTINEL_HOSTS", "MESSAGE_BUS_SENTINEL_ROLE", "SENTINEL_HOSTS", "SENTINEL_ROLE", "MESSAGE_BUS_NAMESPACE", "MESSAGE_BUS_URL", "NAMESPACE"} {
		if v, ok := data[key]; !ok || v != "" {
			t.Errorf("Secret system-redis: %s = %v, want the guide's empty default", key, v)
		}
	}
	// 2.5: the backend-worker and backend-cron init containers.
	for _, dc := range []string{"backend-worker", "backend-cron"} {
		init := bundletest.Get(objects["DeploymentConfig/"+dc], "spec", "template", "spec", "initContainers", 0)
		if bundletest.Get(init, "name") != "backend-redis-svc" {
			t.Fatalf("%s: first init container is %v", dc, bundletest.Get(init, "name"))
		}
		env := bundletest.EnvOf(t, bundletest.Get(init, "env"))
		wantSecretRefs(t, dc+" init container", env, map[string]string{
			"CONFIG_REDIS_PROXY":           "backend-redis/REDIS_STORAGE_URL",
			"CONFIG_REDIS_SENTINEL_HOSTS":  "backend-redis/REDIS_STORAGE_SENTINEL_HOSTS",
			"CONFIG_REDIS_SENTINEL_ROLE":   "backend-redis/REDIS_STORAGE_SENTINEL_ROLE",
			"CONFIG_QUEUES_SENTINEL_HOSTS": "backend-redis/REDIS_QUEUES_SENTINEL_HOSTS",
			"CONFIG_QUEUES_SENTINEL_ROLE":  "backend-redis/REDIS_QUEUES_SENTINEL_ROLE",
		})
		if got := bundletest.Get(env["RACK_ENV"], "valueFrom", "configMapKeyRef"); !reflect.DeepEqual(got, map[string]any{"name": "backend-environment", "key": "RACK_ENV"}) {
			t.Errorf("%s init container: RACK_ENV = %v", dc, env["RACK_ENV"])
		}
	}
	// 2.6: zync's pod fields.
	zync := bundletest.EnvOf(t, bundletest.Get(objects["DeploymentConfig/zync"], "spec", "template", "spec", "containers", 0, "env"))
	for name, field := range map[string]string{"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"} {
		if got := bundletest.Get(zync[name], "valueFrom", "fieldRef", "fieldPath"); got != field {
			t.Errorf("zync: %s = %v, want the pod's %s", name, zync[name], field)
		}
	}
	// 2.7: the database DeploymentConfigs follow their image streams.
	for dc, tag := range map[string]string{"backend-redis": "backend-redis:latest", "system-redis": "system-redis:latest", "system-memcache": "system-memcached:latest", "system-mysql": "system-mysql:latest", "zync-database": "zync-database-postgresql:latest"} {
		triggers, _ := bundletest.Get(objects["DeploymentConfig/"+dc], "spec", "triggers").([]any)
		found := false
		for _, tr := range triggers {
			found = found || bundletest.Get(tr, "imageChangeParams", "from", "name") == tag
		}
		if !found {
			t.Errorf("%s: no ImageChange trigger on %s: %v", dc, tag, triggers)
		}
	}
	// 2.7 and 2.9: what the guide deletes.
	for _, key := range []string{
		"ImageStream/postgresql", "ImageStream/amp-wildcard-router", "DeploymentConfig/apicast-wildcard-router",
		"Service/apicast-wildcard-router", "Route/apicast-wildcard-router", "Route/system-master",
		"Route/system-provider-admin", "Route/system-developer", "Route/api-apicast-production", "Route/api-apicast-staging",
	} {
		if _, ok := objects[key]; ok {
			t.Errorf("%s is not deleted", key)
		}
	}
	// 2.8: the 2.6 images, each stream with one tag per name.
	for stream, image := range map[string]string{
		"amp-system": "registry.redhat.io/3scale-amp26/system", "amp-apicast": "registry.redhat.io/3scale-amp26/apicast-gateway",
		"amp-backend": "registry.redhat.io/3scale-amp26/backend", "amp-zync": "registry.redhat.io/3scale-amp26/zync",
	} {
		tags := map[string]any{}
		for _, tag := range bundletest.Get(objects["ImageStream/"+stream], "spec", "tags").([]any) {
			name := bundletest.Get(tag, "name").(string)
			if _, dup := tags[name]; dup {
				t.Errorf("%s has two tags named %s", stream, name)
			}
			tags[name] = tag
		}
		if got := bundletest.Get(tags["2.6"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "DockerImage", "name": image}) {
			t.Errorf("%s:2.6 from %v", stream, got)
		}
		if got := bundletest.Get(tags["latest"], "from"); !reflect.DeepEqual(got, map[string]any{"kind": "ImageStreamTag", "name": "2.6"}) {
			t.Errorf("%s:latest from %v", stream, got)
		}
	}
	checkRelease(t, objects, "2.6")

	// Compared with a fresh 2.6 install.
	checkLikeFixture(t, objects, target)
	want := bundletest.FixtureObjects(t, target)
	for _, kind := range []string{"DeploymentConfig", "ImageStream", "Route", "Service", "ServiceAccount", "Role", "RoleBinding"} {
		if got, w := keysOfKind(objects, kind), keysOfKind(want, kind); !reflect.DeepEqual(got, w) {
			t.Errorf("%s objects: %v, a fresh 2.6 install has %v", kind, got, w)
		}
	}
	for _, key := range keysOfKind(want, "DeploymentConfig") {
		got, w := objects[key], want[key]
		if got == nil {
			continue
		}
		for _, field := range [][]any{{"spec", "template", "spec", "serviceAccountName"}, {"spec", "triggers"}} {
			if g, f := bundletest.Get(got, field...), bundletest.Get(w, field...); !reflect.DeepEqual(g, f) {
				t.Errorf("%s %v: %v, a fresh 2.6 install has %v", key, field, g, f)
			}
		}
		gotEnv, wantEnv := podEnvs(t, got), podEnvs(t, w)
		if !reflect.DeepEqual(sortedKeys(gotEnv), sortedKeys(wantEnv)) {
			t.Errorf("%s: env lists %v, a fresh 2.6 install has %v", key, sortedKeys(gotEnv), sortedKeys(wantEnv))
		}
		for what, env := range wantEnv {
			for _, name := range sortedKeys(env) {
				if g, ok := gotEnv[what][name]; !ok || g != env[name] {
					t.Errorf("%s %s: env var %s reads %q, a fresh 2.6 install %q", key, what, name, g, env[name])
				}
			}
			for _, name := range sortedKeys(gotEnv[what]) {
				if _, ok := env[name]; !ok {
					t.Errorf("%s %s: env var %s, which a fresh 2.6 install has not", key, what, name)
				}
			}
		}
	}
	for _, key := range keysOfKind(want, "Secret") {
		g, _ := bundletest.Get(objects[key], "data").(map[string]any)
		w, _ := bundletest.Get(want[key], "data").(map[string]any)
		if !reflect.DeepEqual(sortedKeys(g), sortedKeys(w)) {
			t.Errorf("%s: keys %v, a fresh 2.6 install has %v", key, sortedKeys(g), sortedKeys(w))
		}
	}
	// The objects section 2.3 adds are the 2.6 template's.
	for _, key := range []string{"ImageStream/backend-redis", "ImageStream/system-redis", "ImageStream/system-memcached", "ImageStream/system-mysql", "ImageStream/zync-database-postgresql"} {
		for _, field := range []string{"labels", "annotations"} {
			if g, w := bundletest.Get(objects[key], "metadata", field), bundletest.Get(want[key], "metadata", field); !reflect.DeepEqual(g, w) {
				t.Errorf("%s metadata.%s: %v, a fresh 2.6 install has %v", key, field, g, w)
			}
		}
	}
	que := want["DeploymentConfig/zync-que"]
	delete(bundletest.Get(que, "spec", "template", "metadata").(map[string]any), "creationTimestamp")
	for key, fields := range map[string][]string{
		"DeploymentConfig/zync-que":        {"spec"},
		"Role/zync-que-role":               {"rules"},
		"RoleBinding/zync-que-rolebinding": {"roleRef", "subjects"},
		"ServiceAccount/zync-que-sa":       {"imagePullSecrets"},
		"ServiceAccount/amp":               {"imagePullSecrets"},
	} {
		for _, field := range fields {
			if g, w := bundletest.Get(objects[key], field), bundletest.Get(want[key], field); !reflect.DeepEqual(g, w) {
				gj, _ := json.Marshal(g)
				wj, _ := json.Marshal(w)
				t.Errorf("%s %s:\n got %s\nwant %s", key, field, gj, wj)
			}
		}
		if g, w := bundletest.Get(objects[key], "metadata", "labels"), bundletest.Get(want[key], "metadata", "labels"); !reflect.DeepEqual(g, w) {
			t.Errorf("%s labels %v, a fresh 2.6 install has %v", key, g, w)
		}
	}
}

// sensitiveOf gives the strings of a fixture that must never reach a
// bundle: every Secret value of 8 bytes or more, and the password of every
// URL among them.
func sensitiveOf(t *testing.T, fixture string) []string {
	t.Helper()
	var out []string
	for _, v := range bundletest.SecretValues(t, fixture) {
		if len(v) >= 8 {
			out = append(out, v)
		}
		if u, err := url.Parse(v); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && len(pw) >= 8 {
				out = append(out, pw)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// checkNoPasswords asserts that no URL password of the fixture's Secrets,
// such as the MySQL root password that the 2.5 template also writes into
// dc/system-mysql, is in the bundle.
func checkNoPasswords(t *testing.T, fixture string, files map[string][]byte) {
	t.Helper()
	for _, v := range sensitiveOf(t, fixture) {
		for name, data := range files {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s contains a Secret value or URL password (%d bytes)", name, len(v))
			}
		}
	}
}

// checkKustomize25 is checkKustomizeMatches for bundles whose objects
// carry redacted values: it renders the last hop with kubectl and compares
// each object with the one kubectl patch gave, with the fixture's sensitive
// strings masked as ampc masks them (kustomized refuses Secrets).
func checkKustomize25(t *testing.T, kubectl, dir string, objects map[string]map[string]any, exact bool, fixture string) {
	t.Helper()
	rendered := kustomized(t, kubectl, dir, lastHop(t, dir))
	var pairs []string
	for _, v := range sensitiveOf(t, fixture) {
		pairs = append(pairs, v, "<redacted>")
	}
	mask := strings.NewReplacer(pairs...)
	for key, obj := range rendered {
		applied, ok := objects[key]
		if !ok {
			t.Errorf("kustomize renders %s, which the upgrade deletes or never had", key)
			continue
		}
		if !exact {
			continue
		}
		b, _ := json.Marshal(applied)
		var masked map[string]any
		if err := json.Unmarshal([]byte(mask.Replace(string(b))), &masked); err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"spec", "data", "rules", "roleRef", "subjects", "imagePullSecrets"} {
			if !reflect.DeepEqual(obj[field], masked[field]) {
				t.Errorf("%s: kustomize renders another %s than kubectl patch gives", key, field)
			}
		}
	}
}

func TestHop25Fixtures(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	for _, tc := range []struct {
		fixture, target string
		s3              bool
	}{
		{"templates/2.5-amp.yaml", "templates/2.6-amp.yaml", false},
		{"templates/2.5-amp-s3.yaml", "templates/2.6-amp-s3.yaml", true},
	} {
		fixture := testenv.Shared(t, "fixtures/"+tc.fixture)
		target := testenv.Shared(t, "fixtures/"+tc.target)
		planPath := plan25(t, "2.6", tc.s3, "mysql", "None", "")
		for _, withSnapshot := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/snapshot=%v", tc.fixture, withSnapshot), func(t *testing.T) {
				t.Parallel()
				snap := ""
				if withSnapshot {
					snap = fixture
				}
				b := bundletest.New(t, planPath, snap)
				files, dir := b.Files, b.Dir
				objects := bundletest.FixtureObjects(t, fixture)
				b.Apply(objects)
				checkHop25(t, objects, target)
				checkKustomize25(t, kubectl, dir, objects, withSnapshot, fixture)
				b.NoSecrets(fixture)
				checkNoPasswords(t, fixture, files)
				ids := stepIndex(readSteps(t, files))
				if _, ok := ids["2.5-2.6/backup-system-app"]; ok == tc.s3 {
					t.Errorf("backup of the system-app files: included = %v on a site with s3 = %v", ok, tc.s3)
				}
			})
		}
	}
}

// TestHop25WildcardPolicy compiles the hop for a site deployed with
// WILDCARD_POLICY=Subdomain and one deployed without, and checks that
// section 2.9 differs as the guide says.
func TestHop25WildcardPolicy(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	target := testenv.Shared(t, "fixtures/templates/2.6-amp.yaml")
	for _, policy := range []string{"Subdomain", "None"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			objects := bundletest.FixtureObjects(t, fixture)
			spec := bundletest.Get(objects["Route/apicast-wildcard-router"], "spec").(map[string]any)
			spec["wildcardPolicy"] = policy
			if policy == "Subdomain" {
				spec["host"] = "wildcard.apps.example.com"
			}
			files := bundletest.Compile(t, plan25(t, "2.6", false, "mysql", policy, ""), "")
			pf := readSteps(t, files)
			ids := stepIndex(pf)
			resync, ok := ids["2.5-2.6/zync-resync"]
			if !ok {
				t.Fatal("no resync step")
			}
			deletesRoute := func(id string) bool {
				i, ok := ids[id]
				if !ok {
					return false
				}
				for _, d := range pf.Steps[i].Deletes {
					if d.Kind == "Route" && d.Name == "apicast-wildcard-router" {
						return true
					}
				}
				return false
			}
			if i, ok := ids["2.5-2.6/default-routes-delete"]; !ok || i > resync || len(pf.Steps[i].Deletes) != 5 {
				t.Errorf("the five default routes are not deleted before the resync")
			}
			runbook := string(files["runbook.sh"])
			switch policy {
			case "Subdomain":
				if !deletesRoute("2.5-2.6/wildcard-route-delete") || ids["2.5-2.6/wildcard-route-delete"] > resync {
					t.Error("the wildcard route is not deleted before the resync")
				}
				for _, id := range []string{"2.5-2.6/manual-routes-delete", "2.5-2.6/wildcard-router-route-delete"} {
					if _, ok := ids[id]; ok {
						t.Errorf("step %s on a Subdomain site", id)
					}
				}
				if !strings.Contains(runbook, "same base WildcardDomain") || strings.Contains(runbook, "host of a route you deleted") {
					t.Error("the route check does not ask for the old wildcard domain")
				}
			case "None":
				if i, ok := ids["2.5-2.6/manual-routes-delete"]; !ok || i > resync || pf.Steps[i].Kind != "manual" {
					t.Error("no manual step before the resync for the routes made by hand")
				}
				if _, ok := ids["2.5-2.6/wildcard-route-delete"]; ok {
					t.Error("the wildcard route is deleted before the resync on a site without Subdomain")
				}
				if !deletesRoute("2.5-2.6/wildcard-router-route-delete") || ids["2.5-2.6/wildcard-router-route-delete"] < ids["2.5-2.6/wildcard-router-service-delete"] {
					t.Error("the route of the deleted apicast-wildcard-router service is left behind")
				}
				if !strings.Contains(runbook, "host of a route you deleted") || strings.Contains(runbook, "same base WildcardDomain") {
					t.Error("the route check does not ask for the hosts of the deleted routes")
				}
			}
			if !strings.Contains(runbook, fmt.Sprintf(`[ "${policy:-None}" = %s ]`, policy)) {
				t.Error("the runbook does not check the site's wildcard policy against the plan")
			}
			bundletest.At(t, bundletest.WriteBundle(t, files)).Apply(objects)
			checkHop25(t, objects, target)
		})
	}
}

// TestHop25Chains chains 2.5 → 2.6 with the later hops, on the fixtures,
// and a site installed at 2.5 and upgraded to 2.7 before ampc.
func TestHop25Chains(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	for _, tc := range []struct {
		fixture, to string
		s3          bool
		installedAt string
	}{
		{"templates/2.5-amp.yaml", "2.7", false, ""},
		{"templates/2.5-amp.yaml", "2.8", false, ""},
		{"templates/2.5-amp-s3.yaml", "2.8", true, ""},
		{"templates/2.5-amp.yaml", "2.8", false, "2.5"},
	} {
		fixture := testenv.Shared(t, "fixtures/"+tc.fixture)
		planPath := plan25(t, tc.to, tc.s3, "mysql", "None", tc.installedAt)
		for _, withSnapshot := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/to=%s/installed=%s/snapshot=%v", tc.fixture, tc.to, tc.installedAt, withSnapshot), func(t *testing.T) {
				t.Parallel()
				objects := bundletest.FixtureObjects(t, fixture)
				if tc.installedAt != "" {
					// Upgraded to 2.7 with ampc's bundles, then what the guides'
					// `oc set env` leaves: the literal AMP_RELEASE, and the
					// ConfigMap at the installed release.
					installed := bundletest.Get(objects["ConfigMap/system-environment"], "data", "AMP_RELEASE")
					bundletest.New(t, plan25(t, "2.7", tc.s3, "mysql", "None", ""), "").Apply(objects)
					objects["ConfigMap/system-environment"]["data"].(map[string]any)["AMP_RELEASE"] = installed
					for _, c := range bundletest.Get(objects["DeploymentConfig/system-app"], "spec", "template", "spec", "containers").([]any) {
						for _, e := range c.(map[string]any)["env"].([]any) {
							if e := e.(map[string]any); e["name"] == "AMP_RELEASE" {
								delete(e, "valueFrom")
								e["value"] = "2.7"
							}
						}
					}
				}
				snap := ""
				if withSnapshot {
					snap = fixture
					if tc.installedAt != "" {
						snap = bundletest.WriteObjects(t, objects)
					}
				}
				b := bundletest.New(t, planPath, snap)
				files, dir := b.Files, b.Dir
				b.Apply(objects)
				checkRelease(t, objects, tc.to)
				switch tc.to {
				case "2.8":
					checkUpgraded(t, objects, tc.s3, "mysql")
				case "2.7":
					checkLikeFixture(t, objects, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
				}
				checkKustomize25(t, kubectl, dir, objects, withSnapshot, fixture)
				b.NoSecrets(fixture)
				checkNoPasswords(t, fixture, files)
			})
		}
	}
}

// TestHop25Branches compiles the hop for each system database, with and
// without S3, and checks the branches and the runbook's tools.
func TestHop25Branches(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"mysql", "postgresql", "oracle"} {
		for _, s3 := range []bool{false, true} {
			for _, policy := range []string{"None", "Subdomain"} {
				t.Run(fmt.Sprintf("%s/s3=%v/%s", db, s3, policy), func(t *testing.T) {
					t.Parallel()
					files := bundletest.Compile(t, plan25(t, "2.6", s3, db, policy, ""), "")
					pf := readSteps(t, files)
					ids := stepIndex(pf)
					created := map[string]bool{}
					for _, s := range pf.Steps {
						for _, m := range s.Manifests {
							created[m.Target.Kind+"/"+m.Target.Name] = true
						}
					}
					has := func(id string) bool { _, ok := ids["2.5-2.6/"+id]; return ok }
					for id, want := range map[string]bool{
						"backup-system-mysql":                db == "mysql",
						"backup-system-postgresql":           db == "postgresql",
						"backup-oracle":                      db == "oracle",
						"system-mysql-image-stream":          db == "mysql",
						"system-postgresql-image-stream":     db == "postgresql",
						"new-image-stream-system-mysql":      db == "mysql",
						"new-image-stream-system-postgresql": db == "postgresql",
						"image-amp-system":                   db != "oracle",
						"image-amp-system-oracle":            db == "oracle",
						"backup-system-app":                  !s3,
						"wildcard-route-delete":              policy == "Subdomain",
						"manual-routes-delete":               policy == "None",
					} {
						if has(id) != want {
							t.Errorf("step %s: included = %v, want %v", id, has(id), want)
						}
					}
					if created["ImageStream/system-mysql"] != (db == "mysql") || created["ImageStream/system-postgresql"] != (db == "postgresql") {
						t.Errorf("database image streams created: %v", created)
					}
					for _, key := range []string{"ServiceAccount/amp", "ImageStream/backend-redis", "ImageStream/system-redis", "ImageStream/system-memcached", "ImageStream/zync-database-postgresql", "Role/zync-que-role", "ServiceAccount/zync-que-sa", "RoleBinding/zync-que-rolebinding", "DeploymentConfig/zync-que"} {
						if !created[key] {
							t.Errorf("%s is not created", key)
						}
					}
					bundleToolChecks(t, bundletest.WriteBundle(t, files), "2.5-2.6/registry-auth-secret")
					for _, line := range strings.Split(string(files["runbook.sh"]), "\n") {
						if strings.Contains(line, "--export") && !strings.HasPrefix(strings.TrimSpace(line), "#") {
							t.Errorf("the runbook runs oc get --export, which oc 4 has not: %s", line)
						}
					}
				})
			}
		}
	}
}
