package emit

import (
	"fmt"

	"github.com/ampc/ampc/ir"
)

// planJSON writes plan.json (ir.PlanDoc): the steps in run order, each
// with the patch and manifest files it applies, and a summary.
func planJSON(b *ir.Bundle, names map[string][]string) []byte {
	doc := ir.PlanDoc{
		Format: ir.PlanFormat, AmpcVersion: Version, Namespace: b.Namespace, Deployment: b.Deployment,
		From: b.From, To: b.To, SystemDatabase: b.SystemDatabase, S3: b.S3, Snapshot: b.Snapshot, RegistryMirror: b.Mirror,
		Hops: []ir.HopDoc{}, Steps: []ir.StepDoc{}, Rollbacks: []ir.RollbackDoc{}, Summary: Summarize(b),
	}
	for _, r := range b.Rollbacks {
		doc.Rollbacks = append(doc.Rollbacks, ir.RollbackDoc{ID: r.ID, Hop: r.Hop, Title: r.Title, Source: r.Source, OfferedFrom: r.OfferFrom, OfferedUntil: r.OfferUntil})
	}
	for _, h := range b.Hops {
		doc.Hops = append(doc.Hops, ir.DocOf(h))
	}
	for _, s := range b.Steps {
		sd := ir.StepDoc{ID: s.ID, Hop: s.Hop, Title: s.Title, Kind: s.Kind, Source: s.Source, Note: s.Note, Cluster: s.Cluster, Waits: s.Wait}
		for i, p := range s.Patches {
			sd.Patches = append(sd.Patches, ir.FileDoc{File: names[s.ID][i], Target: p.Target})
		}
		for _, m := range s.Creates {
			sd.Manifests = append(sd.Manifests, ir.FileDoc{File: manifestFile(m.Target), Target: m.Target})
		}
		for _, d := range s.Deletes {
			sd.Deletes = append(sd.Deletes, d.Target)
		}
		doc.Steps = append(doc.Steps, sd)
	}
	return jsonBytes(doc)
}

// Summarize counts what a bundle does: its hops, its steps (by kind), its
// patch files and operations, and the objects it changes, creates and
// deletes. plan.json's summary, PLAN.md's and the command line's Plan line
// (PlanLine) are all this one count.
func Summarize(b *ir.Bundle) ir.SummaryDoc {
	sum := ir.SummaryDoc{Hops: len(b.Hops), ByKind: map[ir.Kind]int{}}
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
		if s.Cluster != "" {
			if sum.OnCluster == nil {
				sum.OnCluster = map[string]int{}
			}
			sum.OnCluster[s.Cluster]++
		}
	}
	sum.ObjectsChanged = len(changed)
	sum.Rollbacks = len(b.Rollbacks)
	return sum
}

func manifestFile(t ir.Target) string {
	return "manifests/" + lowerKind(t.Kind) + "-" + t.Name + ".json"
}

// PlanLine is the one-line summary of a bundle, as PLAN.md and ampc compile
// show it: "Plan: 2 objects to create, 15 to change, 1 to delete; 40 steps
// (3 manual) over 1 hop."
func PlanLine(sum ir.SummaryDoc) string {
	return fmt.Sprintf("Plan: %s to create, %d to change, %d to delete; %s (%d manual) over %s.",
		plural(sum.ObjectsCreated, "object"), sum.ObjectsChanged, sum.ObjectsDeleted,
		plural(sum.Steps, "step"), sum.ByKind[ir.KindManual], plural(sum.Hops, "hop"))
}

// plural is "1 hop", "2 hops".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
