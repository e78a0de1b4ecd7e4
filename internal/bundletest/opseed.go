package bundletest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// OpSeed returns the seed of an operator-based site at release version
// (2.8 to 2.14) with system database db ("mysql" or "postgresql"), for
// runbook tests of the operator hops 2.8 → 2.9 … 2.14 → 2.15:
//
//   - in 3scale-operator, the Subscription 3scale-operator (the 2.15
//     fixture's, Automatic approval) on channel threescale-VERSION with the
//     channel's head CSV installed (ocsim.ThreescaleChannelCSVs), and the
//     operator's Deployment under the name OLM runs it for that CSV;
//   - in 3scale, the APIManager apimanager-sample (the 2.15 fixture's, its
//     annotations VERSION and the CSV's operator version), and what the
//     operators deploy before 2.15: the DeploymentConfigs, image streams,
//     Services, claims, ConfigMaps and Secrets of the 2.8 templates (the
//     0.5 operator deploys the same), owned by the APIManager, brought to
//     VERSION by the simulator's own upgrade code (ocsim.UpgradeSite), so
//     that a seeded 2.X site is what the simulated operators leave;
//   - a ClusterVersion at an OpenShift release that 2.X runs on and that
//     the next hop needs (4.8.57 up to 2.10: 2.11 must come before 4.9;
//     4.10.67 for 2.11: 2.12 must come before 4.11; 4.11.59 for 2.12 and
//     2.13: 2.13.1 before 4.12; 4.12.45 for 2.14).
//     A test moves it with OCSIM_OPENSHIFT (Cluster.Env).
//
// No pods: the simulator's deployers run the DeploymentConfigs' own.
func OpSeed(version, db string) func(*testing.T, *Cluster) {
	return func(t *testing.T, c *Cluster) {
		t.Helper()
		for _, obj := range OpObjects(t, version, db) {
			c.PutObject(t, obj)
		}
	}
}

// OpObjects builds the objects OpSeed seeds.
func OpObjects(t *testing.T, version, db string) []map[string]any {
	t.Helper()
	minor, err := strconv.Atoi(strings.TrimPrefix(version, "2."))
	if err != nil || !strings.HasPrefix(version, "2.") || minor < 8 || minor > 14 {
		t.Fatalf("OpSeed(%q): want a release 2.8 to 2.14", version)
	}
	if db != "mysql" && db != "postgresql" {
		t.Fatalf("OpSeed(%q, %q): db is mysql or postgresql", version, db)
	}
	channel := "threescale-" + version
	csvs := ocsim.ThreescaleChannelCSVs(channel)
	csv := csvs[len(csvs)-1]
	opVersion := strings.TrimPrefix(csv, "3scale-operator.v")

	operator := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-operator-namespaces.yaml"))
	site := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-mysql.yaml"))
	templates := FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	if db == "postgresql" {
		TemplatePostgreSQL(t, templates)
	}

	sub := DeepCopy(t, operator["Subscription/3scale-operator"])
	spec := sub["spec"].(map[string]any)
	spec["channel"] = channel
	spec["startingCSV"] = csv
	status := sub["status"].(map[string]any)
	status["installedCSV"], status["currentCSV"], status["state"] = csv, csv, "AtLatestKnown"
	out := []map[string]any{sub, opDeployment(t, csv)}

	am := DeepCopy(t, site["APIManager/apimanager-sample"])
	meta := am["metadata"].(map[string]any)
	ann := meta["annotations"].(map[string]any)
	delete(ann, "apps.3scale.net/apimanager-confirmed-requirements-version")
	ann["apps.3scale.net/apimanager-threescale-version"] = version
	ann["apps.3scale.net/threescale-operator-version"] = opVersion
	if db == "postgresql" {
		Get(am, "spec", "system").(map[string]any)["database"] = map[string]any{"postgresql": map[string]any{}}
	}
	if minor < 14 {
		system := Get(am, "spec", "system").(map[string]any)
		delete(system, "searchdSpec")
		system["sphinxSpec"] = map[string]any{}
	}
	delete(am, "status")
	owner := map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": meta["name"],
		"uid": meta["uid"], "controller": true, "blockOwnerDeletion": true}

	var objs []map[string]any
	objs = append(objs, am)
	for _, obj := range templates {
		switch obj["kind"] {
		case "DeploymentConfig", "ImageStream", "Service", "PersistentVolumeClaim", "ConfigMap", "Route", "ServiceAccount", "Role", "RoleBinding":
			obj = DeepCopy(t, obj)
			if obj["kind"] != "Route" {
				obj["metadata"].(map[string]any)["ownerReferences"] = []any{owner}
			}
		case "Secret":
			obj = DeepCopy(t, obj)
		default:
			continue
		}
		if obj["kind"] == "ConfigMap" && Get(obj, "metadata", "name") == "system-environment" {
			obj["data"].(map[string]any)["AMP_RELEASE"] = version
		}
		objs = append(objs, obj)
	}
	upgraded, err := ocsim.UpgradeSite(objs, "2.8", version)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, upgraded...)
	ocp := "4.8.57"
	switch {
	case minor >= 14:
		ocp = "4.12.45"
	case minor >= 12:
		ocp = "4.11.59"
	case minor == 11:
		ocp = "4.10.67"
	}
	out = append(out, map[string]any{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": map[string]any{"name": "version", "namespace": "3scale"},
		"spec":     map[string]any{"clusterID": "5c1d3a2e-0000-4000-8000-000000000412", "channel": "stable-" + ocp[:strings.LastIndex(ocp, ".")]},
		"status": map[string]any{"desired": map[string]any{"version": ocp},
			"history": []any{map[string]any{"state": "Completed", "version": ocp, "image": "quay.io/openshift-release-dev/ocp-release:" + ocp + "-x86_64",
				"startedTime": "2026-11-01T08:00:00Z", "completionTime": "2026-11-01T09:00:00Z", "verified": false}},
			"availableUpdates": nil, "observedGeneration": 1, "versionHash": "seed"}})
	return out
}

// opDeployment is the 3scale operator's Deployment for csv in
// 3scale-operator: the 2.15 fixture's controller Deployment under the name
// OLM runs that version as, owned by it.
func opDeployment(t *testing.T, csv string) map[string]any {
	t.Helper()
	operator := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-operator-namespaces.yaml"))
	d := DeepCopy(t, operator["Deployment/threescale-operator-controller-manager-v2"])
	meta := d["metadata"].(map[string]any)
	meta["name"] = ocsim.ThreescaleOperatorDeployment(csv)
	delete(meta, "ownerReferences")
	delete(meta, "uid")
	delete(meta, "resourceVersion")
	labels := meta["labels"].(map[string]any)
	labels["olm.owner"] = csv
	delete(labels, "olm.deployment-spec-hash")
	for _, ctr := range Get(d, "spec", "template", "spec", "containers").([]any) {
		m := ctr.(map[string]any)
		if strings.Contains(m["image"].(string), "-operator") {
			m["image"] = fmt.Sprintf("registry.redhat.io/3scale-amp2/3scale-rhel7-operator:%s", strings.TrimPrefix(csv, "3scale-operator.v"))
		}
	}
	delete(d, "status")
	return d
}
