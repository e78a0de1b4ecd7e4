package emit_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The findings of section D ("Other branches") of the December 2026 audit
// (../shared/audits/2026-12-runbook-audit.md), each with a test that failed
// on the runbooks before the fix.

// templatePlan writes a plan for a template-based site.
func templatePlan(t *testing.T, from, to, db, extra string) string {
	t.Helper()
	return bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "`+from+`"
  to              = "`+to+`"
  system_database = "`+db+`"
`+extra+`}
`)
}

// oracleBuildConfig is bc/3scale-amp-system-oracle as amp/system-oracle/
// build.yml creates it, building from amp-system:FROM.
func oracleBuildConfig(from string) map[string]any {
	return map[string]any{
		"apiVersion": "build.openshift.io/v1", "kind": "BuildConfig",
		"metadata": map[string]any{"name": "3scale-amp-system-oracle", "namespace": "3scale"},
		"spec": map[string]any{
			"source":   map[string]any{"type": "Binary"},
			"output":   map[string]any{"to": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:latest"}},
			"strategy": map[string]any{"type": "Docker", "dockerStrategy": map[string]any{"from": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:" + from}}},
		},
	}
}

// oracleBuildDir writes a build context as oracle-build-context asks for:
// the Dockerfile of amp/system-oracle and the Instant Client packages.
func oracleBuildDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "oracle-client-files"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"Dockerfile": dockerfile,
		"oracle-client-files/instantclient-basiclite-linux.x64-12.2.0.1.0.zip": "zip",
		"oracle-client-files/instantclient-sdk-linux.x64-12.2.0.1.0.zip":       "zip",
		"oracle-client-files/instantclient-odbc-linux.x64-12.2.0.1.0-2.zip":    "zip",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runbookOrder fails the test unless the runbook lists the steps in this
// order.
func runbookOrder(t *testing.T, runbook string, ids ...string) {
	t.Helper()
	last, lastID := -1, ""
	for _, id := range ids {
		i := strings.Index(runbook, "\n  '"+id+"'\n")
		if i < 0 {
			t.Errorf("the runbook has no step %s", id)
			continue
		}
		if i < last {
			t.Errorf("step %s runs before %s", id, lastID)
		}
		last, lastID = i, id
	}
}

// TestAuditD25OracleBuildsOn26 (S1 "2.5→2.6 Oracle"): the 2.5 → 2.6 hop of
// an Oracle site adds the 2.6 tag to amp-system without moving latest (the
// build's output), points bc/3scale-amp-system-oracle at amp-system:2.6
// and builds, as the 2.4 → 2.5 hop does for 2.5.0. Before, the hop added no
// tag at all and left the BuildConfig on amp-system:2.5.0: the "2.6" build
// was a 2.5 image.
func TestAuditD25OracleBuildsOn26(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.5", "2.6", "oracle", ""), ""))
	c := bundletest.NewCluster(t, fixture)
	c.Put(t, oracleBuildConfig("2.5.0"))
	work := t.TempDir()
	for _, step := range []string{"image-amp-system-oracle", "oracle-build-config"} {
		if out, err := c.Run(t, bundle, work, "", "--only", "2.5-2.6/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	objects := c.Objects(t)
	if from := bundletest.Get(objects["BuildConfig/3scale-amp-system-oracle"], "spec", "strategy", "dockerStrategy", "from", "name"); from != "amp-system:2.6" {
		t.Errorf("the Oracle build starts from %v, not amp-system:2.6", from)
	}
	tags := bundletest.Tags(t, objects["ImageStream/amp-system"])
	if bundletest.Get(tags["2.6"], "from", "name") != "registry.redhat.io/3scale-amp26/system" {
		t.Errorf("amp-system:2.6 is %v", tags["2.6"])
	}
	if bundletest.Get(tags["latest"], "from", "name") != "2.5.0" {
		t.Errorf("amp-system:latest, the Oracle build's output, was moved to %v", bundletest.Get(tags["latest"], "from"))
	}

	// The build runs on the prepared directory, and refuses one that holds
	// the 2.5 non-CDB workaround, which 2.6 must not have.
	good := oracleBuildDir(t, "FROM amp-system:2.6\n")
	out, err := c.Exec(t, bundle, work, []string{"AMPC_ORACLE_BUILD_DIR=" + good}, "--only", "2.5-2.6/oracle-build")
	if err != nil {
		t.Fatalf("oracle-build: %v\n%s", err, out)
	}
	if bundletest.CountCalls(c.Calls(t), "start-build 3scale-amp-system-oracle") != 1 {
		t.Errorf("no build started: %v", c.Calls(t))
	}
	stale := oracleBuildDir(t, "FROM amp-system:2.5.0\nADD ./workaround-non-cdb-2.5-upgrade/database.rb /opt/system/lib/system/database.rb\n")
	out, err = c.Exec(t, bundle, work, []string{"AMPC_ORACLE_BUILD_DIR=" + stale}, "--only", "2.5-2.6/oracle-build")
	if err == nil || !strings.Contains(out, "workaround-non-cdb-2.5-upgrade, which is not for 3scale 2.6") {
		t.Errorf("the build ran on a context with the 2.5 workaround: %v\n%s", err, out)
	}
}

// TestAuditDOracleContextBeforeWindow (S2 "oracle-build-context"): the
// manual preparation of the Oracle build context, and its check, come
// before anything changes, in particular before the 2.4 → 2.5 hop scales
// system down for the Accounts table window. Before, the runbook stopped
// for it after the scale-down: outage time.
func TestAuditDOracleContextBeforeWindow(t *testing.T) {
	t.Parallel()
	runbook := string(bundletest.Compile(t, templatePlan(t, "2.4", "2.6", "oracle", ""), "")["runbook.sh"])
	runbookOrder(t, runbook,
		"2.4-2.5/oracle-build-context", "2.4-2.5/oracle-build-context-verify", "2.4-2.5/backup",
		"2.4-2.5/oracle-window-scale-down", "2.4-2.5/oracle-build")
	runbookOrder(t, runbook,
		"2.5-2.6/oracle-build-context", "2.5-2.6/oracle-build-context-verify", "2.5-2.6/backup-directories",
		"2.5-2.6/image-amp-system-oracle", "2.5-2.6/oracle-build-config", "2.5-2.6/oracle-build", "2.5-2.6/wait-system")
}

// renamed is a copy of obj with every "from" in its strings made "to": a
// DeploymentConfig of a fixture turned into another (system-mysql into a
// site's own system-postgresql, with its selector and pod labels).
func renamed(t *testing.T, obj map[string]any, from, to string) map[string]any {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(raw), from, to)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditD25PostgreSQLVersion (S1 "2.5→2.6 PostgreSQL"): the 2.5
// templates ship no PostgreSQL, and the hop moves the site's own
// system-postgresql onto the 2.6 image stream, PostgreSQL 10. The runbook
// now reads the running server's version (psql --version in its pod) before
// anything changes and stops on another major version, saying what to do;
// before, it went on and moved a 9.5 data directory onto PostgreSQL 10.
func TestAuditD25PostgreSQLVersion(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.5", "2.6", "postgresql", ""), ""))
	for _, tc := range []struct {
		version string
		ok      bool
	}{
		{"psql (PostgreSQL) 9.5.14\n", false},
		{"psql (PostgreSQL) 12.4\n", false},
		{"psql (PostgreSQL) 10.6\n", true},
	} {
		c := bundletest.NewCluster(t, fixture)
		mysql := bundletest.FixtureObjects(t, fixture)["DeploymentConfig/system-mysql"]
		if err := os.Remove(filepath.Join(c.Dir, "objects", "DeploymentConfig.system-mysql.json")); err != nil {
			t.Fatal(err)
		}
		c.Put(t, renamed(t, mysql, "system-mysql", "system-postgresql"))
		c.ExecOut(t, tc.version)
		out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.5-2.6/system-postgresql-version-check")
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: the check refused PostgreSQL 10: %v\n%s", tc.version, err, out)
		case !tc.ok && err == nil:
			t.Errorf("%s: the check passed:\n%s", tc.version, out)
		case !tc.ok && !strings.Contains(out, "which does not start on the data directory of another major version. Upgrade the system database to PostgreSQL 10 first"):
			t.Errorf("%s: the check does not say what to do:\n%s", tc.version, out)
		}
	}
}

// TestAuditDMissingOC (S2 "command -v oc"): with no oc on PATH, the
// preflight reports oc as missing. Before, command -v found the runbook's
// own oc function, and the run stopped with "not logged in to OpenShift".
func TestAuditDMissingOC(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), ""))
	// A PATH with every program the runbook runs before its preflight, and
	// jq and base64, but no oc.
	bin := t.TempDir()
	for _, tool := range []string{"jq", "base64", "date", "dirname", "tee", "cat", "sed", "grep", "mkdir"} {
		path, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bash, filepath.Join(bundle, "runbook.sh"))
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + bin, "HOME=" + cmd.Dir}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ampc: oc is not installed") {
		t.Errorf("a PATH without oc: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "not logged in") {
		t.Errorf("a missing oc is reported as a missing login:\n%s", out)
	}
}

// TestAuditDRoutesVerifyManyRoutes (S2 "routes-verify"): the migration's
// route check passes on a site with thousands of routes. Before, it piped
// the host list into grep -q under pipefail: grep stopped at the first
// match, printf died of SIGPIPE, and the check failed for ten minutes.
func TestAuditDRoutesVerifyManyRoutes(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.8-template-to-operator.hcl"), ""))
	c := bundletest.NewCluster(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	route := func(name, host string) map[string]any {
		return map[string]any{"apiVersion": "route.openshift.io/v1", "kind": "Route",
			"metadata": map[string]any{"name": name, "namespace": "3scale"},
			"spec":     map[string]any{"host": host, "to": map[string]any{"kind": "Service", "name": "system-provider"}}}
	}
	c.Put(t, route("zync-master", "master.3scale.example.com"))
	// 3000 tenants with long names: some 240 kB of host names, far more
	// than a pipe holds.
	for i := range 3000 {
		c.Put(t, route(fmt.Sprintf("zync-tenant-%04d", i), fmt.Sprintf("tenant-%04d-%s-admin.3scale.example.com", i, strings.Repeat("a", 40))))
	}
	// The steps on the new cluster check that the backup came from another.
	backups := t.TempDir()
	if err := os.MkdirAll(filepath.Join(backups, "2.8-2.8"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(backups, "2.8-2.8", "source-server"), []byte("https://ocp3.example.com:8443\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := c.Exec(t, bundle, t.TempDir(), []string{"AMPC_BACKUP_DIR=" + backups}, "--only", "2.8-2.8/routes-verify")
	if err != nil {
		t.Fatalf("routes-verify on 3001 routes: %v\n%s", err, lastLines(out, 5))
	}
	if !strings.Contains(out, "tenant-2999-"+strings.Repeat("a", 40)+"-admin.3scale.example.com") {
		t.Errorf("the routes are not listed:\n%s", lastLines(out, 5))
	}
}

// lastLines is the end of a long output, for a failure message.
func lastLines(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestAuditDOracleSiteCheck (S2 "Oracle plan against a MySQL site"), at
// run time: a bundle compiled without a snapshot for an Oracle site stops
// first thing on a site whose system-database Secret points system at
// MySQL, without printing the URL (c.exec checks that no Secret value is
// printed), and passes on one that points it at Oracle. Before, the 2.7 →
// 2.8 runbook went on and skipped the site's MySQL steps.
func TestAuditDOracleSiteCheck(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.7", "2.8", "oracle", ""), ""))
	runbookOrder(t, string(mustReadFile(t, filepath.Join(bundle, "runbook.sh"))), "2.7-2.8/oracle-site-check", "2.7-2.8/backup")
	c := bundletest.NewCluster(t, fixture)
	out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.7-2.8/oracle-site-check")
	if err == nil || !strings.Contains(out, `the plan says system_database = "oracle", but secret/system-database points system at a MySQL database (mysql2://)`) {
		t.Errorf("an Oracle plan on a MySQL site: %v\n%s", err, out)
	}
	secret := bundletest.FixtureObjects(t, fixture)["Secret/system-database"]
	secret["data"].(map[string]any)["URL"] = base64.StdEncoding.EncodeToString([]byte("oracle-enhanced://system:s3cr3t-passw0rd@oracle.example.com:1521/threescalepdb"))
	c.Put(t, secret)
	if out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.7-2.8/oracle-site-check"); err != nil || strings.Contains(out, "s3cr3t") {
		t.Errorf("an Oracle site: %v\n%s", err, out)
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestAuditDGuideUpgradedRuns (S2 "Guide-upgraded sites refused"), at run
// time: a site installed at 2.5 and upgraded to 2.7 with the guides, whose
// `oc set env dc/system-app AMP_RELEASE=...` left the ConfigMap at 2.5.0
// and the literal 2.7 in every system-app container. The preflight takes
// it for the 2.7 site it is, and the bundle's AMP_RELEASE patch applies,
// compiled with the plan's installed_at and with a snapshot. Before, the
// preflight refused it ("is '2.5', not 2.7") and the patch tested 2.7.
func TestAuditDGuideUpgradedRuns(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	site := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
	site["ConfigMap/system-environment"]["data"].(map[string]any)["AMP_RELEASE"] = "2.5.0"
	for _, c := range bundletest.Get(site["DeploymentConfig/system-app"], "spec", "template", "spec", "containers").([]any) {
		for _, e := range c.(map[string]any)["env"].([]any) {
			if e := e.(map[string]any); e["name"] == "AMP_RELEASE" {
				delete(e, "valueFrom")
				e["value"] = "2.7"
			}
		}
	}
	snapshot := bundletest.WriteObjects(t, site)
	for name, snap := range map[string]string{"installed_at": "", "snapshot": snapshot} {
		bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.7", "2.8", "mysql", "  installed_at    = \"2.5\"\n"), snap))
		c := bundletest.NewCluster(t, snapshot)
		out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.7-2.8/amp-release")
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
			continue
		}
		if got := bundletest.Get(c.Objects(t)["ConfigMap/system-environment"], "data", "AMP_RELEASE"); got != "2.8" {
			t.Errorf("%s: AMP_RELEASE is %v after the step", name, got)
		}
	}
}

// TestAuditDMigrationTenantName (S2 "Chapter 3 APIManager"), at run time:
// a bundle compiled without a snapshot gives the APIManager the plan's
// tenant_name (3scale when not given), and its first step stops on a site
// whose TENANT_NAME (secret/system-seed, compared, never printed) is
// another, saying to set operator.tenant_name. Before, the APIManager had
// no tenantName, and nothing compared it with the site's.
func TestAuditDMigrationTenantName(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	site := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	site["ConfigMap/system-environment"]["data"].(map[string]any)["THREESCALE_SUPERDOMAIN"] = "3scale.example.com"
	site["Secret/system-seed"]["data"].(map[string]any)["TENANT_NAME"] = base64.StdEncoding.EncodeToString([]byte("acme"))
	fixture := bundletest.WriteObjects(t, site)
	plan := string(mustReadFile(t, filepath.Join(testenv.Root(), "examples", "2.8-template-to-operator.hcl")))
	for tenant, ok := range map[string]bool{"": false, "acme": true} {
		body := plan
		if tenant != "" {
			body = strings.Replace(plan, `wildcard_domain = "3scale.example.com"`, `wildcard_domain = "3scale.example.com"
  tenant_name     = "`+tenant+`"`, 1)
		}
		files := bundletest.Compile(t, bundletest.WritePlan(t, body), "")
		want := tenant
		if want == "" {
			want = "3scale"
		}
		if !strings.Contains(string(files["manifests/apimanager-apimanager.json"]), `"tenantName": "`+want+`"`) {
			t.Errorf("tenant_name %q: the APIManager does not name tenantName %s:\n%s", tenant, want, files["manifests/apimanager-apimanager.json"])
		}
		c := bundletest.NewCluster(t, fixture)
		out, err := c.Run(t, bundletest.WriteBundle(t, files), t.TempDir(), "", "--only", "2.8-2.8/source-check")
		switch {
		case ok && err != nil:
			t.Errorf("tenant_name %q: source-check refused the site: %v\n%s", tenant, err, out)
		case !ok && (err == nil || !strings.Contains(out, "the site's TENANT_NAME (in secret/system-seed) is not 3scale") || !strings.Contains(out, "Set operator.tenant_name")):
			t.Errorf("tenant_name %q: source-check passed a site with TENANT_NAME acme: %v\n%s", tenant, err, out)
		}
	}
}

// TestAuditDSystemRedisKeepsSentinel (S2 "system-redis-secret"): a site
// whose system-redis Secret holds Sentinel settings keeps them. The bundle
// compiled without a snapshot adds each key only where the Secret lacks it
// (the runbook skips the key's patch when the Secret has the key), and one
// compiled with a snapshot that shows the keys leaves them out. Before, the
// plan-only patch's add replaced the values with "" (an RFC 6902 add on an
// existing member replaces it), and the snapshot was refused ("already").
func TestAuditDSystemRedisKeepsSentinel(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	site := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"))
	hosts := base64.StdEncoding.EncodeToString([]byte("redis://sentinel-0.example.com:26379,redis://sentinel-1.example.com:26379"))
	data := site["Secret/system-redis"]["data"].(map[string]any)
	data["SENTINEL_HOSTS"], data["SENTINEL_ROLE"] = hosts, base64.StdEncoding.EncodeToString([]byte("master"))
	snapshot := bundletest.WriteObjects(t, site)
	for name, snap := range map[string]string{"plan only": "", "snapshot": snapshot} {
		bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.5", "2.6", "mysql", ""), snap))
		c := bundletest.NewCluster(t, snapshot)
		out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.5-2.6/system-redis-secret")
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		got := bundletest.Get(c.Objects(t)["Secret/system-redis"], "data").(map[string]any)
		if got["SENTINEL_HOSTS"] != hosts || got["SENTINEL_ROLE"] != data["SENTINEL_ROLE"] {
			t.Errorf("%s: the site's Sentinel settings were overwritten: %v", name, got)
		}
		for _, key := range []string{"MESSAGE_BUS_SENTINEL_HOSTS", "MESSAGE_BUS_SENTINEL_ROLE", "MESSAGE_BUS_NAMESPACE", "MESSAGE_BUS_URL", "NAMESPACE"} {
			if v, ok := got[key]; !ok || v != "" {
				t.Errorf("%s: %s = %v, %v; want the guide's empty default", name, key, v, ok)
			}
		}
	}
}

// TestAuditDAmpGetsDefaultPermissions (S2 "2.2 step 9"): before the
// DeploymentConfigs move to the amp service account, amp gets what the
// project's default service account holds. A RoleBinding of the project
// that names default gets a twin for amp; a cluster role binding and a
// security context constraint that name default and not amp stop the step
// with the commands a cluster administrator runs, and the step passes once
// they are granted; where the runbook cannot read them, it stops with what
// to verify, and --ack confirms. Before, the step only told a person to
// grant the view cluster role.
func TestAuditDAmpGetsDefaultPermissions(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, templatePlan(t, "2.5", "2.6", "mysql", ""), ""))
	c := bundletest.NewCluster(t, testenv.Shared(t, "fixtures/templates/2.5-amp.yaml"))
	rbac := "rbac.authorization.k8s.io"
	defaultSA := map[string]any{"kind": "ServiceAccount", "name": "default", "namespace": "3scale"}
	ampSA := map[string]any{"kind": "ServiceAccount", "name": "amp", "namespace": "3scale"}
	c.Put(t, map[string]any{"apiVersion": rbac + "/v1", "kind": "RoleBinding",
		"metadata": map[string]any{"name": "sd-edit", "namespace": "3scale"},
		"roleRef":  map[string]any{"apiGroup": rbac, "kind": "ClusterRole", "name": "edit"},
		"subjects": []any{defaultSA}})
	c.Put(t, map[string]any{"apiVersion": rbac + "/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "view-3scale-default"},
		"roleRef":  map[string]any{"apiGroup": rbac, "kind": "ClusterRole", "name": "view"},
		"subjects": []any{defaultSA}})
	scc := map[string]any{"apiVersion": "security.openshift.io/v1", "kind": "SecurityContextConstraints",
		"metadata": map[string]any{"name": "anyuid"}, "allowPrivilegedContainer": false,
		"users": []any{"system:serviceaccount:3scale:default"}}
	c.Put(t, scc)
	work := t.TempDir()
	step := "2.5-2.6/amp-service-account-permissions"
	out, err := c.Run(t, bundle, work, "", "--only", step)
	for _, want := range []string{"oc adm policy add-cluster-role-to-user view system:serviceaccount:3scale:amp", "oc adm policy add-scc-to-user anyuid -z amp -n 3scale"} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("the missing cluster-wide grants do not stop the step with %q: %v\n%s", want, err, out)
		}
	}
	twin := c.Objects(t)["RoleBinding/amp-sd-edit"]
	if bundletest.Get(twin, "roleRef", "name") != "edit" || bundletest.Get(twin, "subjects", 0, "name") != "amp" {
		t.Errorf("the project's RoleBinding of default has no twin for amp: %v", twin)
	}
	// The cluster administrator grants them.
	c.Put(t, map[string]any{"apiVersion": rbac + "/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "view-3scale-amp"},
		"roleRef":  map[string]any{"apiGroup": rbac, "kind": "ClusterRole", "name": "view"},
		"subjects": []any{ampSA}})
	scc["users"] = []any{"system:serviceaccount:3scale:default", "system:serviceaccount:3scale:amp"}
	c.Put(t, scc)
	if out, err := c.Run(t, bundle, work, "", "--only", step); err != nil {
		t.Errorf("once granted: %v\n%s", err, out)
	}
	// A user who cannot read the security context constraints (the
	// injected failure fails the first such call of a cluster's life, so
	// each run gets a copy of the cluster).
	unreadable := func(args ...string) (string, error) {
		u := bundletest.NewCluster(t, bundletest.WriteObjects(t, c.Objects(t)))
		return u.Run(t, bundle, t.TempDir(), "get securitycontextconstraints", args...)
	}
	out, err = unreadable("--only", step)
	if err == nil || !strings.Contains(out, "cannot read the security context constraints") || !strings.Contains(out, "--ack "+step) {
		t.Errorf("unreadable constraints: %v\n%s", err, out)
	}
	if out, err := unreadable("--only", step, "--ack", step); err != nil || !strings.Contains(out, "confirmed with --ack") {
		t.Errorf("unreadable constraints, confirmed with --ack: %v\n%s", err, out)
	}
}

// TestAuditDMirrorImageSources (S2 "Registry mirror"): with a registry
// mirror, images.txt maps each image the bundle sets to its mirror, from
// the source the bundle sets: the images of a plan compiled without the
// mirror, no other. The images a site already runs are neither sources nor
// moved to the mirror in the objects the bundle shows. Before, the sources
// were read again from the whole objects after each patch, and a 2.5 site's
// registry.access.redhat.com images of its database DeploymentConfigs
// became the sources of the 2.6 database images.
func TestAuditDMirrorImageSources(t *testing.T) {
	t.Parallel()
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	const mirror = "mirror.example.com:5000"
	for _, to := range []string{"2.6", "2.8"} {
		plain := bundletest.Compile(t, templatePlan(t, "2.5", to, "mysql", ""), fixture)
		mirrored := bundletest.Compile(t, bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.5"
  to              = "`+to+`"
  system_database = "mysql"
}
registry {
  mirror = "`+mirror+`"
}
`), fixture)
		want := strings.Split(strings.TrimSpace(string(plain["images.txt"])), "\n")
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(mirrored["images.txt"])), "\n") {
			source, pulled, ok := strings.Cut(line, "=")
			_, path, _ := strings.Cut(source, "/")
			if !ok || pulled != mirror+"/"+path {
				t.Errorf("2.5 → %s: images.txt line %q is not SOURCE=%s/PATH", to, line, mirror)
			}
			got = append(got, source)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("2.5 → %s: images.txt sources:\n%s\nwant the images the bundle sets:\n%s", to, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for name, data := range mirrored {
			if strings.Contains(string(data), "registry.access.redhat.com") && strings.Contains(name, "images.txt") {
				t.Errorf("2.5 → %s: images.txt names the old registry", to)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if strings.Contains(line, "image: "+mirror) || strings.Contains(line, `"image": "`+mirror) {
					t.Errorf("2.5 → %s: %s shows a container image the bundle does not set moved to the mirror: %s", to, name, strings.TrimSpace(line))
					break
				}
			}
		}
	}
}
