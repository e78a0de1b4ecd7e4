package plan

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
)

// Plan is a decoded and validated plan file.
type Plan struct {
	// Filename is the name the plan was read under; diagnostics use it.
	Filename string

	Install  Install
	Operator *Operator // nil when the plan has no operator block

	// Externalize is the 2.15 → 2.16 database choice; nil when absent.
	Externalize *Externalize

	// Registry is where the site pulls images from; nil when it pulls from
	// the registries the guides name.
	Registry *Registry
}

// Registry is the plan's registry block: an image registry mirror for an
// air-gapped site.
type Registry struct {
	// Mirror replaces the registry host of every image the bundle sets,
	// keeping repository paths and tags: registry.redhat.io/3scale-amp2/x:1
	// becomes MIRROR/3scale-amp2/x:1.
	Mirror string

	DeclRange hcl.Range
	Ranges    map[string]hcl.Range
}

// Deployment is how 3scale was installed.
type Deployment string

// The install methods a plan may name.
const (
	Template Deployment = "template"
	Operated Deployment = "operator"
)

// Database is the system database of a site.
type Database string

// The system databases a plan may name.
const (
	MySQL      Database = "mysql"
	PostgreSQL Database = "postgresql"
	Oracle     Database = "oracle"
)

// WildcardPolicy is the WILDCARD_POLICY a 2.5-or-older site was deployed with.
type WildcardPolicy string

// The wildcard policies a plan may name.
const (
	WildcardNone      WildcardPolicy = "None"
	WildcardSubdomain WildcardPolicy = "Subdomain"
)

// Placement says where a database lives after externalization.
type Placement string

// The externalization choices of the 2.16 guide.
const (
	AlreadyExternal Placement = "external"
	OnCluster       Placement = "on-cluster"
	AWS             Placement = "aws"
)

// Install is the plan's install block: the site and the requested upgrade.
type Install struct {
	Namespace      string
	Deployment     Deployment
	From           Version
	To             Version
	InstalledAt    Version // the version the site was first installed at; From when not given
	SystemDatabase Database
	S3             bool
	WildcardPolicy WildcardPolicy
	BackupDir      string // where the runbook writes its backups; relative to where it runs
	// ToRelease is the micro release of To the site is to run
	// (major.minor.micro, such as "2.16.1"); "" when the plan does not say.
	ToRelease string

	// OpenShift is the OpenShift version (major.minor) the site runs on;
	// zero when the plan does not say. Hops check it against the versions
	// they allow at compile time; the runbook checks the cluster's own.
	OpenShift Version

	// MigrateTo is the install method a template-based site moves to
	// (3scale's template-to-operator migration, at MigrateAt); "" when the
	// plan upgrades the site in place.
	MigrateTo Deployment
	// MigrateAt is the version at which the site migrates: the template
	// hops upgrade it from From to MigrateAt, the operator hops from there
	// to To. Zero when the plan does not say: the compiler migrates at the
	// first version from From on that has a migration.
	MigrateAt Version

	// DeclRange is the range of the block header; Ranges holds the range of
	// each attribute's value by attribute name, for later diagnostics.
	DeclRange hcl.Range
	Ranges    map[string]hcl.Range
}

// Operator is the plan's operator block.
type Operator struct {
	Namespace        string
	APIcastNamespace string // empty when the site has no standalone APIcast operator
	// Subscription is the name of the operator's OLM Subscription in
	// Namespace; DefaultSubscription when the plan does not give it.
	Subscription string
	// WildcardDomain is the wildcardDomain of the APIManager a migration
	// creates (the template's WILDCARD_DOMAIN); "" on other plans.
	WildcardDomain string
	// TenantName is the tenantName of the APIManager a migration creates
	// (the template's TENANT_NAME); "" when the plan does not give it.
	TenantName string

	DeclRange hcl.Range
	Ranges    map[string]hcl.Range
}

// DefaultSubscription is the name the OpenShift console gives the 3scale
// operator's Subscription: the name of its package.
const DefaultSubscription = "3scale-operator"

// Externalize is the plan's externalize block.
type Externalize struct {
	SystemDatabase Placement
	Redis          Placement
	Namespace      string

	DeclRange hcl.Range
	Ranges    map[string]hcl.Range
}

// Version is a 3scale major.minor version.
type Version struct {
	Major, Minor int
}

// ParseVersion reads "major.minor"; ok is false for anything else.
func ParseVersion(s string) (v Version, ok bool) {
	if !versionPattern.MatchString(s) {
		return Version{}, false
	}
	var major, minor string
	for i := range s {
		if s[i] == '.' {
			major, minor = s[:i], s[i+1:]
			break
		}
	}
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		return Version{}, false
	}
	return Version{a, b}, true
}

// String gives the version as major.minor.
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is an earlier version than w.
func (v Version) Less(w Version) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// Compare is -1, 0 or 1 as v is earlier than, the same as or later than
// w, for slices.SortFunc.
func (v Version) Compare(w Version) int {
	switch {
	case v.Less(w):
		return -1
	case w.Less(v):
		return 1
	}
	return 0
}

// IsZero reports whether v was never set.
func (v Version) IsZero() bool { return v == Version{} }
