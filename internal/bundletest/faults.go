package bundletest

import "sort"

// FaultedSteps chooses the steps a fault sequence fails (the runbook
// properties' and the 2.15 hop's): of the steps that made calls (perStep,
// by id) every one that changes something with its own code (shell,
// backup, manual), and of those the runbook's driver makes from the bundle
// (patch, create, delete: one code path) the first two of each kind in the
// order of rank, or all when all is set (the exhaustive sweep). Verify and
// wait steps, which change nothing, are left out.
func FaultedSteps(perStep map[string]int, kinds map[string]string, rank func(step string) uint64, all bool) map[string]bool {
	out := map[string]bool{}
	driver := map[string][]string{}
	for step, n := range perStep {
		switch kind := kinds[step]; kind {
		case "verify", "wait":
		case "patch", "create", "delete":
			if n > 0 {
				driver[kind] = append(driver[kind], step)
			}
		default:
			if n > 0 {
				out[step] = true
			}
		}
	}
	for _, ids := range driver {
		sort.Slice(ids, func(i, j int) bool { return rank(ids[i]) < rank(ids[j]) })
		if !all {
			ids = ids[:min(2, len(ids))]
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out
}
