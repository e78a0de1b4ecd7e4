package runbooktest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestHop25WildcardPolicyCheck runs the 2.5 → 2.6 check of the site's
// wildcard policy alone on the 2.5 fixture: it passes on the site as it is
// (wildcardPolicy None, the plan's), fails on a route of a site deployed
// with WILDCARD_POLICY=Subdomain, passes on a site whose route is deleted
// already, and fails when the route cannot be read. Before the step read
// the route with exists, a failed read (a lost connection) was taken for
// a deleted route and the step passed without checking anything.
func TestHop25WildcardPolicyCheck(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.5-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.5-to-2.6-mysql.hcl"), ""))
	const step = "2.5-2.6/wildcard-policy-check"
	for _, tc := range []struct {
		name string
		// change changes the site's objects before the run.
		change func(c *bundletest.Cluster, objects map[string]map[string]any)
		// fail is the call that fails before it reaches the cluster.
		fail string
		// want is what the step prints; "" when it must pass.
		want string
	}{
		{name: "as deployed"},
		{name: "Subdomain", change: func(c *bundletest.Cluster, o map[string]map[string]any) {
			route := o["Route/apicast-wildcard-router"]
			spec := route["spec"].(map[string]any)
			spec["wildcardPolicy"], spec["host"] = "Subdomain", "wildcard.apps.example.com"
			c.Put(t, route)
		}, want: "has wildcardPolicy 'Subdomain', but the plan says wildcard_policy = \"None\""},
		{name: "route deleted", change: func(c *bundletest.Cluster, o map[string]map[string]any) {
			c.Remove(t, "Route/apicast-wildcard-router")
		}},
		{name: "read fails", fail: "route apicast-wildcard-router", want: "could not read route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := bundletest.NewCluster(t, fixture)
			if tc.change != nil {
				tc.change(c, c.Objects(t))
			}
			out, err := c.Run(t, bundle, t.TempDir(), tc.fail, "--only", step)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("the step failed: %v\n%s", err, out)
			case tc.want != "" && (err == nil || !strings.Contains(out, "] "+step+" ")):
				t.Errorf("the step passed, or the run failed before it: %v\n%s", err, out)
			case tc.want != "" && !strings.Contains(out, tc.want):
				t.Errorf("the step failed without saying %q:\n%s", tc.want, out)
			}
		})
	}
}
