package compiler

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
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
	// refusals are the shared refusals of the module's deployment, then
	// its own.
	refusals []placedRefusal
	// scopes are the shared files whose steps or refusals the module runs.
	scopes []*module
	// reads holds the names of plan.* that the module's expressions,
	// locals and manifest templates refer to.
	reads map[string]bool
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
}

// ruleUse places the steps of a shared group in a module, where the use
// block stands.
type ruleUse struct {
	Group string `hcl:"group,label"`
	// Section is the section of the module's seed that the group's steps
	// follow.
	Section string `hcl:"section"`
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
	Source string `hcl:"source"`
	Run    string `hcl:"run"`
}

// ruleGroup is a named list of steps that modules place with use.
type ruleGroup struct {
	Name  string     `hcl:"name,label"`
	Steps []ruleStep `hcl:"step,block"`
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
}

type ruleStep struct {
	Name         string          `hcl:"name,label"`
	Title        hcl.Expression  `hcl:"title"`
	Kind         string          `hcl:"kind"`
	Section      string          `hcl:"section,optional"`
	Note         hcl.Expression  `hcl:"note,optional"`
	When         hcl.Expression  `hcl:"when,optional"`
	Requires     []string        `hcl:"requires,optional"`
	Run          hcl.Expression  `hcl:"run,optional"`
	DoneIf       hcl.Expression  `hcl:"done_if,optional"`
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
}

type ruleEnv struct {
	Containers     []string  `hcl:"containers,optional"`
	InitContainers []string  `hcl:"init_containers,optional"`
	Hook           string    `hcl:"hook,optional"`
	Vars           []ruleVar `hcl:"var,block"`
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
	AlreadyOK bool `hcl:"already_ok,optional"`
}

type ruleSet struct {
	Path   string         `hcl:"path,label"`
	Value  hcl.Expression `hcl:"value"`
	Expect hcl.Expression `hcl:"expect,optional"`
}

type ruleUnset struct {
	Path string `hcl:"path,label"`
}

type ruleTag struct {
	Name        string `hcl:"name,label"`
	Image       string `hcl:"image,optional"`
	Tag         string `hcl:"tag,optional"`
	DisplayName string `hcl:"display_name"`
}

// ruleTrigger points the image change trigger of one container at another
// image stream tag. The container names the trigger; the rule never writes
// its index.
type ruleTrigger struct {
	Container string `hcl:"container,label"`
	From      string `hcl:"from"`
	Expect    string `hcl:"expect,optional"`
}

// ruleRollback is a runbook section that undoes part of a hop. It never
// runs by default: the runbook runs it with --rollback NAME.
type ruleRollback struct {
	Name    string         `hcl:"name,label"`
	Title   string         `hcl:"title"`
	Section string         `hcl:"section"`
	When    hcl.Expression `hcl:"when,optional"`
	Run     hcl.Expression `hcl:"run"`
}

type ruleObjectRef struct {
	Kind      string         `hcl:"kind,label"`
	Name      string         `hcl:"name,label"`
	Namespace hcl.Expression `hcl:"namespace,optional"`
	NameExpr  hcl.Expression `hcl:"name,optional"`
}

// loadModules parses every embedded rule module. An error here is a bug in
// ampc: the modules ship inside the binary and are tested.
func loadModules() ([]module, error) { return loadModulesFrom(ruleFS) }

// loadModulesFrom parses the rule modules of fsys (rules/*.hcl, with
// rules/shared/*.hcl). The modules are independent, so they are parsed
// side by side.
func loadModulesFrom(fsys fs.FS) ([]module, error) {
	shares, err := loadShared(fsys)
	if err != nil {
		return nil, err
	}
	library, err := loadLibraryFrom(fsys)
	if err != nil {
		return nil, err
	}
	functions := shellFunction.FindAllStringSubmatch(library, -1)
	names, err := fs.Glob(fsys, "rules/*.hcl")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]module, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			out[i], errs[i] = loadModule(fsys, name, shares)
			if errs[i] == nil {
				errs[i] = redefines(fsys, name, functions)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// loadShared parses the files of rules/shared.
func loadShared(fsys fs.FS) ([]*shared, error) {
	names, err := fs.Glob(fsys, "rules/shared/*.hcl")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*shared
	groups := map[string]string{}
	for _, name := range names {
		sh := &shared{reads: map[string]bool{}}
		syntax, err := decodeRuleFile(fsys, name, &sh.body)
		if err != nil {
			return nil, fmt.Errorf("shared rules %s: %v", name, err)
		}
		if len(sh.body.AppliesTo) == 0 {
			return nil, fmt.Errorf("shared rules %s: applies_to names no deployment", name)
		}
		for _, g := range sh.body.Groups {
			if other, ok := groups[g.Name]; ok {
				return nil, fmt.Errorf("shared rules %s: steps %q, defined in %s already", name, g.Name, other)
			}
			groups[g.Name] = name
			for _, st := range g.Steps {
				if st.Section != "" {
					return nil, fmt.Errorf("shared rules %s: steps %q: step %q has a section: it is the section of each use", name, g.Name, st.Name)
				}
			}
		}
		sh.scope = module{file: strings.TrimPrefix(name, "rules/"), body: ruleFile{Locals: sh.body.Locals}}
		planReads(syntax, sh.reads)
		out = append(out, sh)
	}
	return out, nil
}

// decodeRuleFile parses an embedded HCL file of the rules into a struct
// and returns its syntax tree.
func decodeRuleFile(fsys fs.FS, name string, into any) (*hclsyntax.Body, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
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

func loadModule(fsys fs.FS, name string, shares []*shared) (module, error) {
	var body ruleFile
	syntax, err := decodeRuleFile(fsys, name, &body)
	if err != nil {
		return module{}, fmt.Errorf("rule module %s: %v", name, err)
	}
	m := module{file: path.Base(name), body: body, reads: map[string]bool{}, hop: ir.Hop{
		From: body.Hop.From, To: body.Hop.To, Deployment: body.Hop.Deployment,
		Seed: body.Hop.Seed, Title: body.Hop.Title,
	}}
	if err := m.share(syntax, shares); err != nil {
		return module{}, fmt.Errorf("rule module %s: %v", name, err)
	}
	// check also adds what the manifest templates read.
	if err := m.check(); err != nil {
		return module{}, fmt.Errorf("rule module %s: %v", name, err)
	}
	planReads(syntax, m.reads)
	return m, nil
}

// share gives a module what the shared files of its deployment hold: their
// refusals before its own, the way a site's version is read, and the steps
// of each group it uses, where its use block stands (syntax gives the order
// of the step and use blocks, which decoding keeps per block type only).
func (m *module) share(syntax *hclsyntax.Body, shares []*shared) error {
	groups := map[string]*shared{}
	var groupSteps = map[string][]ruleStep{}
	scoped := map[*module]bool{}
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
			if m.hop.InstalledVersion != "" {
				return fmt.Errorf("two shared files say how a %s site's version is read (installed_version)", m.hop.Deployment)
			}
			m.hop.InstalledVersion, m.hop.VersionSource = v.Run, v.Source
		}
		for _, g := range sh.body.Groups {
			groups[g.Name] = sh
			groupSteps[g.Name] = g.Steps
		}
	}
	if m.hop.InstalledVersion == "" {
		return fmt.Errorf("no shared file says how a %s site's version is read (installed_version)", m.hop.Deployment)
	}
	for _, r := range m.body.Refusals {
		m.refusals = append(m.refusals, placedRefusal{rule: r})
	}
	steps, uses := 0, 0
	for _, b := range syntax.Blocks {
		switch b.Type {
		case "step":
			m.steps = append(m.steps, placedStep{rule: m.body.Steps[steps]})
			steps++
		case "use":
			u := m.body.Uses[uses]
			uses++
			sh, ok := groups[u.Group]
			if !ok {
				return fmt.Errorf("use %q: no shared steps of that name for %s hops (rules/shared)", u.Group, m.hop.Deployment)
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
	return nil
}

// shellFunction matches the definition of a shell function at the start of
// a line, as the library writes them: NAME() {.
var shellFunction = regexp.MustCompile(`(?m)^[ \t]*([a-z_][a-z0-9_]*)\(\) \{`)

// redefines reports a rule module that defines a function of the shell
// library in its shell: bash functions are global, so the module's would
// replace the library's for every later step of the runbook.
func redefines(fsys fs.FS, name string, library [][]string) error {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	defined := map[string]bool{}
	for _, m := range shellFunction.FindAllStringSubmatch(string(src), -1) {
		defined[m[1]] = true
	}
	for _, f := range library {
		if defined[f[1]] {
			return fmt.Errorf("rule module %s: defines %s, a function of the shell library (rules/lib): call it, or give the module's function another name", name, f[1])
		}
	}
	return nil
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

// check validates what gohcl cannot: kinds and names.
func (m module) check() error {
	// A hop goes up one version or more; a migration ("template-to-operator")
	// stays at its version. Anything else would never end resolving.
	from, okFrom := plan.ParseVersion(m.hop.From)
	to, okTo := plan.ParseVersion(m.hop.To)
	migration := strings.Contains(m.hop.Deployment, "-to-")
	if !okFrom || !okTo || (migration && from != to) || (!migration && !from.Less(to)) {
		return fmt.Errorf("hop %s → %s (%s): a hop goes to a later version, a migration stays at its own", m.hop.From, m.hop.To, m.hop.Deployment)
	}
	if err := m.checkRefusals(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range m.body.Rollbacks {
		if seen["rollback/"+r.Name] {
			return fmt.Errorf("rollback %q defined twice", r.Name)
		}
		seen["rollback/"+r.Name] = true
	}
	for _, ps := range m.steps {
		s := ps.rule
		if seen[s.Name] {
			return fmt.Errorf("step %q defined twice", s.Name)
		}
		seen[s.Name] = true
		known := false
		for _, k := range ir.Kinds {
			known = known || string(k) == s.Kind
		}
		if !known {
			return fmt.Errorf("step %q: unknown kind %q", s.Name, s.Kind)
		}
		if s.Section == "" {
			return fmt.Errorf("step %q: no section", s.Name)
		}
		// Each word belongs to the kinds whose runbook code carries it out.
		words := []struct {
			word  string
			used  bool
			kinds []ir.Kind
		}{
			{"patch", len(s.Patches) > 0, []ir.Kind{ir.KindPatch}},
			{"delete", len(s.Deletes) > 0, []ir.Kind{ir.KindDelete}},
			{"manifests", len(s.Manifests) > 0, []ir.Kind{ir.KindCreate}},
			{"rollout", given(s.Rollout), []ir.Kind{ir.KindWait}},
			{"rollout_namespace", given(s.RolloutNamespace), []ir.Kind{ir.KindWait}},
			{"instructions", given(s.Instructions), []ir.Kind{ir.KindManual}},
			{"run", given(s.Run), []ir.Kind{ir.KindBackup, ir.KindShell, ir.KindVerify}},
		}
		for _, w := range words {
			if w.used && !slices.Contains(w.kinds, ir.Kind(s.Kind)) {
				return fmt.Errorf("step %q: %s does nothing in a %s step", s.Name, w.word, s.Kind)
			}
		}
		for _, f := range s.Manifests {
			src, err := ruleFS.ReadFile("rules/manifests/" + f)
			if err != nil {
				return fmt.Errorf("step %q: manifest %s: %v", s.Name, f, err)
			}
			if strings.HasSuffix(f, ".tmpl") {
				tmpl, diags := hclsyntax.ParseTemplate(src, f, hcl.Pos{Line: 1, Column: 1})
				if diags.HasErrors() {
					return fmt.Errorf("step %q: manifest %s: %s", s.Name, f, diags.Error())
				}
				for _, t := range tmpl.Variables() {
					planRead(t, m.reads)
				}
			}
		}
		for _, p := range s.Patches {
			if given(p.ForEach) && !given(p.NameExpr) {
				return fmt.Errorf("step %q: patch %s with for_each needs name (each.value, say)", s.Name, p.Kind)
			}
			for _, e := range p.Env {
				if (e.Hook == "") == (len(e.Containers)+len(e.InitContainers) == 0) {
					return fmt.Errorf("step %q: an env block names either containers or a hook", s.Name)
				}
				if e.Hook != "" && e.Hook != "pre" && e.Hook != "mid" && e.Hook != "post" {
					return fmt.Errorf("step %q: unknown hook %q", s.Name, e.Hook)
				}
				for _, v := range e.Vars {
					sources := 0
					for _, set := range []bool{v.Secret != "", v.ConfigMap != "", v.Value != nil, v.FieldPath != ""} {
						if set {
							sources++
						}
					}
					ref := v.Secret != "" || v.ConfigMap != ""
					if sources != 1 || ref != (v.Key != "") || (v.Optional && !ref) {
						return fmt.Errorf("step %q: var %q needs exactly one of secret+key, config_map+key, value or field_path (optional only with secret or config_map)", s.Name, v.Name)
					}
				}
			}
			for _, t := range p.Tags {
				if (t.Image == "") == (t.Tag == "") {
					return fmt.Errorf("step %q: tag %q needs exactly one of image or tag", s.Name, t.Name)
				}
			}
			for _, t := range p.Triggers {
				if !strings.Contains(t.From, ":") || (t.Expect != "" && !strings.Contains(t.Expect, ":")) {
					return fmt.Errorf("step %q: trigger %q: from and expect are image stream tags, NAME:TAG", s.Name, t.Container)
				}
			}
		}
	}
	return nil
}
