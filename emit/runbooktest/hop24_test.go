package runbooktest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The run-time steps of the 2.4 → 2.5 hop (002_fcdd7c3ee9f6ca34.txt) on the
// simulated cluster; emit/hop24_test.go holds the hop's bundle tests.

// TestHop24RunbookSteps runs the run-time steps of the hop against the fake
// oc seeded with the 2.4 fixture: the rolling_updates.yml edit, the copy of
// the MySQL credentials into system-database (never printed), and the import
// policy of postgresql:10. Each is harmless to run twice.
func TestHop24RunbookSteps(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	target := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"))
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	work := t.TempDir()
	only := func(step string) string {
		t.Helper()
		out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/"+step)
		if err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
		return out
	}
	rollingUpdates := func(cm map[string]any) map[string]any {
		var v map[string]any
		if err := yaml.Unmarshal([]byte(bundletest.Get(cm, "data", "rolling_updates.yml").(string)), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	// 2.2: the flags of a fresh 2.5 install, and nothing else changed.
	only("rolling-updates")
	got := c.Objects(t)["ConfigMap/system"]
	if want := rollingUpdates(target["ConfigMap/system"]); !reflect.DeepEqual(rollingUpdates(got), want) {
		t.Errorf("rolling_updates.yml = %v, a fresh 2.5 install has %v", rollingUpdates(got), want)
	}
	for _, k := range []string{"service_discovery.yml", "zync.yml"} {
		if bundletest.Get(got, "data", k) != bundletest.Get(bundletest.FixtureObjects(t, fixture)["ConfigMap/system"], "data", k) {
			t.Errorf("configmap/system %s changed", k)
		}
	}
	if out := only("rolling-updates"); !strings.Contains(out, "already done: skipped") {
		t.Errorf("a second run of rolling-updates was not skipped:\n%s", out)
	}
	only("rolling-updates-verify")

	// A site with its own flags keeps them; a flag set to false is turned on
	// where it stands.
	custom := bundletest.DeepCopy(t, bundletest.FixtureObjects(t, fixture)["ConfigMap/system"])
	text := bundletest.Get(custom, "data", "rolling_updates.yml").(string)
	text = strings.Replace(text, "  proxy_pro: false\n", "  proxy_pro: true\n  policy_registry: false\n", 1)
	custom["data"].(map[string]any)["rolling_updates.yml"] = text
	c.Put(t, custom)
	only("rolling-updates")
	after := bundletest.Get(c.Objects(t)["ConfigMap/system"], "data", "rolling_updates.yml").(string)
	if want := strings.Replace(text, "policy_registry: false", "policy_registry: true", 1); !strings.HasSuffix(after, want[len("production:\n"):]) || !strings.Contains(after, "  service_mesh_integration: true\n") {
		t.Errorf("rolling_updates.yml of a customized site:\n%s", after)
	}
	flags := rollingUpdates(c.Objects(t)["ConfigMap/system"])["production"].(map[string]any)
	if flags["proxy_pro"] != true || flags["policy_registry"] != true || flags["service_mesh_integration"] != true {
		t.Errorf("flags of a customized site: %v", flags)
	}

	// 2.3: DB_USER and DB_PASSWORD are system-mysql's, the URL is kept, and
	// no value is printed or passed on a command line.
	mysqlEnv := bundletest.EnvOf(t, bundletest.ContainerEnv(t, bundletest.FixtureObjects(t, fixture)["DeploymentConfig/system-mysql"], "system-mysql"))
	user, password := mysqlEnv["MYSQL_USER"]["value"].(string), mysqlEnv["MYSQL_PASSWORD"]["value"].(string)
	out := only("system-database-secret")
	secret := c.Objects(t)["Secret/system-database"]
	for key, want := range map[string]string{"DB_USER": user, "DB_PASSWORD": password, "URL": ""} {
		raw, _ := bundletest.Get(secret, "data", key).(string)
		dec, _ := base64.StdEncoding.DecodeString(raw)
		if key == "URL" {
			if raw != bundletest.Get(bundletest.FixtureObjects(t, fixture)["Secret/system-database"], "data", "URL") {
				t.Error("system-database URL changed")
			}
			continue
		}
		if string(dec) != want {
			t.Errorf("system-database %s does not hold system-mysql's value", key)
		}
	}
	out += only("system-database-secret-verify")
	out += only("system-mysql-env")
	out += only("system-database-secret-verify")
	if second := only("system-database-secret"); !strings.Contains(second, "already done: skipped") {
		t.Errorf("a second copy was not skipped:\n%s", second)
	}
	calls := strings.Join(c.Calls(t), "\n")
	for _, where := range []string{out, calls} {
		if strings.Contains(where, password) {
			t.Error("the MySQL password was printed or passed on a command line")
		}
	}
	if !strings.Contains(calls, "replace -f -") {
		t.Errorf("system-database was not replaced from standard input:\n%s", calls)
	}
	env := bundletest.EnvOf(t, bundletest.ContainerEnv(t, c.Objects(t)["DeploymentConfig/system-mysql"], "system-mysql"))
	bundletest.WantSecretRef(t, "system-mysql", env, "MYSQL_PASSWORD", "system-database", "DB_PASSWORD", false)

	// 2.5.1 and 2.5.3: the import policy of 9.5 carried to 10.
	only("zync-import-policy")
	saved, err := os.ReadFile(filepath.Join(work, "backups", "3scale-2.4", "2.4-2.5", "postgresql-import-insecure"))
	if err != nil || strings.TrimSpace(string(saved)) != "false" {
		t.Errorf("saved import policy %q: %v", saved, err)
	}
	only("zync-database-tag")
	// A secure import policy is the default: nothing to set.
	if out := only("zync-database-tag-import-policy"); !strings.Contains(out, "already done: skipped") {
		t.Errorf("zync-database-tag-import-policy changed a secure tag:\n%s", out)
	}
	if got := bundletest.Get(bundletest.Tags(t, c.Objects(t)["ImageStream/postgresql"])["10"], "importPolicy", "insecure"); got != nil && got != false {
		t.Errorf("postgresql:10 insecure = %v", got)
	}
	// A site that imported 9.5 from an insecure registry imports 10 so too.
	if err := os.WriteFile(filepath.Join(work, "backups", "3scale-2.4", "2.4-2.5", "postgresql-import-insecure"), []byte("true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	only("zync-database-tag-import-policy")
	if got := bundletest.Get(bundletest.Tags(t, c.Objects(t)["ImageStream/postgresql"])["10"], "importPolicy"); !reflect.DeepEqual(got, map[string]any{"insecure": true}) {
		t.Errorf("postgresql:10 import policy %v, want insecure", got)
	}
	if out := only("zync-database-tag-import-policy"); !strings.Contains(out, "already done: skipped") {
		t.Errorf("a second run of zync-database-tag-import-policy was not skipped:\n%s", out)
	}

	// The whole runbook prints without a cluster.
	calls0 := len(c.Calls(t))
	if out, err := c.Run(t, bundle, work, "", "--dry-run"); err != nil || !strings.Contains(out, "2.4-2.5/zync-database-cleanup") {
		t.Errorf("--dry-run: %v\n%s", err, out)
	}
	if len(c.Calls(t)) != calls0 {
		t.Error("--dry-run called oc")
	}
}

// TestHop24RestartSystemOnce: the 2.2 restart of system-app and
// system-sidekiq starts one deployment of each, also when the cluster took
// an oc rollout latest whose answer the client lost, and the step is run
// again (the fault plan of TestRunbookProperties on 2.4-to-2.5-mysql, seed
// 2, found system-app at deployment #4 where the run without faults left
// #3); a later run of the step starts none. A lost answer to oc rollout
// latest is found in the same run, by the deployment it started. The step does not wait for the
// deployments: wait-restart does.
func TestHop24RestartSystemOnce(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	for _, fail := range []string{"", "rollout latest dc/system-app", "rollout latest dc/system-sidekiq", "get dc/system-sidekiq"} {
		t.Run("fail="+fail, func(t *testing.T) {
			t.Parallel()
			c := bundletest.NewCluster(t, fixture)
			work := t.TempDir()
			// The first call settles the seeded site.
			if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/rolling-updates"); err != nil {
				t.Fatalf("rolling-updates: %v\n%s", err, out)
			}
			before := c.Objects(t)
			env := []string{"FAKEOC_FAIL_AFTER=" + fail}
			if fail == "" {
				env = nil
			}
			out, err := c.Exec(t, bundle, work, env, "--only", "2.4-2.5/restart-system")
			if fail != "" && bundletest.CountCalls(c.Calls(t), fail) == 0 {
				t.Fatalf("no call matched %q:\n%s", fail, out)
			}
			if err != nil && fail != "" {
				out, err = c.Run(t, bundle, work, "", "--only", "2.4-2.5/restart-system")
			}
			if err != nil {
				t.Fatalf("restart-system: %v\n%s", err, out)
			}
			if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/restart-system"); err != nil {
				t.Fatalf("restart-system again: %v\n%s", err, out)
			}
			after := c.Objects(t)
			for _, dc := range []string{"system-app", "system-sidekiq"} {
				if b, a := latestVersion(before, dc), latestVersion(after, dc); a != b+1 {
					t.Errorf("%s went from deployment #%d to #%d, want one restart (#%d)", dc, b, a, b+1)
				}
			}
		})
	}
}
