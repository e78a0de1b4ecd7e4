package compiler

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/ampc/ampc/plan"
)

// The standard layouts are ampc's compact models of a fresh install, used
// when a plan is compiled without --snapshot. Each is a file of trimmed
// Kubernetes objects under rules/layouts, written from the facts of the
// templates or the operator of its version and read like a manifest
// (decodeObjects), and rules/layouts/index.hcl says which file models which
// install method at which version. rules/README.md ("Standard layouts")
// describes both. Go holds only the mechanism: find the file, render it,
// and model a site's history by lowering the hops it went through.

// layoutDir is the folder of the standard layouts in ruleFS.
const layoutDir = "rules/layouts/"

// layoutIndex is rules/layouts/index.hcl, as gohcl decodes it.
type layoutIndex struct {
	Layouts     []layoutEntry `hcl:"layout,block"`
	GuideLeaves []guideLeaves `hcl:"guide_leaves,block"`
}

// layoutEntry names the file that models a fresh install of one install
// method at one version.
type layoutEntry struct {
	Deployment string `hcl:"deployment,label"`
	Version    string `hcl:"version,label"`
	// Migration marks a layout that serves only plans that migrate the
	// site (migrate_to): the objects the migration reads, not a layout
	// another hop could patch.
	Migration bool   `hcl:"migration,optional"`
	File      string `hcl:"file"`

	// source renders the file for a plan. A template is parsed once per
	// Rules, when a plan first needs it: parsing the largest layout takes
	// longer than rendering it.
	source func(p *plan.Plan) []byte
}

// guideLeaves is what the guides' own upgrades leave on a site where
// ampc's hops leave something else. It applies to the model of a site
// first installed before the plan's from, after the hops of its history,
// when the plan's deployment is Deployment and its from one of From.
type guideLeaves struct {
	Name       string           `hcl:"name,label"`
	Deployment string           `hcl:"deployment"`
	From       []string         `hcl:"from"`
	EnvValues  []guideEnvValue  `hcl:"env_value,block"`
	DataValues []guideDataValue `hcl:"data_value,block"`
}

// guideDataValue sets the key Key of the object's data (a ConfigMap's) to a
// value, where a guide's upgrade left the value the install wrote.
type guideDataValue struct {
	Kind  string         `hcl:"kind,label"`
	Name  string         `hcl:"name,label"`
	Key   string         `hcl:"key"`
	Value hcl.Expression `hcl:"value"`
}

// guideEnvValue makes the env var Var of every container of the object's
// pod template (/spec/template/spec/containers) that has it a literal
// value, as `oc set env` does; a null value leaves it as the hops left it
// (a site whose history ran no such guide).
type guideEnvValue struct {
	Kind  string         `hcl:"kind,label"`
	Name  string         `hcl:"name,label"`
	Var   string         `hcl:"var"`
	Value hcl.Expression `hcl:"value"`
}

// loadLayouts parses rules/layouts/index.hcl and checks it (see check).
// An error is a bug in ampc, as for the rule modules.
func loadLayouts() (*layoutIndex, error) {
	var ix layoutIndex
	if _, err := decodeRuleFile(ruleFS, layoutDir+"index.hcl", &ix); err != nil {
		return nil, fmt.Errorf("standard layouts %sindex.hcl: %v", layoutDir, err)
	}
	if err := ix.check(); err != nil {
		return nil, fmt.Errorf("standard layouts %sindex.hcl: %v", layoutDir, err)
	}
	for i := range ix.Layouts {
		ix.Layouts[i].source = layoutSource(layoutDir + ix.Layouts[i].File)
	}
	return &ix, nil
}

// layoutSource returns the renderer of a layout file: the file as it is, or
// for a *.tmpl file the template, parsed on first use and evaluated with
// plan.* (layoutContext). A template that does not parse or names anything
// but plan.* is a bug in ampc.
func layoutSource(path string) func(p *plan.Plan) []byte {
	parse := sync.OnceValue(func() hcl.Expression {
		src, err := ruleFS.ReadFile(path)
		if err != nil {
			bugf("%s: %v", path, err)
		}
		if !strings.HasSuffix(path, ".tmpl") {
			return &hclsyntax.LiteralValueExpr{Val: cty.StringVal(string(src))}
		}
		tmpl, diags := hclsyntax.ParseTemplate(src, path, hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			bugf("%s: %s", path, diags.Error())
		}
		if err := checkPlanNames(tmpl.Variables()); err != nil {
			bugf("%s: %v", path, err)
		}
		return tmpl
	})
	return func(p *plan.Plan) []byte { return renderTemplate(path, parse(), layoutContext(p)) }
}

// check validates what gohcl cannot: install methods, versions, that each
// file exists, that guide_leaves values name only plan.*.
func (ix *layoutIndex) check() error {
	type entryKey struct {
		deployment, version string
		migration           bool
	}
	seen := map[entryKey]bool{}
	for _, e := range ix.Layouts {
		where := fmt.Sprintf("layout %q %q", e.Deployment, e.Version)
		if err := checkDeploymentVersion(e.Deployment, e.Version); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
		k := entryKey{e.Deployment, e.Version, e.Migration}
		if seen[k] {
			return fmt.Errorf("%s: defined twice", where)
		}
		seen[k] = true
		if path.Base(e.File) != e.File || e.File == "index.hcl" {
			return fmt.Errorf("%s: file %q is not a layout file of this folder", where, e.File)
		}
		if _, err := fs.Stat(ruleFS, layoutDir+e.File); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		}
	}
	for _, g := range ix.GuideLeaves {
		where := fmt.Sprintf("guide_leaves %q", g.Name)
		for _, v := range g.From {
			if err := checkDeploymentVersion(g.Deployment, v); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
		}
		for _, ev := range g.EnvValues {
			if ev.Var == "" {
				return fmt.Errorf("%s: env_value %q %q names no var", where, ev.Kind, ev.Name)
			}
			if err := checkPlanNames(ev.Value.Variables()); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
		}
		for _, dv := range g.DataValues {
			if dv.Key == "" {
				return fmt.Errorf("%s: data_value %q %q names no key", where, dv.Kind, dv.Name)
			}
			if err := checkPlanNames(dv.Value.Variables()); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
		}
	}
	return nil
}

// checkDeploymentVersion checks an install method and a version written
// as plans write them (major.minor, no leading zeros).
func checkDeploymentVersion(deployment, version string) error {
	if deployment != string(plan.Template) && deployment != string(plan.Operated) {
		return fmt.Errorf("unknown install method %q (template or operator)", deployment)
	}
	if v, ok := plan.ParseVersion(version); !ok || v.String() != version {
		return fmt.Errorf("version %q is not major.minor", version)
	}
	return nil
}

// checkPlanNames checks that every name an expression or template refers
// to is one of plan.*, the only names a layout knows.
func checkPlanNames(vars []hcl.Traversal) error {
	known := planValue(&plan.Plan{}).Type()
	for _, t := range vars {
		attr := ""
		if len(t) > 1 {
			if a, ok := t[1].(hcl.TraverseAttr); ok {
				attr = a.Name
			}
		}
		if t.RootName() != "plan" || !known.HasAttribute(attr) {
			return fmt.Errorf("%s: unknown name %s.%s; a layout knows only plan.*", t.SourceRange(), t.RootName(), attr)
		}
	}
	return nil
}

// find returns the layout of a fresh install of the plan's kind at its
// installed_at version, or nil when ampc has none. A plan that migrates
// the site at that version takes its migration layout when there is one.
func (ix *layoutIndex) find(p *plan.Plan) *layoutEntry {
	in := p.Install
	var plain *layoutEntry
	for i := range ix.Layouts {
		e := &ix.Layouts[i]
		if e.Deployment != string(in.Deployment) || e.Version != in.InstalledAt.String() {
			continue
		}
		if e.Migration && migratesAtInstall(in) {
			return e
		}
		if !e.Migration && plain == nil {
			plain = e
		}
	}
	return plain
}

// migratesAtInstall reports whether a plan migrates the site at the
// version it was installed at, before any hop: only then is the site the
// fresh install the migration layout models: from is installed_at and
// migrate_at, when given, is from (without it, the migration runs at from
// when a module migrates there, and a migration layout exists only at
// such a version).
func migratesAtInstall(in plan.Install) bool {
	return in.MigrateTo != "" && in.InstalledAt == in.From && (in.MigrateAt.IsZero() || in.MigrateAt == in.From)
}

// layoutContext is what a layout's template and a guide_leaves value see:
// plan.* only, since no model exists yet.
func layoutContext(p *plan.Plan) *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{"plan": planValue(p)}}
}

// model renders the layout for a plan. An object without a namespace is in
// the plan's.
func (e *layoutEntry) model(p *plan.Plan) *model {
	m := newModel(false)
	for _, doc := range decodedLayout(layoutDir+e.File, e.source(p)) {
		meta := doc["metadata"].(map[string]any)
		if _, ok := meta["namespace"]; !ok {
			meta["namespace"] = p.Install.Namespace
		}
		m.put(doc, nil)
	}
	return m
}

// decodedLayouts holds each rendered layout decoded (decodeObjects), by
// the digest of its path and text: the plans of one process (the tests'
// matrix, a compile's snapshot and standard models) render the same few
// texts, and decoding YAML costs ten times a copy.
var decodedLayouts sync.Map

// decodedLayout is decodeObjects of a rendered layout, each object a copy
// of the cached one, which nothing changes.
func decodedLayout(path string, src []byte) []map[string]any {
	key := sha256.Sum256(append([]byte(path+"\x00"), src...))
	v, ok := decodedLayouts.Load(key)
	if !ok {
		v, _ = decodedLayouts.LoadOrStore(key, decodeObjects(path, src))
	}
	cached := v.([]map[string]any)
	out := make([]map[string]any, len(cached))
	for i, obj := range cached {
		out[i] = copyValue(obj).(map[string]any)
	}
	return out
}

// leave applies to the model of a site's history the guide_leaves blocks
// that match the plan.
func (ix *layoutIndex) leave(m *model, p *plan.Plan) {
	in := p.Install
	for _, g := range ix.GuideLeaves {
		if g.Deployment != string(in.Deployment) || !slices.Contains(g.From, in.From.String()) {
			continue
		}
		for _, ev := range g.EnvValues {
			obj := m.get(ev.Kind, in.Namespace, ev.Name)
			if obj == nil {
				continue
			}
			v, diags := ev.Value.Value(layoutContext(p))
			if !diags.HasErrors() && v.IsNull() {
				continue // this site's history left nothing here
			}
			if diags.HasErrors() || v.Type() != cty.String {
				bugf("standard layouts: guide_leaves %q: value is not a string: %s", g.Name, diags.Error())
			}
			containers, _ := lookup(obj.doc, "/spec/template/spec/containers")
			list, _ := containers.([]any)
			for _, c := range list {
				c, _ := c.(map[string]any)
				env, _ := c["env"].([]any)
				if i := indexByName(env, ev.Var); i >= 0 {
					env[i] = map[string]any{"name": ev.Var, "value": v.AsString()}
				}
			}
		}
		for _, dv := range g.DataValues {
			obj := m.get(dv.Kind, in.Namespace, dv.Name)
			if obj == nil {
				continue
			}
			v, diags := dv.Value.Value(layoutContext(p))
			if diags.HasErrors() || v.IsNull() || v.Type() != cty.String {
				bugf("standard layouts: guide_leaves %q: value is not a string: %s", g.Name, diags.Error())
			}
			if data, ok := obj.doc["data"].(map[string]any); ok {
				data[dv.Key] = v.AsString()
			}
		}
	}
}

// reconcile applies to the model the operator_reconciles blocks of m that
// stand after its first `after` steps: what the 3scale operator of the
// hop's to version does on its own, with the objects it leaves or creates
// taken from the standard layout of that version (rendered for the plan,
// as a fresh install of it). A move replaces each object it names by the
// layout's object of its new kind and name, and leaves an object for which
// the layout has none as it is (the operator did not deploy it); a drop
// removes objects; an add puts in the layout's object where the model has
// none. Moves run first, then drops, then adds, each in the order written.
func (l *lowering) reconcile(m module, after int, layouts *layoutIndex) {
	for _, pr := range m.reconciles {
		if pr.after != after {
			continue
		}
		target := layouts.operatorLayout(l.plan, m.hop.To)
		if target == nil {
			bugf("rule module %s: operator_reconciles %q: no standard layout of an operator install at %s", m.file, pr.rule.Name, m.hop.To)
		}
		rc := pr.rule
		ns := func(operator bool) string {
			if operator && l.plan.Operator != nil {
				return l.plan.Operator.Namespace
			}
			return l.ns
		}
		for _, mv := range rc.Moves {
			for _, k := range l.model.matching(mv.Kind, ns(mv.OperatorNamespace), mv.Name) {
				kind, name := k.kind, k.name
				if mv.ToKind != "" {
					kind = mv.ToKind
				}
				if mv.ToName != "" {
					name = mv.ToName
				}
				// An object the layout has no successor for is not the
				// operator's: it stays as the site has it.
				if obj := target.get(kind, k.namespace, name); obj != nil {
					delete(l.model.objects, k)
					l.model.put(deepCopy(obj.doc), nil)
				}
			}
		}
		for _, d := range rc.Drops {
			for _, k := range l.model.matching(d.Kind, ns(d.OperatorNamespace), d.Name) {
				delete(l.model.objects, k)
			}
		}
		for _, a := range rc.Adds {
			for _, k := range target.matching(a.Kind, ns(a.OperatorNamespace), a.Name) {
				if l.model.objects[k] == nil {
					l.model.put(deepCopy(target.objects[k].doc), nil)
				}
			}
		}
	}
}

// operatorLayout is the standard layout of a fresh operator-based install
// at version, rendered for the plan; nil when ampc has none.
func (ix *layoutIndex) operatorLayout(p *plan.Plan, version string) *model {
	v, ok := plan.ParseVersion(version)
	if !ok {
		return nil
	}
	fresh := *p
	fresh.Install.Deployment = plan.Operated
	fresh.Install.From, fresh.Install.InstalledAt = v, v
	fresh.Install.MigrateTo = ""
	e := ix.find(&fresh)
	if e == nil {
		return nil
	}
	return e.model(&fresh)
}
