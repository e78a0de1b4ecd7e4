package ir

import (
	"encoding/json"
	"strings"
)

// Kind is what a step does when the runbook reaches it.
type Kind string

// The step kinds of the rule language.
const (
	KindBackup Kind = "backup" // saves what the guide says to save, before anything changes
	KindPatch  Kind = "patch"  // applies JSON patches from the bundle
	KindCreate Kind = "create" // creates objects from manifests in the bundle
	KindDelete Kind = "delete" // deletes objects
	KindShell  Kind = "shell"  // runs commands whose values only the cluster knows
	KindWait   Kind = "wait"   // waits for rollouts
	KindManual Kind = "manual" // stops for a person to act
	KindVerify Kind = "verify" // checks the result and stops when it is wrong
)

// Kinds lists every step kind in the order PLAN.md counts them.
var Kinds = []Kind{KindBackup, KindPatch, KindCreate, KindDelete, KindShell, KindWait, KindManual, KindVerify}

// Target names one Kubernetes object.
type Target struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
}

// Op is one RFC 6902 operation.
type Op struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
	// hasValue distinguishes a null or absent value from none at all.
	hasValue bool
}

// NewOp returns an operation that carries a value, even a nil one: remove
// operations are written as Op{Op: "remove", Path: p}, without a value.
func NewOp(op, path string, value any) Op {
	return Op{Op: op, Path: path, Value: value, hasValue: true}
}

// MarshalJSON writes value whenever the operation carries one, even when it is null.
func (o Op) MarshalJSON() ([]byte, error) {
	type plain struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value *any   `json:"value,omitempty"`
	}
	p := plain{Op: o.Op, Path: o.Path}
	if o.hasValue {
		p.Value = &o.Value
	}
	return json.Marshal(p)
}

// Patch is one JSON patch on one object.
type Patch struct {
	Target Target
	Ops    []Op
	// Checks is what the object looks like once the patch is applied.
	Checks Checks
	// Before and After are the object as the model held it around this patch,
	// with Secret data redacted. PLAN.md diffs them and kustomize renders them.
	Before, After map[string]any
}

// Checks describes an applied patch: values that must be present at paths
// (jq path arrays), paths that must be absent, and paths that must exist.
// They hold only values the rule modules wrote, never values read from a
// snapshot.
type Checks struct {
	Present []PathValue `json:"present"`
	Absent  [][]any     `json:"absent"`
	// Exists lists paths that must hold a value, whatever it is: a field a
	// patch adds only where it is missing (set with keep).
	Exists [][]any `json:"exists,omitempty"`
}

// PathValue is one value at one path.
type PathValue struct {
	Path  []any `json:"path"`
	Value any   `json:"value"`
}

// Manifest is one object a step creates.
type Manifest struct {
	Target Target
	Object map[string]any
}

// Step is one entry of the compiled plan, in run order.
type Step struct {
	ID      string // hop/step-name, unique in the bundle
	Hop     string // "2.7-2.8"
	Title   string
	Kind    Kind
	Source  string // seed file and section
	Note    string // where ampc departs from the guide, and why
	Patches []Patch
	Creates []Manifest
	Deletes []Manifest // each with the object as it was before the delete
	Run     string     // shell for backup, shell, verify steps
	Guard   string     // shell condition: when it holds, the step is already done and is skipped
	// Precondition is shell run after the guard and before anything the
	// step does: when it fails, the step stops having changed nothing (a
	// cleanup while 3scale still uses what it deletes).
	Precondition string
	Wait         []Target // objects whose rollout a wait step waits for
	Timeout      string   // for waits
	Manual       string   // instructions of a manual step
	// Cluster is where a step of a migration runs: ClusterSource (the
	// old site's cluster) or ClusterTarget (the new one); "" in a hop
	// that stays on one cluster.
	Cluster string
}

// The clusters of a migration's steps (Step.Cluster).
const (
	ClusterSource = "source"
	ClusterTarget = "target"
)

// Rollback is a runbook section that undoes part of a hop, as the guide
// describes; it runs only when asked for (runbook.sh --rollback ID).
type Rollback struct {
	ID     string // hop/name
	Hop    string
	Title  string
	Source string
	Run    string
	// OfferFrom and OfferUntil are step ids of the bundle: the runbook
	// offers the rollback after a step of its hop fails that is OfferFrom
	// or later, and before OfferUntil; "" leaves that side open.
	OfferFrom, OfferUntil string
}

// Hop is one covered version hop of one install method.
type Hop struct {
	From, To   string
	Deployment string
	Seed       string
	Title      string
	// Confidence says how complete and sure the hop's source is; "" for a
	// seed guide followed step by step.
	Confidence string
	// OperatorVersion is the major.minor of the 3scale operator of the
	// hop's to version (operator hops).
	OperatorVersion string
	// OpenShiftMin and OpenShiftMax bound the OpenShift versions the hop
	// runs on (major.minor, inclusive); "" where unbounded.
	OpenShiftMin, OpenShiftMax string
	// InstalledVersion is the body of the shell function installed_version,
	// which the runbook's preflight calls: it prints the version a site of
	// this hop's install method runs, as major.minor, or nothing. It comes
	// from the rule modules (rules/shared), never from emit.
	InstalledVersion string
	// VersionSource says where InstalledVersion reads the version, for the
	// runbook's messages.
	VersionSource string
}

// Name is the hop's name in step IDs: "2.7-2.8".
func (h Hop) Name() string { return h.From + "-" + h.To }

// Bundle is the compiled plan: what emit writes.
type Bundle struct {
	Namespace      string
	From, To       string
	Deployment     string
	SystemDatabase string
	S3             bool
	BackupDir      string
	Snapshot       bool // compiled against a snapshot rather than the standard layout
	// SnapshotDigest identifies the snapshot's content ("sha256:HEX" over
	// the sorted SHA-256s of its files), set by the caller that read it.
	SnapshotDigest string
	Hops           []Hop
	Steps          []Step
	Rollbacks      []Rollback
	// Mirror is the registry mirror every image was moved to; empty when
	// the bundle pulls from the registries the guides name.
	Mirror string
	// Images is every image the bundle makes the cluster pull, sorted.
	Images []Image
	// ShellLibrary holds the shell functions the rule modules' steps call
	// (compiler/rules/lib), written once into the runbook before the steps.
	ShellLibrary string
	// Sensitive holds strings that must never appear in an emitted file:
	// the decoded Secret values of the snapshot. Emit checks every file.
	Sensitive []string
}

// Image is one image the bundle makes the cluster pull: Pulled is the
// reference the bundle sets, Source the image it stands for (the same
// unless the plan names a registry mirror).
type Image struct {
	Source, Pulled string
}

// SectionFunc is the runbook's shell function of a step (prefix "step") or
// rollback section ("rollback"), named after its id: / becomes __ and
// every other character but letters, digits and _ becomes _, so that
// "2.7-2.8/prehook-env" is step_2_7_2_8__prehook_env. The runbook's
// driver computes the same name (section_function). A name never depends
// on the sections before it: the runbooks of two compiles differ only
// where their steps do.
func SectionFunc(prefix, id string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('_')
	for _, r := range strings.ReplaceAll(id, "/", "__") {
		if r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
