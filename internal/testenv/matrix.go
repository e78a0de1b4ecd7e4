package testenv

import (
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ampc/ampc/plan"
)

// MatrixPlan is one plan of the matrix: its source and the choices that
// made it, each written "name=value".
type MatrixPlan struct {
	Source  string
	Choices []string
}

// ChoiceMap is the plan's choices by name.
func (m MatrixPlan) ChoiceMap() map[string]string {
	c := map[string]string{}
	for _, choice := range m.Choices {
		k, v, _ := strings.Cut(choice, "=")
		c[k] = v
	}
	return c
}

// MatrixSeed is the draw of a sample of the plan matrix named key (the
// test logs name the plans drawn): AMPC_MATRIX_SEED (1 when unset) hashed
// with key, so that each sample draws on its own.
func MatrixSeed(key string) uint64 {
	seed := uint64(1)
	if v := os.Getenv("AMPC_MATRIX_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			panic("AMPC_MATRIX_SEED is not a number: " + v)
		}
		seed = n
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s", seed, key)
	return h.Sum64()
}

// Exhaustive reports whether the tests are to sweep everything they
// otherwise sample (AMPC_EXHAUSTIVE=1): every bundle of the plan matrix, say.
func Exhaustive() bool { return os.Getenv("AMPC_EXHAUSTIVE") == "1" }

// DetachSweep reports whether the fault sequences are to be the sweep of
// the oc exec calls (AMPC_DETACH_SWEEP=1, bundletest.EveryExecPlans):
// every exec call of every step detached, its command going on in the pod.
func DetachSweep() bool { return os.Getenv("AMPC_DETACH_SWEEP") == "1" }

// MatrixVersions lists every version a hop starts or ends at, in version
// order: the versions of the plan matrix. Adding a hop adds its versions.
func MatrixVersions(ends ...string) []string {
	seen := map[string]plan.Version{}
	for _, e := range ends {
		v, ok := plan.ParseVersion(e)
		if !ok {
			panic("testenv: not a version: " + e)
		}
		seen[e] = v
	}
	out := make([]string, 0, len(seen))
	for e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return seen[out[i]].Less(seen[out[j]]) })
	return out
}

// PlanMatrix gives a plan for every combination of the plan language's
// choices over versions: from, to, installed_at, deployment, system
// database, S3, wildcard policy, migration and externalization. Many are
// invalid (plan.Parse refuses them); the rest must each compile or be
// refused with a diagnostic. A choice that no rule module of a plan reads is
// left at one value for that plan (the wildcard policy outside a 2.4/2.5
// history, externalize outside 2.16), which keeps the list short.
//
// Without AMPC_EXHAUSTIVE=1 the versions are sampled, since the full
// product grows with the cube of the number of versions: from each from,
// to is from itself, the next version and the last one (the longest
// chain), and installed_at is from itself, the first version and, among
// the first five versions (the template histories the standard layouts
// model), the one before from. Every hop is still the first and a later
// hop of some plan, and every history length 1 and the longest one are
// there. A migrating plan from after the first five versions has no
// installed_at but from (its history is a plan's without migrate_to).
func PlanMatrix(versions []string) []MatrixPlan {
	var plans []MatrixPlan
	for fi, from := range versions {
		for ti, to := range versions[fi:] {
			if !Exhaustive() && ti > 1 && fi+ti != len(versions)-1 {
				continue
			}
			for ii, inst := range append([]string{""}, versions[:fi]...) {
				if !Exhaustive() && ii > 1 && (ii != fi || fi > 4) {
					continue
				}
				policies := []string{"None"}
				if from == "2.4" || from == "2.5" || inst == "2.4" || inst == "2.5" {
					policies = append(policies, "Subdomain")
				}
				externalize := []string{""}
				if to == "2.16" {
					externalize = append(externalize, "on-cluster", "aws", "external")
				}
				for _, dep := range []string{"template", "operator"} {
					for _, db := range []string{"mysql", "postgresql", "oracle"} {
						for _, s3 := range []bool{false, true} {
							for _, wp := range policies {
								for _, migrate := range []bool{false, true} {
									// A migration from after the first five versions
									// (from 2.9 on) with a history runs the history of
									// the plan without migrate_to, then the migration
									// of the plan installed at from: sampled out.
									if !Exhaustive() && migrate && inst != "" && fi > 4 {
										continue
									}
									for _, ext := range externalize {
										plans = append(plans, MatrixPlan{
											Source: matrixPlan(dep, from, to, db, s3, wp, inst, migrate, ext),
											Choices: []string{
												"deployment=" + dep, "from=" + from, "to=" + to, "system_database=" + db,
												fmt.Sprintf("s3=%v", s3), "wildcard_policy=" + wp, "installed_at=" + inst,
												fmt.Sprintf("migrate=%v", migrate), "externalize=" + ext,
											},
										})
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return plans
}

func matrixPlan(dep, from, to, db string, s3 bool, wp, inst string, migrate bool, ext string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "install {\n  namespace = \"3scale\"\n  deployment = %q\n  from = %q\n  to = %q\n  system_database = %q\n  s3 = %v\n  wildcard_policy = %q\n", dep, from, to, db, s3, wp)
	if inst != "" {
		fmt.Fprintf(&b, "  installed_at = %q\n", inst)
	}
	if migrate {
		b.WriteString("  migrate_to = \"operator\"\n")
	}
	b.WriteString("}\n")
	if dep == "operator" || migrate {
		b.WriteString("operator {\n  namespace = \"3scale-operator\"\n")
		if migrate {
			b.WriteString("  wildcard_domain = \"apps.example.com\"\n")
		}
		b.WriteString("}\n")
	}
	if ext != "" {
		fmt.Fprintf(&b, "externalize {\n  system_database = %q\n  redis = %q\n  namespace = \"3scale-db\"\n}\n", ext, ext)
	}
	return b.String()
}

// ChoicePairs gives every pair of a plan's choices, as features for Cover:
// a sample that covers them all has every two choices together at least
// once, wherever the pair is valid.
func ChoicePairs(choices []string) []string {
	var out []string
	for i, a := range choices {
		for _, b := range choices[i+1:] {
			out = append(out, a+" & "+b)
		}
	}
	return out
}

// Cover picks a small set of candidates whose features, together, are
// every feature any candidate has (greedy set cover: each pick is the
// candidate that adds the most features not yet covered, the first on a
// tie). It returns the picked indices in increasing order.
func Cover(features [][]string) []int {
	remaining := map[string]bool{}
	for _, fs := range features {
		for _, f := range fs {
			remaining[f] = true
		}
	}
	var picked []int
	for len(remaining) > 0 {
		best, gain := -1, 0
		for i, fs := range features {
			n := 0
			for _, f := range fs {
				if remaining[f] {
					n++
				}
			}
			if n > gain {
				best, gain = i, n
			}
		}
		for _, f := range features[best] {
			delete(remaining, f)
		}
		picked = append(picked, best)
	}
	slices.Sort(picked)
	return picked
}
