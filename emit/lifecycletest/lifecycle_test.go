package lifecycletest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

// The operator lifecycle's sites: the 2.8 → 2.15 chain of
// examples/2.8-to-2.15-operator.hcl on a simulated 2.8 operator site on
// OpenShift 4.8 (bundletest.OpSeed), every hop of the operator's
// DeploymentConfig era and the move to Deployments; and 2.9 → 2.16 with
// the databases moved out of 3scale (the Redis data checked where it
// goes, movedRedis).
var sites = []proptest.Site{
	{Example: "2.8-to-2.15-operator", Build: bundletest.OpSeed("2.8", "mysql"), Manual: manualLifecycle, Databases: true, Falsify: sampledFalsifiers},
	{Example: "2.9-to-2.16-operator", Build: bundletest.OpSeed("2.9", "mysql"), Manual: manualLifecycle, Databases: true, Moved: movedRedis},
}

// movedRedis is where the 2.16 hop of an on-cluster externalize block moves
// the Redis data (the 2.16 guide's 3.4: new Redis 7 Deployments in the
// block's project, 3scale-db); system-mysql stays where it is (3.3).
var movedRedis = map[string]proptest.Move{
	"dc/backend-redis": {To: "3scale-db/deployment/backend-redis-external"},
	"dc/system-redis":  {To: "3scale-db/deployment/system-redis-external"},
}

// manualLifecycle is what the site's person does where a chain stops for
// them: the guides' order of OpenShift and 3scale upgrades puts OpenShift
// 4.12 between 3scale 2.13.1 and 2.14 (the runbook checked the latest 2.13
// CSV, 0.10.1, just before), and preflight-openshift stops until the
// cluster runs it.
var manualLifecycle = map[string]proptest.Manual{
	"2.13-2.14/preflight-openshift": func(con *proptest.Console) {
		// OpenShift only goes up: a cluster already past 4.12 stays.
		for _, e := range con.C.Env {
			if v, ok := strings.CutPrefix(e, "OCSIM_OPENSHIFT=4."); ok && minorOf("2."+v) >= 12 {
				return
			}
		}
		con.C.Env = append(con.C.Env, "OCSIM_OPENSHIFT=4.12.45")
	},
}

// sharedVerifies are the verify steps of the shared operator groups, which
// every hop runs with only its versions changed.
var sharedVerifies = []string{"preflight-operator", "preflight-openshift", "channel-check", "wait-pods", "apimanager-verify", "operator-images-verify"}

// sampledFalsifiers is what the default run makes fail (the test budget):
// every verify step of a hop's own, each shared verify step in one hop the
// seed draws, and the OpenShift gate of 2.13 → 2.14 (the one the chain
// meets); the exhaustive sweep makes every one fail in every hop.
func sampledFalsifiers(id string, seed uint64) bool {
	hop, name, _ := strings.Cut(id, "/")
	if !slices.Contains(sharedVerifies, name) || hop == "2.13-2.14" && name == "preflight-openshift" {
		return true
	}
	i := slices.IndexFunc(hops, func(h struct{ from, to, outside, previousOperator string }) bool { return h.from+"-"+h.to == hop })
	return i >= 0 && uint64(i) == seed%uint64(len(hops))
}

const chain = "2.8-to-2.15-operator"

// hops are the operator hops the chain runs, with the OpenShift release
// that each hop's preflight-openshift refuses (outside its range) and the
// operator version that reconciled the APIManager before it.
var hops = []struct {
	from, to, outside, previousOperator string
}{
	{"2.8", "2.9", "4.0.5", "0.5.0"},
	{"2.9", "2.10", "4.0.5", "0.6.0"},
	{"2.10", "2.11", "4.9.1", "0.7.0"},
	{"2.11", "2.12", "4.11.2", "0.8.0"},
	{"2.12", "2.13", "4.12.1", "0.9.0"},
	{"2.13", "2.14", "4.15.1", "0.10.1"},
	{"2.14", "2.15", "4.10.3", "0.11.0"},
}

// falsifiers holds, for every verify step of the operator hops, a change of
// the cluster that makes it fail; each runs in the chain's clean run where
// the step is about to run.
var falsifiers = func() map[string]proptest.Falsifier {
	out := map[string]proptest.Falsifier{}
	for _, h := range hops {
		hop := h.from + "-" + h.to
		h := h
		out[hop+"/preflight-operator"] = proptest.Falsifier{Site: chain, What: "an InstallPlan of the operator's project waits for approval",
			Cluster: func(t *testing.T, c *bundletest.Cluster) {
				c.Act(t, "create", "-n", "3scale-operator", "-f", writeTemp(t, pendingInstallPlan(h.from)))
			}}
		out[hop+"/preflight-openshift"] = proptest.Falsifier{Site: chain, What: "the cluster runs OpenShift " + h.outside,
			Cluster: func(t *testing.T, c *bundletest.Cluster) {
				c.Env = append(c.Env, "OCSIM_OPENSHIFT="+h.outside)
			}}
		out[hop+"/channel-check"] = proptest.Falsifier{Site: chain, What: "the catalog drops the threescale-" + h.to + " channel",
			Cluster: func(t *testing.T, c *bundletest.Cluster) {
				c.Env = append(c.Env, "OCSIM_CATALOG_DROP=3scale-operator:threescale-"+h.to)
			}}
		out[hop+"/wait-pods"] = proptest.Falsifier{Site: chain, What: "a pod of zync's latest deployment cannot start: a key of the zync Secret it reads is gone",
			Cluster: breakZyncPods}
		out[hop+"/apimanager-verify"] = proptest.Falsifier{Site: chain, What: "the APIManager says operator " + h.previousOperator + " reconciled it",
			Break: func(t *testing.T, o map[string]map[string]any) {
				bundletest.Get(o["APIManager/apimanager-sample"], "metadata", "annotations").(map[string]any)["apps.3scale.net/threescale-operator-version"] = h.previousOperator
			}}
		if h.to != "2.15" {
			out[hop+"/operator-images-verify"] = proptest.Falsifier{Site: chain, What: "system-sidekiq's trigger is back on amp-system:" + triggerTag(h.from),
				Break: func(t *testing.T, o map[string]map[string]any) {
					for _, tr := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "triggers")) {
						if bundletest.Get(tr, "type") == "ImageChange" {
							bundletest.Get(tr, "imageChangeParams", "from").(map[string]any)["name"] = "amp-system:" + triggerTag(h.from)
						}
					}
				}}
		}
	}
	out["2.8-2.9/operator-cleanup"] = proptest.Falsifier{Site: chain, What: "system-master-apicast has a BASE_URL again",
		Break: func(t *testing.T, o map[string]map[string]any) {
			o["Secret/system-master-apicast"]["data"].(map[string]any)["BASE_URL"] = "aHR0cHM6Ly9leGFtcGxlLmNvbQ=="
		}}
	out["2.10-2.11/backend-route"] = proptest.Falsifier{Site: chain, What: "system-sidekiq has no BACKEND_ROUTE",
		Break: func(t *testing.T, o map[string]map[string]any) {
			for _, ctr := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "template", "spec", "containers")) {
				m := ctr.(map[string]any)
				var env []any
				for _, e := range proptest.AsList(m["env"]) {
					if bundletest.Get(e, "name") != "BACKEND_ROUTE" {
						env = append(env, e)
					}
				}
				m["env"] = env
			}
		}}
	for _, hop := range []string{"2.10-2.11", "2.13-2.14"} {
		out[hop+"/redis-verify"] = proptest.Falsifier{Site: chain, What: "backend-redis lost the keys of its database 1",
			Cluster: func(t *testing.T, c *bundletest.Cluster) {
				c.Act(t, "exec", "dc/backend-redis", "--", "redis-cli", "-n", "1", "FLUSHDB")
			}}
	}
	out["2.11-2.12/mysql-verify"] = proptest.Falsifier{Site: chain, What: "the system database lost its services table",
		Cluster: func(t *testing.T, c *bundletest.Cluster) {
			c.Act(t, "exec", "dc/system-mysql", "--", "bash", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -h system-mysql -u root system -e 'DROP TABLE services'`)
		}}
	out["2.13-2.14/searchd-verify"] = proptest.Falsifier{Site: chain, What: "the system-sphinx Service is still there",
		Break: func(t *testing.T, o map[string]map[string]any) {
			o["Service/system-sphinx"] = map[string]any{"apiVersion": "v1", "kind": "Service",
				"metadata": map[string]any{"name": "system-sphinx", "namespace": "3scale"},
				"spec":     map[string]any{"ports": []any{map[string]any{"name": "sphinx", "port": 9306}}, "selector": map[string]any{"deploymentConfig": "system-sphinx"}}}
		}}
	out["2.14-2.15/deployments-verify"] = proptest.Falsifier{Site: chain, What: "the amp-system image stream is still there",
		Break: func(t *testing.T, o map[string]map[string]any) {
			o["ImageStream/amp-system"] = map[string]any{"apiVersion": "image.openshift.io/v1", "kind": "ImageStream",
				"metadata": map[string]any{"name": "amp-system", "namespace": "3scale"}}
		}}
	out["2.14-2.15/reindex-wait"] = proptest.Falsifier{Site: chain, What: "the old searchd claim system-searchd is still there",
		Break: func(t *testing.T, o map[string]map[string]any) {
			o["PersistentVolumeClaim/system-searchd"] = map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
				"metadata": map[string]any{"name": "system-searchd", "namespace": "3scale"},
				"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"},
					"resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}}}
		}}
	return out
}()

// triggerTag is the image stream tag the DeploymentConfigs of a release
// follow: latest up to 2.8, the release from 2.9 (the 0.6 operator's move).
func triggerTag(release string) string {
	if release == "2.8" {
		return "latest"
	}
	return release
}

// pendingInstallPlan is an InstallPlan of the 3scale operator's project
// waiting for manual approval: the next CSV of the channel of release.
func pendingInstallPlan(release string) string {
	return fmt.Sprintf(`apiVersion: operators.coreos.com/v1alpha1
kind: InstallPlan
metadata:
  name: install-pending
  namespace: 3scale-operator
spec:
  approval: Manual
  approved: false
  clusterServiceVersionNames:
  - 3scale-operator.v0.%d.99
`, minorOf(release)-3)
}

func minorOf(release string) int {
	var major, minor int
	if _, err := fmt.Sscanf(release, "%d.%d", &major, &minor); err != nil {
		panic(err)
	}
	return minor
}

// breakZyncPods removes a key of the zync Secret that zync's containers read
// and deletes zync's pods: the pods that replace them wait with
// CreateContainerConfigError, as the kubelet leaves them.
func breakZyncPods(t *testing.T, c *bundletest.Cluster) {
	c.Act(t, "patch", "secret/zync", "--type=json", "-p", `[{"op":"remove","path":"/data/SECRET_KEY_BASE"}]`)
	for key, p := range c.Objects(t) {
		if !strings.HasPrefix(key, "Pod/") {
			continue
		}
		labels, _ := bundletest.Get(p, "metadata", "labels").(map[string]any)
		if labels["deploymentconfig"] == "zync" || labels["deployment"] == "zync" {
			c.Act(t, "delete", "pod", bundletest.Get(p, "metadata", "name").(string), "--wait=false")
		}
	}
}

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "object.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var suite = &proptest.Suite{Package: bundletest.InLifecycleTest, Sites: append(sites, matrixSites()...), Falsifiers: falsifiers,
	Extra: []string{"2.13-2.14/oracle-approval", "2.14-2.15/oracle-approval"}}

// TestLifecycleProperties runs the lifecycle's chains on their simulated
// sites with the properties of every runbook (proptest.Suite.Properties):
// the targets reached (every Deployment of 2.15 rolled out on its images,
// the APIManager at 2.15), a second run and a run without its state file
// change nothing, a lost connection at sampled calls converges, the
// databases' rows and keys kept through the operator's Redis and MySQL
// moves, and every verify step of the operator hops fails on a copy of
// the cluster with its claim broken.
func TestLifecycleProperties(t *testing.T) {
	t.Parallel()
	suite.Properties(t)
}

// TestEveryLifecycleVerifyCanFail checks that the falsifiers of this
// package are those bundletest.VerifyFalsifiedIn gives it, each in a site
// run by default.
func TestEveryLifecycleVerifyCanFail(t *testing.T) {
	t.Parallel()
	suite.EveryVerifyCanFail(t)
}

// TestOracleApprovalCanFail falsifies the Oracle steps' manual-approval
// check (2.13 → 2.14, section 1.3 of its guide, and 2.14 → 2.15): on an
// operator site whose Subscription approves automatically the step stops
// and says what to set; with manual approval it passes. (The simulated
// sites run MySQL or PostgreSQL: the check reads the Subscription only.)
func TestOracleApprovalCanFail(t *testing.T) {
	t.Parallel()
	for _, from := range []string{"2.13", "2.14"} {
		to := fmt.Sprintf("2.%d", minorOf(from)+1)
		id := from + "-" + to + "/oracle-approval"
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			plan := bundletest.WritePlan(t, fmt.Sprintf("install {\n  namespace = \"3scale\"\n  deployment = \"operator\"\n  from = %q\n  to = %q\n  system_database = \"oracle\"\n}\noperator {\n  namespace = \"3scale-operator\"\n}\n", from, to))
			bundle := bundletest.WriteBundle(t, bundletest.Compile(t, plan, ""))
			c := bundletest.NewCluster(t, "")
			bundletest.OpSeed(from, "mysql")(t, c)
			work := t.TempDir()
			out, err := c.Run(t, bundle, work, "", "--only", id)
			if err == nil || !strings.Contains(out, "installPlanApproval is 'Automatic'") {
				t.Errorf("%s passes with automatic approval: %v\n%s", id, err, bundletest.Tail(out, 10))
			}
			c.Act(t, "patch", "subscriptions.operators.coreos.com/3scale-operator", "-n", "3scale-operator", "--type=merge", "-p", `{"spec":{"installPlanApproval":"Manual"}}`)
			if out, err := c.Run(t, bundle, work, "", "--only", id); err != nil {
				t.Errorf("%s fails with manual approval: %v\n%s", id, err, bundletest.Tail(out, 10))
			}
		})
	}
}

// TestOperatorSiteVersion: the runbook reads an operator-based site's
// version from its APIManager, not from AMP_RELEASE, which the operators
// up to 2.11 create once and never update (operator-version.hcl): on a
// site installed at 2.10 and upgraded to 2.11 by the operator
// (AMP_RELEASE 2.10, the APIManager at 2.11), the 2.11 → 2.12 runbook's
// preflight passes and the 2.10 → 2.11 one's refuses.
func TestOperatorSiteVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{{"2.11", "2.12", true}, {"2.10", "2.11", false}} {
		plan := bundletest.WritePlan(t, fmt.Sprintf("install {\n  namespace = \"3scale\"\n  deployment = \"operator\"\n  from = %q\n  to = %q\n  system_database = \"mysql\"\n}\noperator {\n  namespace = \"3scale-operator\"\n}\n", tc.from, tc.to))
		bundle := bundletest.WriteBundle(t, bundletest.Compile(t, plan, ""))
		c := bundletest.NewCluster(t, "")
		bundletest.OpSeed("2.11", "mysql")(t, c)
		c.Act(t, "patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"AMP_RELEASE":"2.10"}}`)
		out, err := c.Run(t, bundle, t.TempDir(), "", "--only", tc.from+"-"+tc.to+"/preflight-operator")
		refused := strings.Contains(out, "this bundle upgrades a "+tc.from+" site")
		if tc.ok && (err != nil || refused) || !tc.ok && !refused {
			t.Errorf("%s → %s on the 2.11 site installed at 2.10: %v\n%s", tc.from, tc.to, err, bundletest.Tail(out, 10))
		}
	}
}
