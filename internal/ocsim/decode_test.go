package ocsim_test

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
)

// TestDecodeStrict: what kubectl patch --local lets through and the server
// refuses: a misspelt field, a value of the wrong type, a duplicate key,
// a kind without an API type. A valid object passes.
func TestDecodeStrict(t *testing.T) {
	dc := func(spec string) string {
		return `{"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "system-app"}, "spec": ` + spec + `}`
	}
	for _, c := range []struct{ name, obj, want string }{
		{"valid", dc(`{"replicas": 1, "template": {"spec": {"containers": [{"name": "system-master", "env": [{"name": "A", "value": "b"}]}]}}}`), ""},
		{"misspelt", dc(`{"template": {"spec": {"containers": [{"name": "system-master", "envv": []}]}}}`), `unknown field "spec.template.spec.containers[0].envv"`},
		{"wrong type", dc(`{"replicas": "1"}`), "cannot unmarshal string"},
		{"duplicate", dc(`{"replicas": 1, "replicas": 2}`), `duplicate field "spec.replicas"`},
		{"APIManager", `{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "metadata": {"name": "a"}, "spec": {"wildcardDomain": "x", "systm": {}}}`, `unknown field "spec.systm"`},
		{"no type", `{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}`, "no API type for example.com/v1 Widget"},
	} {
		err := ocsim.DecodeStrict([]byte(c.obj))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
