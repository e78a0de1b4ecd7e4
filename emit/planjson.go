package emit

import (
	"github.com/ampc/ampc/ir"
)

// PlanFormat names the plan.json format; it changes only when a field changes meaning.
const PlanFormat = "ampc.plan/v1"

type planDoc struct {
	Format         string        `json:"format"`
	Namespace      string        `json:"namespace"`
	Deployment     string        `json:"deployment"`
	From           string        `json:"from"`
	To             string        `json:"to"`
	SystemDatabase string        `json:"system_database"`
	S3             bool          `json:"s3"`
	Snapshot       bool          `json:"snapshot"`
	RegistryMirror string        `json:"registry_mirror,omitempty"`
	Hops           []hopDoc      `json:"hops"`
	Steps          []stepDoc     `json:"steps"`
	Rollbacks      []rollbackDoc `json:"rollbacks"`
	Summary        summaryDoc    `json:"summary"`
}

type hopDoc struct {
	Name       string `json:"name"`
	From       string `json:"from"`
	To         string `json:"to"`
	Deployment string `json:"deployment"`
	Seed       string `json:"seed"`
	Title      string `json:"title"`
}

type stepDoc struct {
	ID        string      `json:"id"`
	Hop       string      `json:"hop"`
	Title     string      `json:"title"`
	Kind      ir.Kind     `json:"kind"`
	Source    string      `json:"source"`
	Note      string      `json:"note,omitempty"`
	Patches   []fileDoc   `json:"patches,omitempty"`
	Manifests []fileDoc   `json:"manifests,omitempty"`
	Deletes   []ir.Target `json:"deletes,omitempty"`
	Waits     []ir.Target `json:"waits,omitempty"`
}

type rollbackDoc struct {
	ID     string `json:"id"`
	Hop    string `json:"hop"`
	Title  string `json:"title"`
	Source string `json:"source"`
}

type fileDoc struct {
	File   string    `json:"file"`
	Target ir.Target `json:"target"`
}

type summaryDoc struct {
	Steps          int             `json:"steps"`
	ByKind         map[ir.Kind]int `json:"by_kind"`
	PatchFiles     int             `json:"patch_files"`
	Operations     int             `json:"operations"`
	ObjectsChanged int             `json:"objects_changed"`
	ObjectsCreated int             `json:"objects_created"`
	ObjectsDeleted int             `json:"objects_deleted"`
	Rollbacks      int             `json:"rollback_sections"`
}

func planJSON(b *ir.Bundle, names map[string][]string) []byte {
	doc := planDoc{
		Format: PlanFormat, Namespace: b.Namespace, Deployment: b.Deployment,
		From: b.From, To: b.To, SystemDatabase: b.SystemDatabase, S3: b.S3, Snapshot: b.Snapshot, RegistryMirror: b.Mirror,
		Hops: []hopDoc{}, Steps: []stepDoc{}, Rollbacks: []rollbackDoc{}, Summary: summarize(b),
	}
	for _, r := range b.Rollbacks {
		doc.Rollbacks = append(doc.Rollbacks, rollbackDoc{ID: r.ID, Hop: r.Hop, Title: r.Title, Source: r.Source})
	}
	for _, h := range b.Hops {
		doc.Hops = append(doc.Hops, hopDoc{Name: h.Name(), From: h.From, To: h.To, Deployment: h.Deployment, Seed: h.Seed, Title: h.Title})
	}
	for _, s := range b.Steps {
		sd := stepDoc{ID: s.ID, Hop: s.Hop, Title: s.Title, Kind: s.Kind, Source: s.Source, Note: s.Note, Waits: s.Wait}
		for i, p := range s.Patches {
			sd.Patches = append(sd.Patches, fileDoc{File: names[s.ID][i], Target: p.Target})
		}
		for _, m := range s.Creates {
			sd.Manifests = append(sd.Manifests, fileDoc{File: manifestFile(m.Target), Target: m.Target})
		}
		for _, d := range s.Deletes {
			sd.Deletes = append(sd.Deletes, d.Target)
		}
		doc.Steps = append(doc.Steps, sd)
	}
	return jsonBytes(doc)
}

func summarize(b *ir.Bundle) summaryDoc {
	sum := summaryDoc{ByKind: map[ir.Kind]int{}}
	changed := map[ir.Target]bool{}
	for _, k := range ir.Kinds {
		sum.ByKind[k] = 0
	}
	for _, s := range b.Steps {
		sum.Steps++
		sum.ByKind[s.Kind]++
		for _, p := range s.Patches {
			sum.PatchFiles++
			sum.Operations += len(p.Ops)
			changed[p.Target] = true
		}
		sum.ObjectsCreated += len(s.Creates)
		sum.ObjectsDeleted += len(s.Deletes)
	}
	sum.ObjectsChanged = len(changed)
	sum.Rollbacks = len(b.Rollbacks)
	return sum
}

func manifestFile(t ir.Target) string {
	return "manifests/" + lowerKind(t.Kind) + "-" + t.Name + ".json"
}
