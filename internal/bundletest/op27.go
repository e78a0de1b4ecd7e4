package bundletest

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// The operator chapters of seed 000: 2.7 → 2.8 with the operator
// (chapter 2) and the template-to-operator migration at 2.8 (chapter 3).

// Op27Objects builds an operator-based 2.7 site from the shapes of the
// fixtures: the 2.15 operator fixture's Subscription on the threescale-2.7
// channel with operator 0.4.0 installed, its APIManager with the 2.7
// annotations, and the DeploymentConfigs of the 2.7 templates, which the
// 0.4 operator deploys under the same names. Objects are keyed Kind/name.
func Op27Objects(t *testing.T) map[string]map[string]any {
	t.Helper()
	operator := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-operator-namespaces.yaml"))
	site := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-mysql.yaml"))
	templates := FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml"))
	out := map[string]map[string]any{}

	sub := DeepCopy(t, operator["Subscription/3scale-operator"])
	spec := sub["spec"].(map[string]any)
	spec["channel"] = "threescale-2.7"
	spec["startingCSV"] = "3scale-operator.v0.4.0"
	status := sub["status"].(map[string]any)
	status["installedCSV"] = "3scale-operator.v0.4.0"
	status["currentCSV"] = "3scale-operator.v0.4.0"
	out["Subscription/3scale-operator"] = sub

	am := DeepCopy(t, site["APIManager/apimanager-sample"])
	ann := am["metadata"].(map[string]any)["annotations"].(map[string]any)
	delete(ann, "apps.3scale.net/apimanager-confirmed-requirements-version")
	ann["apps.3scale.net/apimanager-threescale-version"] = "2.7"
	ann["apps.3scale.net/threescale-operator-version"] = "0.4.0"
	out["APIManager/apimanager-sample"] = am

	for key, obj := range templates {
		if obj["kind"] == "DeploymentConfig" {
			out[key] = DeepCopy(t, obj)
		}
	}
	return out
}

// Op27Seed seeds c with an operator-based 2.7 site: the objects of
// Op27Objects without AMP_RELEASE (the site's version is its APIManager's;
// see withoutRelease), the Deployment of the 0.4 operator that OLM runs,
// and the image streams, ConfigMaps and Secrets of the 2.7 templates that
// its DeploymentConfigs follow and read (without them a pod waits with
// CreateContainerConfigError, or on an image that never comes, as on a
// cluster). No pods: the simulator's deployers run the DeploymentConfigs'
// own. The catalog is the simulator's (threescale-2.7 and threescale-2.8
// of the 3scale-operator package).
func Op27Seed(t *testing.T, c *Cluster) {
	t.Helper()
	for _, obj := range Op27Objects(t) {
		c.PutObject(t, withoutRelease(obj))
	}
	c.PutObject(t, op27OperatorDeployment(t))
	for _, obj := range FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")) {
		switch obj["kind"] {
		case "ImageStream", "ConfigMap", "Secret":
			if data, _ := obj["data"].(map[string]any); obj["kind"] == "ConfigMap" && data != nil {
				delete(data, "AMP_RELEASE")
			}
			c.PutObject(t, obj)
		}
	}
}

// op27OperatorDeployment is the Deployment of the 0.4 3scale operator in
// 3scale-operator: the 2.15 fixture's controller Deployment under the name
// the operator had up to 0.7, 3scale-operator (deploy/operator.yaml of
// 3scale/3scale-operator v0.4.0), owned by the 0.4.0 CSV.
func op27OperatorDeployment(t *testing.T) map[string]any {
	t.Helper()
	operator := FixtureObjects(t, testenv.Shared(t, "fixtures/operator/2.15-operator-namespaces.yaml"))
	d := DeepCopy(t, operator["Deployment/threescale-operator-controller-manager-v2"])
	meta := d["metadata"].(map[string]any)
	meta["name"] = "3scale-operator"
	delete(meta, "ownerReferences")
	delete(meta, "uid")
	delete(meta, "resourceVersion")
	labels := meta["labels"].(map[string]any)
	labels["olm.owner"] = "3scale-operator.v0.4.0"
	delete(labels, "olm.deployment-spec-hash")
	for _, ctr := range Get(d, "spec", "template", "spec", "containers").([]any) {
		m := ctr.(map[string]any)
		if strings.Contains(m["image"].(string), "-operator") {
			m["image"] = "registry.redhat.io/3scale-amp2/3scale-rhel7-operator:0.4.0"
		}
	}
	delete(d, "status")
	return d
}

// withoutRelease drops the AMP_RELEASE env var from a DeploymentConfig's
// containers: an operator-based site's system-environment has none.
func withoutRelease(obj map[string]any) map[string]any {
	if obj["kind"] != "DeploymentConfig" {
		return obj
	}
	for _, field := range []string{"containers", "initContainers"} {
		ctrs, _ := Get(obj, "spec", "template", "spec", field).([]any)
		for _, ctr := range ctrs {
			m := ctr.(map[string]any)
			env, _ := m["env"].([]any)
			var kept []any
			for _, e := range env {
				if Get(e, "name") != "AMP_RELEASE" {
					kept = append(kept, e)
				}
			}
			if env != nil {
				m["env"] = kept
			}
		}
	}
	return obj
}
