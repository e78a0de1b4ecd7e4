package survey

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/ampc/ampc/plan"
)

// Options are what a plan states besides the export's facts.
type Options struct {
	// To is the version the site is to be upgraded to.
	To plan.Version
	// Export names the export in the plan's header, as the user gave it.
	Export string
	// Unread lists the attributes ("install.wildcard_policy",
	// "operator.apicast_namespace") that no hop of the plan reads: Render
	// writes them as comments, with the fact, so that the plan states
	// nothing that changes nothing (the compiler warns about those).
	Unread map[string]bool
}

// Choice names an attribute Render wrote with a value the export cannot
// show, because the plan is invalid without one: the reviewer must check
// it.
type Choice struct {
	Attribute string // "externalize.redis"
	Value     string
}

// Render writes the plan of a site: every fact with a comment that says
// where the export shows it, and what the export cannot show as commented
// choices with their valid values. Where a plan needs a value the export
// cannot show (the externalization of a 2.15 site's internal databases, an
// operator's project missing from the export), it writes the guide's
// default and returns it among the choices, marked CHOOSE in the plan.
func Render(s *Site, opts Options) ([]byte, []Choice) {
	w := &writer{site: s, opts: opts}
	return w.render(), w.choices
}

type writer struct {
	site    *Site
	opts    Options
	choices []Choice
}

// comment appends comment lines to a body, each "# LINE". A control
// character (a newline in an object's name, say, which an export may hold
// though no cluster would) becomes "?", so that no text of the export
// leaves its comment.
func comment(b *hclwrite.Body, lines ...string) {
	var toks hclwrite.Tokens
	for _, l := range lines {
		l = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				return '?'
			}
			return r
		}, l)
		text := "#"
		if l != "" {
			text += " " + l
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(text + "\n")})
	}
	b.AppendUnstructuredTokens(toks)
}

// commentedAttribute appends NAME = VALUE as a comment.
func commentedAttribute(b *hclwrite.Body, name string, v cty.Value) {
	comment(b, name+" = "+string(hclwrite.TokensForValue(v).Bytes()))
}

// from is the comment of a fact: what it was read from, and where.
func from(ev Evidence, says string) string {
	s := "From " + ev.String()
	if says != "" {
		s += " " + says
	}
	if where := ev.Where(); where != "" {
		s += " (" + filepath.Base(ev.Range.Filename) + fmt.Sprintf(":%d", ev.Range.Start.Line) + ")"
	}
	return s + "."
}

// attribute writes a fact, or its comment when no hop reads it.
func (w *writer) attribute(b *hclwrite.Body, block, name string, v cty.Value, why ...string) {
	if w.opts.Unread[block+"."+name] {
		comment(b, why...)
		comment(b, "No hop of this plan reads it:")
		commentedAttribute(b, name, v)
		return
	}
	comment(b, why...)
	b.SetAttributeValue(name, v)
}

// choose writes a value the export cannot show, marked for the reviewer.
func (w *writer) choose(b *hclwrite.Body, block, name, value string, why ...string) {
	comment(b, why...)
	comment(b, fmt.Sprintf("CHOOSE: ampc init cannot read this from the export and wrote %q; check it.", value))
	b.SetAttributeValue(name, cty.StringVal(value))
	w.choices = append(w.choices, Choice{Attribute: block + "." + name, Value: value})
}

func (w *writer) render() []byte {
	s := w.site
	f := hclwrite.NewEmptyFile()
	root := f.Body()
	export := w.opts.Export
	comment(root,
		fmt.Sprintf("Plan for the 3scale site of namespace %s, written by ampc init from the export %s.", s.Namespace, export),
		"Each value says where in the export it was read (object, field, file:line).",
		"What the export cannot show is commented out with its valid values, or marked",
		"CHOOSE where the plan needs a value. Review it, then:",
		"",
		fmt.Sprintf("  ampc validate PLAN.hcl --snapshot %s", export),
	)
	root.AppendNewline()

	in := root.AppendNewBlock("install", nil).Body()
	w.attribute(in, "install", "namespace", cty.StringVal(s.Namespace), from(s.NamespaceFrom, ""))
	deployWhy := from(s.DeploymentFrom, "")
	if s.Deployment == plan.Template {
		deployWhy = from(s.DeploymentFrom, "(the templates' DeploymentConfigs)")
	}
	w.attribute(in, "install", "deployment", cty.StringVal(string(s.Deployment)), deployWhy)
	w.attribute(in, "install", "from", cty.StringVal(s.Release.Version.String()),
		from(s.Release.From, fmt.Sprintf("= %q", s.Release.Written)))
	comment(in, "The version to upgrade to (ampc init --to).")
	in.SetAttributeValue("to", cty.StringVal(w.opts.To.String()))
	w.attribute(in, "install", "system_database", cty.StringVal(string(s.SystemDatabase)), from(s.DatabaseFrom, ""))
	if s.Deployment == plan.Template {
		s3Why := from(s.S3From, "(the amp-s3 template's S3 credentials)")
		if s.S3From.Absent {
			s3Why = fmt.Sprintf("No Secret aws-auth in namespace %s (the amp-s3 template's S3 credentials): not installed with amp-s3.", s.Namespace)
		}
		w.attribute(in, "install", "s3", cty.BoolVal(s.S3), s3Why)
	}
	if s.WildcardPolicy != "" {
		w.attribute(in, "install", "wildcard_policy", cty.StringVal(string(s.WildcardPolicy)), from(s.WildcardFrom, "(WILDCARD_POLICY of the 2.5-and-older templates)"))
	} else if s.Deployment == plan.Template && s.Release.Version.Less(plan.Version{Major: 2, Minor: 6}) {
		comment(in, fmt.Sprintf("Not in the export (no Route apicast-wildcard-router): the WILDCARD_POLICY the site was deployed with, %q or %q; default %q.", plan.WildcardSubdomain, plan.WildcardNone, plan.WildcardNone))
		commentedAttribute(in, "wildcard_policy", cty.StringVal(string(plan.WildcardNone)))
	}
	if !s.Release.InstalledAt.IsZero() {
		why := fmt.Sprintf("(the release the site was installed at, which the guides' `oc set env` leaves there; %s holds %s)", s.Release.From.String(), s.Release.Written)
		if s.Release.InstalledAtFrom.Kind == "ImageStream" {
			why = "(the earliest release tag of the stream: each upgrade adds its own beside the old ones)"
		}
		w.attribute(in, "install", "installed_at", cty.StringVal(s.Release.InstalledAt.String()), from(s.Release.InstalledAtFrom, why))
	}
	migrating := w.migrating()
	if migrating {
		comment(in, fmt.Sprintf("--to %s is the version the site runs: move it to an operator-based install", w.opts.To),
			"on another cluster (the template-to-operator migration).")
		in.SetAttributeValue("migrate_to", cty.StringVal(string(plan.Operated)))
	}
	if !s.OpenShift.IsZero() {
		w.attribute(in, "install", "openshift", cty.StringVal(s.OpenShift.String()),
			from(s.OpenShiftFrom, "(the cluster's OpenShift release; ampc checks each hop's range against it)"))
	} else {
		comment(in, "Not in the export (no ClusterVersion version; OpenShift 3.11 has none): the OpenShift",
			"version the site runs on, which ampc checks against each hop's range. Read it with",
			"oc get clusterversion version -o jsonpath='{.status.desired.version}'.")
		commentedAttribute(in, "openshift", cty.StringVal("4.12"))
	}
	comment(in, fmt.Sprintf("Not in the export: where the runbook writes its backups, a path relative to where it runs (or absolute); default %q.", plan.DefaultBackupDir))
	commentedAttribute(in, "backup_dir", cty.StringVal("backups/"+s.Namespace+"-"+s.Release.Version.String()))
	if w.opts.To.Major == 2 && w.opts.To.Minor >= 16 {
		line := fmt.Sprintf("Not in the export: the micro release of %s to run, such as \"%s.1\".", w.opts.To, w.opts.To)
		if s.SystemDatabase == plan.Oracle {
			line += fmt.Sprintf(" 3scale %s.0 does not support Oracle: name a later release.", w.opts.To)
		}
		comment(in, line)
		commentedAttribute(in, "to_release", cty.StringVal(w.opts.To.String()+".1"))
	}

	if migrating {
		root.AppendNewline()
		w.migrationBlock(root)
	}
	if s.Deployment == plan.Operated {
		root.AppendNewline()
		w.operatorBlock(root)
		if s.External != nil && w.opts.To.Major == 2 && w.opts.To.Minor >= 16 {
			root.AppendNewline()
			w.externalizeBlock(root)
		}
	}

	root.AppendNewline()
	comment(root,
		"Not in the export: an image registry mirror for an air-gapped site, a registry",
		"host with an optional port and path prefix, lower case, without a scheme.",
		"registry {",
		`  mirror = "mirror.example.com:5000"`,
		"}",
	)
	return hclwrite.Format(f.Bytes())
}

func (w *writer) operatorBlock(root *hclwrite.Body) {
	s := w.site
	op := root.AppendNewBlock("operator", nil).Body()
	if s.Operator == nil {
		w.choose(op, "operator", "namespace", plan.DefaultSubscription,
			"Not in the export (no Subscription of the 3scale-operator package): the project of the",
			"3scale operator. The OpenShift console's default is written; export the operator's",
			"project too (oc get -o yaml -n PROJECT subscription,operatorgroup) and run ampc init again.")
		return
	}
	w.attribute(op, "operator", "namespace", cty.StringVal(s.Operator.Namespace), from(s.Operator.NamespaceFrom, "(the Subscription of the 3scale-operator package)"))
	w.attribute(op, "operator", "subscription", cty.StringVal(s.Operator.Subscription), from(s.Operator.SubscriptionFrom, ""))
	if s.Operator.APIcastNamespace != "" {
		w.attribute(op, "operator", "apicast_namespace", cty.StringVal(s.Operator.APIcastNamespace), from(s.Operator.APIcastFrom, "(the Subscription of the apicast-operator package: a standalone APIcast operator)"))
	} else {
		comment(op, "Not in the export (no Subscription of the apicast-operator package): the project of a standalone APIcast operator to upgrade too.")
		commentedAttribute(op, "apicast_namespace", cty.StringVal("apicast"))
	}
}

// migrating reports whether the plan is a template-to-operator migration:
// a template-based site whose --to is the version it runs.
func (w *writer) migrating() bool {
	return w.site.Deployment == plan.Template && w.site.Release.Version == w.opts.To
}

// migrationBlock writes the operator block of a migration: the project of
// the operator on the new cluster, which no export of the old one shows,
// and the site's wildcard domain, which the APIManager keeps.
func (w *writer) migrationBlock(root *hclwrite.Body) {
	s := w.site
	op := root.AppendNewBlock("operator", nil).Body()
	w.choose(op, "operator", "namespace", plan.DefaultSubscription,
		"The project of the 3scale operator on the new cluster (the export is of the old one).")
	if s.WildcardDomain != "" {
		w.attribute(op, "operator", "wildcard_domain", cty.StringVal(s.WildcardDomain), from(s.WildcardDomainFrom, "(the templates' WILDCARD_DOMAIN, which the APIManager keeps)"))
		return
	}
	w.choose(op, "operator", "wildcard_domain", "apps.example.com",
		"Not in the export (no THREESCALE_SUPERDOMAIN in ConfigMap system-environment): the",
		"WILDCARD_DOMAIN the templates were deployed with, which the APIManager keeps.")
}

func (w *writer) externalizeBlock(root *hclwrite.Body) {
	s := w.site
	ext := s.External
	ex := root.AppendNewBlock("externalize", nil).Body()
	onCluster := false
	db := map[plan.Database]string{
		plan.MySQL:      `"on-cluster" (keep system-mysql, detached from the operator: guide 3.3) or "aws" (Amazon RDS: guide 4)`,
		plan.PostgreSQL: `"on-cluster" (PostgreSQL 10 to a new PostgreSQL 15 Deployment: guide 3.2) or "aws" (Amazon RDS: guide 5)`,
	}
	switch {
	case ext.SystemDatabase:
		w.attribute(ex, "externalize", "system_database", cty.StringVal(string(plan.AlreadyExternal)), from(ext.SystemDatabaseFrom, "is true: the operator does not manage the system database"))
	case db[s.SystemDatabase] != "":
		w.choose(ex, "externalize", "system_database", string(plan.OnCluster),
			from(ext.SystemDatabaseFrom, "is not true: the operator manages the system database, which 2.16 does not support"),
			"Move it first: "+db[s.SystemDatabase]+".")
		onCluster = s.SystemDatabase == plan.PostgreSQL
	}
	if ext.Redis {
		w.attribute(ex, "externalize", "redis", cty.StringVal(string(plan.AlreadyExternal)), from(ext.RedisFrom, "is true: the operator manages neither Redis"))
	} else {
		w.choose(ex, "externalize", "redis", string(plan.OnCluster),
			from(ext.RedisFrom, "is not true: the operator manages backend-redis and system-redis, which 2.16 does not support"),
			`Move both first: "on-cluster" (new Redis 7 Deployments: guide 3.4) or "aws" (ElastiCache: guide 6).`)
		onCluster = true
	}
	dbNamespace := s.Namespace + "-db"
	if len(dbNamespace) > 63 {
		dbNamespace = "3scale-db"
	}
	if onCluster {
		w.choose(ex, "externalize", "namespace", dbNamespace,
			"The project for the on-cluster databases; the guide advises against the 3scale project itself.")
	} else {
		comment(ex, "The project for on-cluster databases; none of the choices above creates one.")
		commentedAttribute(ex, "namespace", cty.StringVal(dbNamespace))
	}
}

// ChoiceList says which attributes of a rendered plan are choices, for a
// warning: "externalize.system_database = "on-cluster"".
func ChoiceList(choices []Choice) string {
	var out []string
	for _, c := range choices {
		out = append(out, fmt.Sprintf("%s = %q", c.Attribute, c.Value))
	}
	return strings.Join(out, ", ")
}
