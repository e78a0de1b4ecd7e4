package propertytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
)

// A manualAction is what the person at the console does on the cluster
// when the runbook stops at a step for them (a manual step, or a step that
// asks for a person and --ack), before running it again.
type manualAction func(con *console)

// console is the person's terminal on a site's cluster: oc in the site's
// project, outside the runbook.
type console struct {
	t *testing.T
	c *bundletest.Cluster
}

// oc runs oc with stdin as its input, and stops the test when it fails:
// the person does what the guide says, and it works.
func (con *console) oc(stdin string, args ...string) string {
	con.t.Helper()
	out, err := con.c.OC(con.t, stdin, args...)
	if err != nil {
		con.t.Fatalf("the person's oc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// objects lists the objects of a kind, as oc get KIND -o json gives them.
func (con *console) objects(kind string) []map[string]any {
	con.t.Helper()
	var l struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(con.oc("", "get", kind, "-o", "json")), &l); err != nil {
		con.t.Fatal(err)
	}
	return l.Items
}

// manualStopRE and failedStepRE find where a run stopped for a person: a
// manual step not yet confirmed (exit 3), or a step that failed.
var (
	manualStopRE = regexp.MustCompile(`(?m)^Stopped at manual step (\S+)\. `)
	failedStepRE = regexp.MustCompile(`(?m)^ampc: step (\S+) failed `)
)

// exec runs the runbook on c from work the way the person at the console
// runs it. A run without --ack stops at each manual step (exit 3), as the
// real runbook does; there, and at a failed step the site has an action
// for, the person does the site's action (site.manual; a step the site
// has none for needs nothing done on the fixture's cluster) and runs again,
// with --ack of the step where the runbook asks for it. It gives the
// output of every run and the error of the last.
func (p *propRun) exec(c *bundletest.Cluster, work string) (string, error) {
	t := p.t
	t.Helper()
	var all strings.Builder
	var args []string
	acted := ""
	for {
		out, err := c.Exec(t, p.bundle, work, nil, args...)
		all.WriteString(out)
		if err == nil {
			return all.String(), nil
		}
		step := ""
		if m := manualStopRE.FindStringSubmatch(out); m != nil {
			step = m[1]
		} else if m := failedStepRE.FindAllStringSubmatch(out, -1); m != nil && p.site.manual[m[len(m)-1][1]] != nil {
			step = m[len(m)-1][1]
		}
		// A step the person has just done that stops the run again is the
		// run's failure, not theirs.
		if step == "" || step == acted {
			return all.String(), err
		}
		if do := p.site.manual[step]; do != nil {
			do(&console{t: t, c: c})
		}
		acted, args = step, nil
		if strings.Contains(out, "--ack "+step) {
			args = []string{"--ack", step}
		}
		fmt.Fprintf(&all, "--- the person did %s\n", step)
	}
}

// manual25 is what a person does at the stops of the 2.5 → 2.6 hop
// (compiler/rules/2.5-2.6-template.hcl; 001_94522790b066fb62.txt 2.2, 2.9)
// on the fixtures' sites, which run no self-managed APIcast, have no
// custom certificates and no routes made by hand.
var manual25 = map[string]manualAction{
	// Section 2.2, steps 1 to 5: the Secret the Service Accounts panel
	// gives, renamed threescale-registry-auth, created with oc create -f.
	"2.5-2.6/registry-auth-secret": func(con *console) {
		if con.oc("", "get", "secret", "threescale-registry-auth", "--ignore-not-found", "-o", "name") != "" {
			return
		}
		auth := base64.StdEncoding.EncodeToString([]byte("12345678|ampc-site:registry-token-of-the-site"))
		config := fmt.Sprintf(`{"auths":{"registry.redhat.io":{"auth":%q}}}`, auth)
		con.oc(fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: threescale-registry-auth
data:
  .dockerconfigjson: %s
type: kubernetes.io/dockerconfigjson
`, base64.StdEncoding.EncodeToString([]byte(config))), "create", "-f", "-")
	},
}
