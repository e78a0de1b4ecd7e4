package emit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/internal/textdiff"
	"github.com/ampc/ampc/ir"
)

// review writes PLAN.md, the change review: the summary, every step with its
// provenance and what it runs, then each object's change.
func review(b *ir.Bundle, names map[string][]string) []byte {
	var w bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	sum := Summarize(b)
	title := fmt.Sprintf("3scale upgrade %s → %s in namespace `%s`", b.From, b.To, b.Namespace)
	for _, h := range b.Hops {
		if from, to, ok := strings.Cut(h.Deployment, "-to-"); ok {
			// The migration moves the site, at one version, to another
			// install method on another cluster.
			title = fmt.Sprintf("3scale %s → %s in namespace `%s`, with the migration of %s from %s-based to %s-based on another cluster", b.From, b.To, b.Namespace, h.To, from, to)
			if b.From == b.To {
				title = fmt.Sprintf("3scale %s migration from %s-based to %s-based on another cluster, namespace `%s`", b.To, from, to, b.Namespace)
			}
		}
	}
	p("# %s\n\n", title)
	basis := fmt.Sprintf("the standard layout of a %s %s install (no snapshot): check that the site is standard before applying", b.From, b.Deployment)
	if b.Snapshot {
		basis = "a snapshot of the namespace; every patch was computed against its objects"
	}
	p("Install: %s-based, system database %s, S3 file storage %s. Compiled against %s.\n\n", b.Deployment, b.SystemDatabase, yesNo(b.S3), basis)
	p("Compiled by ampc %s", Version)
	if b.SnapshotDigest != "" {
		p(" from the snapshot %s", b.SnapshotDigest)
	}
	p(".\n\n")
	if b.Mirror != "" {
		p("Every image is pulled from the mirror `%s`; `images.txt` lists each as SOURCE=MIRROR for `oc image mirror`.\n\n", b.Mirror)
	}
	p("## Summary\n\n%s\n\n| | |\n|---|---|\n", PlanLine(sum))
	var hops []string
	for _, h := range b.Hops {
		hops = append(hops, fmt.Sprintf("%s → %s (%s)", h.From, h.To, h.Seed))
	}
	p("| hops | %d: %s |\n", len(b.Hops), strings.Join(hops, ", "))
	p("| steps | %d |\n", sum.Steps)
	for _, k := range ir.Kinds {
		p("| %s steps | %d |\n", k, sum.ByKind[k])
	}
	p("| patch files | %d (%d operations) |\n", sum.PatchFiles, sum.Operations)
	p("| objects changed | %d |\n", sum.ObjectsChanged)
	p("| objects created | %d |\n", sum.ObjectsCreated)
	p("| objects deleted | %d |\n", sum.ObjectsDeleted)
	p("| rollback sections | %d |\n", sum.Rollbacks)
	if sum.OnCluster != nil {
		p("| steps on the old site's cluster | %d |\n", sum.OnCluster[ir.ClusterSource])
		p("| steps on the new cluster | %d |\n", sum.OnCluster[ir.ClusterTarget])
	}
	p("\nGuides (each step's source names the guide's file and section):\n\n")
	for _, h := range b.Hops {
		p("- `%s`: %s, for %s → %s", h.Seed, h.Title, h.From, h.To)
		if h.Confidence != "" {
			p(" (a fact sheet, not a guide: %s)", h.Confidence)
		}
		p("\n")
	}
	p("\nApply with `./runbook.sh` (see `./runbook.sh --help`); it checks the site, backs up first, and records each finished step.\n")

	p("\n## Steps\n")
	for i, s := range b.Steps {
		p("\n### %d. %s\n\n", i+1, s.Title)
		p("- id: `%s`\n- kind: %s\n- source: %s\n", s.ID, s.Kind, s.Source)
		switch s.Cluster {
		case ir.ClusterSource:
			p("- runs on: the old site's cluster (oc logged in there)\n")
		case ir.ClusterTarget:
			p("- runs on: the new cluster (oc logged in there)\n")
		}
		if s.Note != "" {
			p("- note: %s\n", s.Note)
		}
		if s.Guard != "" {
			p("- skipped when already done: `%s`\n", s.Guard)
		}
		if s.Precondition != "" {
			p("- refuses, changing nothing, unless this holds:\n\n```sh\n%s\n```\n", s.Precondition)
		}
		if s.Kind == ir.KindPatch && len(s.Patches) == 0 {
			p("\nNothing to change on this site: its objects already are as this step leaves them.\n")
		}
		for j, pt := range s.Patches {
			p("\n`%s` on %s `%s`:\n\n", names[s.ID][j], pt.Target.Kind, pt.Target.Name)
			for _, op := range pt.Ops {
				p("- %s\n", describeOp(op))
			}
			p("\nThe runbook runs, unless `%s` already holds on the live object:\n\n```bash\noc patch %s --type=json -p \"$(cat %s)\"\n```\n",
				checkFile(names[s.ID][j]), objectArg(b, pt.Target), names[s.ID][j])
		}
		for _, d := range s.Deletes {
			p("\nDeletes %s `%s`:\n\n```bash\noc delete %s --ignore-not-found\n```\n", d.Target.Kind, d.Target.Name, objectArg(b, d.Target))
		}
		for _, m := range s.Creates {
			p("\nCreates %s `%s` from `%s`.\n", m.Target.Kind, m.Target.Name, manifestFile(m.Target))
		}
		if len(s.Wait) > 0 {
			var dcs []string
			for _, t := range s.Wait {
				dcs = append(dcs, "`"+t.Name+"`")
			}
			p("\nWaits up to %s each for the rollout of %s.\n", s.Timeout, strings.Join(dcs, ", "))
		}
		if s.Manual != "" {
			p("\nThe runbook stops here until this is done:\n\n")
			for _, line := range strings.Split(s.Manual, "\n") {
				p("> %s\n", line)
			}
		}
		if s.Run != "" {
			p("\n```bash\n%s\n```\n", s.Run)
		}
	}

	if len(b.Rollbacks) > 0 {
		p("\n## Rollback sections\n\nNone of these runs unless asked for: `./runbook.sh --rollback ID`.\n")
		for _, r := range b.Rollbacks {
			p("\n### %s\n\n- id: `%s`\n- source: %s\n- offered when a step fails: %s\n\n```bash\n%s\n```\n", r.Title, r.ID, r.Source, offered(r), r.Run)
		}
	}

	p("\n## Object changes\n")
	var order []ir.Target
	changes := map[ir.Target]*objectChange{}
	for _, s := range b.Steps {
		for _, m := range s.Creates {
			c := changes[m.Target]
			if c == nil {
				c = &objectChange{target: m.Target}
				changes[m.Target] = c
				order = append(order, m.Target)
			}
			c.after = m.Object
			c.by(s.ID)
		}
		for _, pt := range s.Patches {
			c := changes[pt.Target]
			if c == nil {
				c = &objectChange{target: pt.Target, before: pt.Before}
				changes[pt.Target] = c
				order = append(order, pt.Target)
			}
			c.after = pt.After
			c.by(s.ID)
		}
		for _, d := range s.Deletes {
			c := changes[d.Target]
			if c == nil {
				c = &objectChange{target: d.Target, before: d.Object}
				changes[d.Target] = c
				order = append(order, d.Target)
			}
			c.after = nil
			c.by(s.ID)
		}
	}
	if !b.Snapshot {
		p("\nWithout a snapshot the diffs show ampc's model of a standard install: only the fields the steps read or change.\n")
	}
	for _, t := range order {
		c := changes[t]
		what := "Changed"
		switch {
		case c.before == nil:
			what = "Created"
		case c.after == nil:
			what = "Deleted"
		}
		p("\n### %s `%s`\n\n%s by %s.\n\n", t.Kind, t.Name, what, strings.Join(c.steps, ", "))
		var before, after []byte
		if c.before != nil {
			before = reviewYAML(c.before)
		}
		if c.after != nil {
			after = reviewYAML(c.after)
		}
		// A minimal (LCS) diff: the fewest lines a reviewer has to read.
		p("```diff\n%s```\n", textdiff.Unified("before", "after", before, after))
	}
	return w.Bytes()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// reviewYAML renders an object for a diff, without server-side noise.
func reviewYAML(obj map[string]any) []byte {
	out, err := yaml.Marshal(cleanObject(obj))
	if err != nil {
		panic(fmt.Sprintf("this is a bug in ampc: %v", err))
	}
	return out
}

func describeOp(op ir.Op) string {
	v, _ := json.Marshal(op.Value)
	switch op.Op {
	case "test":
		return fmt.Sprintf("check `%s` is `%s`", op.Path, v)
	case "remove":
		return fmt.Sprintf("remove `%s`", op.Path)
	}
	s := string(v)
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return fmt.Sprintf("%s `%s`: `%s`", op.Op, op.Path, s)
}

// offered says which failed steps offer a rollback, for PLAN.md.
func offered(r ir.Rollback) string {
	switch {
	case r.OfferFrom != "" && r.OfferUntil != "":
		return fmt.Sprintf("from `%s` until `%s` (excluded)", r.OfferFrom, r.OfferUntil)
	case r.OfferFrom != "":
		return fmt.Sprintf("from `%s` to the end of hop %s", r.OfferFrom, r.Hop)
	case r.OfferUntil != "":
		return fmt.Sprintf("any step of hop %s before `%s`", r.Hop, r.OfferUntil)
	}
	return "any step of hop " + r.Hop
}

// Version is the version of ampc that writes bundles: the module version
// the binary was built at (its tag, or the pseudo-version of its commit),
// or "(devel)" for a build without one (the tests').
var Version = func() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}()

// objectChange is one object's change for PLAN.md: as it was before the
// first step that touches it, as the last leaves it (nil: deleted), and
// the steps that change it, each named once.
type objectChange struct {
	target        ir.Target
	before, after map[string]any
	steps         []string
}

func (c *objectChange) by(id string) {
	if step := "`" + id + "`"; !slices.Contains(c.steps, step) {
		c.steps = append(c.steps, step)
	}
}
