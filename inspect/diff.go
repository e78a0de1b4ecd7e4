package inspect

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/ampc/ampc/ir"
)

// Diff compares two bundles on disk for a reviewer: the steps added,
// removed or changed (by id, from plan.json), then a unified diff of every
// file that differs. PLAN.md and SHA256SUMS are left out: they only restate
// the other files. It returns nil when the bundles are the same.
func Diff(oldDir, newDir string) ([]byte, error) {
	oldSteps, err := stepsByID(oldDir)
	if err != nil {
		return nil, err
	}
	newSteps, err := stepsByID(newDir)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, id := range oldSteps.order {
		if _, ok := newSteps.byID[id]; !ok {
			fmt.Fprintf(&out, "step removed: %s\n", id)
		} else if !reflect.DeepEqual(oldSteps.byID[id], newSteps.byID[id]) {
			fmt.Fprintf(&out, "step changed: %s\n", id)
		}
	}
	for _, id := range newSteps.order {
		if _, ok := oldSteps.byID[id]; !ok {
			fmt.Fprintf(&out, "step added: %s\n", id)
		}
	}
	oldFiles, newFiles := map[string]bool{}, map[string]bool{}
	for _, f := range bundleFiles(oldDir) {
		oldFiles[f] = true
	}
	for _, f := range bundleFiles(newDir) {
		newFiles[f] = true
	}
	all := map[string]bool{}
	for f := range oldFiles {
		all[f] = true
	}
	for f := range newFiles {
		all[f] = true
	}
	for _, f := range slices.Sorted(maps.Keys(all)) {
		if f == "PLAN.md" || f == "SHA256SUMS" {
			continue
		}
		var a, b []byte
		if oldFiles[f] {
			if a, err = os.ReadFile(filepath.Join(oldDir, filepath.FromSlash(f))); err != nil {
				return nil, err
			}
		}
		if newFiles[f] {
			if b, err = os.ReadFile(filepath.Join(newDir, filepath.FromSlash(f))); err != nil {
				return nil, err
			}
		}
		if oldFiles[f] && newFiles[f] && bytes.Equal(a, b) {
			continue
		}
		out.Write(diff.Diff("old/"+f, a, "new/"+f, b))
	}
	if out.Len() == 0 {
		return nil, nil
	}
	return out.Bytes(), nil
}

type stepIndex struct {
	order []string
	byID  map[string]ir.StepDoc
}

func stepsByID(dir string) (stepIndex, error) {
	doc, err := ReadPlan(dir)
	if err != nil {
		return stepIndex{}, err
	}
	idx := stepIndex{byID: map[string]ir.StepDoc{}}
	for _, s := range doc.Steps {
		idx.order = append(idx.order, s.ID)
		idx.byID[s.ID] = s
	}
	return idx, nil
}
