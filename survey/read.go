package survey

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// Read reads the site an export shows. The export holds one 3scale
// namespace (a template-based site's DeploymentConfig system-app, or an
// operator-based site's APIManager) and may hold the projects of its
// operators. An export of no 3scale namespace, of two, or whose objects
// show two versions gets an error that names the file and the object and
// says what to export; a fact the export shows only in part gets a warning.
func Read(snap *snapshot.Snapshot) (*Site, hcl.Diagnostics) {
	r := newReader(snap)
	site, diags := r.site()
	if diags.HasErrors() {
		return nil, diags
	}
	return site, diags
}

func (r *reader) site() (*Site, hcl.Diagnostics) {
	// An APIManager makes its namespace operator-based: the operator
	// deployed system-app as a DeploymentConfig too up to 2.10 or so.
	sites := r.all("APIManager", "*")
	operated := map[string]bool{}
	for _, o := range sites {
		operated[stringField(o.Doc, "metadata", "namespace")] = true
	}
	for _, o := range r.all("DeploymentConfig", "*") {
		if stringField(o.Doc, "metadata", "name") == "system-app" && !operated[stringField(o.Doc, "metadata", "namespace")] {
			sites = append(sites, o)
		}
	}
	if len(sites) == 0 {
		return nil, hcl.Diagnostics{r.notASite()}
	}
	s := &Site{}
	first := sites[0]
	for _, o := range sites[1:] {
		a, b := r.evidence(first), r.evidence(o)
		if a.Kind == b.Kind && a.Namespace == b.Namespace {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Several APIManagers in one namespace",
				Detail:  fmt.Sprintf("Namespace %s holds APIManager %s (%s) and APIManager %s; the 3scale operator manages one per project. Export the namespace as it is on the cluster (oc get apimanager -n %s -o yaml).", a.Namespace, a.Name, a.Where(), b.Name, a.Namespace),
				Subject: b.Range.Ptr()}}
		}
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Export of several 3scale sites",
			Detail: fmt.Sprintf("The export holds two 3scale namespaces: %s in namespace %s (%s) and %s in namespace %s. A plan describes one site: export the site's namespace alone, with its operators' projects if it has them.",
				a, a.Namespace, a.Where(), b, b.Namespace),
			Subject: b.Range.Ptr()}}
	}
	site := r.evidence(first)
	s.Namespace = site.Namespace
	s.NamespaceFrom = r.evidence(first, "metadata", "namespace")
	s.DeploymentFrom = site
	s.Deployment = plan.Template
	if site.Kind == "APIManager" {
		s.Deployment = plan.Operated
	}
	if s.Namespace == "" {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Object without namespace",
			Detail:  fmt.Sprintf("%s has no metadata.namespace, so the export does not say which project the site runs in. Export with `oc get -o yaml -n NAMESPACE ...`, which writes every object's namespace.", site),
			Subject: site.Range.Ptr()}}
	}
	var diags hcl.Diagnostics
	rel, ok, d := r.release(s.Namespace)
	diags = append(diags, d...)
	if !ok {
		where, what := "AMP_RELEASE in ConfigMap system-environment", "oc get -o yaml -n "+s.Namespace+" dc,is,cm,secret,route,svc,sa,bc"
		if s.Deployment == plan.Operated {
			where, what = "the "+versionAnnotation+" annotation of the APIManager", "oc get -o yaml -n "+s.Namespace+" apimanager"
		}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No version in the export",
			Detail:  fmt.Sprintf("The export holds %s but not %s, which says the version the site runs. Export it too (%s).", site, where, what),
			Subject: site.Range.Ptr()})
	}
	s.Release = rel
	if s.Deployment == plan.Template {
		diags = append(diags, r.templateFacts(s)...)
	} else {
		diags = append(diags, r.operatorFacts(s, first)...)
	}
	diags = append(diags, r.operators(s)...)
	r.openShift(s)
	return s, diags
}

// openShift reads the cluster's OpenShift version from its ClusterVersion
// (cluster-scoped, named version): the release it is upgrading to or runs,
// status.desired.version ("4.12.45"), as major.minor. An export without it
// (an OpenShift 3.11 cluster has none) leaves the plan's openshift to the
// person.
func (r *reader) openShift(s *Site) {
	o, ok := r.get("ClusterVersion", "", "version")
	if !ok {
		return
	}
	written := stringField(o.Doc, "status", "desired", "version")
	if v, ok := parseRelease(written); ok && (v.Major == 4) {
		s.OpenShift = v
		s.OpenShiftFrom = r.evidence(o, "status", "desired", "version")
	}
}

// notASite is the error for an export without a 3scale namespace.
func (r *reader) notASite() *hcl.Diagnostic {
	counts := map[string]int{}
	for _, o := range r.snap.Objects() {
		kind, _ := o.Doc["kind"].(string)
		ns := stringField(o.Doc, "metadata", "namespace")
		counts[fmt.Sprintf("%s in %s", kind, ns)]++
	}
	var held []string
	for k, n := range counts {
		held = append(held, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(held)
	if len(held) > 6 {
		held = append(held[:6], "...")
	}
	start := hcl.Pos{Line: 1, Column: 1}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Not a 3scale namespace",
		Detail: fmt.Sprintf("The export holds no DeploymentConfig system-app (a template-based 3scale site) and no APIManager (an operator-based one); it holds %s. "+
			"Export the project 3scale runs in: oc get -o yaml -n NAMESPACE dc,is,cm,secret,route,svc,sa,bc for a template-based site, "+
			"oc get -o yaml -n NAMESPACE apimanager,deployment,cm,secret for an operator-based one (and the operator's project: oc get -o yaml -n OPERATOR-NAMESPACE subscription,operatorgroup).",
			strings.Join(held, ", ")),
		Subject: &hcl.Range{Filename: r.snap.Path, Start: start, End: start}}
}

// templateFacts reads the system database, S3 and the wildcard policy of a
// template-based site, as the template hops' refusals read them
// (rules/shared/template-site.hcl).
func (r *reader) templateFacts(s *Site) hcl.Diagnostics {
	ns := s.Namespace
	var diags hcl.Diagnostics
	mysql, hasMySQL := r.get("DeploymentConfig", ns, "system-mysql")
	pg, hasPG := r.get("DeploymentConfig", ns, "system-postgresql")
	oracle, hasOracle := r.get("BuildConfig", ns, "3scale-amp-system-oracle")
	switch {
	case hasOracle:
		s.SystemDatabase, s.DatabaseFrom = plan.Oracle, r.evidence(oracle)
	case hasMySQL && !hasPG:
		s.SystemDatabase, s.DatabaseFrom = plan.MySQL, r.evidence(mysql)
	case hasPG && !hasMySQL:
		s.SystemDatabase, s.DatabaseFrom = plan.PostgreSQL, r.evidence(pg)
	default:
		db, ev, ok := r.databaseURL(ns)
		if !ok {
			diags = append(diags, r.unknownDatabase(s, hasMySQL && hasPG))
			break
		}
		s.SystemDatabase, s.DatabaseFrom = db, ev
	}
	if aws, ok := r.get("Secret", ns, "aws-auth"); ok {
		s.S3, s.S3From = true, r.evidence(aws)
	} else {
		s.S3From = r.absent("Secret", ns, "aws-auth")
		if len(r.all("Secret", ns)) == 0 {
			d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "No Secret in the export",
				Detail: fmt.Sprintf("The export holds no Secret of namespace %s, so it cannot show whether the site uses S3 (the amp-s3 template's Secret aws-auth); the plan says s3 = false. "+
					"Export the Secrets too (oc get -o yaml -n %s dc,is,cm,secret,route,svc,sa,bc): ampc reads their keys only, never their values.", ns, ns),
				Subject: s.DeploymentFrom.Range.Ptr()}
			diags = append(diags, d)
		}
	}
	if cm, ok := r.get("ConfigMap", ns, "system-environment"); ok {
		if d := stringField(cm.Doc, "data", "THREESCALE_SUPERDOMAIN"); d != "" {
			s.WildcardDomain, s.WildcardDomainFrom = d, r.evidence(cm, "data", "THREESCALE_SUPERDOMAIN")
		}
	}
	if !s.Release.Version.Less(plan.Version{Major: 2, Minor: 6}) {
		return diags
	}
	if route, ok := r.get("Route", ns, "apicast-wildcard-router"); ok {
		switch p := stringField(route.Doc, "spec", "wildcardPolicy"); p {
		case string(plan.WildcardNone), string(plan.WildcardSubdomain):
			s.WildcardPolicy, s.WildcardFrom = plan.WildcardPolicy(p), r.evidence(route, "spec", "wildcardPolicy")
		}
	}
	return diags
}

// databaseScheme maps the scheme of the system-database Secret's URL to a
// plan's system database.
var databaseScheme = map[string]plan.Database{
	"mysql2":          plan.MySQL,
	"mysql":           plan.MySQL,
	"postgresql":      plan.PostgreSQL,
	"postgres":        plan.PostgreSQL,
	"oracle-enhanced": plan.Oracle,
}

// databaseURL reads the system database from the scheme of the URL in the
// system-database Secret (its value stays secret).
func (r *reader) databaseURL(ns string) (plan.Database, Evidence, bool) {
	sec, ok := r.get("Secret", ns, "system-database")
	if !ok {
		return "", Evidence{}, false
	}
	db, ok := databaseScheme[r.snap.URLScheme(ns, "system-database", "URL")]
	if !ok {
		return "", Evidence{}, false
	}
	ev := r.evidence(sec, "data", "URL")
	ev.Field = "data.URL (its scheme, " + r.snap.URLScheme(ns, "system-database", "URL") + "://)"
	return db, ev, true
}

func (r *reader) unknownDatabase(s *Site, both bool) *hcl.Diagnostic {
	what := "neither DeploymentConfig system-mysql nor system-postgresql"
	if both {
		what = "both DeploymentConfigs system-mysql and system-postgresql"
	}
	if s.Deployment == plan.Operated {
		what = "an APIManager without spec.system.database"
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "System database not in the export",
		Detail: fmt.Sprintf("The export holds %s, no BuildConfig 3scale-amp-system-oracle, and no URL in Secret system-database whose scheme names a database (mysql2://, postgresql://, oracle-enhanced://), so it does not show which system database the site runs. "+
			"Export the namespace's Secrets and BuildConfigs too (oc get -o yaml -n %s dc,bc,secret ...); ampc reads a URL's scheme only, never the rest of a Secret's value.", what, s.Namespace),
		Subject: s.DeploymentFrom.Range.Ptr()}
}

// operatorFacts reads the system database and the external databases of
// an operator-based site from its APIManager, as the 2.15 → 2.16 hop's
// refusals read them.
func (r *reader) operatorFacts(s *Site, am snapshot.Object) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, db := range []plan.Database{plan.MySQL, plan.PostgreSQL} {
		if _, ok := field(am.Doc, "spec", "system", "database", string(db)); ok {
			s.SystemDatabase, s.DatabaseFrom = db, r.evidence(am, "spec", "system", "database", string(db))
		}
	}
	if s.SystemDatabase == "" && !externalDatabase(am) {
		// The operator's default is MySQL; its Deployment (or, for older
		// operators, DeploymentConfig) shows the database either way.
		for _, kind := range []string{"Deployment", "DeploymentConfig"} {
			for _, db := range []plan.Database{plan.MySQL, plan.PostgreSQL} {
				if o, ok := r.get(kind, s.Namespace, "system-"+string(db)); ok && s.SystemDatabase == "" {
					s.SystemDatabase, s.DatabaseFrom = db, r.evidence(o)
				}
			}
		}
	}
	if s.SystemDatabase == "" {
		if db, ev, ok := r.databaseURL(s.Namespace); ok {
			s.SystemDatabase, s.DatabaseFrom = db, ev
		} else {
			diags = append(diags, r.unknownDatabase(s, false))
		}
	}
	ext := &External{}
	flag := func(path ...string) (bool, Evidence) {
		v, _ := field(am.Doc, path...)
		b, _ := v.(bool)
		return b, r.evidence(am, path...)
	}
	if ha, ev := flag("spec", "highAvailability", "enabled"); ha {
		ext.SystemDatabase, ext.SystemDatabaseFrom = true, ev
		ext.Redis, ext.RedisFrom = true, ev
	} else {
		ext.SystemDatabase, ext.SystemDatabaseFrom = flag("spec", "externalComponents", "system", "database")
		backend, bev := flag("spec", "externalComponents", "backend", "redis")
		system, sev := flag("spec", "externalComponents", "system", "redis")
		ext.Redis, ext.RedisFrom = backend && system, bev
		if backend && !system {
			ext.RedisFrom = sev
		}
	}
	if s.SystemDatabase == plan.Oracle {
		ext.SystemDatabase = true // 3scale never runs Oracle itself
	}
	s.External = ext
	return diags
}

// externalDatabase reports whether an APIManager leaves the system
// database to the site (spec.externalComponents.system.database, or
// spec.highAvailability.enabled).
func externalDatabase(am snapshot.Object) bool {
	ext, _ := field(am.Doc, "spec", "externalComponents", "system", "database")
	ha, _ := field(am.Doc, "spec", "highAvailability", "enabled")
	return ext == true || ha == true
}

// Package names of the operators' OLM Subscriptions (spec.name).
const (
	threescalePackage = "3scale-operator"
	apicastPackage    = "apicast-operator"
)

// operators finds the Subscriptions of the 3scale operator and of a
// standalone APIcast operator. The 3scale operator's is the one whose
// project's OperatorGroup targets the site's namespace (or all), when there
// are several.
func (r *reader) operators(s *Site) hcl.Diagnostics {
	var threescale, apicast []snapshot.Object
	for _, sub := range r.all("Subscription", "*") {
		switch stringField(sub.Doc, "spec", "name") {
		case threescalePackage:
			threescale = append(threescale, sub)
		case apicastPackage:
			apicast = append(apicast, sub)
		}
	}
	if len(threescale) > 1 {
		var targeting []snapshot.Object
		for _, sub := range threescale {
			if r.targets(stringField(sub.Doc, "metadata", "namespace"), s.Namespace) {
				targeting = append(targeting, sub)
			}
		}
		threescale = targeting
	}
	var diags hcl.Diagnostics
	switch {
	case len(threescale) == 1:
		sub := threescale[0]
		s.Operator = &Operator{
			Namespace:        stringField(sub.Doc, "metadata", "namespace"),
			NamespaceFrom:    r.evidence(sub, "metadata", "namespace"),
			Subscription:     stringField(sub.Doc, "metadata", "name"),
			SubscriptionFrom: r.evidence(sub, "metadata", "name"),
		}
	case len(threescale) > 1:
		a, b := r.evidence(threescale[0]), r.evidence(threescale[1])
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Several 3scale operator Subscriptions",
			Detail: fmt.Sprintf("The export holds %s in namespace %s and %s in namespace %s, both for the 3scale operator and targeting namespace %s, so it does not show which manages the site; the plan's operator block names neither. Write the right one's namespace and name there.",
				a, a.Namespace, b, b.Namespace, s.Namespace),
			Subject: b.Range.Ptr()})
	}
	if s.Operator == nil && len(threescale) == 0 && s.Deployment == plan.Operated {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "No 3scale operator Subscription in the export",
			Detail: fmt.Sprintf("The export holds no Subscription of the %s package, so it does not show the operator's project; the plan names the OpenShift console's default, namespace %q. "+
				"Check it (oc get subscription -A | grep %s) and correct operator.namespace, or export the operator's project into the same directory (oc get -o yaml -n OPERATOR-NAMESPACE subscription,operatorgroup).",
				threescalePackage, plan.DefaultSubscription, threescalePackage),
			Subject: s.DeploymentFrom.Range.Ptr()})
	}
	if len(apicast) == 1 && s.Operator != nil {
		s.Operator.APIcastNamespace = stringField(apicast[0].Doc, "metadata", "namespace")
		s.Operator.APIcastFrom = r.evidence(apicast[0], "metadata", "namespace")
	}
	return diags
}

// targets reports whether the OperatorGroup of a project targets a
// namespace (or every namespace); true when the export holds none.
func (r *reader) targets(project, ns string) bool {
	groups := r.all("OperatorGroup", project)
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		v, ok := field(g.Doc, "spec", "targetNamespaces")
		list, _ := v.([]any)
		if !ok || len(list) == 0 {
			return true // AllNamespaces
		}
		for _, t := range list {
			if t == ns {
				return true
			}
		}
	}
	return false
}
