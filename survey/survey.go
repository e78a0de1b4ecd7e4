package survey

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// Evidence names where in an export a fact was read: an object and one of
// its fields, or the absence of an object.
type Evidence struct {
	Kind, Namespace, Name string
	// Field is the field read, as a path ("data.AMP_RELEASE",
	// "spec.template.spec.containers[system-master].env[AMP_RELEASE].value");
	// "" when the fact is that the object is there.
	Field string
	// Absent is true when the fact is that the export holds no such
	// object.
	Absent bool
	// Range is where the field, or the object, stands in the export; for an
	// absent object, the start of the export.
	Range hcl.Range
}

// String says what the evidence is, as a plan's comment or a diagnostic
// says it: "ConfigMap system-environment, data.AMP_RELEASE".
func (e Evidence) String() string {
	if e.Absent {
		return fmt.Sprintf("no %s %s in namespace %s", e.Kind, e.Name, e.Namespace)
	}
	s := e.Kind + " " + e.Name
	if e.Field != "" {
		s += ", " + e.Field
	}
	return s
}

// Where is the evidence's place in the export, FILE:LINE, for a reader
// to look it up; "" for an absent object.
func (e Evidence) Where() string {
	if e.Absent || e.Range.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", e.Range.Filename, e.Range.Start.Line)
}

// Site is what an export shows of a 3scale site: the facts of a plan's
// install and operator blocks, each with its evidence.
type Site struct {
	Namespace     string
	NamespaceFrom Evidence

	Deployment     plan.Deployment
	DeploymentFrom Evidence

	// Release is the version the site runs.
	Release Release

	SystemDatabase plan.Database
	DatabaseFrom   Evidence

	// S3 is only read on a template-based site.
	S3     bool
	S3From Evidence

	// WildcardPolicy is the WILDCARD_POLICY of a site at 2.5 or earlier,
	// "" when the export does not show it (or the site is later).
	WildcardPolicy plan.WildcardPolicy
	WildcardFrom   Evidence

	// Operator is the 3scale operator's project and Subscription; nil when
	// the export does not hold them.
	Operator *Operator

	// External says which databases an operator-based site has made
	// external already; nil on a template-based site.
	External *External

	// WildcardDomain is the WILDCARD_DOMAIN a template-based site was
	// deployed with (THREESCALE_SUPERDOMAIN in ConfigMap
	// system-environment), which a migration to the operator keeps; "" when
	// the export does not show it.
	WildcardDomain     string
	WildcardDomainFrom Evidence

	// OpenShift is the OpenShift version (major.minor) of the cluster,
	// from its ClusterVersion "version" when the export holds it (OpenShift
	// 4; `oc get clusterversion version -o yaml`); zero otherwise.
	OpenShift     plan.Version
	OpenShiftFrom Evidence
}

// Operator is what an export shows of the operators of a site.
type Operator struct {
	// Namespace and Subscription are those of the Subscription of the
	// 3scale-operator package (spec.name).
	Namespace        string
	NamespaceFrom    Evidence
	Subscription     string
	SubscriptionFrom Evidence

	// APIcastNamespace is the project of a standalone APIcast operator,
	// "" when the export holds none.
	APIcastNamespace string
	APIcastFrom      Evidence
}

// External is what an operator-based site's APIManager says of its
// databases.
type External struct {
	SystemDatabase     bool
	SystemDatabaseFrom Evidence
	Redis              bool // both backend-redis and system-redis
	RedisFrom          Evidence
}

// Release is the version a site runs, with where the export shows it, and
// the earlier version its layout shows it was first installed at.
type Release struct {
	Version plan.Version
	// Written is the release as the export writes it ("2.4.0", "2.15.5").
	Written string
	From    Evidence
	// InstalledAt is the version the site was first installed at when the
	// export shows an earlier one than Version (zero otherwise).
	InstalledAt     plan.Version
	InstalledAtFrom Evidence
}

// reader reads facts from one snapshot.
type reader struct {
	snap  *snapshot.Snapshot
	index map[objectKey]snapshot.Object
	// startsOnly makes evidence point at an object's start instead of
	// its field, which snapshot.FieldRange finds by reading the export
	// again: for a read whose places are not shown (ReleaseOf).
	startsOnly bool
}

type objectKey struct{ kind, namespace, name string }

func newReader(snap *snapshot.Snapshot) *reader {
	r := &reader{snap: snap, index: map[objectKey]snapshot.Object{}}
	for _, o := range snap.Objects() {
		kind, _ := o.Doc["kind"].(string)
		meta, _ := o.Doc["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		r.index[objectKey{kind, ns, name}] = o
	}
	return r
}

func (r *reader) get(kind, ns, name string) (snapshot.Object, bool) {
	o, ok := r.index[objectKey{kind, ns, name}]
	return o, ok
}

// all returns the objects of a kind (in every namespace when ns is "*"),
// sorted by namespace and name.
func (r *reader) all(kind, ns string) []snapshot.Object {
	var keys []objectKey
	for k := range r.index {
		if k.kind == kind && (ns == "*" || k.namespace == ns) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].namespace != keys[j].namespace {
			return keys[i].namespace < keys[j].namespace
		}
		return keys[i].name < keys[j].name
	})
	out := make([]snapshot.Object, len(keys))
	for i, k := range keys {
		out[i] = r.index[k]
	}
	return out
}

// evidence is the evidence of a field of an object (of the object when
// path is empty).
func (r *reader) evidence(o snapshot.Object, path ...string) Evidence {
	kind, _ := o.Doc["kind"].(string)
	meta, _ := o.Doc["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	at := o.At
	if !r.startsOnly {
		at, _ = r.snap.FieldRange(o, path...)
	}
	return Evidence{Kind: kind, Namespace: ns, Name: name, Field: fieldPath(path), Range: at}
}

// absent is the evidence that an object is not in the export.
func (r *reader) absent(kind, ns, name string) Evidence {
	start := hcl.Pos{Line: 1, Column: 1}
	return Evidence{Kind: kind, Namespace: ns, Name: name, Absent: true,
		Range: hcl.Range{Filename: r.snap.Path, Start: start, End: start}}
}

// fieldPath writes a FieldRange path for a reader: segments joined by dots,
// name=NAME as [NAME].
func fieldPath(path []string) string {
	var b strings.Builder
	for _, seg := range path {
		if name, ok := strings.CutPrefix(seg, "name="); ok {
			b.WriteString("[" + name + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// field reads the value at a FieldRange path of a document.
func field(doc any, path ...string) (any, bool) {
	cur := doc
	for _, seg := range path {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			name, ok := strings.CutPrefix(seg, "name=")
			if !ok {
				return nil, false
			}
			found := false
			for _, e := range x {
				if m, ok := e.(map[string]any); ok && m["name"] == name {
					cur, found = m, true
					break
				}
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return cur, true
}

func stringField(doc any, path ...string) string {
	v, _ := field(doc, path...)
	s, _ := v.(string)
	return s
}

// releasePattern is a release as the templates and the operator write it:
// major.minor with an optional micro release.
var releasePattern = regexp.MustCompile(`^([0-9]{1,4}\.[0-9]{1,4})(\.[0-9]{1,4})?$`)

// parseRelease reads "2.7", "2.4.0" or "2.15.5" as its major.minor.
func parseRelease(s string) (plan.Version, bool) {
	m := releasePattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return plan.Version{}, false
	}
	return plan.ParseVersion(m[1])
}

// versionAnnotation is the APIManager's annotation of the release the
// operator deployed.
const versionAnnotation = "apps.3scale.net/apimanager-threescale-version"

// systemAppContainers are the containers of dc/system-app that read
// AMP_RELEASE.
var systemAppContainers = []string{"system-master", "system-provider", "system-developer"}

// ReadRelease reads the version the site of a namespace runs, as the
// runbook's preflight does (rules/shared/site-version.hcl,
// operator-version.hcl): the APIManager's
// apps.3scale.net/apimanager-threescale-version annotation; without one,
// AMP_RELEASE in ConfigMap system-environment, or the literal AMP_RELEASE
// every container of dc/system-app holds when it is later (the guides up
// to 2.7 set it with `oc set env`, which leaves the ConfigMap at the
// release the site was installed at: that is then InstalledAt). ok is false
// when the export shows none of them. Diagnostics report an export whose
// objects show different versions.
func ReadRelease(snap *snapshot.Snapshot, namespace string) (rel Release, ok bool, diags hcl.Diagnostics) {
	return newReader(snap).release(namespace)
}

// ReleaseOf is the site's version as ReadRelease reads it, without the
// places of its evidence (which cost a second read of the export): for a
// check that needs the places only when the version is not the one it
// expects, and then calls ReadRelease.
func ReleaseOf(snap *snapshot.Snapshot, namespace string) (plan.Version, bool) {
	r := newReader(snap)
	r.startsOnly = true
	rel, ok, _ := r.release(namespace)
	return rel.Version, ok
}

func (r *reader) release(ns string) (rel Release, ok bool, diags hcl.Diagnostics) {
	if cm, found := r.get("ConfigMap", ns, "system-environment"); found {
		if s := stringField(cm.Doc, "data", "AMP_RELEASE"); s != "" {
			ev := r.evidence(cm, "data", "AMP_RELEASE")
			v, good := parseRelease(s)
			if !good {
				return rel, false, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unreadable AMP_RELEASE",
					Detail:  fmt.Sprintf("%s is %q, which is not a 3scale release (major.minor, or major.minor.micro). Check the ConfigMap on the cluster (oc get configmap system-environment -o yaml) and export it unchanged.", ev, s),
					Subject: ev.Range.Ptr()}}
			}
			rel, ok = Release{Version: v, Written: s, From: ev}, true
		}
	}
	if dc, found := r.get("DeploymentConfig", ns, "system-app"); found {
		literal, ev, d := r.literalRelease(dc)
		diags = append(diags, d...)
		if v, good := parseRelease(literal); good && (!ok || rel.Version.Less(v)) {
			if ok {
				rel.InstalledAt, rel.InstalledAtFrom = rel.Version, rel.From
			}
			rel.Version, rel.Written, rel.From, ok = v, literal, ev, true
		}
	}
	// The operator moves the APIManager's annotation when an upgrade is
	// done; the operators up to 2.11 write AMP_RELEASE once, at install
	// (a create-only reconciler), so an earlier AMP_RELEASE beside the
	// annotation is the release the site was installed at, and the
	// annotation is the site's (rules/shared/operator-version.hcl). A
	// later one shows two versions.
	for _, am := range r.all("APIManager", ns) {
		s := stringField(am.Doc, "metadata", "annotations", versionAnnotation)
		v, good := parseRelease(s)
		if !good {
			continue
		}
		ev := r.evidence(am, "metadata", "annotations", versionAnnotation)
		if ok && (rel.From.Kind == "APIManager" && v != rel.Version || v.Less(rel.Version)) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Export of mixed versions",
				Detail: fmt.Sprintf("%s says %s, and %s (%s) says %s: the objects of namespace %s show two versions of 3scale. "+
					"Export the namespace again in one go, while no upgrade runs (oc get -o yaml -n %s ...).", ev, s, rel.From, rel.From.Where(), rel.Written, ns, ns),
				Subject: ev.Range.Ptr()})
			continue
		}
		rel, ok = Release{Version: v, Written: s, From: ev}, true
	}
	if ok {
		diags = append(diags, r.imagesAgree(ns, rel)...)
		r.taggedHistory(ns, &rel)
	}
	return rel, ok, diags
}

// taggedHistory reads an earlier installed version from the tags of the
// amp-backend image stream: every template release's guide adds the new
// release's tag beside the old ones ("2.4.0", "2.5.0", "2.6", ...), so
// the earliest release tag of an upgraded site's stream is the version it
// was installed at, where the ConfigMap (reset by later guides) no longer
// shows it. A fresh install's stream holds its own release only.
func (r *reader) taggedHistory(ns string, rel *Release) {
	is, found := r.get("ImageStream", ns, "amp-backend")
	if !found {
		return
	}
	tags, _ := field(is.Doc, "spec", "tags")
	list, _ := tags.([]any)
	for _, t := range list {
		m, _ := t.(map[string]any)
		name, _ := m["name"].(string)
		v, good := parseRelease(name)
		if !good || !v.Less(rel.Version) || (!rel.InstalledAt.IsZero() && !v.Less(rel.InstalledAt)) {
			continue
		}
		rel.InstalledAt, rel.InstalledAtFrom = v, r.evidence(is, "spec", "tags", "name="+name, "name")
	}
}

// literalRelease reads the literal AMP_RELEASE that `oc set env` leaves in
// the containers of dc/system-app: the common value, or "" when the
// containers read the ConfigMap (or some do, some do not).
func (r *reader) literalRelease(dc snapshot.Object) (string, Evidence, hcl.Diagnostics) {
	values := map[string]string{} // container → literal
	for _, c := range systemAppContainers {
		if v, found := field(dc.Doc, "spec", "template", "spec", "containers", "name="+c, "env", "name=AMP_RELEASE", "value"); found {
			if s, _ := v.(string); s != "" {
				values[c] = s
			}
		}
	}
	if len(values) == 0 {
		return "", Evidence{}, nil
	}
	first := ""
	for _, c := range systemAppContainers {
		if v, ok := values[c]; ok {
			first = c
			ev := r.evidence(dc, "spec", "template", "spec", "containers", "name="+c, "env", "name=AMP_RELEASE", "value")
			for _, other := range systemAppContainers {
				if w, ok := values[other]; ok && w != v {
					return "", ev, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Export of mixed versions",
						Detail: fmt.Sprintf("The containers of DeploymentConfig system-app hold different literal AMP_RELEASE values: %q in %s, %q in %s. "+
							"An `oc set env` reached some containers and not others, or an upgrade is half done. Set one release in every container (or remove the literals so that they read ConfigMap system-environment), then export the namespace again.", v, first, w, other),
						Subject: ev.Range.Ptr()}}
				}
			}
			return v, ev, nil
		}
	}
	return "", Evidence{}, nil
}

// imagesAgree checks that amp-backend:latest follows the tag of the
// release (templates up to 2.7 name the tag after the release, "2.4.0",
// "2.7"): an export whose AMP_RELEASE says one version and whose images
// another mixes two versions, and no plan describes it.
func (r *reader) imagesAgree(ns string, rel Release) hcl.Diagnostics {
	is, found := r.get("ImageStream", ns, "amp-backend")
	if !found {
		return nil
	}
	tag := stringField(is.Doc, "spec", "tags", "name=latest", "from", "name")
	v, good := parseRelease(tag)
	if !good || v == rel.Version {
		return nil
	}
	ev := r.evidence(is, "spec", "tags", "name=latest", "from", "name")
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Export of mixed versions",
		Detail: fmt.Sprintf("%s follows the tag %q, and %s (%s) says %s: the site's images are those of %s, its release %s. "+
			"An upgrade is half done. Finish it (or roll it back) so that the images and AMP_RELEASE agree, then export the namespace again.",
			ev, tag, rel.From, rel.From.Where(), rel.Written, v, rel.Version),
		Subject: ev.Range.Ptr()}}
}
