package compiler

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// lowering turns the steps of rule modules into IR steps against one
// evolving model of the namespace.
type lowering struct {
	plan     *plan.Plan
	ns       string
	model    *model
	snapshot *snapshot.Snapshot // nil without --snapshot
	redactor *strings.Replacer
	diags    hcl.Diagnostics
}

// bug reports a fault of ampc itself; the command line turns it into a
// message that says so.
type bug struct{ msg string }

func (b bug) Error() string { return "this is a bug in ampc: " + b.msg }

func bugf(format string, args ...any) { panic(bug{fmt.Sprintf(format, args...)}) }

// shapeError is an object whose fields do not have the types a rule
// assumes (spec.tags a string, a hook that is a list). Lowering raises it
// while computing a patch; on a snapshot it becomes the user's diagnostic,
// on the standard layout a bug.
type shapeError struct{ msg string }

func shapef(format string, args ...any) { panic(shapeError{fmt.Sprintf(format, args...)}) }

func (l *lowering) evalContext(m module, hop ir.Hop) *hcl.EvalContext {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"plan": planValue(l.plan),
			"hop": cty.ObjectVal(map[string]cty.Value{
				"name":             cty.StringVal(hop.Name()),
				"from":             cty.StringVal(hop.From),
				"to":               cty.StringVal(hop.To),
				"operator_version": cty.StringVal(hop.OperatorVersion),
				"openshift_min":    cty.StringVal(hop.OpenShiftMin),
				"openshift_max":    cty.StringVal(hop.OpenShiftMax),
			}),
			// snapshot is true when the plan is compiled against a
			// snapshot: the model holds the site's own objects, so a
			// change computed from them can be an exact, reviewable patch.
			"snapshot": cty.BoolVal(l.snapshot != nil),
		},
		Functions: map[string]function.Function{
			// has(kind, name) is true when the model holds that object now.
			"has": function.New(&function.Spec{
				Params: []function.Parameter{{Name: "kind", Type: cty.String}, {Name: "name", Type: cty.String}},
				Type:   function.StaticReturnType(cty.Bool),
				Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
					obj, _ := l.find(args[0].AsString(), l.ns, args[1].AsString())
					return cty.BoolVal(obj != nil), nil
				},
			}),
			"field":            l.fieldFunction(),
			"match":            matchFunction,
			"regex_replace":    regexReplaceFunction,
			"version_at_least": versionAtLeastFunction,
			// try(expr, ...) and can(expr), HCL's own (ext/tryfunc): a
			// value of the snapshot may lack a field that another has.
			"try": tryfunc.TryFunc,
			"can": tryfunc.CanFunc,
			// length(list) counts, for a for expression's result.
			"length": stdlib.LengthFunc,
		},
	}
	locals := map[string]cty.Value{}
	for _, lb := range m.body.Locals {
		attrs, diags := lb.Body.JustAttributes()
		if diags.HasErrors() {
			bugf("rule module %s: locals: %s", m.file, diags.Error())
		}
		for name, a := range attrs {
			v, diags := a.Expr.Value(ctx)
			if diags.HasErrors() {
				bugf("rule module %s: local %s: %s", m.file, name, diags.Error())
			}
			locals[name] = v
		}
		// Each locals block sees the locals of the blocks before it.
		ctx.Variables["local"] = cty.ObjectVal(locals)
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	return ctx
}

// scopes holds the evaluation contexts of one hop: the module's own and
// each shared file's, all evaluated as the hop starts.
type scopes struct {
	own    *hcl.EvalContext
	shared map[*module]*hcl.EvalContext
}

func (l *lowering) hopScopes(m module, hop ir.Hop) scopes {
	sc := scopes{own: l.evalContext(m, hop), shared: map[*module]*hcl.EvalContext{}}
	for _, s := range m.scopes {
		sc.shared[s] = l.evalContext(*s, hop)
	}
	return sc
}

// of gives the scope of a placed step or refusal and its context: m and
// its own for nil, else the shared file's.
func (sc scopes) of(m module, scope *module) (module, *hcl.EvalContext) {
	if scope == nil {
		return m, sc.own
	}
	return *scope, sc.shared[scope]
}

// planValue is plan.* of the expressions and templates of the rules and
// the standard layouts: the plan's choices, "" where it makes none.
func planValue(p *plan.Plan) cty.Value {
	in := p.Install
	return cty.ObjectVal(map[string]cty.Value{
		"namespace":       cty.StringVal(in.Namespace),
		"deployment":      cty.StringVal(string(in.Deployment)),
		"from":            cty.StringVal(in.From.String()),
		"to":              cty.StringVal(in.To.String()),
		"installed_at":    cty.StringVal(in.InstalledAt.String()),
		"system_database": cty.StringVal(string(in.SystemDatabase)),
		"s3":              cty.BoolVal(in.S3),
		"wildcard_policy": cty.StringVal(string(in.WildcardPolicy)),
		"backup_dir":      cty.StringVal(in.BackupDir),
		"to_release":      cty.StringVal(in.ToRelease),
		"openshift":       cty.StringVal(versionOrEmpty(in.OpenShift)),
		// The operator and externalize blocks, "" where absent.
		"operator_namespace":          cty.StringVal(operatorField(p, "namespace")),
		"apicast_namespace":           cty.StringVal(operatorField(p, "apicast_namespace")),
		"operator_subscription":       cty.StringVal(operatorField(p, "subscription")),
		"wildcard_domain":             cty.StringVal(operatorField(p, "wildcard_domain")),
		"tenant_name":                 cty.StringVal(operatorField(p, "tenant_name")),
		"migrate_to":                  cty.StringVal(string(in.MigrateTo)),
		"externalize_system_database": cty.StringVal(externalizeField(p, "system_database")),
		"externalize_redis":           cty.StringVal(externalizeField(p, "redis")),
		"externalize_namespace":       cty.StringVal(externalizeField(p, "namespace")),
	})
}

// versionOrEmpty is v as major.minor, or "" when it was never set.
func versionOrEmpty(v plan.Version) string {
	if v.IsZero() {
		return ""
	}
	return v.String()
}

func operatorField(p *plan.Plan, field string) string {
	if p.Operator == nil {
		return ""
	}
	switch field {
	case "namespace":
		return p.Operator.Namespace
	case "subscription":
		return p.Operator.Subscription
	case "wildcard_domain":
		return p.Operator.WildcardDomain
	case "tenant_name":
		return p.Operator.TenantName
	}
	return p.Operator.APIcastNamespace
}

func externalizeField(p *plan.Plan, field string) string {
	e := p.Externalize
	if e == nil {
		return ""
	}
	switch field {
	case "system_database":
		return string(e.SystemDatabase)
	case "redis":
		return string(e.Redis)
	}
	return e.Namespace
}

// namespaceOf evaluates a rule's optional namespace; the plan's by default.
func (l *lowering) namespaceOf(m module, ctx *hcl.EvalContext, expr hcl.Expression) string {
	if ns := stringValue(m, ctx, expr); ns != "" {
		return ns
	}
	return l.ns
}

// objectName gives the name of the object of a patch or delete block: its
// name expression when the block has one (an object the site names, such
// as plan.operator_subscription), else its label.
func objectName(m module, ctx *hcl.EvalContext, label string, expr hcl.Expression) string {
	if name := stringValue(m, ctx, expr); name != "" {
		return name
	}
	return label
}

// value evaluates a rule expression; a null result means "not given".
func value(m module, ctx *hcl.EvalContext, expr hcl.Expression) cty.Value {
	if expr == nil {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		bugf("rule module %s: %s", m.file, diags.Error())
	}
	return v
}

func stringValue(m module, ctx *hcl.EvalContext, expr hcl.Expression) string {
	v := value(m, ctx, expr)
	if v.IsNull() {
		return ""
	}
	if v.Type() != cty.String {
		bugf("rule module %s: %s: want a string, got %s", m.file, expr.Range(), v.Type().FriendlyName())
	}
	return v.AsString()
}

func goValue(v cty.Value) any {
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		bugf("value does not marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		bugf("value does not unmarshal: %v", err)
	}
	return out
}

// lowerStep lowers one rule step; ok is false when its condition excludes it.
func (l *lowering) lowerStep(m module, hop ir.Hop, ctx *hcl.EvalContext, rs ruleStep) (step ir.Step, ok bool) {
	if w := value(m, ctx, rs.When); !w.IsNull() {
		if w.Type() != cty.Bool {
			bugf("rule module %s: step %s: when is not a bool", m.file, rs.Name)
		}
		if w.False() {
			return ir.Step{}, false
		}
	}
	step = ir.Step{
		ID:      hop.Name() + "/" + rs.Name,
		Hop:     hop.Name(),
		Title:   stringValue(m, ctx, rs.Title),
		Kind:    ir.Kind(rs.Kind),
		Source:  hop.Seed + " " + rs.Section,
		Note:    strings.Join(strings.Fields(stringValue(m, ctx, rs.Note)), " "),
		Cluster: rs.Cluster,
	}
	for _, ref := range rs.Requires {
		kind, name, found := strings.Cut(ref, "/")
		if !found {
			bugf("rule module %s: step %s: requires %q is not KIND/NAME", m.file, rs.Name, ref)
		}
		l.lookup(&step, kind, l.ns, name)
	}
	step.Run = strings.TrimRight(stringValue(m, ctx, rs.Run), "\n")
	step.Guard = stringValue(m, ctx, rs.DoneIf)
	step.Precondition = strings.TrimRight(stringValue(m, ctx, rs.Precondition), "\n")
	step.Manual = strings.TrimRight(stringValue(m, ctx, rs.Instructions), "\n")
	step.Timeout = rs.Timeout
	if v := value(m, ctx, rs.Rollout); !v.IsNull() {
		for _, n := range goValue(v).([]any) {
			// "name" waits for a DeploymentConfig, "Kind/name" for another kind.
			kind, name, found := strings.Cut(n.(string), "/")
			if !found {
				kind, name = "DeploymentConfig", n.(string)
			}
			obj := l.lookup(&step, kind, l.namespaceOf(m, ctx, rs.RolloutNamespace), name)
			if obj == nil {
				continue
			}
			step.Wait = append(step.Wait, obj.target())
		}
		if step.Timeout == "" {
			step.Timeout = "20m"
		}
	}
	for _, rp := range rs.Patches {
		for _, ctx := range eachContext(m, ctx, rp.ForEach) {
			if w := value(m, ctx, rp.When); !w.IsNull() && w.False() {
				continue
			}
			ns, name := l.namespaceOf(m, ctx, rp.Namespace), objectName(m, ctx, rp.Name, rp.NameExpr)
			obj := l.model.get(rp.Kind, ns, name)
			if obj == nil {
				l.missing(&step, rp.Kind, ns, name)
				continue
			}
			if p, ok := l.lowerPatch(m, ctx, &step, obj, rp); ok {
				step.Patches = append(step.Patches, p)
			}
		}
	}
	for _, f := range rs.Manifests {
		for _, doc := range manifestObjects(f, ctx) {
			meta := doc["metadata"].(map[string]any)
			meta["namespace"] = l.namespaceOf(m, ctx, rs.ManifestNamespace)
			k := keyOf(doc)
			if existing := l.model.objects[k]; existing != nil {
				l.precondition(&step, existing, "the step creates it, and it exists already")
				continue
			}
			l.model.put(doc, nil)
			step.Creates = append(step.Creates, ir.Manifest{Target: l.model.get(k.kind, k.namespace, k.name).target(), Object: deepCopy(doc)})
		}
	}
	for _, d := range rs.Deletes {
		ns, name := l.namespaceOf(m, ctx, d.Namespace), objectName(m, ctx, d.Name, d.NameExpr)
		obj := l.model.get(d.Kind, ns, name)
		if obj == nil {
			l.missing(&step, d.Kind, ns, name)
			continue
		}
		step.Deletes = append(step.Deletes, ir.Manifest{Target: obj.target(), Object: l.redact(deepCopy(obj.doc))})
		delete(l.model.objects, keyOf(obj.doc))
	}
	return step, true
}

// eachContext gives the contexts a block with for_each is lowered in, one
// per element in order, each seeing each.key (the index in a list, the key
// in a map) and each.value; without for_each, the block's own context.
func eachContext(m module, ctx *hcl.EvalContext, forEach hcl.Expression) []*hcl.EvalContext {
	v := value(m, ctx, forEach)
	if v.IsNull() {
		return []*hcl.EvalContext{ctx}
	}
	if !v.CanIterateElements() {
		bugf("rule module %s: %s: for_each is not a list or a map", m.file, forEach.Range())
	}
	var out []*hcl.EvalContext
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k, "value": e})}
		out = append(out, child)
	}
	return out
}

// manifestObjects reads the objects of an embedded manifest file of
// rules/manifests with objectsOf.
func manifestObjects(name string, ctx *hcl.EvalContext) []map[string]any {
	return objectsOf("rules/manifests/"+name, ctx)
}

// objectsOf reads the objects of an embedded file of the rules, a manifest
// or a standard layout: YAML documents, each one object or a List of
// objects (kind: List, items: [...]). A file named *.tmpl is an HCL
// template, evaluated with ctx first (plan.*, and for a step's manifests
// hop.* and local.*). An unreadable file is a bug in ampc.
func objectsOf(path string, ctx *hcl.EvalContext) []map[string]any {
	src, err := ruleFS.ReadFile(path)
	if err != nil {
		bugf("%s: %v", path, err)
	}
	if strings.HasSuffix(path, ".tmpl") {
		tmpl, diags := hclsyntax.ParseTemplate(src, path, hcl.Pos{Line: 1, Column: 1})
		if diags.HasErrors() {
			bugf("%s: %s", path, diags.Error())
		}
		src = renderTemplate(path, tmpl, ctx)
	}
	return decodeObjects(path, src)
}

// renderTemplate evaluates the parsed template of an embedded file.
func renderTemplate(path string, tmpl hcl.Expression, ctx *hcl.EvalContext) []byte {
	v, diags := tmpl.Value(ctx)
	if diags.HasErrors() || v.IsNull() || v.Type() != cty.String {
		bugf("%s: %s", path, diags.Error())
	}
	return []byte(v.AsString())
}

// decodeObjects reads the YAML of objectsOf.
func decodeObjects(path string, src []byte) []map[string]any {
	var out []map[string]any
	for i, part := range strings.Split("\n"+string(src), "\n---\n") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		var doc map[string]any
		if err := sigsyaml.Unmarshal([]byte(part), &doc); err != nil || doc == nil {
			bugf("%s document %d: %v", path, i+1, err)
		}
		docs := []any{doc}
		if doc["kind"] == "List" {
			docs, _ = doc["items"].([]any)
		}
		for j, d := range docs {
			obj, _ := d.(map[string]any)
			if _, ok := obj["metadata"].(map[string]any); !ok {
				bugf("%s document %d object %d has no metadata", path, i+1, j+1)
			}
			out = append(out, obj)
		}
	}
	return out
}

// missing reports an object a step needs that the model lacks.
func (l *lowering) missing(step *ir.Step, kind, ns, name string) {
	if !l.model.snapshot {
		bugf("step %s needs %s/%s, which the standard layout lacks", step.ID, kind, name)
	}
	get := fmt.Sprintf("oc get %s %s -o yaml", strings.ToLower(kind), name)
	if ns != l.ns {
		get = fmt.Sprintf("oc get %s %s -n %s -o yaml", strings.ToLower(kind), name, ns)
	}
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Object missing from snapshot",
		Detail: fmt.Sprintf("Step %s (%s) needs %s %s in namespace %s, and the snapshot has none (at this point of the plan). "+
			"Export it into the snapshot (%s), or check that the plan's namespace, from version and system_database describe this site.",
			step.ID, step.Source, kind, name, ns, get),
		Subject: l.snapshotStart(),
	})
}

// precondition reports that an object does not look the way a step assumes.
func (l *lowering) precondition(step *ir.Step, obj *object, format string, args ...any) {
	l.preconditionAt(step, obj, "", format, args...)
}

// preconditionAt is precondition for a field at a JSON pointer: the
// diagnostic points at the field in the export (or the deepest part of the
// path there), not at the object's start. A path with an array index
// points at the object: an earlier patch may have moved the elements.
func (l *lowering) preconditionAt(step *ir.Step, obj *object, pointer string, format string, args ...any) {
	what := fmt.Sprintf(format, args...)
	if !l.model.snapshot {
		bugf("step %s: the standard layout breaks a precondition: %s", step.ID, what)
	}
	subject := obj.at
	if subject == nil {
		subject = l.snapshotStart()
	} else if path := splitPointer(pointer); len(path) > 0 && l.snapshot != nil && !slices.ContainsFunc(path, isIndex) {
		at, _ := l.snapshot.FieldRange(snapshot.Object{Doc: obj.doc, At: *obj.at}, path...)
		subject = &at
	}
	k := keyOf(obj.doc)
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Precondition failed",
		Detail: fmt.Sprintf("Step %s (%s) cannot apply to %s %s: %s. "+
			"The snapshot must be taken before the upgrade starts; if this site differs from a standard install on purpose, apply this section by hand and say so in the change review.",
			step.ID, step.Source, k.kind, k.name, what),
		Subject: subject,
	})
}

func (l *lowering) snapshotStart() *hcl.Range {
	start := hcl.Pos{Line: 1, Column: 1}
	path := ""
	if l.snapshot != nil {
		path = l.snapshot.Path
	}
	return &hcl.Range{Filename: path, Start: start, End: start}
}

// patcher computes operations against a working copy of one object, applying
// each group as it goes so that every index it computes is current.
type patcher struct {
	doc      any
	ops      []ir.Op
	resolved []string // per op: the path its value ends up at
	// pinnedEnd records arrays whose last element has been pinned by a test.
	pinnedEnd map[string]bool
	// kept lists the paths of set blocks with keep: their checks say only
	// that the field exists, whatever its value.
	kept []string
}

func (p *patcher) emit(ops ...ir.Op) {
	for _, o := range ops {
		p.resolved = append(p.resolved, p.resolve(o))
		doc, err := applyOp(p.doc, o)
		if err != nil {
			shapef("cannot %s %s", o.Op, o.Path)
		}
		p.doc = doc
		p.ops = append(p.ops, o)
	}
}

// applyOp applies one RFC 6902 operation (add, replace, remove, test) to a
// JSON document in memory and returns the new document. It is the fast path
// used while a patch is computed; the finished patch is applied once more
// with json-patch, which must agree.
func applyOp(doc any, o ir.Op) (any, error) {
	segs := splitPointer(o.Path)
	if len(segs) == 0 {
		return nil, fmt.Errorf("operation on the whole document")
	}
	parent, ok := lookup(doc, "/"+strings.Join(escapeAll(segs[:len(segs)-1]), "/"))
	if len(segs) == 1 {
		parent, ok = doc, true
	}
	if !ok {
		return nil, fmt.Errorf("%s: missing parent", o.Path)
	}
	last := segs[len(segs)-1]
	switch c := parent.(type) {
	case map[string]any:
		cur, exists := c[last]
		switch o.Op {
		case "test":
			if !exists || !reflect.DeepEqual(cur, o.Value) {
				return nil, fmt.Errorf("test %s failed", o.Path)
			}
		case "add":
			c[last] = copyValue(o.Value)
		case "replace":
			if !exists {
				return nil, fmt.Errorf("replace %s: missing", o.Path)
			}
			c[last] = copyValue(o.Value)
		case "remove":
			if !exists {
				return nil, fmt.Errorf("remove %s: missing", o.Path)
			}
			delete(c, last)
		default:
			return nil, fmt.Errorf("unsupported op %s", o.Op)
		}
		return doc, nil
	case []any:
		i := len(c)
		if last != "-" {
			n, err := strconv.Atoi(last)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("%s: bad index", o.Path)
			}
			i = n
		}
		var next []any
		switch o.Op {
		case "test":
			if i >= len(c) || !reflect.DeepEqual(c[i], o.Value) {
				return nil, fmt.Errorf("test %s failed", o.Path)
			}
			return doc, nil
		case "add":
			if i > len(c) {
				return nil, fmt.Errorf("add %s: index out of range", o.Path)
			}
			next = append(append(append(make([]any, 0, len(c)+1), c[:i]...), copyValue(o.Value)), c[i:]...)
		case "replace":
			if i >= len(c) {
				return nil, fmt.Errorf("replace %s: index out of range", o.Path)
			}
			c[i] = copyValue(o.Value)
			return doc, nil
		case "remove":
			if i >= len(c) {
				return nil, fmt.Errorf("remove %s: index out of range", o.Path)
			}
			next = append(append(make([]any, 0, len(c)-1), c[:i]...), c[i+1:]...)
		default:
			return nil, fmt.Errorf("unsupported op %s", o.Op)
		}
		// A slice cannot grow in place: store the new one in its parent.
		return applyOp(doc, ir.NewOp("replace", "/"+strings.Join(escapeAll(segs[:len(segs)-1]), "/"), next))
	}
	return nil, fmt.Errorf("%s: parent is neither an object nor an array", o.Path)
}

// copyValue copies a JSON value so that the document never shares it with
// an operation.
func copyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// resolve gives the path an operation leaves its value at: an append ("-")
// becomes the index it lands on.
func (p *patcher) resolve(o ir.Op) string {
	if o.Op != "add" || !strings.HasSuffix(o.Path, "/-") {
		return o.Path
	}
	parent := strings.TrimSuffix(o.Path, "/-")
	arr, _ := lookup(p.doc, parent)
	a, ok := arr.([]any)
	if !ok {
		shapef("%s is not an array", parent)
	}
	return fmt.Sprintf("%s/%d", parent, len(a))
}

// checks gives what a patch leaves behind: the value at each path it adds
// or replaces, and each path it removes. The runbook reads them to skip a
// patch that is already applied.
func (p *patcher) checks() ir.Checks {
	var c ir.Checks
	seen := map[string]bool{}
	for i := len(p.ops) - 1; i >= 0; i-- {
		o, path := p.ops[i], p.resolved[i]
		if o.Op == "test" || seen[path] {
			continue
		}
		seen[path] = true
		segs := pathSegments(p.doc, path)
		if o.Op == "remove" {
			// A named element removed from an array (an image stream
			// tag): the element that took its place, by name, or no
			// element there once it was the last. Its index alone would
			// hold the next element.
			if _, ok := segs[len(segs)-1].(int); ok {
				if next, ok := lookup(p.doc, path+"/name"); ok {
					c.Present = append([]ir.PathValue{{Path: append(slices.Clone(segs), "name"), Value: next}}, c.Present...)
					continue
				}
			}
			c.Absent = append([][]any{segs}, c.Absent...)
			continue
		}
		v, ok := lookup(p.doc, path)
		if !ok {
			bugf("%s of %s left nothing at %s", o.Op, o.Path, path)
		}
		if slices.Contains(p.kept, path) {
			c.Exists = append([][]any{segs}, c.Exists...)
			continue
		}
		c.Present = append([]ir.PathValue{{Path: segs, Value: v}}, c.Present...)
	}
	return c
}

// pathSegments turns a JSON pointer into jq path segments: numbers where
// the document has arrays.
func pathSegments(doc any, ptr string) []any {
	var out []any
	cur := doc
	for _, seg := range splitPointer(ptr) {
		if a, ok := cur.([]any); ok {
			i, err := strconv.Atoi(seg)
			if err != nil {
				bugf("path %s indexes an array with %q", ptr, seg)
			}
			out = append(out, i)
			if i < len(a) {
				cur = a[i]
			} else {
				cur = nil
			}
			continue
		}
		out = append(out, seg)
		m, _ := cur.(map[string]any)
		cur = m[seg]
	}
	return out
}

func op(kind, path string, v any) ir.Op { return ir.NewOp(kind, path, v) }

// escape encodes one JSON pointer segment.
func escape(seg string) string {
	return strings.ReplaceAll(strings.ReplaceAll(seg, "~", "~0"), "/", "~1")
}

// isIndex reports whether a JSON pointer segment names an array element
// by position ("3", or "-" for the end).
func isIndex(seg string) bool {
	if seg == "-" {
		return true
	}
	if seg == "" {
		return false
	}
	for _, r := range seg {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	if !strings.HasPrefix(ptr, "/") {
		bugf("path %q is not a JSON pointer", ptr)
	}
	parts := strings.Split(ptr[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}

// lookup returns the value at a JSON pointer, and whether it exists.
func lookup(doc any, ptr string) (any, bool) {
	cur := doc
	for _, seg := range splitPointer(ptr) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// indexByName finds the element of an array of objects with the given name.
func indexByName(arr []any, name string) int {
	for i, e := range arr {
		if m, ok := e.(map[string]any); ok && m["name"] == name {
			return i
		}
	}
	return -1
}

func (l *lowering) lowerPatch(m module, ctx *hcl.EvalContext, step *ir.Step, obj *object, rp rulePatch) (patch ir.Patch, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			se, isShape := r.(shapeError)
			if !isShape {
				panic(r)
			}
			if !l.model.snapshot {
				bugf("step %s: the standard layout is malformed: %s", step.ID, se.msg)
			}
			l.precondition(step, obj, "its fields are not shaped as the step expects (%s)", se.msg)
			patch, ok = ir.Patch{}, false
		}
	}()
	before := deepCopy(obj.doc)
	p := &patcher{doc: deepCopy(obj.doc), pinnedEnd: map[string]bool{}}
	failed := len(l.diags)
	for _, e := range rp.Env {
		l.lowerEnv(step, obj, p, e)
	}
	for _, s := range rp.Set {
		l.lowerSet(m, ctx, step, obj, p, s)
	}
	for _, u := range rp.Unset {
		path, pins, missing := resolveNamed(p.doc, u.Path)
		if missing == "" {
			if _, ok := lookup(p.doc, path); !ok {
				missing = u.Path
			}
		}
		if missing != "" {
			if !u.MissingOK {
				l.preconditionAt(step, obj, path, "it has no %s to remove", missing)
			}
			continue
		}
		p.emit(pins...)
		p.emit(ir.Op{Op: "remove", Path: path})
	}
	for _, t := range rp.Tags {
		l.lowerTag(m, ctx, step, obj, p, t)
	}
	for _, t := range rp.Triggers {
		l.lowerTrigger(step, obj, p, t)
	}
	changes := 0
	for _, o := range p.ops {
		if o.Op != "test" {
			changes++
		}
	}
	if len(l.diags) > failed || changes == 0 {
		return ir.Patch{}, false
	}
	// The operations were applied one group at a time; applying them all at
	// once to the original, as the server will, must give the same object.
	raw, _ := json.Marshal(p.ops)
	whole, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		bugf("patch does not decode: %v", err)
	}
	orig, _ := json.Marshal(before)
	out, err := whole.Apply(orig)
	if err != nil {
		bugf("patch of step %s does not apply as a whole: %v", step.ID, err)
	}
	var got any
	_ = json.Unmarshal(out, &got)
	if !reflect.DeepEqual(got, p.doc) {
		bugf("patch of step %s gives another object applied whole than applied in parts", step.ID)
	}
	after := p.doc.(map[string]any)
	obj.doc = after
	return ir.Patch{Target: obj.target(), Ops: p.ops, Checks: p.checks(), Before: l.redact(before), After: l.redact(deepCopy(after))}, true
}

func (l *lowering) lowerEnv(step *ir.Step, obj *object, p *patcher, e ruleEnv) {
	var bases []string
	if e.Hook != "" {
		base := "/spec/strategy/rollingParams/" + e.Hook + "/execNewPod"
		if _, ok := lookup(p.doc, base); !ok {
			l.precondition(step, obj, "it has no %s-hook pod (%s)", e.Hook, base)
			return
		}
		bases = append(bases, base+"/env")
	}
	for _, list := range []struct {
		field, what string
		names       []string
	}{{"containers", "container", e.Containers}, {"initContainers", "init container", e.InitContainers}} {
		for _, c := range list.names {
			cs, _ := lookup(p.doc, "/spec/template/spec/"+list.field)
			arr, _ := cs.([]any)
			i := indexByName(arr, c)
			if i < 0 {
				l.precondition(step, obj, "it has no %s %s", list.what, c)
				continue
			}
			base := fmt.Sprintf("/spec/template/spec/%s/%d", list.field, i)
			p.emit(op("test", base+"/name", c))
			bases = append(bases, base+"/env")
		}
	}
	for _, base := range bases {
		where := describeEnv(p.doc, base)
		for _, v := range e.Vars {
			want := envEntry(v)
			cur, exists := lookup(p.doc, base)
			if !exists && v.Remove {
				if !v.AlreadyOK {
					l.precondition(step, obj, "%s has no env var %s to remove", where, v.Name)
				}
				continue
			}
			if !exists {
				p.emit(op("add", base, []any{want}))
				continue
			}
			arr, _ := cur.([]any)
			i := indexByName(arr, v.Name)
			if v.Remove {
				switch {
				case i >= 0:
					path := fmt.Sprintf("%s/%d", base, i)
					p.emit(op("test", path+"/name", v.Name), ir.Op{Op: "remove", Path: path})
				case !v.AlreadyOK:
					l.precondition(step, obj, "%s has no env var %s to remove", where, v.Name)
				}
				continue
			}
			switch {
			case i >= 0 && reflect.DeepEqual(arr[i], want) && v.AlreadyOK:
				// Nothing to repair on this site.
			case i >= 0 && reflect.DeepEqual(arr[i], want):
				l.precondition(step, obj, "env var %s of %s already reads %s", v.Name, where, describeSource(want))
			case i >= 0:
				path := fmt.Sprintf("%s/%d", base, i)
				p.emit(op("test", path+"/name", v.Name), op("replace", path, want))
			default:
				l.appendPinned(p, base, arr, want)
			}
		}
	}
}

// appendPinned appends to an array, first pinning its current last element
// by name, so that the patch applies only to an array that ends as it did
// when the patch was reviewed. It does not make the patch idempotent: a
// second application appends again. The runbook guards against that with
// the patch's checks (see Patch.Checks).
func (l *lowering) appendPinned(p *patcher, base string, arr []any, v any) {
	if !p.pinnedEnd[base] && len(arr) > 0 {
		last := len(arr) - 1
		if m, ok := arr[last].(map[string]any); ok {
			if name, ok := m["name"].(string); ok {
				p.emit(op("test", fmt.Sprintf("%s/%d/name", base, last), name))
			}
		}
		p.pinnedEnd[base] = true
	}
	p.emit(op("add", base+"/-", v))
}

func describeEnv(doc any, base string) string {
	if strings.Contains(base, "/rollingParams/") {
		return "the " + splitPointer(base)[3] + "-hook pod"
	}
	name, _ := lookup(doc, strings.TrimSuffix(base, "/env")+"/name")
	if strings.Contains(base, "/initContainers/") {
		return fmt.Sprintf("init container %v", name)
	}
	return fmt.Sprintf("container %v", name)
}

func describeSource(entry map[string]any) string {
	if vf, ok := entry["valueFrom"].(map[string]any); ok {
		for kind, ref := range vf {
			r := ref.(map[string]any)
			if kind == "fieldRef" {
				return fmt.Sprintf("the pod field %v", r["fieldPath"])
			}
			return fmt.Sprintf("%s %v key %v", strings.TrimSuffix(kind, "KeyRef"), r["name"], r["key"])
		}
	}
	return fmt.Sprintf("the value %q", entry["value"])
}

func envEntry(v ruleVar) map[string]any {
	if v.Value != nil {
		return map[string]any{"name": v.Name, "value": *v.Value}
	}
	if v.FieldPath != "" {
		return map[string]any{"name": v.Name, "valueFrom": map[string]any{"fieldRef": map[string]any{"fieldPath": v.FieldPath}}}
	}
	ref := map[string]any{"name": v.Secret, "key": v.Key}
	kind := "secretKeyRef"
	if v.ConfigMap != "" {
		ref["name"], kind = v.ConfigMap, "configMapKeyRef"
	}
	if v.Optional {
		ref["optional"] = true
	}
	return map[string]any{"name": v.Name, "valueFrom": map[string]any{kind: ref}}
}

// resolveNamed turns each segment name=NAME of a rule's path that falls on
// an array into the index of the element named NAME in doc, and gives the
// tests that pin those elements by name, so that the patch applies only
// where the element still stands. missing is the part of the path that
// names an element doc does not have ("" when every one is there).
func resolveNamed(doc any, ptr string) (resolved string, pins []ir.Op, missing string) {
	if !strings.Contains(ptr, "/name=") {
		return ptr, nil, ""
	}
	cur, out := doc, ""
	for _, seg := range splitPointer(ptr) {
		if arr, ok := cur.([]any); ok {
			if name, named := strings.CutPrefix(seg, "name="); named {
				i := indexByName(arr, name)
				if i < 0 {
					return ptr, nil, fmt.Sprintf("element named %s in %s", name, out)
				}
				out += "/" + strconv.Itoa(i)
				pins = append(pins, op("test", out+"/name", name))
				cur = arr[i]
				continue
			}
		}
		out += "/" + escape(seg)
		if cur != nil {
			cur, _ = lookup(cur, "/"+escape(seg))
		}
	}
	return out, pins, ""
}

func (l *lowering) lowerSet(m module, ctx *hcl.EvalContext, step *ir.Step, obj *object, p *patcher, s ruleSet) {
	want := goValue(value(m, ctx, s.Value))
	expect := value(m, ctx, s.Expect)
	path, pins, missing := resolveNamed(p.doc, s.Path)
	if missing != "" {
		l.preconditionAt(step, obj, path, "it has no %s", missing)
		return
	}
	p.emit(pins...)
	s.Path = path
	cur, exists := lookup(p.doc, s.Path)
	if exists && s.Keep {
		return // the site's value stays
	}
	if exists {
		if !expect.IsNull() {
			exp := goValue(expect)
			if !reflect.DeepEqual(cur, exp) {
				l.preconditionAt(step, obj, s.Path, "%s is %s, not %s as the step expects", s.Path, brief(cur), brief(exp))
				return
			}
			p.emit(op("test", s.Path, exp), op("replace", s.Path, want))
			return
		}
		if reflect.DeepEqual(cur, want) {
			l.preconditionAt(step, obj, s.Path, "%s is already %s", s.Path, brief(want))
			return
		}
		p.emit(op("replace", s.Path, want))
		return
	}
	if !expect.IsNull() {
		l.preconditionAt(step, obj, s.Path, "it has no %s (the step expects %s)", s.Path, brief(goValue(expect)))
		return
	}
	// Add the value under the deepest existing ancestor.
	segs := splitPointer(s.Path)
	for n := len(segs) - 1; n >= 0; n-- {
		parent := "/" + strings.Join(escapeAll(segs[:n]), "/")
		if n == 0 {
			parent = ""
		}
		if pv, ok := lookup(p.doc, parent); ok {
			if _, isMap := pv.(map[string]any); !isMap {
				shapef("%s is not an object", parent)
			}
			v := want
			for i := len(segs) - 1; i > n; i-- {
				v = map[string]any{segs[i]: v}
			}
			p.emit(op("add", parent+"/"+escape(segs[n]), v))
			if s.Keep {
				p.kept = append(p.kept, s.Path)
			}
			return
		}
	}
}

func escapeAll(segs []string) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = escape(s)
	}
	return out
}

// brief shows a value short enough for a diagnostic; strings longer than 40
// bytes are cut, so that a value read from a snapshot is never shown whole.
func brief(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 40 {
			return fmt.Sprintf("%q…", s[:40])
		}
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

func (l *lowering) lowerTag(m module, ctx *hcl.EvalContext, step *ir.Step, obj *object, p *patcher, t ruleTag) {
	if t.Remove {
		cur, _ := lookup(p.doc, "/spec/tags")
		arr, _ := cur.([]any)
		i := indexByName(arr, t.Name)
		if i < 0 {
			l.precondition(step, obj, "it has no tag %s", t.Name)
			return
		}
		path := fmt.Sprintf("/spec/tags/%d", i)
		p.emit(op("test", path+"/name", t.Name), ir.Op{Op: "remove", Path: path})
		return
	}
	from := map[string]any{"kind": "DockerImage", "name": t.Image}
	if t.Tag != "" {
		from = map[string]any{"kind": "ImageStreamTag", "name": t.Tag}
	}
	want := map[string]any{
		"name":            t.Name,
		"annotations":     map[string]any{"openshift.io/display-name": t.DisplayName},
		"from":            from,
		"referencePolicy": map[string]any{"type": "Source"},
	}
	if insecure := value(m, ctx, t.Insecure); !insecure.IsNull() {
		if insecure.Type() != cty.Bool {
			bugf("rule module %s: the tag %q of step %s has insecure = %s, not a bool", m.file, t.Name, step.ID, insecure.Type().FriendlyName())
		}
		want["importPolicy"] = map[string]any{"insecure": insecure.True()}
	}
	const base = "/spec/tags"
	cur, exists := lookup(p.doc, base)
	if !exists {
		if _, ok := lookup(p.doc, "/spec"); !ok {
			p.emit(op("add", "/spec", map[string]any{"tags": []any{want}}))
		} else {
			p.emit(op("add", base, []any{want}))
		}
		return
	}
	arr, _ := cur.([]any)
	i := indexByName(arr, t.Name)
	switch {
	case i >= 0 && reflect.DeepEqual(arr[i], want):
		l.precondition(step, obj, "tag %s is already %s", t.Name, brief(from["name"]))
	case i >= 0:
		path := fmt.Sprintf("%s/%d", base, i)
		p.emit(op("test", path+"/name", t.Name), op("replace", path, want))
	default:
		l.appendPinned(p, base, arr, want)
	}
}

// lowerTrigger points the image change trigger of one container at another
// image stream tag. The trigger is found by its container, never by index;
// its position is pinned by tests of its type and container names, and of
// the tag it follows now when the rule gives expect.
func (l *lowering) lowerTrigger(step *ir.Step, obj *object, p *patcher, t ruleTrigger) {
	cur, ok := lookup(p.doc, "/spec/triggers")
	if !ok {
		l.precondition(step, obj, "it has no triggers")
		return
	}
	arr, isArray := cur.([]any)
	if !isArray {
		shapef("/spec/triggers is not an array")
	}
	found := -1
	for i, tr := range arr {
		m, _ := tr.(map[string]any)
		names, _ := lookup(m, "/imageChangeParams/containerNames")
		list, _ := names.([]any)
		if m["type"] != "ImageChange" || !slices.Contains(list, any(t.Container)) {
			continue
		}
		if found >= 0 {
			l.precondition(step, obj, "more than one image change trigger names container %s", t.Container)
			return
		}
		found = i
	}
	if found < 0 {
		l.precondition(step, obj, "it has no image change trigger for container %s", t.Container)
		return
	}
	base := fmt.Sprintf("/spec/triggers/%d", found)
	kind, _ := lookup(p.doc, base+"/imageChangeParams/from/kind")
	name, hasName := lookup(p.doc, base+"/imageChangeParams/from/name")
	switch {
	case kind != "ImageStreamTag" || !hasName:
		l.precondition(step, obj, "the image change trigger of container %s does not follow an image stream tag", t.Container)
		return
	case t.Expect != "" && name != t.Expect:
		l.precondition(step, obj, "the image change trigger of container %s follows %s, not %s as the step expects", t.Container, brief(name), t.Expect)
		return
	case name == t.From:
		l.precondition(step, obj, "the image change trigger of container %s already follows %s", t.Container, t.From)
		return
	}
	names, _ := lookup(p.doc, base+"/imageChangeParams/containerNames")
	p.emit(op("test", base+"/type", "ImageChange"), op("test", base+"/imageChangeParams/containerNames", copyValue(names)),
		op("test", base+"/imageChangeParams/from/kind", "ImageStreamTag"))
	if t.Expect != "" {
		p.emit(op("test", base+"/imageChangeParams/from/name", t.Expect))
	}
	p.emit(op("replace", base+"/imageChangeParams/from/name", t.From))
}

// redact copies an object for review output: Secret data is replaced, and
// every snapshot Secret value found inside another string is masked.
func (l *lowering) redact(doc map[string]any) map[string]any {
	if doc["kind"] == "Secret" {
		for _, field := range []string{"data", "stringData"} {
			if data, ok := doc[field].(map[string]any); ok {
				for k, v := range data {
					// A snapshot's value is already its token, (redacted
					// #N) (snapshot.maskSecrets): kept, so that a reviewer
					// sees whether it changed. Any other value is redacted.
					if str, _ := v.(string); !strings.HasPrefix(str, "(redacted #") && str != "" {
						data[k] = "(redacted)"
					}
				}
			}
		}
	}
	if l.redactor == nil {
		return doc
	}
	return redactStrings(doc, l.redactor).(map[string]any)
}

func redactStrings(v any, r *strings.Replacer) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = redactStrings(e, r)
		}
	case []any:
		for i, e := range x {
			x[i] = redactStrings(e, r)
		}
	case string:
		return r.Replace(x)
	}
	return v
}
