package bundletest

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
)

func (r *opRun) patchChannel(release string) {
	r.t.Helper()
	r.oc("patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge",
		"-p", `{"spec":{"channel":"threescale-`+release+`"}}`)
}

func (r *opRun) exists(args ...string) bool {
	_, _, code := r.call(append([]string{"oc", "get"}, args...)...)
	return code == 0
}

func (r *opRun) condition(typ string) map[string]any {
	conds, _ := Get(r.json("get", "apimanager", "apimanager-sample"), "status", "conditions").([]any)
	for _, c := range conds {
		if Get(c, "type") == typ {
			return c.(map[string]any)
		}
	}
	return nil
}

func containerImage(obj map[string]any, i int) string {
	img, _ := Get(obj, "spec", "template", "spec", "containers", i, "image").(string)
	return img
}

// TestOperator28To29: the 0.6 operator moves a 2.8 site off the latest
// tags some time after its CSV is installed: each stream gets a 2.9 tag
// and loses latest, the ImageChange triggers follow 2.9 and roll the
// DeploymentConfigs out on the 2.9 images, BASE_URL leaves
// system-master-apicast, and only then the annotations say 2.9.
func TestOperator28To29(t *testing.T) {
	r := newOpRun(t, OpSeed("2.8", "mysql"))
	r.patchChannel("2.9")
	r.waitFor("0.6.0 installed", 10, func() bool { return Get(r.sub(), "status", "installedCSV") == "3scale-operator.v0.6.0" })
	if tags := Tags(t, r.json("get", "imagestream", "amp-system")); tags["2.9"] != nil || tags["latest"] == nil {
		t.Errorf("amp-system's tags when 0.6.0 is installed: %v", tags)
	}
	if v, _ := r.annotations(); v != "2.8" {
		t.Errorf("the APIManager is at %s as soon as 0.6.0 is installed", v)
	}
	r.waitFor("the APIManager at 2.9", 30, func() bool { v, _ := r.annotations(); return v == "2.9" })
	for _, is := range []string{"amp-system", "amp-backend", "backend-redis", "system-mysql"} {
		tags := Tags(t, r.json("get", "imagestream", is))
		if tags["2.9"] == nil || tags["latest"] != nil {
			t.Errorf("%s's tags at 2.9: %v", is, tags)
		}
	}
	dc := r.json("get", "dc", "system-app")
	for _, tr := range Get(dc, "spec", "triggers").([]any) {
		if name, _ := Get(tr, "imageChangeParams", "from", "name").(string); name != "" && name != "amp-system:2.9" {
			t.Errorf("system-app trigger follows %s", name)
		}
	}
	r.waitFor("system-app on the 2.9 image", 10, func() bool {
		return strings.HasPrefix(containerImage(r.json("get", "dc", "system-app"), 0), "registry.redhat.io/3scale-amp2/system-rhel7@")
	})
	if data := Get(r.json("get", "secret", "system-master-apicast"), "data").(map[string]any); data["BASE_URL"] != nil || data["ACCESS_TOKEN"] == nil {
		t.Errorf("system-master-apicast keys at 2.9: %v", keysOf(data))
	}
	if l := Get(r.json("get", "dc", "zync-que"), "metadata", "labels", "threescale_component_element"); l != "zync-que" {
		t.Errorf("zync-que's threescale_component_element at 2.9: %v", l)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOperator211To212MySQL: the 0.9 operator takes a 2.11 site's MySQL
// from 5.7 to 8.0 on its own claim, with the authentication plugin
// setting, and drops AMP_RELEASE; the rows survive; Redis is 5 since 2.11.
func TestOperator211To212MySQL(t *testing.T) {
	r := newOpRun(t, OpSeed("2.11", "mysql"))
	r.c.Seed(t, ocsim.Seed{Workload: "dc/system-mysql", Data: ocsim.Data{MySQL: map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "Developer"}}}}}}}})
	if out := r.oc("exec", "dc/system-mysql", "--", "mysql", "--version"); !strings.Contains(out, "5.7") {
		t.Fatalf("the 2.11 seed's MySQL: %q", out)
	}
	if out := r.oc("exec", "dc/backend-redis", "--", "redis-server", "--version"); !strings.Contains(out, "v=5.") {
		t.Errorf("the 2.11 seed's Redis: %q", out)
	}
	if data := Get(r.json("get", "configmap", "system-environment"), "data").(map[string]any); data["AMP_RELEASE"] != "2.11" {
		t.Errorf("the 2.11 seed's AMP_RELEASE: %v", data["AMP_RELEASE"])
	}
	r.hop("2.12")
	r.waitFor("system-mysql on MySQL 8.0", 10, func() bool {
		out, _, code := r.call("oc", "exec", "dc/system-mysql", "--", "mysql", "--version")
		return code == 0 && strings.Contains(out, "8.0")
	})
	if data := Get(r.json("get", "configmap", "mysql-extra-conf"), "data").(map[string]any); !strings.Contains(data["mysql-default-authentication-plugin.cnf"].(string), "mysql_native_password") {
		t.Errorf("mysql-extra-conf at 2.12: %v", data)
	}
	if data := Get(r.json("get", "configmap", "system-environment"), "data").(map[string]any); data["AMP_RELEASE"] != nil {
		t.Error("AMP_RELEASE is still in system-environment at 2.12")
	}
	if env := EnvOf(t, Get(r.json("get", "dc", "system-app"), "spec", "template", "spec", "containers", 0, "env")); env["AMP_RELEASE"] != nil {
		t.Error("system-app still reads AMP_RELEASE at 2.12")
	}
	if db := r.c.Data(t, "", "dc/system-mysql").MySQL["system"]; db == nil || db.Tables["accounts"] == nil || len(db.Tables["accounts"].Rows) != 2 {
		t.Errorf("system.accounts after 2.11 → 2.12: %+v", db)
	}
	for _, dc := range []string{"system-app", "system-sidekiq"} {
		env := EnvOf(t, Get(r.json("get", "dc", dc), "spec", "template", "spec", "containers", 0, "env"))
		if Get(env["BACKEND_ROUTE"], "value") != "http://backend-listener:3000/internal/" {
			t.Errorf("%s's BACKEND_ROUTE since 2.11: %v", dc, env["BACKEND_ROUTE"])
		}
	}
}

// TestOperator213To214Searchd: the 0.11 operator replaces system-sphinx
// with system-searchd (DeploymentConfig, Service on 9306, claim) and
// moves Redis to 6.
func TestOperator213To214Searchd(t *testing.T) {
	r := newOpRun(t, OpSeed("2.13", "postgresql"))
	if !r.exists("dc", "system-sphinx") || r.exists("dc", "system-searchd") {
		t.Fatal("the 2.13 seed's search DeploymentConfigs")
	}
	r.env["OCSIM_OPENSHIFT"] = "4.12.45"
	r.hop("2.14")
	for _, o := range [][]string{{"dc", "system-sphinx"}, {"service", "system-sphinx"}} {
		if r.exists(o...) {
			t.Errorf("%s/%s is still there at 2.14", o[0], o[1])
		}
	}
	if port := r.oc("get", "service", "system-searchd", "-o", "jsonpath={.spec.ports[0].port}"); port != "9306" {
		t.Errorf("system-searchd's port %q", port)
	}
	r.oc("get", "pvc", "system-searchd")
	for _, dc := range []string{"system-app", "system-sidekiq"} {
		env := EnvOf(t, Get(r.json("get", "dc", dc), "spec", "template", "spec", "containers", 0, "env"))
		if env["BACKEND_ROUTE"] != nil || env["APICAST_BACKEND_ROOT_ENDPOINT"] != nil || Get(env["BACKEND_URL"], "valueFrom", "secretKeyRef", "key") != "service_endpoint" {
			t.Errorf("%s's backend env at 2.14: %v %v %v", dc, env["BACKEND_ROUTE"], env["APICAST_BACKEND_ROOT_ENDPOINT"], env["BACKEND_URL"])
		}
	}
	r.waitFor("system-searchd ready", 10, func() bool {
		return r.oc("get", "dc", "system-searchd", "-o", "jsonpath={.status.readyReplicas}") == "1"
	})
	r.waitFor("backend-redis on Redis 6", 10, func() bool {
		out, _, code := r.call("oc", "exec", "dc/backend-redis", "--", "redis-server", "--version")
		return code == 0 && strings.Contains(out, "v=6.2")
	})
}

// TestOperator215Fails: with OCSIM_OPERATOR_FAIL=2.15 the 0.12 operator
// stops half way through the DeploymentConfig conversion: some components
// are Deployments, others still DeploymentConfigs, the image streams are
// there, the annotations stay 2.14, and the APIManager's Available
// condition says where it stopped.
func TestOperator215Fails(t *testing.T) {
	r := newOpRun(t, OpSeed("2.14", "mysql"))
	r.env["OCSIM_OPERATOR_FAIL"] = "2.15"
	r.patchChannel("2.15")
	r.waitFor("0.12.1 installed", 10, func() bool { return Get(r.sub(), "status", "installedCSV") == "3scale-operator.v0.12.1" })
	if out := strings.TrimSpace(r.oc("get", "deployment", "-o", "name")); out != "" {
		t.Errorf("Deployments as soon as 0.12.1 is installed: %s", out)
	}
	r.waitFor("the Available condition", 60, func() bool {
		c := r.condition("Available")
		return c != nil && c["status"] == "False"
	})
	c := r.condition("Available")
	if c["reason"] != "UpgradeFailed" || !strings.Contains(c["message"].(string), "upgrade to 2.15 stopped") {
		t.Errorf("the condition: %v", c)
	}
	r.call("sleep", "900")
	if v, _ := r.annotations(); v != "2.14" {
		t.Errorf("annotations at %s after a failed upgrade", v)
	}
	if !r.exists("deployment", "apicast-staging") || !r.exists("dc", "system-mysql") || r.exists("dc", "apicast-staging") || !r.exists("imagestream", "amp-system") {
		t.Errorf("not half done: deployments %q, dcs %q", r.oc("get", "deployment", "-o", "name"), r.oc("get", "dc", "-o", "name"))
	}
}

// TestOperator215RefusesMultiMinor: a 2.13 APIManager under the 2.15
// operator (channel threescale-2.13 → threescale-2.15) fails the
// preflight and nothing changes.
func TestOperator215RefusesMultiMinor(t *testing.T) {
	r := newOpRun(t, OpSeed("2.13", "mysql"))
	r.env["OCSIM_OPENSHIFT"] = "4.12.45"
	r.patchChannel("2.15")
	r.waitFor("the Preflights condition", 60, func() bool {
		c := r.condition("Preflights")
		return c != nil && c["status"] == "False"
	})
	if c := r.condition("Preflights"); !strings.Contains(c["message"].(string), "Attempted upgrade from 2.13 to 2.15") {
		t.Errorf("the condition: %v", c)
	}
	r.call("sleep", "900")
	if v, _ := r.annotations(); v != "2.13" {
		t.Errorf("annotations at %s", v)
	}
	if out := strings.TrimSpace(r.oc("get", "deployment", "-o", "name")); out != "" {
		t.Errorf("Deployments after a refused preflight: %s", out)
	}
	if !r.exists("dc", "system-app") || !r.exists("imagestream", "amp-system") {
		t.Error("DeploymentConfigs or image streams gone after a refused preflight")
	}
}

// TestOperator214To215PostgreSQL: the 0.12 operator moves a PostgreSQL
// site's DeploymentConfigs to Deployments; PostgreSQL's rows are on the
// same claim under deployment/system-postgresql, and its image stream is
// the one the operator keeps (delete_image_streams_2.15.go does not list
// it).
func TestOperator214To215PostgreSQL(t *testing.T) {
	r := newOpRun(t, OpSeed("2.14", "postgresql"))
	r.c.Seed(t, ocsim.Seed{Workload: "dc/system-postgresql", Data: ocsim.Data{PostgreSQL: map[string]*ocsim.Database{"system": {Owner: "system", Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Provider"}, {"2", "Developer"}}}}}}}})
	r.hop("2.15")
	if out := strings.TrimSpace(r.oc("get", "imagestream", "-o", "name")); out != "imagestream.image.openshift.io/system-postgresql" {
		t.Errorf("image streams at 2.15: %q", out)
	}
	if out := strings.TrimSpace(r.oc("get", "dc", "-o", "name")); out != "" {
		t.Errorf("DeploymentConfigs at 2.15: %q", out)
	}
	if sel := r.oc("get", "service", "system-postgresql", "-o", "jsonpath={.spec.selector}"); sel != `{"deployment":"system-postgresql"}` {
		t.Errorf("system-postgresql's Service selects %s", sel)
	}
	r.waitFor("system-postgresql ready", 10, func() bool {
		return r.oc("get", "deployment", "system-postgresql", "-o", "jsonpath={.status.readyReplicas}") == "1"
	})
	if db := r.c.Data(t, "", "deployment/system-postgresql").PostgreSQL["system"]; db == nil || db.Tables["accounts"] == nil || len(db.Tables["accounts"].Rows) != 2 {
		t.Errorf("system.accounts after 2.14 → 2.15: %+v", db)
	}
}
