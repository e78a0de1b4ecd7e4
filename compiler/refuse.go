package compiler

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

// ruleRefusal is a condition under which a hop refuses the plan: a site the
// guide says must not take the hop (Oracle on 3scale 2.16.0), or a choice
// the plan has to make and did not. It becomes an error diagnostic that
// points at the plan, never a step.
type ruleRefusal struct {
	Name    string         `hcl:"name,label"`
	When    hcl.Expression `hcl:"when"`
	Summary string         `hcl:"summary"`
	Detail  hcl.Expression `hcl:"detail"`
	// At lists where in the plan the diagnostic points, as BLOCK or
	// BLOCK.ATTRIBUTE ("install.to", "externalize"): the first one the plan
	// has wins, else the install block.
	At    []string  `hcl:"at"`
	Body  hcl.Body  `hcl:",body"`
	Range hcl.Range `hcl:",def_range"`
}

// refusalBlocks are the plan's blocks a refusal may point at.
var refusalBlocks = map[string]bool{"install": true, "operator": true, "externalize": true, "registry": true}

// checkRefusals validates what gohcl cannot of a module's refusals.
func (m module) checkRefusals() hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for _, pr := range m.refusals {
		r := pr.rule
		if seen[r.Name] {
			diags = append(diags, ruleDiag(r.Range, "Duplicate refusal",
				fmt.Sprintf("The refusal %q is made twice for this module (counting the shared refusals of its deployment). Rename or merge one of them.", r.Name)))
		}
		seen[r.Name] = true
		if r.Summary == "" || len(r.At) == 0 {
			diags = append(diags, ruleDiag(r.Range, "Empty refusal",
				fmt.Sprintf("The refusal %q needs a summary and at least one place in the plan (at) for its diagnostic.", r.Name)))
		}
		for _, a := range r.At {
			block, _, _ := strings.Cut(a, ".")
			if !refusalBlocks[block] {
				diags = append(diags, ruleDiag(attrRange(r.Body, "at", r.Range), "Invalid refusal place",
					fmt.Sprintf("The refusal %q points at %q, which is not BLOCK or BLOCK.ATTRIBUTE of a plan block (install, operator, externalize, registry).", r.Name, a)))
			}
		}
	}
	return diags
}

// refuse evaluates a hop's refusals against the plan and the model as the
// hop starts; it reports each that holds and returns false when any did.
func (l *lowering) refuse(m module, sc scopes) bool {
	ok := true
	for _, pr := range m.refusals {
		r := pr.rule
		m, ctx := sc.of(m, pr.scope)
		w := value(m, ctx, r.When)
		if w.IsNull() || w.Type() != cty.Bool {
			bugf("rule module %s: refuse %s: when is not a bool", m.file, r.Name)
		}
		if w.False() {
			continue
		}
		ok = false
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  r.Summary,
			Detail:   reflow(stringValue(m, ctx, r.Detail)),
			Subject:  planRange(l.plan, r.At),
		})
	}
	return ok
}

// reflow joins the lines of each paragraph of a rule's text, keeping blank
// lines and list items ("- ...", indented lines) as they are, so that the
// diagnostic printer can wrap it.
func reflow(text string) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		trimmed := strings.TrimSpace(line)
		n := len(out)
		switch {
		case trimmed == "":
			out = append(out, "")
		case n == 0 || out[n-1] == "" || strings.HasPrefix(line, " ") || strings.HasPrefix(trimmed, "- "):
			out = append(out, strings.TrimRight(line, " "))
		default:
			out[n-1] += " " + trimmed
		}
	}
	return strings.Join(out, "\n")
}

// planRange finds the first of the places (BLOCK or BLOCK.ATTRIBUTE) the
// plan has, for a diagnostic; the install block when it has none.
func planRange(p *plan.Plan, at []string) *hcl.Range {
	for _, a := range at {
		block, attr, _ := strings.Cut(a, ".")
		var decl hcl.Range
		var ranges map[string]hcl.Range
		switch {
		case block == "install":
			decl, ranges = p.Install.DeclRange, p.Install.Ranges
		case block == "operator" && p.Operator != nil:
			decl, ranges = p.Operator.DeclRange, p.Operator.Ranges
		case block == "externalize" && p.Externalize != nil:
			decl, ranges = p.Externalize.DeclRange, p.Externalize.Ranges
		case block == "registry" && p.Registry != nil:
			decl, ranges = p.Registry.DeclRange, p.Registry.Ranges
		default:
			continue
		}
		if attr == "" {
			return decl.Ptr()
		}
		if r, ok := ranges[attr]; ok {
			return r.Ptr()
		}
	}
	return p.Install.DeclRange.Ptr()
}

// find returns the model's object kind/name in namespace ns. The name "*"
// stands for the only object of that kind there (the APIManager, whose name
// only the site knows); n is how many objects the name matched.
func (l *lowering) find(kind, ns, name string) (obj *object, n int) {
	if name != "*" {
		if obj = l.model.get(kind, ns, name); obj != nil {
			return obj, 1
		}
		return nil, 0
	}
	for k, o := range l.model.objects {
		if k.kind == kind && k.namespace == ns {
			obj, n = o, n+1
		}
	}
	if n != 1 {
		return nil, n
	}
	return obj, 1
}

// lookup is find for an object a step needs: a missing object, or a "*"
// that matches none or several, is reported.
func (l *lowering) lookup(step *ir.Step, kind, ns, name string) *object {
	obj, n := l.find(kind, ns, name)
	switch {
	case obj != nil:
		return obj
	case name != "*":
		l.missing(step, kind, ns, name)
		return nil
	case !l.model.snapshot:
		bugf("step %s needs the one %s of namespace %s, and the standard layout has %d", step.ID, kind, ns, n)
	}
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Object missing from snapshot",
		Detail: fmt.Sprintf("Step %s (%s) needs the one %s of namespace %s, and the snapshot has %d (at this point of the plan). "+
			"Export it into the snapshot (oc get %s -n %s -o yaml); a project holds exactly one.",
			step.ID, step.Source, kind, ns, n, strings.ToLower(kind), ns),
		Subject: l.snapshotStart(),
	})
	return nil
}

// fieldFunction is the rule expressions' field(kind, name, pointer): the
// value at a JSON pointer of an object of the plan's namespace as the model
// holds it now, or null when the object or the field is missing. The name
// "*" stands for the only object of that kind. In the pointer, a segment
// name=NAME selects the element of an array whose name is NAME (a
// container, an env var, an image stream tag), as lookupNamed reads it.
func (l *lowering) fieldFunction() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "kind", Type: cty.String}, {Name: "name", Type: cty.String}, {Name: "pointer", Type: cty.String},
		},
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			obj, _ := l.find(args[0].AsString(), l.ns, args[1].AsString())
			if obj == nil {
				return cty.NullVal(cty.DynamicPseudoType), nil
			}
			v, ok := lookupNamed(obj.doc, args[2].AsString())
			if !ok || v == nil {
				return cty.NullVal(cty.DynamicPseudoType), nil
			}
			raw, err := json.Marshal(v)
			if err != nil {
				return cty.NilVal, err
			}
			t, err := ctyjson.ImpliedType(raw)
			if err != nil {
				return cty.NilVal, err
			}
			return ctyjson.Unmarshal(raw, t)
		},
	})
}

// matchFunction is the rule expressions' match(pattern, string): the first
// group of the first match of the RE2 pattern in the string, the whole
// match when the pattern has no group, or "" when it does not match or the
// string is null (a field() the model lacks). A pattern that does not
// compile is a bug in the rule module.
var matchFunction = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "pattern", Type: cty.String},
		{Name: "string", Type: cty.String, AllowNull: true, AllowDynamicType: true},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		re, err := regexp.Compile(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		if args[1].IsNull() || !args[1].IsKnown() || args[1].Type() != cty.String {
			return cty.StringVal(""), nil
		}
		m := re.FindStringSubmatch(args[1].AsString())
		switch {
		case m == nil:
			return cty.StringVal(""), nil
		case len(m) > 1:
			return cty.StringVal(m[1]), nil
		}
		return cty.StringVal(m[0]), nil
	},
})

// regexReplaceFunction is regex_replace(pattern, string, replacement):
// string with every match of the RE2 pattern replaced by replacement, in
// which $1 and ${name} stand for the match's groups (Go's
// Regexp.ReplaceAllString); null stays null.
var regexReplaceFunction = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "pattern", Type: cty.String},
		{Name: "string", Type: cty.String, AllowNull: true},
		{Name: "replacement", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		re, err := regexp.Compile(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		if args[1].IsNull() {
			return cty.NullVal(cty.String), nil
		}
		return cty.StringVal(re.ReplaceAllString(args[1].AsString(), args[2].AsString())), nil
	},
})

// lookupNamed is lookup, where a segment name=NAME on an array selects its
// first element whose name field is NAME: containers, env vars and image
// stream tags are found by name, as the rules name them, not by index.
func lookupNamed(doc any, ptr string) (any, bool) {
	cur := doc
	for _, seg := range splitPointer(ptr) {
		if arr, ok := cur.([]any); ok {
			if name, named := strings.CutPrefix(seg, "name="); named {
				i := indexByName(arr, name)
				if i < 0 {
					return nil, false
				}
				cur = arr[i]
				continue
			}
		}
		v, ok := lookup(cur, "/"+escape(seg))
		if !ok {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

// versionAtLeastFunction is version_at_least(version, least): true when the
// version (major.minor, or major.minor.micro) is least or later, compared
// number by number ("4.10" is after "4.9"). "" or null is never at least
// anything, so that a plan that does not say is not refused for it.
var versionAtLeastFunction = function.New(&function.Spec{
	Params: []function.Parameter{
		{Name: "version", Type: cty.String, AllowNull: true},
		{Name: "least", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if args[0].IsNull() || args[0].AsString() == "" {
			return cty.False, nil
		}
		v, err := versionNumbers(args[0].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		least, err := versionNumbers(args[1].AsString())
		if err != nil {
			return cty.NilVal, err
		}
		return cty.BoolVal(slices.Compare(v, least) >= 0), nil
	},
})

// versionNumbers splits a dotted version into its numbers.
func versionNumbers(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a version such as \"4.12\"", s)
		}
		out = append(out, n)
	}
	return out, nil
}
