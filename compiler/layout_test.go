package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/ampc/ampc/internal/testenv"
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

// TestLayoutHistoryHasNextLayout: the model of a site installed at one
// template version and upgraded by ampc's hop to the next (its history, as
// a plan without --snapshot is compiled) has every object and field the
// standard layout of the next version has, for every plan the next
// layout serves. Later hops read the next version's fields: a layout that
// lacks one of its version's fields (an init container, an env var, a
// Secret key the install wrote) makes every plan of a site installed at
// that version either stop with a bug diagnostic or silently miss a patch
// further on. A path is a field name under a mapping, an element's name in
// a list of named elements, and [] for the elements of any other list.
func TestLayoutHistoryHasNextLayout(t *testing.T) {
	r, err := embeddedRules()
	if err != nil {
		t.Fatal(err)
	}
	var versions []layoutEntry
	for _, e := range r.layouts.Layouts {
		if e.Deployment == string(plan.Template) && !e.Migration {
			versions = append(versions, e)
		}
	}
	for i := 0; i+1 < len(versions); i++ {
		prev, next := versions[i], versions[i+1]
		installed, _ := plan.ParseVersion(prev.Version)
		for _, p := range layoutPlans(next) {
			in := p.Install
			name := fmt.Sprintf("installed at %s, from %s, %s s3=%v %s", prev.Version, next.Version, in.SystemDatabase, in.S3, in.WildcardPolicy)
			p.Install.InstalledAt = installed
			got, err := standardLayout(p, r.mods, r.layouts)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			want := next.model(p)
			var missing []string
			for _, k := range want.keys() {
				o := got.objects[k]
				if o == nil {
					missing = append(missing, k.String())
					continue
				}
				have := map[string]bool{}
				layoutPaths(o.doc, "", func(path string) { have[path] = true })
				layoutPaths(want.objects[k].doc, "", func(path string) {
					if !have[path] {
						missing = append(missing, k.kind+"/"+k.name+path)
					}
				})
			}
			missing = slices.DeleteFunc(missing, func(path string) bool {
				return slices.ContainsFunc(historyLeaves, func(d historyLeaf) bool {
					return slices.Contains(d.installed, prev.Version) && (d.db == "" || d.db == in.SystemDatabase) && regexp.MustCompile(`^`+d.path).MatchString(path)
				})
			})
			if len(missing) > 0 {
				t.Errorf("%s: the history model lacks what the %s layout has (add them to %s):\n\t%s", name, next.Version, prev.File, strings.Join(missing, "\n\t"))
			}
		}
	}
}

// historyLeaf is a field of a layout that a site installed at the version
// before it and upgraded lacks, and why: what the guide's upgrade leaves
// differs from a fresh install, and ampc's hop follows the guide.
type historyLeaf struct {
	installed []string      // the versions the site may have been installed at
	db        plan.Database // "" for any system database
	path      string        // a regular expression a missing path starts with
	why       string
}

// historyLeaves are the differences TestLayoutHistoryHasNextLayout accepts,
// each with its reason.
var historyLeaves = []historyLeaf{
	{[]string{"2.4", "2.5", "2.6"}, "", `DeploymentConfig/system-app/spec/template/spec/containers\[system-(master|provider|developer)\]/env\[AMP_RELEASE\]/valueFrom/`, "AMP_RELEASE: the 2.5 to 2.7 guides set AMP_RELEASE literally (layouts/index.hcl, guide_leaves \"amp-release-literal\")"},
	{[]string{"2.4"}, "", `DeploymentConfig/system-app/spec/strategy/rollingParams/pre/execNewPod/env\[USER_EMAIL\]/`, "the 2.5 templates add USER_EMAIL; the 2.4 → 2.5 guide (002 §2) does not"},
	{[]string{"2.4"}, "", `DeploymentConfig/system-(app|sidekiq)/spec/template/spec/containers\[system-[a-z]+\]/env\[USER_EMAIL\]/`, "as above"},
	{[]string{"2.4"}, plan.PostgreSQL, "DeploymentConfig/system-postgresql in ", "the 2.4 layout models amp.yml, whose system database is MySQL: a PostgreSQL site's system-postgresql at 2.4 is its own (a plan needs its snapshot to model it)"},
	{[]string{"2.6", "2.7", "2.8", "2.9", "2.10"}, plan.Oracle, `ImageStream/amp-system/spec/tags\[`, "an Oracle site builds its system image (bc/3scale-amp-system-oracle) instead of importing the stream's release tag"},
	{[]string{"2.4"}, "", `DeploymentConfig/zync/spec/template/metadata/labels/threescale_component`, "the 2.5 templates label zync's pods threescale_component; the 2.4 → 2.5 guide (002) does not"},
	{[]string{"2.5"}, "", `DeploymentConfig/zync/metadata/annotations/prometheus\.io/`, "the 2.6 templates annotate zync's DeploymentConfig for Prometheus; the 2.5 → 2.6 guide (001) does not (2.10-2.11/zync-annotations sets them on the pod template whatever the DeploymentConfig has)"},
	{[]string{"2.7"}, "", "Secret/aws-auth/data/", "2.7-2.8/s3-aws-auth copies AWS_BUCKET and AWS_REGION at run time (values the model never holds); the guide adds no AWS_PROTOCOL, AWS_HOSTNAME or AWS_PATH_STYLE (optional references)"},
	{[]string{"2.10"}, "", `DeploymentConfig/system-app/spec/template/spec/containers\[system-(master|provider|developer)\]/env\[USER_SESSION_TTL\]/`, "the 2.11 templates add it, the guide's sections do not (2.10-2.11-template.hcl, header)"},
}

// layoutPaths calls f with the path of every leaf under v (see
// TestLayoutHistoryHasNextLayout).
func layoutPaths(v any, at string, f func(string)) {
	layoutValues(v, at, func(path string, _ any) { f(path) })
}

// layoutValues calls f with the path and value of every leaf under v.
func layoutValues(v any, at string, f func(string, any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			layoutValues(c, at+"/"+k, f)
		}
	case []any:
		if len(v) == 0 {
			f(at+"[]", nil)
		}
		for _, c := range v {
			if m, ok := c.(map[string]any); ok {
				if n, ok := m["name"].(string); ok {
					layoutValues(m, at+"["+n+"]", f)
					continue
				}
			}
			layoutValues(c, at+"[]", f)
		}
	default:
		f(at, v)
	}
}

// TestLayoutsAgreeWithExports: each template layout that has an export of
// a fresh install of its version in ../shared/fixtures (a MySQL site, with
// and without S3) holds only what the export holds: every object, every
// field path (as TestLayoutHistoryHasNextLayout names them) and every value
// the layout knows (a value the templates generate or a Secret's is "" in
// the layout and not compared, as is a command that names one as
// ${NAME}).
func TestLayoutsAgreeWithExports(t *testing.T) {
	ix, err := loadLayouts()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ix.Layouts {
		if e.Deployment != string(plan.Template) || e.Migration {
			continue
		}
		for _, s3 := range []bool{false, true} {
			name := e.Version + "-amp"
			if s3 {
				name += "-s3"
			}
			v, _ := plan.ParseVersion(e.Version)
			if v.Less(plan.Version{Major: 2, Minor: 4}) || !v.Less(plan.Version{Major: 2, Minor: 9}) {
				continue // no export of this version
			}
			export := map[key]map[string]any{}
			for _, o := range testenv.ListItems(t, testenv.Shared(t, "fixtures/templates/"+name+".yaml")) {
				meta := o["metadata"].(map[string]any)
				export[key{o["kind"].(string), "3scale", meta["name"].(string)}] = o
			}
			p := &plan.Plan{Install: plan.Install{Namespace: "3scale", Deployment: plan.Template, From: v, To: v, InstalledAt: v,
				SystemDatabase: plan.MySQL, S3: s3, WildcardPolicy: plan.WildcardNone, BackupDir: plan.DefaultBackupDir}}
			m := e.model(p)
			var wrong []string
			for _, k := range m.keys() {
				x, ok := export[k]
				if !ok {
					wrong = append(wrong, k.String()+": not in the export")
					continue
				}
				have := map[string][]any{}
				layoutValues(x, "", func(path string, v any) { have[path] = append(have[path], v) })
				layoutValues(m.objects[k].doc, "", func(path string, v any) {
					got, ok := have[path]
					switch {
					case !ok:
						wrong = append(wrong, k.kind+"/"+k.name+path+": not in the export")
					case v != "" && !isPlaceholder(v) && !slices.Contains(got, v) && k.kind == "Secret":
						wrong = append(wrong, fmt.Sprintf("%s/%s%s: %v, not the export's value", k.kind, k.name, path, v))
					case v != "" && !isPlaceholder(v) && !slices.Contains(got, v):
						wrong = append(wrong, fmt.Sprintf("%s/%s%s: %v, the export has %v", k.kind, k.name, path, v, got))
					}
				})
			}
			if len(wrong) > 0 {
				t.Errorf("%s for %s: the layout says what the export does not:\n\t%s", e.File, name, strings.Join(wrong, "\n\t"))
			}
		}
	}
}

// isPlaceholder: a layout value that stands for one the install generated,
// such as the pre hook's command with ${MASTER_ACCESS_TOKEN}.
func isPlaceholder(v any) bool {
	s, _ := v.(string)
	return strings.Contains(s, "${")
}
