package compiler

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
	"github.com/ampc/ampc/survey"
)

// Rules are the parsed rule modules, ready to compile plans. Parsing them
// is a fixed cost of every compile (about 0.06 s); a caller that compiles
// many plans, such as a test, loads them once and keeps them. Compiling
// only reads them, so one Rules serves concurrent compiles.
type Rules struct {
	mods    []module
	layouts *layoutIndex
	// library is the shell library of rules/lib, for every bundle.
	library string
}

// LoadRules parses the rule modules and the index of the standard layouts
// embedded in ampc. An error is a bug in ampc: they ship inside the binary
// and are tested.
func LoadRules() (*Rules, error) {
	mods, err := loadModules()
	if err != nil {
		return nil, err
	}
	layouts, err := loadLayouts()
	if err != nil {
		return nil, err
	}
	library, err := loadLibrary()
	if err != nil {
		return nil, err
	}
	for _, m := range mods {
		if len(m.reconciles) == 0 {
			continue
		}
		if !slices.ContainsFunc(layouts.Layouts, func(e layoutEntry) bool {
			return e.Deployment == "operator" && e.Version == m.hop.To && !e.Migration
		}) {
			return nil, fmt.Errorf("rule module %s: operator_reconciles takes the objects the operator leaves from the standard layout of an operator install at %s, and layouts/index.hcl has none", m.file, m.hop.To)
		}
	}
	return &Rules{mods: mods, layouts: layouts, library: library}, nil
}

// embeddedRules is LoadRules done once per process: the rules are embedded
// and nothing lowers into them, so every compile of a process (the tests'
// hundreds, a tool that compiles many plans) shares one parse instead of
// parsing every module again.
var embeddedRules = sync.OnceValues(LoadRules)

// ShellLibrary is the shell library of the rule modules (rules/lib) as
// every runbook holds it, word for word.
func ShellLibrary() (string, error) {
	r, err := embeddedRules()
	if err != nil {
		return "", err
	}
	return r.library, nil
}

// Hops lists the hops the rule modules cover, in version order.
func Hops() ([]ir.Hop, error) {
	r, err := embeddedRules()
	if err != nil {
		return nil, err
	}
	return r.Hops(), nil
}

// Hops lists the hops the rules cover, in version order.
func (r *Rules) Hops() []ir.Hop {
	out := make([]ir.Hop, len(r.mods))
	for i, m := range r.mods {
		out[i] = m.hop
	}
	sortHops(out)
	return out
}

func sortHops(hops []ir.Hop) {
	sort.Slice(hops, func(i, j int) bool {
		a, _ := plan.ParseVersion(hops[i].From)
		b, _ := plan.ParseVersion(hops[j].From)
		if a != b {
			return a.Less(b)
		}
		return hops[i].Deployment < hops[j].Deployment
	})
}

// Compile loads the rule modules and lowers a plan into a bundle with
// them. snap is nil when the plan is compiled against the standard layout
// of its from version.
func Compile(p *plan.Plan, snap *snapshot.Snapshot) (*ir.Bundle, hcl.Diagnostics) {
	r, err := embeddedRules()
	if err != nil {
		panic(bug{err.Error()})
	}
	return r.Compile(p, snap)
}

// Compile lowers a plan into a bundle. snap is nil when the plan is compiled
// against the standard layout of its from version.
func (r *Rules) Compile(p *plan.Plan, snap *snapshot.Snapshot) (b *ir.Bundle, diags hcl.Diagnostics) {
	mods := r.mods
	chain, diags := resolve(p, mods)
	if diags.HasErrors() {
		return nil, diags
	}
	in := p.Install
	used := chain
	if snap == nil && in.InstalledAt.Less(in.From) {
		if _, earlier, ok := history(p, mods); ok {
			used = append(slices.Clone(earlier), chain...)
		}
	}
	diags = append(diags, unread(p, used)...)
	diags = append(diags, checkOpenShift(p, chain)...)
	if diags.HasErrors() {
		return nil, diags
	}
	l := &lowering{plan: p, ns: in.Namespace, snapshot: snap}
	if snap != nil {
		l.model = snapshotModel(snap)
		if d := checkNamespace(l.model, snap, in.Namespace); d != nil {
			return nil, append(diags, d)
		}
		if d := checkRelease(p, snap); d != nil {
			return nil, append(diags, d)
		}
		if values := snap.Sensitive(); len(values) > 0 {
			// Longest first, so that a value containing another is masked whole.
			sort.SliceStable(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
			pairs := make([]string, 0, 2*len(values))
			for _, v := range values {
				pairs = append(pairs, v, "<redacted>")
			}
			l.redactor = strings.NewReplacer(pairs...)
		}
	} else {
		var err error
		l.model, err = standardLayout(p, mods, r.layouts)
		if err != nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No standard layout for this site",
				Detail:   fmt.Sprintf("%v to compile against. Export the namespace (oc get -o yaml) and compile with --snapshot.", err),
				Subject:  layoutSubject(in),
			})
		}
	}
	b = &ir.Bundle{
		Namespace:      in.Namespace,
		From:           in.From.String(),
		To:             in.To.String(),
		Deployment:     string(in.Deployment),
		SystemDatabase: string(in.SystemDatabase),
		S3:             in.S3,
		BackupDir:      in.BackupDir,
		Snapshot:       snap != nil,
		ShellLibrary:   r.library,
	}
	if snap != nil {
		b.Sensitive = snap.Sensitive()
	}
	for _, m := range chain {
		b.Hops = append(b.Hops, m.hop)
		sc := l.hopScopes(m, m.hop)
		if !l.refuse(m, sc) {
			break // the hop refuses the plan: its steps would mean nothing
		}
		selected := make([]bool, len(m.steps))
		for i, ps := range m.steps {
			l.reconcile(m, i, r.layouts)
			sm, ctx := sc.of(m, ps.scope)
			if step, ok := l.lowerStep(sm, m.hop, ctx, ps.rule); ok {
				b.Steps = append(b.Steps, step)
				selected[i] = true
			}
		}
		l.reconcile(m, len(m.steps), r.layouts)
		// bound is the id of the first step the plan selects at or after
		// the module's step name, or "" (none: no bound).
		bound := func(name string) string {
			at := -1
			for i, ps := range m.steps {
				if ps.rule.Name == name {
					at = i
					break
				}
			}
			for i := max(at, 0); at >= 0 && i < len(m.steps); i++ {
				if selected[i] {
					return m.hop.Name() + "/" + m.steps[i].rule.Name
				}
			}
			return ""
		}
		ctx := sc.own
		for _, rb := range m.body.Rollbacks {
			if w := value(m, ctx, rb.When); !w.IsNull() && w.False() {
				continue
			}
			b.Rollbacks = append(b.Rollbacks, ir.Rollback{
				ID: m.hop.Name() + "/" + rb.Name, Hop: m.hop.Name(), Title: rb.Title,
				Source:     m.hop.Seed + " " + rb.Section,
				Run:        strings.TrimRight(stringValue(m, ctx, rb.Run), "\n"),
				OfferFrom:  bound(rb.OfferFrom),
				OfferUntil: bound(rb.OfferUntil),
			})
		}
	}
	diags = append(diags, l.diags...)
	if diags.HasErrors() {
		return nil, diags
	}
	var sources map[string]string
	if p.Registry != nil {
		sources = applyMirror(b, p.Registry.Mirror)
	}
	b.Images = collectImages(b, sources)
	return b, diags
}

// resolve finds the chain of modules from the plan's from to its to version.
// A plan that migrates (migrate_to) upgrades in place up to the version of
// a migration module, migrates there, and goes on to its to version with
// the hops of the install method it moved to: the migration runs at the
// plan's migrate_at, or else at the first version from from on where a
// module has one.
func resolve(p *plan.Plan, mods []module) ([]module, hcl.Diagnostics) {
	in := p.Install
	if in.MigrateTo == "" {
		return hopsBetween(p, mods, in.From, in.To, string(in.Deployment))
	}
	// A migration is a hop from a version to the same version, whose
	// deployment names both install methods ("template-to-operator").
	kind := string(in.Deployment) + "-to-" + string(in.MigrateTo)
	var mig *module
	var at plan.Version
	for i := range mods {
		v, _ := plan.ParseVersion(mods[i].hop.From)
		switch {
		case mods[i].hop.Deployment != kind:
		case !in.MigrateAt.IsZero():
			if v == in.MigrateAt {
				mig, at = &mods[i], v
			}
		case v.Less(in.From) || in.To.Less(v) || (mig != nil && at.Less(v)):
		default:
			mig, at = &mods[i], v
		}
	}
	if mig == nil {
		return nil, hcl.Diagnostics{unsupportedMigration(p, mods)}
	}
	before, diags := hopsBetween(p, mods, in.From, at, string(in.Deployment))
	if diags.HasErrors() {
		return nil, hcl.Diagnostics{noHopsToMigration(p, mods, at)}
	}
	after, diags := hopsBetween(p, mods, at, in.To, string(in.MigrateTo))
	if diags.HasErrors() {
		return nil, diags
	}
	return append(append(before, *mig), after...), nil
}

// migrationVersions lists the versions at which a module migrates the
// plan's install method to migrate_to, in order.
func migrationVersions(p *plan.Plan, mods []module) []string {
	kind := string(p.Install.Deployment) + "-to-" + string(p.Install.MigrateTo)
	var vs []plan.Version
	for _, m := range mods {
		if v, ok := plan.ParseVersion(m.hop.From); ok && m.hop.Deployment == kind {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, plan.Version.Compare)
	var out []string
	for _, v := range vs {
		out = append(out, v.String())
	}
	return out
}

// noHopsToMigration reports a migration at a version that the hops of
// the plan's install method do not reach from its from, saying where they
// stop, at migrate_at when the plan gives it, else at from.
func noHopsToMigration(p *plan.Plan, mods []module, at plan.Version) *hcl.Diagnostic {
	in := p.Install
	subject, why := in.Ranges["from"], "the first version from from on where ampc has a migration"
	if r, ok := in.Ranges["migrate_at"]; ok {
		subject, why = r, "the plan's migrate_at"
	}
	reached := in.From
	if chain, _ := hopsBetweenPrefix(mods, in.From, at, string(in.Deployment)); len(chain) > 0 {
		reached, _ = plan.ParseVersion(chain[len(chain)-1].hop.To)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported hop",
		Detail: fmt.Sprintf("The site migrates to the %s at %s (%s), but the %s hops from %s stop at %s: no rule module upgrades the %s-based install from %s. ampc migrates at %s. The hops that exist are:\n%s\n"+
			"Give migrate_at = a version from %s to %s where a migration exists, or leave migrate_at out to migrate at %s.",
			in.MigrateTo, at, why, in.Deployment, in.From, reached, in.Deployment, reached, strings.Join(migrationVersions(p, mods), ", "), hopList(mods),
			in.From, reached, in.From),
		Subject: subject.Ptr(),
	}
}

// hopsBetweenPrefix chains the modules of deployment from from towards to
// as far as they go.
func hopsBetweenPrefix(mods []module, from, to plan.Version, deployment string) ([]module, bool) {
	var chain []module
	cur := from
	for cur.Less(to) {
		var next *module
		for i := range mods {
			if m := &mods[i]; m.hop.From == cur.String() && m.hop.Deployment == deployment {
				next = m
				break
			}
		}
		if next == nil {
			return chain, false
		}
		v, _ := plan.ParseVersion(next.hop.To)
		if to.Less(v) {
			return chain, false
		}
		chain = append(chain, *next)
		cur = v
	}
	return chain, true
}

// hopsBetween chains the modules of deployment from from to to.
func hopsBetween(p *plan.Plan, mods []module, from, to plan.Version, deployment string) ([]module, hcl.Diagnostics) {
	chain, ok := hopsBetweenPrefix(mods, from, to, deployment)
	if !ok {
		cur := from
		if len(chain) > 0 {
			cur, _ = plan.ParseVersion(chain[len(chain)-1].hop.To)
		}
		return nil, hcl.Diagnostics{unsupportedHop(p, mods, cur, plan.Deployment(deployment))}
	}
	return chain, nil
}

// hopList lists the hops of the rule modules, one per line, for diagnostics.
func hopList(mods []module) string {
	hops := make([]ir.Hop, len(mods))
	for i, m := range mods {
		hops[i] = m.hop
	}
	sortHops(hops)
	var list []string
	for _, h := range hops {
		list = append(list, fmt.Sprintf("  %s → %s (%s)", h.From, h.To, h.Deployment))
	}
	return strings.Join(list, "\n")
}

// unsupportedMigration reports a migrate_to that no rule module covers
// between the plan's from and to, or at its migrate_at.
func unsupportedMigration(p *plan.Plan, mods []module) *hcl.Diagnostic {
	in := p.Install
	versions := strings.Join(migrationVersions(p, mods), ", ")
	if !in.MigrateAt.IsZero() {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported hop",
			Detail: fmt.Sprintf("No rule module migrates the %s-based install to the %s at %s (migrate_at). ampc migrates at %s. The hops that exist are:\n%s\n"+
				"Give migrate_at = one of those versions between from and to, or leave it out to migrate at the first of them from %s on.", in.Deployment, in.MigrateTo, in.MigrateAt, versions, hopList(mods), in.From),
			Subject: in.Ranges["migrate_at"].Ptr(),
		}
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported hop",
		Detail: fmt.Sprintf("No rule module migrates the %s-based install to the %s between %s and %s. ampc migrates at %s. The hops that exist are:\n%s\n"+
			"Choose from and to so that a %s-to-%s hop lies between them; the %s hops before it, if any, upgrade the site to its version first, and the %s hops after it, if any, go on to to.", in.Deployment, in.MigrateTo, in.From, in.To, versions, hopList(mods), in.Deployment, in.MigrateTo, in.Deployment, in.MigrateTo),
		Subject: in.Ranges["migrate_to"].Ptr(),
	}
}

func unsupportedHop(p *plan.Plan, mods []module, at plan.Version, deployment plan.Deployment) *hcl.Diagnostic {
	in := p.Install
	what := fmt.Sprintf("No rule module upgrades the %s-based install from %s", deployment, at)
	subject := in.Ranges["from"]
	if at != in.From {
		what += fmt.Sprintf(" (reached on the way from %s to %s)", in.From, in.To)
		subject = in.Ranges["to"]
	}
	advice := "Choose from and to so that the hops chain, and check deployment."
	if last, migrations := templateEnd(mods); deployment == plan.Template && in.MigrateTo == "" && last != "" && at.String() == last {
		// Past the last template release there is only the operator.
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Template-based installs end at " + last,
			Detail: fmt.Sprintf("3scale %s is the last release deployed with OpenShift templates (the %s guide: the last release that supports 3scale deployed with templates on OpenShift 3.11; guides/template-after-2.10.md), and this plan goes on from %s to %s. "+
				"To go past %s, migrate the site to the 3scale operator: add migrate_to = \"operator\" to the install block, which runs the template → operator migration of \"Migrating 3scale\" (rule modules for it at %s) and then the operator hops to %s. Otherwise set to = %q or earlier.",
				last, last, at, in.To, last, migrations, in.To, last),
			Subject: in.Ranges["to"].Ptr(),
		}
	}
	if other := otherDeployment(mods, at, deployment); deployment == in.Deployment && other != nil {
		advice = fmt.Sprintf("The hop from %s exists for the %s-based install (%s → %s): if the site was installed with the %s, set deployment = %q; "+
			"otherwise choose from and to so that the %s hops chain.", at, other.Deployment, other.From, other.To, installedWith(other.Deployment), other.Deployment, deployment)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unsupported hop",
		Detail:   fmt.Sprintf("%s towards %s. The hops that exist are:\n%s\n%s", what, in.To, hopList(mods), advice),
		Subject:  subject.Ptr(),
	}
}

// templateEnd is the last version a template hop reaches, and the versions
// of the template → operator migrations ("none" when there is none).
func templateEnd(mods []module) (string, string) {
	var last plan.Version
	var migrations []string
	for _, m := range mods {
		switch m.hop.Deployment {
		case string(plan.Template):
			if v, ok := plan.ParseVersion(m.hop.To); ok && last.Less(v) {
				last = v
			}
		case string(plan.Template) + "-to-" + string(plan.Operated):
			migrations = append(migrations, m.hop.From)
		}
	}
	if last == (plan.Version{}) {
		return "", ""
	}
	slices.SortFunc(migrations, func(a, b string) int {
		va, _ := plan.ParseVersion(a)
		vb, _ := plan.ParseVersion(b)
		return va.Compare(vb)
	})
	if len(migrations) == 0 {
		return last.String(), "none"
	}
	return last.String(), strings.Join(migrations, ", ")
}

// otherDeployment finds a hop from the version at for another install
// method than the plan's (not a migration), for a plan whose deployment is
// probably wrong.
func otherDeployment(mods []module, at plan.Version, d plan.Deployment) *ir.Hop {
	for _, m := range mods {
		if m.hop.From == at.String() && m.hop.Deployment != string(d) && !strings.Contains(m.hop.Deployment, "-to-") {
			return &m.hop
		}
	}
	return nil
}

// installedWith names how a deployment kind is installed.
func installedWith(deployment string) string {
	if deployment == string(plan.Operated) {
		return "3scale operator"
	}
	return "OpenShift templates"
}

// checkNamespace refuses a snapshot without an object of the plan's
// namespace, at the metadata.namespace of its first object.
func checkNamespace(m *model, snap *snapshot.Snapshot, ns string) *hcl.Diagnostic {
	others := map[string]bool{}
	for k := range m.objects {
		if k.namespace == ns {
			return nil
		}
		others[k.namespace] = true
	}
	var names []string
	for n := range others {
		names = append(names, n)
	}
	sort.Strings(names)
	first := snap.Objects()[0]
	k := keyOf(first.Doc)
	at, _ := snap.FieldRange(first, "metadata", "namespace")
	detail := fmt.Sprintf("The plan's namespace is %q, but the snapshot holds objects of %s only (here, metadata.namespace of %s %s). ", ns, strings.Join(names, ", "), k.kind, k.name)
	if len(names) == 1 {
		detail += fmt.Sprintf("If the snapshot is of the site the plan describes, set namespace = %q in the install block; else export the plan's namespace (oc get -o yaml -n %s ...) and give that file.", names[0], ns)
	} else {
		detail += fmt.Sprintf("Export the plan's namespace (oc get -o yaml -n %s ...) and give that file, or correct install.namespace.", ns)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Snapshot of another namespace",
		Detail:   detail,
		Subject:  &at,
	}
}

// checkRelease refuses a snapshot of the site at another version than the
// plan's from, at the field of the export that shows the version (AMP_RELEASE
// in configmap/system-environment, the literal one of dc/system-app's
// containers, or the APIManager's version annotation: survey.ReadRelease,
// which ampc init reads it with too), saying which way the two differ and
// what to do. A snapshot that shows no version is left to the rules.
func checkRelease(p *plan.Plan, snap *snapshot.Snapshot) *hcl.Diagnostic {
	in := p.Install
	if v, ok := survey.ReleaseOf(snap, in.Namespace); !ok || v == in.From {
		return nil
	}
	rel, ok, _ := survey.ReadRelease(snap, in.Namespace)
	if !ok || rel.Version == in.From {
		return nil
	}
	fromAt := in.Ranges["from"]
	summary := "The site's AMP_RELEASE is not the plan's from"
	if rel.From.Kind == "APIManager" {
		summary = "The site's version is not the plan's from"
	}
	detail := fmt.Sprintf("The snapshot shows %s (%s = %q), and the plan says from = %q (%s:%d:%d). ",
		rel.Version, rel.From, rel.Written, in.From, fromAt.Filename, fromAt.Start.Line, fromAt.Start.Column)
	if rel.Version.Less(in.From) {
		detail += fmt.Sprintf("The site runs an earlier version than the plan's from. If the snapshot shows the site as it is, set from = %q in the plan: "+
			"ampc chains the hops from %s to %s where they exist (ampc hops lists them). If the site was upgraded to %s since the snapshot was taken, take it again.",
			rel.Version, rel.Version, in.To, in.From)
	} else {
		detail += fmt.Sprintf("The site runs a later version than the plan's from: either it was upgraded to %s already (set from = %q, with a to above it, or there is nothing to do), "+
			"or the snapshot was taken after an upgrade to %s began; take it again before the upgrade starts.", rel.Version, rel.Version, rel.Version)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   detail,
		Subject:  rel.From.Range.Ptr(),
	}
}

// layoutSubject points a missing-layout diagnostic at installed_at when the
// plan gives it, else at from.
func layoutSubject(in plan.Install) *hcl.Range {
	if r, ok := in.Ranges["installed_at"]; ok {
		return r.Ptr()
	}
	return in.Ranges["from"].Ptr()
}

// history gives the plan of a site's past upgrades, from installed_at to
// from, and the modules that model them.
func history(p *plan.Plan, mods []module) (*plan.Plan, []module, bool) {
	past := *p
	past.Install.From, past.Install.To = p.Install.InstalledAt, p.Install.From
	past.Install.MigrateTo = "" // the history is upgrades in place
	chain, diags := resolve(&past, mods)
	return &past, chain, !diags.HasErrors()
}

// unread warns about each optional attribute the plan sets that no module
// it runs reads (the chain's, and with the standard layout those modelling
// the site's history): it would change nothing in the bundle.
func unread(p *plan.Plan, used []module) hcl.Diagnostics {
	var hops []string
	for _, m := range used {
		hops = append(hops, fmt.Sprintf("%s → %s (%s)", m.hop.From, m.hop.To, m.hop.Deployment))
	}
	var diags hcl.Diagnostics
	// check warns when the plan sets ranges[attr] (written shown) and no
	// module reads any of plan.NAMES.
	check := func(shown string, ranges map[string]hcl.Range, attr string, names ...string) {
		at, set := ranges[attr]
		if !set || slices.ContainsFunc(used, func(m module) bool {
			return slices.ContainsFunc(names, func(n string) bool { return m.reads[n] })
		}) {
			return
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  shown + " is ignored",
			Detail: fmt.Sprintf("No hop this plan runs (%s) reads %s, so it changes nothing in the bundle. Remove it, or check from, to and deployment.",
				strings.Join(hops, ", "), shown),
			Subject: at.Ptr(),
		})
	}
	check("wildcard_policy", p.Install.Ranges, "wildcard_policy", "wildcard_policy")
	check("to_release", p.Install.Ranges, "to_release", "to_release")
	// install.openshift is the cluster's the plan starts on: a migration
	// moves to another (checkOpenShift stops there).
	onCluster := used
	if i := slices.IndexFunc(used, func(m module) bool { return strings.Contains(m.hop.Deployment, "-to-") }); i >= 0 {
		onCluster = used[:i]
	}
	if at, set := p.Install.Ranges["openshift"]; set && !slices.ContainsFunc(onCluster, func(m module) bool { return m.hop.OpenShiftMin != "" || m.hop.OpenShiftMax != "" }) {
		detail := fmt.Sprintf("No hop this plan runs (%s) bounds the OpenShift versions it runs on, so openshift changes nothing in the bundle. Remove it, or check from, to and deployment.",
			strings.Join(hops, ", "))
		if len(onCluster) < len(used) {
			detail = "No hop this plan runs before its migration bounds the OpenShift versions it runs on, and the migration and the hops after it run on another cluster, whose version the migration's target-check reads: openshift changes nothing in the bundle. Remove it."
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "openshift is ignored",
			Detail:   detail,
			Subject:  at.Ptr(),
		})
	}
	if op := p.Operator; op != nil {
		check("operator.apicast_namespace", op.Ranges, "apicast_namespace", "apicast_namespace")
		check("operator.subscription", op.Ranges, "subscription", "operator_subscription")
	}
	if ex := p.Externalize; ex != nil {
		check("externalize", map[string]hcl.Range{"block": ex.DeclRange}, "block",
			"externalize_system_database", "externalize_redis", "externalize_namespace")
	}
	return diags
}

// standardLayout builds the model of a standard install at the plan's from
// version: the layout of installed_at (see layout.go). A site first
// installed earlier is modeled by lowering the hops from installed_at to
// from on that layout, then by what the guides did differently from ampc
// (the index's guide_leaves blocks).
func standardLayout(p *plan.Plan, mods []module, layouts *layoutIndex) (*model, error) {
	in := p.Install
	var m *model
	if e := layouts.find(p); e != nil {
		m = e.model(p)
	}
	if m == nil {
		if in.InstalledAt == in.From {
			return nil, fmt.Errorf("ampc has no model of a standard %s install", in.From)
		}
		return nil, fmt.Errorf("ampc has no model of a site installed at %s and upgraded to %s", in.InstalledAt, in.From)
	}
	if in.InstalledAt == in.From {
		return m, nil
	}
	past, chain, ok := history(p, mods)
	if !ok {
		return nil, fmt.Errorf("ampc has no model of a site installed at %s and upgraded to %s (no rule modules for that history)", in.InstalledAt, in.From)
	}
	l := &lowering{plan: past, ns: in.Namespace, model: m}
	for _, mod := range chain {
		sc := l.hopScopes(mod, mod.hop)
		for i, ps := range mod.steps {
			l.reconcile(mod, i, layouts)
			sm, ctx := sc.of(mod, ps.scope)
			l.lowerStep(sm, mod.hop, ctx, ps.rule)
		}
		l.reconcile(mod, len(mod.steps), layouts)
	}
	layouts.leave(m, p)
	return m, nil
}

// VerifySteps lists the ids (HOP/NAME) of every verify step of the rule
// modules, whatever plan would select it, sorted: the tests prove each of
// them able to fail.
func VerifySteps() ([]string, error) {
	r, err := embeddedRules()
	if err != nil {
		return nil, err
	}
	// A step id names one step: two modules of one hop name (a template
	// and an operator hop from the same version) must not both have a
	// verify step of one name, or proving one able to fail would stand for
	// the other.
	seen := map[string]string{}
	var ids []string
	for _, m := range r.mods {
		// A migration's module at another version of its hop block (a
		// version block) runs the same verify steps: those of the file's
		// own version stand for them.
		if m.variant {
			continue
		}
		for _, s := range m.steps {
			id := m.hop.Name() + "/" + s.rule.Name
			if s.rule.Kind != "verify" || seen[id] == m.file {
				continue
			}
			if other, ok := seen[id]; ok {
				return nil, fmt.Errorf("verify step %s is in two modules, %s and %s: give one of them another name", id, other, m.file)
			}
			seen[id] = m.file
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// checkOpenShift follows the OpenShift version a plan states
// (install.openshift) along its chain of hops, each of which runs on the
// versions its hop block bounds (openshift_min, openshift_max). OpenShift
// only goes up: a hop whose maximum the cluster is already past cannot be
// run (an error); a hop whose minimum is above it needs OpenShift upgraded
// first, which the runbook's preflight-openshift stops for (a warning that
// names the hop). A plan that does not state the version is checked by the
// runbook only, and so are the hops after a migration, which runs them on
// another cluster.
func checkOpenShift(p *plan.Plan, chain []module) hcl.Diagnostics {
	in := p.Install
	if in.OpenShift.IsZero() {
		return nil
	}
	at := in.Ranges["openshift"]
	cur := in.OpenShift
	var diags hcl.Diagnostics
	for _, m := range chain {
		// A migration moves the site to another cluster, whose version
		// the plan does not state: the migration's target-check reads it.
		if strings.Contains(m.hop.Deployment, "-to-") {
			return diags
		}
		lo, hasLo := plan.ParseVersion(m.hop.OpenShiftMin)
		hi, hasHi := plan.ParseVersion(m.hop.OpenShiftMax)
		if hasHi && hi.Less(cur) {
			detail := fmt.Sprintf("The upgrade from 3scale %s to %s runs on OpenShift %s at the latest", m.hop.From, m.hop.To, hi)
			if cur == in.OpenShift {
				detail += fmt.Sprintf(", and the plan says the site runs on %s", cur)
			} else {
				detail += fmt.Sprintf(", and an earlier hop of the plan needs OpenShift %s first", cur)
			}
			detail += fmt.Sprintf(". OpenShift cannot go back: 3scale must reach %s before OpenShift is upgraded past %s (%s). Check install.openshift (oc get clusterversion version -o jsonpath='{.status.desired.version}').", m.hop.To, hi, m.hop.Seed)
			return append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "The hop does not run on this OpenShift version",
				Detail:   detail,
				Subject:  at.Ptr(),
			})
		}
		if hasLo && cur.Less(lo) {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "OpenShift must be upgraded during the plan",
				Detail: fmt.Sprintf("The upgrade from 3scale %s to %s needs OpenShift %s or later (%s); the cluster is at %s by then. Upgrade OpenShift to %s (which 3scale %s supports) when the runbook reaches step %s-%s/preflight-openshift: it stops there until the cluster runs it.",
					m.hop.From, m.hop.To, lo, m.hop.Seed, cur, lo, m.hop.From, m.hop.From, m.hop.To),
				Subject: at.Ptr(),
			})
			cur = lo
		}
	}
	return diags
}
