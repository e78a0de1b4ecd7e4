package compiler

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

// The rule modules, one HCL file per hop, what they share (refusals, steps,
// how a site's version is read), the shell library their steps call, and
// the standard layouts. rules/README.md describes the language.
//
//go:embed rules/*.hcl rules/shared/*.hcl rules/manifests rules/layouts rules/lib/*.sh
var ruleFS embed.FS

// module is one parsed rule module. A shared file is parsed into one too,
// as the scope of its expressions (its file name and locals).
type module struct {
	file string
	hop  ir.Hop
	body ruleFile
	// steps are the module's steps in run order: its own and those of the
	// shared groups it uses, each with the scope whose names it sees.
	steps []placedStep
	// reconciles are the module's operator_reconciles blocks in order.
	reconciles []placedReconcile
	// refusals are the shared refusals of the module's deployment, then
	// its own.
	refusals []placedRefusal
	// scopes are the shared files whose steps or refusals the module runs.
	scopes []*module
	// reads holds the names of plan.* that the module's expressions,
	// locals and manifest templates refer to.
	reads map[string]bool
	// variant is true for the module of a version block of a migration
	// (the file's module serves its hop block's version).
	variant bool
}

// placedStep is a step at its place in a module. scope is nil for the
// module's own steps, else the shared file whose locals the step sees.
type placedStep struct {
	rule  ruleStep
	scope *module
}

// placedRefusal is a refusal a module makes; scope as in placedStep.
type placedRefusal struct {
	rule  ruleRefusal
	scope *module
}

// The rule language, as gohcl decodes it. Expressions stay unevaluated until
// lowering, where they see the plan and the namespace model.

type ruleFile struct {
	Hop       ruleHop        `hcl:"hop,block"`
	Locals    []ruleLocals   `hcl:"locals,block"`
	Rollbacks []ruleRollback `hcl:"rollback,block"`
	Refusals  []ruleRefusal  `hcl:"refuse,block"`
	Steps     []ruleStep     `hcl:"step,block"`
	Uses      []ruleUse      `hcl:"use,block"`
	// Reconciles say what the operator changes in the namespace on its
	// own, where the block stands among the steps (operator hops).
	Reconciles []ruleReconcile `hcl:"operator_reconciles,block"`
}

// ruleReconcile is an operator_reconciles block: what the 3scale operator
// of the hop's to version does to the objects it owns when it upgrades
// them, for the model of the later steps and hops. Each object it leaves
// or creates is taken from the standard layout of the hop's to version.
type ruleReconcile struct {
	Name  string         `hcl:"name,label"`
	Note  string         `hcl:"note,optional"`
	Moves []ruleMove     `hcl:"move,block"`
	Drops []ruleOwnedRef `hcl:"drop,block"`
	Adds  []ruleOwnedRef `hcl:"add,block"`
	Range hcl.Range      `hcl:",def_range"`
}

// ruleMove replaces the objects of a kind (name "*": every one) by the
// layout's object of kind ToKind (default the same) and name ToName
// (default the same); an object the layout has none for stays.
type ruleMove struct {
	Kind   string `hcl:"kind,label"`
	Name   string `hcl:"name,label"`
	ToKind string `hcl:"to_kind,optional"`
	ToName string `hcl:"to_name,optional"`
	// OperatorNamespace puts the objects in the operator's project
	// (plan.operator_namespace) instead of the plan's.
	OperatorNamespace bool      `hcl:"operator_namespace,optional"`
	Range             hcl.Range `hcl:",def_range"`
}

// ruleOwnedRef names an object (or, with "*", every object of a kind).
type ruleOwnedRef struct {
	Kind              string    `hcl:"kind,label"`
	Name              string    `hcl:"name,label"`
	OperatorNamespace bool      `hcl:"operator_namespace,optional"`
	Range             hcl.Range `hcl:",def_range"`
}

// placedReconcile is an operator_reconciles block at its place: after
// the first `after` steps of the module's run order.
type placedReconcile struct {
	rule  ruleReconcile
	after int
}

// ruleUse places the steps of a shared group in a module, where the use
// block stands.
type ruleUse struct {
	Group string `hcl:"group,label"`
	// Section is the section of the module's seed that the group's steps
	// follow.
	Section string    `hcl:"section"`
	Range   hcl.Range `hcl:",def_range"`
}

// sharedFile is a file of rules/shared: what the modules of the
// deployments in AppliesTo share. Every such module makes the refusals
// before its own and reads a site's version with InstalledVersion; the
// step groups are placed by the modules that use them.
type sharedFile struct {
	AppliesTo        []string              `hcl:"applies_to"`
	Locals           []ruleLocals          `hcl:"locals,block"`
	InstalledVersion *ruleInstalledVersion `hcl:"installed_version,block"`
	Refusals         []ruleRefusal         `hcl:"refuse,block"`
	Groups           []ruleGroup           `hcl:"steps,block"`
}

// ruleInstalledVersion says how the runbook finds the version a site runs:
// Run is the body of the shell function installed_version, which prints
// it as major.minor (or nothing), and Source says where it reads it.
type ruleInstalledVersion struct {
	Source string    `hcl:"source"`
	Run    string    `hcl:"run"`
	Range  hcl.Range `hcl:",def_range"`
}

// ruleGroup is a named list of steps that modules place with use.
type ruleGroup struct {
	Name  string     `hcl:"name,label"`
	Steps []ruleStep `hcl:"step,block"`
	Range hcl.Range  `hcl:",def_range"`
}

// shared is a parsed shared file.
type shared struct {
	body  sharedFile
	reads map[string]bool
	// scope is what the file's expressions see: its name and its locals.
	scope module
}

// ruleLocals holds named values that steps use as local.NAME.
type ruleLocals struct {
	Body hcl.Body `hcl:",remain"`
}

type ruleHop struct {
	From       string `hcl:"from"`
	To         string `hcl:"to"`
	Deployment string `hcl:"deployment"`
	Seed       string `hcl:"seed"`
	Title      string `hcl:"title"`
	// Confidence says how complete and sure the hop's source is (shown by
	// ampc hops and the README's coverage table); "" for a seed guide
	// followed step by step.
	Confidence string `hcl:"confidence,optional"`
	// OperatorVersion is the major.minor of the 3scale operator that the
	// hop's to version ships with ("0.8" for 2.11), for operator hops.
	OperatorVersion string `hcl:"operator_version,optional"`
	// OpenShiftMin and OpenShiftMax are the OpenShift versions (major.minor,
	// inclusive) the hop may run on; "" where the sources give no bound.
	OpenShiftMin string `hcl:"openshift_min,optional"`
	OpenShiftMax string `hcl:"openshift_max,optional"`
	// Versions are the further versions a migration serves, each with
	// its own source (a version block; see rules/README.md, "One
	// migration at several versions").
	Versions []ruleHopVersion `hcl:"version,block"`
	Body     hcl.Body         `hcl:",body"`
	Range    hcl.Range        `hcl:",def_range"`
}

// ruleHopVersion is a version block of a migration's hop block: the
// module serves that version too (from = to = the label), with these
// attributes in place of the hop block's.
type ruleHopVersion struct {
	Version         string `hcl:"version,label"`
	Seed            string `hcl:"seed"`
	Title           string `hcl:"title"`
	Confidence      string `hcl:"confidence,optional"`
	OperatorVersion string `hcl:"operator_version,optional"`
	OpenShiftMin    string `hcl:"openshift_min,optional"`
	OpenShiftMax    string `hcl:"openshift_max,optional"`
	// Sections maps each section the module's steps and rollbacks give
	// (of the hop block's seed) to the section of this version's seed.
	Sections map[string]string `hcl:"sections"`
	Body     hcl.Body          `hcl:",body"`
	Range    hcl.Range         `hcl:",def_range"`
}

type ruleStep struct {
	Name     string         `hcl:"name,label"`
	Title    hcl.Expression `hcl:"title"`
	Kind     string         `hcl:"kind"`
	Section  string         `hcl:"section,optional"`
	Note     hcl.Expression `hcl:"note,optional"`
	When     hcl.Expression `hcl:"when,optional"`
	Requires []string       `hcl:"requires,optional"`
	// Cluster is where a step of a migration module runs: "source" or
	// "target" (ir.Step.Cluster).
	Cluster      string          `hcl:"cluster,optional"`
	Run          hcl.Expression  `hcl:"run,optional"`
	DoneIf       hcl.Expression  `hcl:"done_if,optional"`
	Precondition hcl.Expression  `hcl:"precondition,optional"`
	Instructions hcl.Expression  `hcl:"instructions,optional"`
	Rollout      hcl.Expression  `hcl:"rollout,optional"`
	Timeout      string          `hcl:"timeout,optional"`
	Patches      []rulePatch     `hcl:"patch,block"`
	Deletes      []ruleObjectRef `hcl:"delete,block"`
	Manifests    []string        `hcl:"manifests,optional"`
	// ManifestNamespace is where the step's manifests are created; the
	// plan's namespace when not given.
	ManifestNamespace hcl.Expression `hcl:"manifest_namespace,optional"`
	Range             hcl.Range      `hcl:",def_range"`
	// RolloutNamespace is where the step's rollouts run; the plan's
	// namespace when not given.
	RolloutNamespace hcl.Expression `hcl:"rollout_namespace,optional"`
	Body             hcl.Body       `hcl:",body"`
}

type rulePatch struct {
	Kind string `hcl:"kind,label"`
	Name string `hcl:"name,label"`
	// Namespace targets an object outside the plan's namespace (the
	// operator's Subscription, say); the plan's namespace when not given.
	Namespace hcl.Expression `hcl:"namespace,optional"`
	// NameExpr names the object instead of the label, for an object whose
	// name the site chose (the operator's Subscription).
	NameExpr hcl.Expression `hcl:"name,optional"`
	When     hcl.Expression `hcl:"when,optional"`
	// ForEach makes the block one patch per element of a list (or map),
	// each seeing the element as each.value and its index (or key) as
	// each.key.
	ForEach hcl.Expression `hcl:"for_each,optional"`
	Env     []ruleEnv      `hcl:"env,block"`
	Set     []ruleSet      `hcl:"set,block"`
	Unset   []ruleUnset    `hcl:"unset,block"`
	Tags    []ruleTag      `hcl:"tag,block"`
	// Triggers repoint image change triggers (DeploymentConfigs).
	Triggers []ruleTrigger `hcl:"trigger,block"`
	Body     hcl.Body      `hcl:",body"`
	Range    hcl.Range     `hcl:",def_range"`
}

type ruleEnv struct {
	Containers     []string  `hcl:"containers,optional"`
	InitContainers []string  `hcl:"init_containers,optional"`
	Hook           string    `hcl:"hook,optional"`
	Vars           []ruleVar `hcl:"var,block"`
	Body           hcl.Body  `hcl:",body"`
	Range          hcl.Range `hcl:",def_range"`
}

type ruleVar struct {
	Name      string  `hcl:"name,label"`
	Secret    string  `hcl:"secret,optional"`
	ConfigMap string  `hcl:"config_map,optional"`
	Key       string  `hcl:"key,optional"`
	Optional  bool    `hcl:"optional,optional"`
	Value     *string `hcl:"value,optional"`
	// FieldPath reads a field of the pod (valueFrom.fieldRef), such as
	// metadata.namespace.
	FieldPath string `hcl:"field_path,optional"`
	// AlreadyOK makes an env var that already reads this source a no-op
	// instead of a failed precondition: for repairs that only some sites need.
	// With Remove, a var that is not there is the no-op.
	AlreadyOK bool `hcl:"already_ok,optional"`
	// Remove removes the var from the env list, found by its name, instead
	// of setting it (a release that stops reading it).
	Remove bool      `hcl:"remove,optional"`
	Range  hcl.Range `hcl:",def_range"`
}

type ruleSet struct {
	Path   string         `hcl:"path,label"`
	Value  hcl.Expression `hcl:"value"`
	Expect hcl.Expression `hcl:"expect,optional"`
	// Keep leaves a field that exists as it is: the patch only adds it
	// where it is missing, and the runbook skips the patch on an object
	// that has it. It must be the only operation of its patch block.
	Keep  bool      `hcl:"keep,optional"`
	Range hcl.Range `hcl:",def_range"`
}

type ruleUnset struct {
	Path string `hcl:"path,label"`
	// MissingOK makes a field that is not there a no-op instead of a
	// failed precondition: for what only some sites still have.
	MissingOK bool `hcl:"missing_ok,optional"`
}

type ruleTag struct {
	Name        string `hcl:"name,label"`
	Image       string `hcl:"image,optional"`
	Tag         string `hcl:"tag,optional"`
	DisplayName string `hcl:"display_name,optional"`
	// Remove makes the step remove the tag from the stream's spec (the
	// spec side of `oc tag -d`), found by its name, instead of setting it.
	Remove bool `hcl:"remove,optional"`
	// Insecure, when given (a bool, or null for none), is the tag's
	// importPolicy.insecure: a value the model knows (read with field from
	// a snapshot) instead of one the runbook sets at run time.
	Insecure hcl.Expression `hcl:"insecure,optional"`
	Range    hcl.Range      `hcl:",def_range"`
}

// ruleTrigger points the image change trigger of one container at another
// image stream tag. The container names the trigger; the rule never writes
// its index.
type ruleTrigger struct {
	Container string   `hcl:"container,label"`
	From      string   `hcl:"from"`
	Expect    string   `hcl:"expect,optional"`
	Body      hcl.Body `hcl:",body"`
}

// ruleRollback is a runbook section that undoes part of a hop. It never
// runs by default: the runbook runs it with --rollback NAME.
type ruleRollback struct {
	Name    string         `hcl:"name,label"`
	Title   string         `hcl:"title"`
	Section string         `hcl:"section"`
	When    hcl.Expression `hcl:"when,optional"`
	Run     hcl.Expression `hcl:"run"`
	// OfferFrom and OfferUntil name steps of the module: a failed step
	// offers the rollback when it is OfferFrom or a later step, and
	// before OfferUntil (the first step after which the rollback no
	// longer applies). Without them, every step of the hop offers it.
	OfferFrom  string    `hcl:"offer_from,optional"`
	OfferUntil string    `hcl:"offer_until,optional"`
	Body       hcl.Body  `hcl:",body"`
	Range      hcl.Range `hcl:",def_range"`
}

type ruleObjectRef struct {
	Kind      string         `hcl:"kind,label"`
	Name      string         `hcl:"name,label"`
	Namespace hcl.Expression `hcl:"namespace,optional"`
	NameExpr  hcl.Expression `hcl:"name,optional"`
	Range     hcl.Range      `hcl:",def_range"`
}

// loadModules parses every embedded rule module. An error here is a bug in
// ampc: the modules ship inside the binary and are tested.
func loadModules() ([]module, error) {
	mods, diags := loadModulesFrom(ruleFS)
	if diags.HasErrors() {
		return nil, ruleError(diags)
	}
	return mods, nil
}

// ruleError turns the diagnostics of loading the rule modules into one
// error, a line per error, each naming the rule file and the range in it.
func ruleError(diags hcl.Diagnostics) error {
	var errs []error
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		what := "rule module"
		if d.Subject != nil && strings.HasPrefix(d.Subject.Filename, "rules/shared/") {
			what = "shared rules"
		}
		name := ""
		if d.Subject != nil {
			name = " " + d.Subject.Filename
		}
		errs = append(errs, fmt.Errorf("%s%s: %s", what, name, d.Error()))
	}
	return errors.Join(errs...)
}

// loadModulesFrom parses the rule modules of fsys (rules/*.hcl, with
// rules/shared/*.hcl, the manifests of rules/manifests and the shell
// library of rules/lib). The modules are independent, so they are parsed
// side by side. Each diagnostic points at the range of a rule file that
// breaks the language: a file that does not parse, a word where it does
// nothing, a missing or doubled name.
func loadModulesFrom(fsys fs.FS) ([]module, hcl.Diagnostics) {
	shares, diags := loadShared(fsys)
	if diags.HasErrors() {
		return nil, diags
	}
	library, err := loadLibraryFrom(fsys)
	if err != nil {
		return nil, hcl.Diagnostics{fileDiag("rules/lib", "Cannot read the shell library", err.Error())}
	}
	functions := shellFunction.FindAllStringSubmatch(library, -1)
	names, err := fs.Glob(fsys, "rules/*.hcl")
	if err != nil {
		return nil, hcl.Diagnostics{fileDiag("rules", "Cannot list the rule modules", err.Error())}
	}
	sort.Strings(names)
	out := make([]module, len(names))
	all := make([]hcl.Diagnostics, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			out[i], all[i] = loadModule(fsys, name, shares)
			all[i] = append(all[i], redefines(fsys, name, functions)...)
		})
	}
	wg.Wait()
	// A migration that serves several versions (version blocks) is one
	// module per version, after the file's own.
	var mods []module
	for _, m := range out {
		mods = append(mods, m)
		mods = append(mods, m.variants()...)
	}
	out = mods
	// A shared file's fault shows in every module that reads it: report it
	// once.
	seen := map[string]bool{}
	for _, ds := range all {
		for _, d := range ds {
			key := d.Summary + "\x00" + d.Detail
			if d.Subject != nil {
				key += "\x00" + d.Subject.String()
			}
			if !seen[key] {
				seen[key] = true
				diags = append(diags, d)
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return out, diags
}

// ruleDiag is an error in a rule file at subject.
func ruleDiag(subject hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject.Ptr()}
}

// fileDiag is an error about a whole file of the rules, at its start.
func fileDiag(name, summary, detail string) *hcl.Diagnostic {
	return ruleDiag(hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}, summary, detail)
}

// attrRange is the range of the attribute name in body, or else def (a
// block's header): where a diagnostic about that attribute points.
func attrRange(body hcl.Body, name string, def hcl.Range) hcl.Range {
	if b, ok := body.(*hclsyntax.Body); ok {
		if a, ok := b.Attributes[name]; ok {
			return a.SrcRange
		}
	}
	return def
}

// blockRange is the header of the first block of type typ in body, or def.
func blockRange(body hcl.Body, typ string, def hcl.Range) hcl.Range {
	if b, ok := body.(*hclsyntax.Body); ok {
		for _, bl := range b.Blocks {
			if bl.Type == typ {
				return bl.DefRange()
			}
		}
	}
	return def
}

// loadShared parses the files of rules/shared.
func loadShared(fsys fs.FS) ([]*shared, hcl.Diagnostics) {
	names, err := fs.Glob(fsys, "rules/shared/*.hcl")
	if err != nil {
		return nil, hcl.Diagnostics{fileDiag("rules/shared", "Cannot list the shared rules", err.Error())}
	}
	sort.Strings(names)
	var out []*shared
	var diags hcl.Diagnostics
	groups := map[string]string{}
	for _, name := range names {
		sh := &shared{reads: map[string]bool{}}
		syntax, ds := parseRuleFile(fsys, name, &sh.body)
		if diags = append(diags, ds...); ds.HasErrors() {
			continue
		}
		if len(sh.body.AppliesTo) == 0 {
			diags = append(diags, ruleDiag(attrRange(syntax, "applies_to", fileRange(syntax)), "Shared rules for no deployment",
				`applies_to names no deployment, so no module sees this file. Name the deployments whose modules share it, as in applies_to = ["template"].`))
		}
		for _, g := range sh.body.Groups {
			if other, ok := groups[g.Name]; ok {
				diags = append(diags, ruleDiag(g.Range, "Duplicate shared steps",
					fmt.Sprintf("The steps %q are defined in %s already. Give this group another name, or merge the two.", g.Name, other)))
			}
			groups[g.Name] = name
			for _, st := range g.Steps {
				if st.Section != "" {
					diags = append(diags, ruleDiag(attrRange(st.Body, "section", st.Range), "Section in a shared step",
						fmt.Sprintf("The step %q of the shared steps %q has a section, but a shared step follows the section of each use block that places it. Remove the section here and give it in the use block.", st.Name, g.Name)))
				}
			}
		}
		sh.scope = module{file: strings.TrimPrefix(name, "rules/"), body: ruleFile{Locals: sh.body.Locals}}
		planReads(syntax, sh.reads)
		out = append(out, sh)
	}
	return out, diags
}

// fileRange is the start of a parsed file.
func fileRange(body *hclsyntax.Body) hcl.Range {
	r := body.SrcRange
	r.End = r.Start
	return r
}

// decodeRuleFile parses an embedded HCL file of the rules into a struct
// and returns its syntax tree.
func decodeRuleFile(fsys fs.FS, name string, into any) (*hclsyntax.Body, error) {
	body, diags := parseRuleFile(fsys, name, into)
	if diags.HasErrors() {
		return nil, diags
	}
	return body, nil
}

// parseRuleFile is decodeRuleFile with the diagnostics of parsing and
// decoding.
func parseRuleFile(fsys fs.FS, name string, into any) (*hclsyntax.Body, hcl.Diagnostics) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, hcl.Diagnostics{fileDiag(name, "Cannot read a rule file", err.Error())}
	}
	f, diags := hclsyntax.ParseConfig(src, name, hcl.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, diags
	}
	if diags := gohcl.DecodeBody(f.Body, nil, into); diags.HasErrors() {
		return nil, diags
	}
	return f.Body.(*hclsyntax.Body), nil
}

func loadModule(fsys fs.FS, name string, shares []*shared) (module, hcl.Diagnostics) {
	var body ruleFile
	syntax, diags := parseRuleFile(fsys, name, &body)
	if diags.HasErrors() {
		return module{}, diags
	}
	m := module{file: path.Base(name), body: body, reads: map[string]bool{}, hop: ir.Hop{
		From: body.Hop.From, To: body.Hop.To, Deployment: body.Hop.Deployment,
		Seed: body.Hop.Seed, Title: body.Hop.Title, Confidence: body.Hop.Confidence,
		OperatorVersion: body.Hop.OperatorVersion, OpenShiftMin: body.Hop.OpenShiftMin, OpenShiftMax: body.Hop.OpenShiftMax,
	}}
	if diags := m.share(syntax, shares); diags.HasErrors() {
		return module{}, diags
	}
	// check also adds what the manifest templates read.
	if diags := m.check(fsys); diags.HasErrors() {
		return module{}, diags
	}
	planReads(syntax, m.reads)
	return m, nil
}

// variants gives the module of each version block of a migration's hop
// block: the same steps, refusals and rollbacks at that version (from =
// to = the label), with the block's seed, title, confidence, operator
// and OpenShift versions, and each step's and rollback's section mapped
// through its sections. check has validated the blocks.
func (m module) variants() []module {
	var out []module
	for _, v := range m.body.Hop.Versions {
		vm := m
		vm.variant = true
		vm.hop.From, vm.hop.To = v.Version, v.Version
		vm.hop.Seed, vm.hop.Title, vm.hop.Confidence = v.Seed, v.Title, v.Confidence
		vm.hop.OperatorVersion, vm.hop.OpenShiftMin, vm.hop.OpenShiftMax = v.OperatorVersion, v.OpenShiftMin, v.OpenShiftMax
		vm.steps = make([]placedStep, len(m.steps))
		for i, ps := range m.steps {
			ps.rule.Section = v.Sections[ps.rule.Section]
			vm.steps[i] = ps
		}
		vm.body.Rollbacks = make([]ruleRollback, len(m.body.Rollbacks))
		for i, rb := range m.body.Rollbacks {
			rb.Section = v.Sections[rb.Section]
			vm.body.Rollbacks[i] = rb
		}
		out = append(out, vm)
	}
	return out
}

// share gives a module what the shared files of its deployment hold: their
// refusals before its own, the way a site's version is read, and the steps
// of each group it uses, where its use block stands (syntax gives the order
// of the step and use blocks, which decoding keeps per block type only).
func (m *module) share(syntax *hclsyntax.Body, shares []*shared) hcl.Diagnostics {
	var diags hcl.Diagnostics
	groups := map[string]*shared{}
	var groupSteps = map[string][]ruleStep{}
	scoped := map[*module]bool{}
	var version *ruleInstalledVersion
	for _, sh := range shares {
		if !slices.Contains(sh.body.AppliesTo, m.hop.Deployment) {
			continue
		}
		for r := range sh.reads {
			m.reads[r] = true
		}
		for _, r := range sh.body.Refusals {
			m.refusals = append(m.refusals, placedRefusal{rule: r, scope: &sh.scope})
			scoped[&sh.scope] = true
		}
		if v := sh.body.InstalledVersion; v != nil {
			if version != nil {
				diags = append(diags, ruleDiag(v.Range, "Two ways to read a site's version",
					fmt.Sprintf("Two shared files say how a %s site's version is read (installed_version), this one and %s. Keep one.", m.hop.Deployment, version.Range.Filename)))
				continue
			}
			version = v
			m.hop.InstalledVersion, m.hop.VersionSource = v.Run, v.Source
		}
		for _, g := range sh.body.Groups {
			groups[g.Name] = sh
			groupSteps[g.Name] = g.Steps
		}
	}
	if version == nil {
		diags = append(diags, ruleDiag(attrRange(m.body.Hop.Body, "deployment", m.body.Hop.Range), "No way to read a site's version",
			fmt.Sprintf("No shared file says how a %s site's version is read. Add an installed_version block to a file of rules/shared whose applies_to names %q.", m.hop.Deployment, m.hop.Deployment)))
	}
	for _, r := range m.body.Refusals {
		m.refusals = append(m.refusals, placedRefusal{rule: r})
	}
	steps, uses, reconciles := 0, 0, 0
	for _, b := range syntax.Blocks {
		switch b.Type {
		case "operator_reconciles":
			rc := m.body.Reconciles[reconciles]
			reconciles++
			if m.hop.Deployment != "operator" && !strings.HasSuffix(m.hop.Deployment, "-to-operator") {
				diags = append(diags, ruleDiag(rc.Range, "Reconcile outside an operator hop",
					fmt.Sprintf("operator_reconciles says what the 3scale operator changes on its own; a %s hop has no operator. Remove the block, or write the change as steps.", m.hop.Deployment)))
				continue
			}
			m.reconciles = append(m.reconciles, placedReconcile{rule: rc, after: len(m.steps)})
		case "step":
			m.steps = append(m.steps, placedStep{rule: m.body.Steps[steps]})
			steps++
		case "use":
			u := m.body.Uses[uses]
			uses++
			sh, ok := groups[u.Group]
			if !ok {
				diags = append(diags, ruleDiag(u.Range, "Unknown shared steps",
					fmt.Sprintf("No file of rules/shared defines steps %q for %s hops. Check the name, or the applies_to of the file that defines them.", u.Group, m.hop.Deployment)))
				continue
			}
			for _, st := range groupSteps[u.Group] {
				st.Section = u.Section
				m.steps = append(m.steps, placedStep{rule: st, scope: &sh.scope})
			}
			scoped[&sh.scope] = true
		}
	}
	for _, sh := range shares {
		if scoped[&sh.scope] {
			m.scopes = append(m.scopes, &sh.scope)
		}
	}
	return diags
}

// shellFunction matches the definition of a shell function at the start of
// a line, as the library writes them: NAME() {.
var shellFunction = regexp.MustCompile(`(?m)^[ \t]*([a-z_][a-z0-9_]*)\(\) \{`)

// redefines reports a rule module that defines a function of the shell
// library in its shell: bash functions are global, so the module's would
// replace the library's for every later step of the runbook.
func redefines(fsys fs.FS, name string, library [][]string) hcl.Diagnostics {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil // loadModule reported it
	}
	lib := map[string]bool{}
	for _, f := range library {
		lib[f[1]] = true
	}
	var diags hcl.Diagnostics
	for _, loc := range shellFunction.FindAllSubmatchIndex(src, -1) {
		fn := string(src[loc[2]:loc[3]])
		if !lib[fn] {
			continue
		}
		start := offsetPos(src, loc[2])
		end := offsetPos(src, loc[3])
		diags = append(diags, ruleDiag(hcl.Range{Filename: name, Start: start, End: end}, "Shell library function defined again",
			fmt.Sprintf("The module defines %s, a function of the shell library (rules/lib); bash functions are global, so it would replace the library's for every later step. Call it, or give the module's function another name.", fn)))
	}
	return diags
}

// offsetPos is the position of byte offset in src.
func offsetPos(src []byte, offset int) hcl.Pos {
	line := 1 + bytes.Count(src[:offset], []byte("\n"))
	col := offset - bytes.LastIndexByte(src[:offset], '\n')
	return hcl.Pos{Line: line, Column: col, Byte: offset}
}

// loadLibrary reads the shell library of rules/lib, the functions the
// steps call, as one text for the runbook: the files in name order, each
// under a line that names it.
func loadLibrary() (string, error) { return loadLibraryFrom(ruleFS) }

func loadLibraryFrom(fsys fs.FS) (string, error) {
	names, err := fs.Glob(fsys, "rules/lib/*.sh")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	var b strings.Builder
	for i, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "# ---- %s (the rule modules' shell library)\n", strings.TrimPrefix(name, "rules/"))
		b.Write(src)
	}
	return b.String(), nil
}

// planReads adds the names of plan.* that the expressions of body refer to.
func planReads(body *hclsyntax.Body, reads map[string]bool) {
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if e, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
			planRead(e.Traversal, reads)
		}
		return nil
	})
}

func planRead(t hcl.Traversal, reads map[string]bool) {
	if len(t) > 1 && t.RootName() == "plan" {
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			reads[a.Name] = true
		}
	}
}

// given reports whether an optional expression was written.
func given(e hcl.Expression) bool {
	if e == nil {
		return false
	}
	v, diags := e.Value(nil)
	return diags.HasErrors() || !v.IsNull()
}

// check validates what gohcl cannot: kinds and names. fsys holds the
// manifests (rules/manifests).
func (m module) check(fsys fs.FS) hcl.Diagnostics {
	var diags hcl.Diagnostics
	add := func(at hcl.Range, summary, detail string, args ...any) {
		diags = append(diags, ruleDiag(at, summary, fmt.Sprintf(detail, args...)))
	}
	// A hop goes up one version or more; a migration ("template-to-operator")
	// stays at its version. Anything else would never end resolving.
	from, okFrom := plan.ParseVersion(m.hop.From)
	to, okTo := plan.ParseVersion(m.hop.To)
	migration := strings.Contains(m.hop.Deployment, "-to-")
	hop := m.body.Hop
	switch {
	case !okFrom:
		add(attrRange(hop.Body, "from", hop.Range), "Invalid hop version", "from = %q is not a version major.minor, such as \"2.7\".", m.hop.From)
	case !okTo:
		add(attrRange(hop.Body, "to", hop.Range), "Invalid hop version", "to = %q is not a version major.minor, such as \"2.8\".", m.hop.To)
	case migration && from != to:
		add(attrRange(hop.Body, "to", hop.Range), "Migration changes version", "A migration (%s) stays at its version: give it to = %q, the same as from, and upgrade with a hop of its own.", m.hop.Deployment, m.hop.From)
	case !migration && !from.Less(to):
		add(attrRange(hop.Body, "to", hop.Range), "Hop does not go up", "A hop goes to a later version than its from (%s), else resolving a plan would never end. Give a later to.", m.hop.From)
	}
	for _, b := range []struct{ attr, v string }{{"openshift_min", hop.OpenShiftMin}, {"openshift_max", hop.OpenShiftMax}, {"operator_version", hop.OperatorVersion}} {
		if _, ok := plan.ParseVersion(b.v); b.v != "" && !ok {
			add(attrRange(hop.Body, b.attr, hop.Range), "Invalid hop version", "%s = %q is not a version major.minor, such as \"4.12\".", b.attr, b.v)
		}
	}
	if lo, okLo := plan.ParseVersion(hop.OpenShiftMin); okLo {
		if hi, okHi := plan.ParseVersion(hop.OpenShiftMax); okHi && hi.Less(lo) {
			add(attrRange(hop.Body, "openshift_max", hop.Range), "Empty OpenShift range", "openshift_max = %q comes before openshift_min = %q: no cluster could run the hop.", hop.OpenShiftMax, hop.OpenShiftMin)
		}
	}
	diags = append(diags, m.checkVersions()...)
	diags = append(diags, m.checkRefusals()...)
	seen := map[string]bool{}
	order := map[string]int{}
	for i, ps := range m.steps {
		if _, ok := order[ps.rule.Name]; !ok {
			order[ps.rule.Name] = i
		}
	}
	for _, r := range m.body.Rollbacks {
		if seen["rollback/"+r.Name] {
			add(r.Range, "Duplicate rollback", "The rollback %q is defined twice in this module; the runbook's --rollback names one. Rename or merge one of them.", r.Name)
		}
		seen["rollback/"+r.Name] = true
		for _, w := range []struct{ word, step string }{{"offer_from", r.OfferFrom}, {"offer_until", r.OfferUntil}} {
			if _, ok := order[w.step]; w.step != "" && !ok {
				add(attrRange(r.Body, w.word, r.Range), "Unknown step", "The rollback %q has %s = %q, which is not a step of this module: name the step by its name, as in step \"NAME\".", r.Name, w.word, w.step)
			}
		}
		if f, ok := order[r.OfferFrom]; ok {
			if u, ok := order[r.OfferUntil]; ok && u <= f {
				add(attrRange(r.Body, "offer_until", r.Range), "Empty offer", "The rollback %q is offered from step %q until step %q, which does not come after it: no failed step would offer it.", r.Name, r.OfferFrom, r.OfferUntil)
			}
		}
	}
	for _, ps := range m.steps {
		s := ps.rule
		if seen[s.Name] {
			add(s.Range, "Duplicate step", "The step %q is defined twice in this module (counting the steps of its use blocks), and a step's name makes its id. Rename one of them.", s.Name)
		}
		seen[s.Name] = true
		known := false
		var kinds []string
		for _, k := range ir.Kinds {
			known = known || string(k) == s.Kind
			kinds = append(kinds, string(k))
		}
		if !known {
			add(attrRange(s.Body, "kind", s.Range), "Unknown step kind", "The step %q has kind %q; a step's kind is one of %s.", s.Name, s.Kind, strings.Join(kinds, ", "))
			continue
		}
		if s.Section == "" {
			add(s.Range, "Missing section", "The step %q has no section: give the section of the guide (the module's seed) that it follows, as in section = \"3.2\".", s.Name)
		}
		// A migration's steps say which cluster they run on (PLAN.md and
		// plan.json show it); a hop on one cluster has nothing to say.
		switch {
		case migration && s.Cluster != ir.ClusterSource && s.Cluster != ir.ClusterTarget:
			add(attrRange(s.Body, "cluster", s.Range), "Missing cluster", "The step %q of a migration has cluster = %q: say where it runs, cluster = %q (the old site's cluster) or %q (the new one).", s.Name, s.Cluster, ir.ClusterSource, ir.ClusterTarget)
		case !migration && s.Cluster != "":
			add(attrRange(s.Body, "cluster", s.Range), "Cluster outside a migration", "The step %q has cluster = %q, but its hop (%s) runs on one cluster: remove the attribute.", s.Name, s.Cluster, m.hop.Deployment)
		}
		// Each word belongs to the kinds whose runbook code carries it out.
		words := []struct {
			word  string
			used  bool
			at    hcl.Range
			kinds []ir.Kind
		}{
			{"patch", len(s.Patches) > 0, blockRange(s.Body, "patch", s.Range), []ir.Kind{ir.KindPatch}},
			{"delete", len(s.Deletes) > 0, blockRange(s.Body, "delete", s.Range), []ir.Kind{ir.KindDelete}},
			{"manifests", len(s.Manifests) > 0, attrRange(s.Body, "manifests", s.Range), []ir.Kind{ir.KindCreate}},
			{"rollout", given(s.Rollout), attrRange(s.Body, "rollout", s.Range), []ir.Kind{ir.KindWait}},
			{"rollout_namespace", given(s.RolloutNamespace), attrRange(s.Body, "rollout_namespace", s.Range), []ir.Kind{ir.KindWait}},
			{"instructions", given(s.Instructions), attrRange(s.Body, "instructions", s.Range), []ir.Kind{ir.KindManual}},
			{"run", given(s.Run), attrRange(s.Body, "run", s.Range), []ir.Kind{ir.KindBackup, ir.KindShell, ir.KindVerify}},
		}
		for _, w := range words {
			if w.used && !slices.Contains(w.kinds, ir.Kind(s.Kind)) {
				var in []string
				for _, k := range w.kinds {
					in = append(in, string(k))
				}
				add(w.at, "Word in the wrong kind of step", "%s does nothing in a %s step such as %q; it belongs in a step of kind %s. Move it to such a step, or change the kind.", w.word, s.Kind, s.Name, strings.Join(in, " or "))
			}
		}
		for _, f := range s.Manifests {
			if ir.Kind(s.Kind) != ir.KindCreate {
				break // reported above
			}
			at := attrRange(s.Body, "manifests", s.Range)
			src, err := fs.ReadFile(fsys, "rules/manifests/"+f)
			if err != nil {
				add(at, "Missing manifest", "The step %q creates %s, which rules/manifests does not hold (%v). Add the file, or fix its name.", s.Name, f, err)
				continue
			}
			if strings.HasSuffix(f, ".tmpl") {
				tmpl, ds := hclsyntax.ParseTemplate(src, "rules/manifests/"+f, hcl.Pos{Line: 1, Column: 1})
				if ds.HasErrors() {
					diags = append(diags, ds...)
					continue
				}
				for _, t := range tmpl.Variables() {
					planRead(t, m.reads)
				}
			}
		}
		for _, p := range s.Patches {
			if given(p.ForEach) && !given(p.NameExpr) {
				add(attrRange(p.Body, "for_each", p.Range), "for_each without name", "The patch %s of step %q has for_each, so each element needs the name of its object: add name = each.value (say).", p.Kind, s.Name)
			}
			for _, e := range p.Env {
				if (e.Hook == "") == (len(e.Containers)+len(e.InitContainers) == 0) {
					add(e.Range, "Env block without a target", "An env block of step %q names either containers (or init_containers) or a hook, not both and not neither.", s.Name)
				}
				if e.Hook != "" && e.Hook != "pre" && e.Hook != "mid" && e.Hook != "post" {
					add(attrRange(e.Body, "hook", e.Range), "Unknown hook", "The hook %q of step %q is none of pre, mid or post, the DeploymentConfig's lifecycle hooks.", e.Hook, s.Name)
				}
				for _, v := range e.Vars {
					sources := 0
					for _, set := range []bool{v.Secret != "", v.ConfigMap != "", v.Value != nil, v.FieldPath != ""} {
						if set {
							sources++
						}
					}
					ref := v.Secret != "" || v.ConfigMap != ""
					if v.Remove {
						if sources != 0 || v.Key != "" || v.Optional {
							add(v.Range, "Invalid var removal", "The var %q of step %q has remove = true, which removes the var: give no secret, config_map, key, optional, value or field_path with it.", v.Name, s.Name)
						}
						continue
					}
					if sources != 1 || ref != (v.Key != "") || (v.Optional && !ref) {
						add(v.Range, "Invalid var source", "The var %q of step %q needs exactly one of secret+key, config_map+key, value or field_path (and optional only with secret or config_map).", v.Name, s.Name)
					}
				}
			}
			for _, set := range p.Set {
				if !set.Keep {
					continue
				}
				if len(p.Set)+len(p.Env)+len(p.Unset)+len(p.Tags)+len(p.Triggers) != 1 {
					add(set.Range, "keep among other operations", "The set %q of step %q has keep = true, so the runbook skips its patch on an object that has the field; any other operation in the same patch block would be skipped with it. Give it a patch block of its own.", set.Path, s.Name)
				}
				if given(set.Expect) {
					add(set.Range, "keep with expect", "The set %q of step %q has keep = true, which leaves any value that exists, and expect, which tests one: give one of them.", set.Path, s.Name)
				}
			}
			for _, t := range p.Tags {
				switch {
				case t.Remove:
					if t.Image != "" || t.Tag != "" || t.DisplayName != "" || given(t.Insecure) {
						add(t.Range, "Invalid tag removal", "The tag %q of step %q has remove = true, which removes the tag: give no image, tag, display_name or insecure with it.", t.Name, s.Name)
					}
				case (t.Image == "") == (t.Tag == ""):
					add(t.Range, "Invalid tag source", "The tag %q of step %q needs exactly one of image (a pull spec) or tag (another tag of the stream).", t.Name, s.Name)
				case t.DisplayName == "":
					add(t.Range, "Missing display_name", "The tag %q of step %q has no display_name: give the openshift.io/display-name annotation the guide writes.", t.Name, s.Name)
				}
			}
			for _, t := range p.Triggers {
				if !strings.Contains(t.From, ":") {
					add(attrRange(t.Body, "from", p.Range), "Invalid trigger", "The trigger of container %q in step %q has from = %q; it names an image stream tag, NAME:TAG.", t.Container, s.Name, t.From)
				}
				if t.Expect != "" && !strings.Contains(t.Expect, ":") {
					add(attrRange(t.Body, "expect", p.Range), "Invalid trigger", "The trigger of container %q in step %q has expect = %q; it names an image stream tag, NAME:TAG.", t.Container, s.Name, t.Expect)
				}
			}
		}
	}
	return diags
}

// checkVersions validates the version blocks of a hop block: only a
// migration has them, each names a version after the hop block's and
// after the block before it, its versions are versions, and its sections
// map every section the module's steps and rollbacks give.
func (m module) checkVersions() hcl.Diagnostics {
	var diags hcl.Diagnostics
	add := func(at hcl.Range, summary, detail string, args ...any) {
		diags = append(diags, ruleDiag(at, summary, fmt.Sprintf(detail, args...)))
	}
	hop := m.body.Hop
	if len(hop.Versions) == 0 {
		return nil
	}
	if !strings.Contains(m.hop.Deployment, "-to-") {
		add(hop.Versions[0].Range, "Version block outside a migration", "A version block makes a migration (a hop that stays at its version) serve another version too; this hop goes from %s to %s. Write a module per hop instead.", m.hop.From, m.hop.To)
		return diags
	}
	var sections []string
	for _, ps := range m.steps {
		if !slices.Contains(sections, ps.rule.Section) {
			sections = append(sections, ps.rule.Section)
		}
	}
	for _, rb := range m.body.Rollbacks {
		if !slices.Contains(sections, rb.Section) {
			sections = append(sections, rb.Section)
		}
	}
	last, _ := plan.ParseVersion(m.hop.From)
	for _, v := range hop.Versions {
		ver, ok := plan.ParseVersion(v.Version)
		switch {
		case !ok:
			add(v.Range, "Invalid hop version", "version %q is not a version major.minor, such as \"2.9\".", v.Version)
			continue
		case !last.Less(ver):
			add(v.Range, "Version block out of order", "version %q does not come after %s, the version before it (the hop block's from, or the block above): list the versions once each, in order.", v.Version, last)
		}
		last = ver
		for _, b := range []struct{ attr, v string }{{"openshift_min", v.OpenShiftMin}, {"openshift_max", v.OpenShiftMax}, {"operator_version", v.OperatorVersion}} {
			if _, ok := plan.ParseVersion(b.v); b.v != "" && !ok {
				add(attrRange(v.Body, b.attr, v.Range), "Invalid hop version", "%s = %q is not a version major.minor, such as \"4.12\".", b.attr, b.v)
			}
		}
		if lo, okLo := plan.ParseVersion(v.OpenShiftMin); okLo {
			if hi, okHi := plan.ParseVersion(v.OpenShiftMax); okHi && hi.Less(lo) {
				add(attrRange(v.Body, "openshift_max", v.Range), "Empty OpenShift range", "openshift_max = %q comes before openshift_min = %q: no cluster could run the hop.", v.OpenShiftMax, v.OpenShiftMin)
			}
		}
		for _, sec := range sections {
			if to, ok := v.Sections[sec]; !ok || to == "" {
				add(attrRange(v.Body, "sections", v.Range), "Section not mapped", "The module's steps or rollbacks follow section %q of %s, and the version %s block's sections give it no section of %s. Add \"%s\" = \"SECTION\" to sections.", sec, m.hop.Seed, v.Version, v.Seed, sec)
			}
		}
		for _, from := range slices.Sorted(maps.Keys(v.Sections)) {
			if !slices.Contains(sections, from) {
				add(attrRange(v.Body, "sections", v.Range), "Unknown section", "sections maps %q, which no step or rollback of the module gives as its section. Remove it.", from)
			}
		}
	}
	return diags
}
