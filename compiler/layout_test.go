package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/ampc/ampc/plan"
)

// layoutPlans gives a plan for every choice a layout of the index can
// depend on: s3, the system database and the wildcard policy for template
// installs (with and without migrate_to), the operator's projects and
// Subscription and the externalize block for operator installs.
func layoutPlans(e layoutEntry) []*plan.Plan {
	v, _ := plan.ParseVersion(e.Version)
	base := plan.Install{
		Namespace: "3scale", Deployment: plan.Deployment(e.Deployment),
		From: v, To: v, InstalledAt: v, BackupDir: plan.DefaultBackupDir,
	}
	dbs := []plan.Database{plan.MySQL, plan.PostgreSQL, plan.Oracle}
	var out []*plan.Plan
	if e.Deployment == string(plan.Template) {
		for _, db := range dbs {
			for _, s3 := range []bool{false, true} {
				for _, policy := range []plan.WildcardPolicy{plan.WildcardNone, plan.WildcardSubdomain} {
					in := base
					in.SystemDatabase, in.S3, in.WildcardPolicy = db, s3, policy
					p := &plan.Plan{Install: in}
					if e.Migration {
						p.Install.MigrateTo = plan.Operated
						p.Operator = &plan.Operator{Namespace: "3scale-operator", Subscription: plan.DefaultSubscription, WildcardDomain: "example.com"}
					}
					out = append(out, p)
				}
			}
		}
		return out
	}
	places := []plan.Placement{"", plan.AlreadyExternal, plan.OnCluster, plan.AWS}
	for _, db := range dbs {
		for _, apicast := range []string{"", "apicast-operator"} {
			for _, sub := range []string{plan.DefaultSubscription, "my-subscription"} {
				for _, sdb := range places {
					for _, redis := range places {
						in := base
						in.SystemDatabase = db
						p := &plan.Plan{Install: in, Operator: &plan.Operator{Namespace: "3scale-operator", APIcastNamespace: apicast, Subscription: sub}}
						if sdb != "" || redis != "" {
							p.Externalize = &plan.Externalize{SystemDatabase: sdb, Redis: redis, Namespace: "3scale-databases"}
						}
						out = append(out, p)
					}
				}
			}
		}
	}
	return out
}

// TestLayoutsRender renders every layout of the index for every plan it
// serves: each object has an apiVersion, a kind, a name and a namespace,
// and no two objects share a kind, namespace and name.
func TestLayoutsRender(t *testing.T) {
	ix, err := loadLayouts()
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Layouts) == 0 {
		t.Fatal("the index names no layout")
	}
	for _, e := range ix.Layouts {
		for _, p := range layoutPlans(e) {
			in := p.Install
			name := fmt.Sprintf("%s %s migration=%v %s s3=%v %s", e.Deployment, e.Version, e.Migration, in.SystemDatabase, in.S3, in.WildcardPolicy)
			if op := p.Operator; op != nil {
				name += fmt.Sprintf(" operator=%s/%s/%q", op.Namespace, op.Subscription, op.APIcastNamespace)
			}
			if ex := p.Externalize; ex != nil {
				name += fmt.Sprintf(" externalize=%q/%q", ex.SystemDatabase, ex.Redis)
			}
			if got := ix.find(p); got == nil || got.File != e.File {
				t.Errorf("%s: the index does not find %s", name, e.File)
				continue
			}
			docs := decodeObjects(e.File, e.source(p))
			m := e.model(p)
			if len(m.objects) != len(docs) {
				t.Errorf("%s: %d objects give %d keys: two objects share a kind, namespace and name", name, len(docs), len(m.objects))
			}
			for _, o := range m.objects {
				meta := o.doc["metadata"].(map[string]any)
				for _, field := range []any{o.doc["apiVersion"], o.doc["kind"], meta["name"], meta["namespace"]} {
					if s, _ := field.(string); s == "" {
						t.Errorf("%s: an object lacks apiVersion, kind, metadata.name or metadata.namespace: %v", name, o.doc)
						break
					}
				}
			}
		}
	}
}

// TestGuideLeavesValues evaluates every guide_leaves value for each from
// version it names.
func TestGuideLeavesValues(t *testing.T) {
	ix, err := loadLayouts()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range ix.GuideLeaves {
		for _, from := range g.From {
			v, _ := plan.ParseVersion(from)
			p := &plan.Plan{Install: plan.Install{Namespace: "3scale", Deployment: plan.Deployment(g.Deployment), From: v, To: v, InstalledAt: v}}
			for _, ev := range g.EnvValues {
				val, diags := ev.Value.Value(layoutContext(p))
				// null: the site's history left nothing (see leave).
				if diags.HasErrors() || !val.IsNull() && val.Type() != cty.String {
					t.Errorf("guide_leaves %q from %s: env_value %s/%s: value is not a string: %s", g.Name, from, ev.Kind, ev.Name, diags.Error())
				}
			}
			for _, dv := range g.DataValues {
				val, diags := dv.Value.Value(layoutContext(p))
				if diags.HasErrors() || val.IsNull() || val.Type() != cty.String {
					t.Errorf("guide_leaves %q from %s: data_value %s/%s: value is not a string: %s", g.Name, from, dv.Kind, dv.Name, diags.Error())
				}
			}
		}
	}
}

// TestLayoutIndexChecked: an index entry with an unknown install method,
// a version not written major.minor, a file that does not exist, or twice
// the same layout makes the index fail to load.
func TestLayoutIndexChecked(t *testing.T) {
	good := layoutEntry{Deployment: "template", Version: "2.7", File: "template-2.7.yaml.tmpl"}
	for _, tc := range []struct {
		entries []layoutEntry
		want    string
	}{
		{[]layoutEntry{{Deployment: "helm", Version: "2.7", File: good.File}}, "unknown install method"},
		{[]layoutEntry{{Deployment: "template", Version: "2.07", File: good.File}}, "not major.minor"},
		{[]layoutEntry{{Deployment: "template", Version: "2.7", File: "template-9.9.yaml"}}, "template-9.9.yaml"},
		{[]layoutEntry{{Deployment: "template", Version: "2.7", File: "../2.7-2.8-template.hcl"}}, "not a layout file"},
		{[]layoutEntry{good, good}, "defined twice"},
	} {
		ix := layoutIndex{Layouts: tc.entries}
		if err := ix.check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.entries, err, tc.want)
		}
	}
	if err := (&layoutIndex{Layouts: []layoutEntry{good}}).check(); err != nil {
		t.Errorf("a good entry: %v", err)
	}
}
