package inspect

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/ampc/ampc/internal/textdiff"
	"github.com/ampc/ampc/ir"
)

// BundleDiff is what changed between two bundles, for a reviewer.
type BundleDiff struct {
	// Steps lists the steps added, removed or changed: the old bundle's
	// order for removed and changed ones, then the added ones in the new
	// bundle's order.
	Steps []StepChange
	// Files lists every file that differs, by name. PLAN.md and SHA256SUMS
	// are left out: they only restate the other files.
	Files []FileChange
}

// StepChange is one step added, removed or changed. A step changed when
// its plan.json entry, one of its patch or manifest files, or its commands
// in runbook.sh differ; Objects are the objects whose files differ
// (KIND/NAME, every object of an added or removed step).
type StepChange struct {
	ID      string
	Change  string // "added", "removed" or "changed"
	Objects []string
}

// FileChange is one file that differs: its lines added and removed, and
// its unified diff.
type FileChange struct {
	Name    string
	Change  string // "added", "removed" or "modified"
	Added   int
	Removed int
	Unified []byte
}

// Empty reports whether the bundles are the same.
func (d *BundleDiff) Empty() bool { return len(d.Steps) == 0 && len(d.Files) == 0 }

// Text is the diff as ampc diff prints it: a line per step added, removed
// or changed (with the objects it changes), then the unified diff of each
// file. With stat, each file's line counts instead of its diff, and a
// summary line.
func (d *BundleDiff) Text(stat bool) []byte {
	var out bytes.Buffer
	for _, s := range d.Steps {
		fmt.Fprintf(&out, "step %s: %s", s.Change, s.ID)
		if len(s.Objects) > 0 {
			fmt.Fprintf(&out, " (%s)", strings.Join(s.Objects, ", "))
		}
		out.WriteByte('\n')
	}
	if !stat {
		for _, f := range d.Files {
			out.Write(f.Unified)
		}
		return out.Bytes()
	}
	width := 0
	for _, f := range d.Files {
		width = max(width, len(f.Name))
	}
	added, removed := 0, 0
	count := map[string]int{}
	for _, f := range d.Files {
		fmt.Fprintf(&out, " %-*s | %s +%d -%d\n", width, f.Name, f.Change, f.Added, f.Removed)
		added += f.Added
		removed += f.Removed
	}
	for _, s := range d.Steps {
		count[s.Change]++
	}
	fmt.Fprintf(&out, "%d step(s) added, %d removed, %d changed; %d file(s) differ, +%d -%d lines\n",
		count["added"], count["removed"], count["changed"], len(d.Files), added, removed)
	return out.Bytes()
}

// Diff compares two bundles on disk. It returns nil when they are the
// same.
func Diff(oldDir, newDir string) (*BundleDiff, error) {
	oldB, err := readForDiff(oldDir)
	if err != nil {
		return nil, err
	}
	newB, err := readForDiff(newDir)
	if err != nil {
		return nil, err
	}
	d := &BundleDiff{}
	changedFiles := map[string]bool{}
	all := map[string]bool{}
	for f := range oldB.files {
		all[f] = true
	}
	for f := range newB.files {
		all[f] = true
	}
	for _, f := range slices.Sorted(maps.Keys(all)) {
		if f == "PLAN.md" || f == "SHA256SUMS" {
			continue
		}
		a, inOld := oldB.files[f]
		b, inNew := newB.files[f]
		if inOld && inNew && bytes.Equal(a, b) {
			continue
		}
		changedFiles[f] = true
		fc := FileChange{Name: f, Change: "modified", Unified: textdiff.Unified("old/"+f, "new/"+f, a, b)}
		switch {
		case !inOld:
			fc.Change = "added"
		case !inNew:
			fc.Change = "removed"
		}
		fc.Added, fc.Removed = countLines(fc.Unified)
		d.Files = append(d.Files, fc)
	}
	for _, id := range oldB.order {
		old := oldB.steps[id]
		cur, ok := newB.steps[id]
		switch {
		case !ok:
			d.Steps = append(d.Steps, StepChange{ID: id, Change: "removed", Objects: stepObjects(old, nil)})
		default:
			objs := stepObjects(cur, changedFiles)
			if len(objs) > 0 || !reflect.DeepEqual(old, cur) || oldB.bodies[id] != newB.bodies[id] {
				d.Steps = append(d.Steps, StepChange{ID: id, Change: "changed", Objects: objs})
			}
		}
	}
	for _, id := range newB.order {
		if _, ok := oldB.steps[id]; !ok {
			d.Steps = append(d.Steps, StepChange{ID: id, Change: "added", Objects: stepObjects(newB.steps[id], nil)})
		}
	}
	if d.Empty() {
		return nil, nil
	}
	return d, nil
}

// stepObjects names the objects of a step's patches, manifests and
// deletes (KIND/NAME, in lower case, each once): those whose files are in
// changed, or all of them when changed is nil.
func stepObjects(s ir.StepDoc, changed map[string]bool) []string {
	var out []string
	add := func(t ir.Target) {
		name := strings.ToLower(t.Kind) + "/" + t.Name
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for _, f := range append(append([]ir.FileDoc{}, s.Patches...), s.Manifests...) {
		if changed == nil || changed[f.File] {
			add(f.Target)
		}
	}
	if changed == nil {
		for _, t := range s.Deletes {
			add(t)
		}
	}
	return out
}

// countLines counts the lines a unified diff adds and removes.
func countLines(unified []byte) (added, removed int) {
	for _, line := range strings.Split(string(unified), "\n") {
		switch {
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
		case strings.HasPrefix(line, "+"):
			added++
		case strings.HasPrefix(line, "-"):
			removed++
		}
	}
	return added, removed
}

// diffBundle is what Diff reads of a bundle: its files, its steps from
// plan.json, and each step's commands from runbook.sh.
type diffBundle struct {
	files  map[string][]byte
	order  []string
	steps  map[string]ir.StepDoc
	bodies map[string]string
}

func readForDiff(dir string) (*diffBundle, error) {
	doc, err := ReadPlan(dir)
	if err != nil {
		return nil, err
	}
	b := &diffBundle{files: map[string][]byte{}, steps: map[string]ir.StepDoc{}}
	for _, s := range doc.Steps {
		b.order = append(b.order, s.ID)
		b.steps[s.ID] = s
	}
	for _, f := range bundleFiles(dir) {
		raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		b.files[f] = raw
	}
	b.bodies = stepBodies(b.files["runbook.sh"])
	return b, nil
}

var (
	stepsStart = regexp.MustCompile(`^STEPS=\($`)
	stepItem   = regexp.MustCompile(`^  '([^']+)'$`)
	stepFunc   = regexp.MustCompile(`^(step_[A-Za-z0-9_]+)\(\) \{$`)
)

// stepBodies reads each step's function from a runbook, by step id (the
// runbook's STEPS array lists the ids; ir.SectionFunc names their
// functions).
func stepBodies(runbook []byte) map[string]string {
	ids := map[string]string{} // function name to step id
	bodies := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(runbook))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inSteps, cur := false, ""
	var body strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case stepsStart.MatchString(line):
			inSteps = true
		case inSteps && line == ")":
			inSteps = false
		case inSteps:
			if m := stepItem.FindStringSubmatch(line); m != nil {
				ids[ir.SectionFunc("step", m[1])] = m[1]
			}
		case cur != "" && line == "}":
			bodies[cur] = body.String()
			cur = ""
			body.Reset()
		case cur != "":
			body.WriteString(line)
			body.WriteByte('\n')
		default:
			if m := stepFunc.FindStringSubmatch(line); m != nil {
				cur = ids[m[1]]
			}
		}
	}
	return bodies
}
