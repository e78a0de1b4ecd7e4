package proptest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
)

// MatrixPlans is the plan matrix (testenv.PlanMatrix) over the versions of
// the rule modules' hops, from which the property packages draw sites.
func MatrixPlans() []testenv.MatrixPlan {
	hops, err := compiler.Hops()
	if err != nil {
		panic(err)
	}
	var ends []string
	for _, h := range hops {
		ends = append(ends, h.From, h.To)
	}
	return testenv.PlanMatrix(testenv.MatrixVersions(ends...))
}

// DrawSites is a sample of matrix sites, sorted by name: with
// AMPC_EXHAUSTIVE=1 every site of byDB, else one of each database's
// (MySQL, PostgreSQL), drawn by testenv.MatrixSeed(sample+database).
func DrawSites(sample string, byDB map[string][]Site) []Site {
	var out []Site
	for _, db := range []string{"mysql", "postgresql"} {
		sites := byDB[db]
		if testenv.Exhaustive() {
			out = append(out, sites...)
			continue
		}
		if len(sites) == 0 {
			panic(fmt.Sprintf("proptest: the plan matrix has no plan on %s for the sample %q", db, sample))
		}
		out = append(out, sites[testenv.MatrixSeed(sample+db)%uint64(len(sites))])
	}
	slices.SortFunc(out, func(a, b Site) int { return strings.Compare(a.Example, b.Example) })
	return out
}
