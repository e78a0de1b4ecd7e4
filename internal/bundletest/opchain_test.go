package bundletest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/ocsim/wire"
)

// opRun drives a simulated cluster, served from memory, through oc
// command lines, as a runbook does.
type opRun struct {
	t   *testing.T
	c   *Cluster
	srv *ocsim.Server
	env map[string]string
}

func newOpRun(t *testing.T, seed func(*testing.T, *Cluster)) *opRun {
	t.Helper()
	c := &Cluster{Dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(c.Dir, "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	seed(t, c)
	srv, err := ocsim.Serve(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &opRun{t: t, c: c, srv: srv, env: map[string]string{"FAKEOC_DIR": c.Dir, "FAKEOC_NAMESPACE": "3scale"}}
}

func (r *opRun) call(args ...string) (string, string, int) {
	r.t.Helper()
	resp, err := wire.Call(r.srv.Socket(), wire.Request{Args: args, Env: r.env})
	if err != nil {
		r.t.Fatal(err)
	}
	return string(resp.Stdout), string(resp.Stderr), resp.Code
}

func (r *opRun) oc(args ...string) string {
	r.t.Helper()
	out, errOut, code := r.call(append([]string{"oc"}, args...)...)
	if code != 0 {
		r.t.Fatalf("oc %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (r *opRun) json(args ...string) map[string]any {
	r.t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.oc(append(args, "-o", "json")...)), &obj); err != nil {
		r.t.Fatal(err)
	}
	return obj
}

// waitFor sleeps 30 logical seconds between checks, up to minutes.
func (r *opRun) waitFor(what string, minutes int, cond func() bool) {
	r.t.Helper()
	for i := 0; i < minutes*2; i++ {
		if cond() {
			return
		}
		if _, errOut, code := r.call("sleep", "30"); code != 0 {
			r.t.Fatal(errOut)
		}
	}
	r.debug()
	r.t.Fatalf("%s: not after %d logical minutes", what, minutes)
}

func (r *opRun) sub() map[string]any {
	return r.json("get", "subscriptions.operators.coreos.com", "3scale-operator", "--namespace=3scale-operator")
}

func (r *opRun) annotations() (string, string) {
	am := r.json("get", "apimanager", "apimanager-sample")
	ann, _ := Get(am, "metadata", "annotations").(map[string]any)
	v, _ := ann["apps.3scale.net/apimanager-threescale-version"].(string)
	op, _ := ann["apps.3scale.net/threescale-operator-version"].(string)
	return v, op
}

// hop moves the Subscription to channel threescale-RELEASE and waits as a
// runbook does: the channel's head CSV installed and Succeeded, the
// APIManager's annotations at the release and the CSV's version.
func (r *opRun) hop(release string) {
	r.t.Helper()
	csvs := ocsim.ThreescaleChannelCSVs("threescale-" + release)
	head := csvs[len(csvs)-1]
	r.oc("patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge",
		"-p", `{"spec":{"channel":"threescale-`+release+`"}}`)
	r.waitFor("the head CSV "+head, 30, func() bool {
		return Get(r.sub(), "status", "installedCSV") == head &&
			r.oc("get", "csv", head, "--namespace=3scale-operator", "-o", "jsonpath={.status.phase}") == "Succeeded"
	})
	r.waitFor("the APIManager at "+release, 60, func() bool {
		v, op := r.annotations()
		return strings.HasPrefix(v+".", release+".") && op == strings.TrimPrefix(head, "3scale-operator.v")
	})
}

// TestOperatorChain29To215: an operator site seeded at 2.9 (MySQL), its
// Subscription moved one channel at a time with the waits a runbook does,
// OpenShift updated where the guides say (4.8 until 2.11 is in, 4.11,
// 4.12 once 2.13.1 runs), ends at 2.15 on Deployments, without
// DeploymentConfigs or image streams, with the 2.15 → 2.16 hop's
// preconditions met; 2.14 waits, Pending, while OpenShift is 4.11.
func TestOperatorChain29To215(t *testing.T) {
	r := newOpRun(t, OpSeed("2.9", "mysql"))
	r.c.Seed(t, ocsim.Seed{Workload: "dc/system-mysql", Data: ocsim.Data{MySQL: map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "Developer"}}}}}}}})
	r.c.Seed(t, ocsim.Seed{Workload: "dc/backend-redis", Data: ocsim.Data{Redis: map[int]map[string]string{0: {"stats/{service:2}/hits": "42"}}}})
	if v := r.oc("get", "clusterversion", "version", "-o", "jsonpath={.status.desired.version}"); v != "4.8.57" {
		t.Fatalf("the 2.9 seed's OpenShift: %q", v)
	}
	for _, release := range []string{"2.10", "2.11"} {
		r.hop(release)
	}
	r.env["OCSIM_OPENSHIFT"] = "4.11.59"
	for _, release := range []string{"2.12", "2.13"} {
		r.hop(release)
	}
	if _, op := r.annotations(); op != "0.10.1" {
		t.Fatalf("2.13 at operator %s, want 2.13.1's 0.10.1", op)
	}
	r.oc("patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge",
		"-p", `{"spec":{"channel":"threescale-2.14"}}`)
	r.waitFor("2.14's CSV Pending on OpenShift 4.11", 30, func() bool {
		out, _, code := r.call("oc", "get", "csv", "3scale-operator.v0.11.0", "--namespace=3scale-operator", "-o", "jsonpath={.status.phase}/{.status.reason}")
		return code == 0 && out == "Pending/RequirementsNotMet"
	})
	r.call("sleep", "600")
	if v, _ := r.annotations(); v != "2.13" {
		t.Fatalf("the APIManager moved to %s while 2.14's CSV waits for OpenShift 4.12", v)
	}
	r.env["OCSIM_OPENSHIFT"] = "4.12.45"
	r.hop("2.14")
	r.hop("2.15")

	if out := strings.TrimSpace(r.oc("get", "dc", "-o", "name")); out != "" {
		t.Errorf("DeploymentConfigs left at 2.15:\n%s", out)
	}
	if out := strings.TrimSpace(r.oc("get", "imagestream", "-o", "name")); out != "" {
		t.Errorf("image streams left at 2.15:\n%s", out)
	}
	site := FixtureObjects(t, "../../../shared/fixtures/operator/2.15-mysql.yaml")
	for key, want := range site {
		kind, name, _ := strings.Cut(key, "/")
		if kind != "Deployment" {
			continue
		}
		d := r.json("get", "deployment", name)
		for _, l := range []string{"app", "threescale_component", "threescale_component_element"} {
			if Get(d, "metadata", "labels", l) != Get(want, "metadata", "labels", l) {
				t.Errorf("deployment/%s label %s = %v, the 2.15 fixture's %v", name, l, Get(d, "metadata", "labels", l), Get(want, "metadata", "labels", l))
			}
		}
		if Get(d, "metadata", "ownerReferences", 0, "kind") != "APIManager" || Get(d, "spec", "selector", "matchLabels", "deployment") != name {
			t.Errorf("deployment/%s: owner %v, selector %v", name, Get(d, "metadata", "ownerReferences"), Get(d, "spec", "selector"))
		}
		if Get(d, "status", "readyReplicas") == nil {
			t.Errorf("deployment/%s is not ready", name)
		}
	}
	r.waitFor("the reindex Job", 5, func() bool {
		return r.oc("get", "job", "system-searchd-manticore-reindex", "-o", "jsonpath={.status.succeeded}") == "1"
	})
	for _, job := range []string{"system-app-pre", "system-app-post"} {
		if out := r.oc("get", "job", job, "-o", "jsonpath={.status.succeeded}"); out != "1" {
			t.Errorf("job/%s succeeded %q", job, out)
		}
	}
	if _, _, code := r.call("oc", "get", "pvc", "system-searchd"); code == 0 {
		t.Error("PVC system-searchd is still there at 2.15")
	}
	r.oc("get", "pvc", "system-searchd-manticore")
	if v, op := r.annotations(); v != "2.15.5" || op != "0.12.5" {
		t.Errorf("2.15 annotations %s/%s", v, op)
	}

	// The 2.15 → 2.16 operator hop's preflight reads these.
	sub := r.sub()
	pm := r.oc("get", "packagemanifests", "--namespace=openshift-marketplace", "-o",
		`jsonpath={.items[?(@.metadata.name=="3scale-operator")].status.channels[?(@.name=="threescale-2.15")].currentCSV}`)
	if Get(sub, "status", "installedCSV") != pm || Get(sub, "status", "currentCSV") != pm || Get(sub, "status", "state") != "AtLatestKnown" {
		t.Errorf("the Subscription is not at the latest CSV of threescale-2.15 (%s): %v", pm, sub["status"])
	}
	r.oc("get", "deployment", "threescale-operator-controller-manager-v2", "--namespace=3scale-operator")
	r.oc("get", "configmap", "3scale-api-management-operator-requirements", "--namespace=3scale-operator")
	if out := r.oc("exec", "deployment/system-mysql", "--", "mysql", "--version"); !strings.Contains(out, "8.0") {
		t.Errorf("system-mysql at 2.15: %q", out)
	}
	if out := r.oc("exec", "deployment/backend-redis", "--", "redis-server", "--version"); !strings.Contains(out, "v=6.2") {
		t.Errorf("backend-redis at 2.15: %q", out)
	}
	if db := r.c.Data(t, "", "deployment/system-mysql").MySQL["system"]; db == nil || db.Tables["accounts"] == nil || len(db.Tables["accounts"].Rows) != 2 {
		t.Errorf("system.accounts after 2.9 → 2.15: %+v", db)
	}
	if v := r.c.Data(t, "", "deployment/backend-redis").Redis[0]["stats/{service:2}/hits"]; v != "42" {
		t.Errorf("backend-redis key after 2.9 → 2.15: %q", v)
	}
}

func (r *opRun) debug() {
	r.t.Helper()
	out, _, _ := r.call("oc", "get", "deployment", "--namespace=3scale-operator", "-o", "yaml")
	r.t.Log(out)
	out, _, _ = r.call("oc", "get", "apimanager", "-o", "yaml")
	r.t.Log(out)
	raw, _ := os.ReadFile(filepath.Join(r.c.Dir, "ocsim-state.json"))
	r.t.Log(string(raw))
}
