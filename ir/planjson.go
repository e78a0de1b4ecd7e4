package ir

// PlanFormat names the plan.json format; it changes only when a field
// changes meaning.
const PlanFormat = "ampc.plan/v1"

// PlanDoc is plan.json, the machine-readable step list of a bundle. emit
// writes it and the bundle package reads it, both through these types, so
// the format has one definition in Go (emit/plan.schema.json documents it
// for other readers, and a test holds the two together).
type PlanDoc struct {
	Format         string        `json:"format"`
	AmpcVersion    string        `json:"ampc_version"` // the version of ampc that wrote it (emit.Version)
	Namespace      string        `json:"namespace"`
	Deployment     string        `json:"deployment"`
	From           string        `json:"from"`
	To             string        `json:"to"`
	SystemDatabase string        `json:"system_database"`
	S3             bool          `json:"s3"`
	Snapshot       bool          `json:"snapshot"`
	RegistryMirror string        `json:"registry_mirror,omitempty"`
	Hops           []HopDoc      `json:"hops"`
	Steps          []StepDoc     `json:"steps"`
	Rollbacks      []RollbackDoc `json:"rollbacks"`
	Summary        SummaryDoc    `json:"summary"`
}

// HopDoc is one hop of plan.json.
type HopDoc struct {
	Name       string `json:"name"`
	From       string `json:"from"`
	To         string `json:"to"`
	Deployment string `json:"deployment"`
	Seed       string `json:"seed"`
	Title      string `json:"title"`
	// Confidence says how complete and sure the hop's source is (a fact
	// sheet's); absent for a seed guide followed step by step.
	Confidence string `json:"confidence,omitempty"`
	// OperatorVersion is the 3scale operator's major.minor at the hop's to
	// version (operator hops).
	OperatorVersion string `json:"operator_version,omitempty"`
	// OpenShiftMin and OpenShiftMax bound the OpenShift versions the hop
	// runs on (absent: no bound).
	OpenShiftMin string `json:"openshift_min,omitempty"`
	OpenShiftMax string `json:"openshift_max,omitempty"`
}

// DocOf is the plan.json entry of a hop.
func DocOf(h Hop) HopDoc {
	return HopDoc{Name: h.Name(), From: h.From, To: h.To, Deployment: h.Deployment, Seed: h.Seed, Title: h.Title,
		Confidence: h.Confidence, OperatorVersion: h.OperatorVersion, OpenShiftMin: h.OpenShiftMin, OpenShiftMax: h.OpenShiftMax}
}

// StepDoc is one step of plan.json, with the bundle files it applies.
type StepDoc struct {
	ID     string `json:"id"`
	Hop    string `json:"hop"`
	Title  string `json:"title"`
	Kind   Kind   `json:"kind"`
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
	// Cluster is where a migration's step runs: "source" (the old site's
	// cluster) or "target" (the new one); absent in other hops.
	Cluster   string    `json:"cluster,omitempty"`
	Patches   []FileDoc `json:"patches,omitempty"`
	Manifests []FileDoc `json:"manifests,omitempty"`
	Deletes   []Target  `json:"deletes,omitempty"`
	Waits     []Target  `json:"waits,omitempty"`
}

// RollbackDoc is one rollback section of plan.json.
type RollbackDoc struct {
	ID     string `json:"id"`
	Hop    string `json:"hop"`
	Title  string `json:"title"`
	Source string `json:"source"`
	// OfferedFrom and OfferedUntil: the failed steps that offer it (from,
	// included, until, excluded); absent, the hop's first or last step.
	OfferedFrom  string `json:"offered_from,omitempty"`
	OfferedUntil string `json:"offered_until,omitempty"`
}

// FileDoc is one file of the bundle (a patch or a manifest), relative to
// the bundle's directory, and the object it applies to.
type FileDoc struct {
	File   string `json:"file"`
	Target Target `json:"target"`
}

// SummaryDoc counts what the bundle does.
type SummaryDoc struct {
	Hops           int          `json:"hops"`
	Steps          int          `json:"steps"`
	ByKind         map[Kind]int `json:"by_kind"`
	PatchFiles     int          `json:"patch_files"`
	Operations     int          `json:"operations"`
	ObjectsChanged int          `json:"objects_changed"`
	ObjectsCreated int          `json:"objects_created"`
	ObjectsDeleted int          `json:"objects_deleted"`
	Rollbacks      int          `json:"rollback_sections"`
	// OnCluster counts a migration's steps by the cluster they run on
	// (Step.Cluster); absent when no step names one.
	OnCluster map[string]int `json:"steps_on_cluster,omitempty"`
}
