package ocsim

import (
	"strings"
	"testing"
)

// threescaleSub is a 3scale operator Subscription on channel at csv, with
// the operator's Deployment for it and an APIManager at the CSV's release
// (external databases: no workloads).
func threescaleSub(channel, csv, approval string) []Object {
	sub := meta("Subscription", "operators.coreos.com/v1alpha1", "3scale-operator", "3scale-operator")
	sub["spec"] = map[string]any{"channel": channel, "installPlanApproval": approval, "name": "3scale-operator",
		"source": "redhat-operators", "sourceNamespace": "openshift-marketplace"}
	sub["status"] = map[string]any{"installedCSV": csv, "currentCSV": csv, "state": "AtLatestKnown"}
	op := meta("Deployment", "apps/v1", "3scale-operator", ThreescaleOperatorDeployment(csv))
	op["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"app": "3scale-api-management"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "3scale-api-management"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "manager", "image": "registry.redhat.io/3scale-amp2/3scale-rhel8-operator:" + csvVersion(csv)}}}}}
	am := apimanager()
	am["metadata"].(map[string]any)["annotations"] = map[string]any{threescaleAnn: threescaleVersion(csvVersion(csv)), operatorAnn: csvVersion(csv)}
	am["spec"].(map[string]any)["externalComponents"] = map[string]any{
		"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}, "zync": map[string]any{"database": true}}
	return []Object{sub, op, am}
}

func installPlans(s *sim) []any {
	return list(s.object("installplan", "--namespace=3scale-operator"), "items")
}

func csvPhase(s *sim, csv string) string {
	out, _, code := s.oc("get", "csv", csv, "--namespace=3scale-operator", "-o", "jsonpath={.status.phase}/{.status.reason}")
	if code != 0 {
		return ""
	}
	return out
}

// TestClusterVersion: without a stored ClusterVersion the cluster answers
// one at DefaultOpenShift, or at $OCSIM_OPENSHIFT; a seeded one answers
// its own version until $OCSIM_OPENSHIFT updates it, with a new history
// entry; a bad $OCSIM_OPENSHIFT is refused.
func TestClusterVersion(t *testing.T) {
	s := newSim(t, threescaleSub("threescale-2.15", "3scale-operator.v0.12.5", "Automatic")...)
	if v := s.must("get", "clusterversion", "version", "-o", "jsonpath={.status.desired.version}"); v != DefaultOpenShift {
		t.Errorf("default OpenShift %q", v)
	}
	cv := s.object("clusterversion", "version")
	if str(list(cv, "status", "history")[0], "state") != "Completed" {
		t.Errorf("history %v", nested(cv, "status", "history"))
	}
	if items := list(s.object("clusterversion"), "items"); len(items) != 1 {
		t.Errorf("oc get clusterversion lists %d", len(items))
	}
	s.env["OCSIM_OPENSHIFT"] = "4.14.7"
	if v := s.must("get", "clusterversion", "version", "-o", "jsonpath={.status.desired.version}"); v != "4.14.7" {
		t.Errorf("OCSIM_OPENSHIFT=4.14.7: %q", v)
	}
	s.env["OCSIM_OPENSHIFT"] = "4.x"
	if _, errOut, code := s.oc("get", "clusterversion", "version"); code == 0 || !strings.Contains(errOut, "OCSIM_OPENSHIFT") {
		t.Errorf("OCSIM_OPENSHIFT=4.x: exit %d %q", code, errOut)
	}

	stored := meta("ClusterVersion", "config.openshift.io/v1", "3scale", "version")
	stored["status"] = map[string]any{"desired": map[string]any{"version": "4.11.59"},
		"history": []any{map[string]any{"state": "Completed", "version": "4.11.59", "image": "x", "startedTime": "2026-11-01T08:00:00Z", "verified": false}}}
	s2 := newSim(t, append(threescaleSub("threescale-2.15", "3scale-operator.v0.12.5", "Automatic"), stored)...)
	if v := s2.must("get", "clusterversion", "version", "-o", "jsonpath={.status.desired.version}"); v != "4.11.59" {
		t.Errorf("seeded 4.11.59: %q", v)
	}
	s2.env["OCSIM_OPENSHIFT"] = "4.12.45"
	cv = s2.object("clusterversion", "version")
	if h := list(cv, "status", "history"); str(cv, "status", "desired", "version") != "4.12.45" || len(h) != 2 || str(h[0], "version") != "4.12.45" || str(h[1], "version") != "4.11.59" {
		t.Errorf("after the update: %v", cv["status"])
	}
}

// TestOLMZStreamStepByStep: a Subscription moved from threescale-2.12 to
// threescale-2.13 under Automatic approval installs 0.10.0 (the first CSV
// of the channel, which replaces 2.12's head), later, then 0.10.1, the
// channel's head, with an InstallPlan per step; the package manifest lists
// the channel's entries.
func TestOLMZStreamStepByStep(t *testing.T) {
	s := newSim(t, threescaleSub("threescale-2.12", "3scale-operator.v0.9.0", "Automatic")...)
	entries := s.must("get", "packagemanifest", "3scale-operator", "--namespace=openshift-marketplace", "-o",
		`jsonpath={.status.channels[?(@.name=="threescale-2.13")].entries[*].name}`)
	if entries != "3scale-operator.v0.10.1 3scale-operator.v0.10.0" {
		t.Errorf("threescale-2.13 entries %q", entries)
	}
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.13"}}`)
	if str(subscription(s), "status", "installedCSV") != "3scale-operator.v0.9.0" {
		t.Fatal("the CSV moved at once")
	}
	s.waitFor("0.10.0", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.10.0" })
	if n := len(installPlans(s)); n != 1 {
		t.Errorf("%d install plans when 0.10.0 is installed", n)
	}
	s.waitFor("0.10.1", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.10.1" })
	plans := installPlans(s)
	if len(plans) != 2 {
		t.Fatalf("%d install plans for 0.9.0 → 0.10.0 → 0.10.1", len(plans))
	}
	for _, p := range plans {
		if str(p, "status", "phase") != "Complete" || len(list(p, "spec", "clusterServiceVersionNames")) != 1 {
			t.Errorf("install plan %v %v", p.(map[string]any)["spec"], nested(p, "status", "phase"))
		}
	}
	if csv := s.object("csv", "3scale-operator.v0.10.1", "--namespace=3scale-operator"); str(csv, "spec", "replaces") != "3scale-operator.v0.10.0" ||
		!strings.Contains(annotation(csv, "olm.properties"), `"olm.maxOpenShiftVersion", "value": "4.14"`) {
		t.Errorf("0.10.1's CSV: %v %v", csv["spec"], csv["metadata"])
	}
	if _, _, code := s.oc("get", "csv", "3scale-operator.v0.10.0", "--namespace=3scale-operator"); code == 0 {
		t.Error("0.10.0's CSV is still there")
	}
	s.waitFor("the APIManager at 0.10.1", func() bool {
		return annotation(s.object("apimanager", "apimanager-sample"), operatorAnn) == "0.10.1"
	})
}

// TestOLMZStreamManual: under Manual approval each step of the chain waits
// in its own InstallPlan until approved; the next appears only once the
// one before is installed.
func TestOLMZStreamManual(t *testing.T) {
	s := newSim(t, threescaleSub("threescale-2.15", "3scale-operator.v0.12.3", "Manual")...)
	s.waitFor("a plan", func() bool { return len(installPlans(s)) == 1 })
	s.sleep("600")
	plans := installPlans(s)
	if len(plans) != 1 || str(plans[0], "status", "phase") != "RequiresApproval" || nested(plans[0], "spec", "approved") != false ||
		list(plans[0], "spec", "clusterServiceVersionNames")[0] != "3scale-operator.v0.12.4" {
		t.Fatalf("the first plan: %v", plans)
	}
	s.must("patch", "installplan", str(plans[0], "metadata", "name"), "--namespace=3scale-operator", "--type", "merge", "-p", `{"spec":{"approved":true}}`)
	s.waitFor("0.12.4", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.12.4" })
	s.waitFor("a second plan", func() bool { return len(installPlans(s)) == 2 })
	var next Object
	for _, p := range installPlans(s) {
		if str(p, "status", "phase") == "RequiresApproval" {
			next = p.(map[string]any)
		}
	}
	if next == nil || list(next, "spec", "clusterServiceVersionNames")[0] != "3scale-operator.v0.12.5" {
		t.Fatalf("the second plan: %v", next)
	}
	s.sleep("300")
	if str(subscription(s), "status", "installedCSV") != "3scale-operator.v0.12.4" {
		t.Error("0.12.5 installed without approval")
	}
}

// TestCSVRequirementsNotMet: 2.14's CSV on OpenShift 4.11 stays Pending,
// RequirementsNotMet, saying why, and its operator does not run (the
// APIManager stays at 2.13); once OpenShift is 4.12 it succeeds, later. A
// 2.11 CSV replacing 2.10's on OpenShift 4.9 stays Pending too, while on
// 4.8 it installs.
func TestCSVRequirementsNotMet(t *testing.T) {
	s := newSim(t, threescaleSub("threescale-2.13", "3scale-operator.v0.10.1", "Automatic")...)
	s.env["OCSIM_OPENSHIFT"] = "4.11.59"
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.14"}}`)
	s.waitFor("0.11.0's CSV", func() bool { return csvPhase(s, "3scale-operator.v0.11.0") != "" })
	if p := csvPhase(s, "3scale-operator.v0.11.0"); p != "Pending/RequirementsNotMet" {
		t.Fatalf("0.11.0 on OpenShift 4.11: %q", p)
	}
	csv := s.object("csv", "3scale-operator.v0.11.0", "--namespace=3scale-operator")
	if msg := str(list(csv, "status", "requirementStatus")[0], "message"); !strings.Contains(msg, "minKubeVersion (1.25.0)") || str(csv, "spec", "minKubeVersion") != "1.25.0" {
		t.Errorf("requirement status %q, minKubeVersion %q", msg, str(csv, "spec", "minKubeVersion"))
	}
	if csvPhase(s, "3scale-operator.v0.10.1") != "Succeeded/InstallSucceeded" {
		t.Errorf("the replaced CSV: %q", csvPhase(s, "3scale-operator.v0.10.1"))
	}
	s.sleep("900")
	if v := annotation(s.object("apimanager", "apimanager-sample"), threescaleAnn); v != "2.13" {
		t.Fatalf("the APIManager moved to %s with 2.14's CSV Pending", v)
	}
	s.env["OCSIM_OPENSHIFT"] = "4.12.45"
	if p := csvPhase(s, "3scale-operator.v0.11.0"); p != "Pending/RequirementsNotMet" {
		t.Errorf("0.11.0 succeeded at once on 4.12: %q", p)
	}
	s.waitFor("0.11.0 Succeeded", func() bool { return csvPhase(s, "3scale-operator.v0.11.0") == "Succeeded/InstallSucceeded" })
	s.waitFor("the APIManager at 2.14", func() bool { return annotation(s.object("apimanager", "apimanager-sample"), threescaleAnn) == "2.14" })

	for _, ocp := range []string{"4.9.0", "4.8.57"} {
		s := newSim(t, threescaleSub("threescale-2.10", "3scale-operator.v0.7.0", "Automatic")...)
		s.env["OCSIM_OPENSHIFT"] = ocp
		s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.11"}}`)
		s.waitFor("0.8.0's CSV", func() bool { return csvPhase(s, "3scale-operator.v0.8.0") != "" })
		s.sleep("300")
		p := csvPhase(s, "3scale-operator.v0.8.0")
		switch {
		case ocp == "4.9.0" && p != "Pending/RequirementsNotMet":
			t.Errorf("2.10 → 2.11 on 4.9: %q", p)
		case ocp == "4.8.57" && p != "" && p != "Succeeded/InstallSucceeded":
			t.Errorf("2.10 → 2.11 on 4.8: %q", p)
		}
		if ocp == "4.8.57" {
			s.waitFor("2.11 operator's Deployment", func() bool {
				_, _, code := s.oc("get", "deployment", "threescale-operator-controller-manager", "--namespace=3scale-operator")
				return code == 0
			})
			if _, _, code := s.oc("get", "deployment", "3scale-operator", "--namespace=3scale-operator"); code == 0 {
				t.Error("0.7's Deployment 3scale-operator is still there under 0.8")
			}
		}
	}
}
