package bundletest

import (
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
