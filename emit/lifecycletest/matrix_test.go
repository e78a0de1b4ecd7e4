package lifecycletest

import (
	"fmt"
	"maps"
	"strings"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
	"github.com/ampc/ampc/internal/testenv"
)

// matrixSites are plans of the plan matrix (testenv.PlanMatrix) that no
// example is, each on the simulated operator site of its from
// (bundletest.OpSeed) with its databases holding data: the operator plans
// from 2.8 to 2.14 on MySQL or PostgreSQL, without S3 (the simulated
// operator sites keep system storage on a claim), up to 2.15, or to 2.16
// with the on-cluster externalize block (the example's: the data checked
// where it moves, movedRedis and PostgreSQL's new Deployment).
//
// By default it draws two of those of one or two hops, one on each
// database, under the seed AMPC_MATRIX_SEED (1 when unset: set it to see
// other plans; the test log names those drawn); AMPC_EXHAUSTIVE=1 runs
// every one.
func matrixSites() []proptest.Site {
	examples := map[string]bool{"operator 2.8 2.15 mysql ": true, "operator 2.9 2.16 mysql on-cluster": true}
	byDB := map[string][]proptest.Site{}
	for _, mp := range proptest.MatrixPlans() {
		c := mp.ChoiceMap()
		from, to := minorOf(c["from"]), minorOf(c["to"])
		switch {
		case c["deployment"] != "operator", c["migrate"] != "false", c["s3"] != "false", c["installed_at"] != "",
			c["system_database"] == "oracle", from < 8 || from > 14, to <= from,
			to == 16 && c["externalize"] != "on-cluster", to < 16 && c["externalize"] != "",
			!testenv.Exhaustive() && to-from > 2:
			continue
		}
		key := strings.Join([]string{"operator", c["from"], c["to"], c["system_database"], c["externalize"]}, " ")
		if examples[key] {
			continue
		}
		site := proptest.Site{
			Example: fmt.Sprintf("matrix/operator-%s-to-%s-%s", c["from"], c["to"], c["system_database"]),
			Plan:    mp.Source, Build: bundletest.OpSeed(c["from"], c["system_database"]),
			Manual: manualLifecycle, Databases: true,
		}
		if to == 16 {
			site.Moved = movedRedis
			if c["system_database"] == "postgresql" {
				// The 2.16 guide's 3.2: PostgreSQL moves to a new
				// Deployment in the block's project (MySQL stays, 3.3).
				site.Moved = maps.Clone(movedRedis)
				site.Moved["dc/system-postgresql"] = proptest.Move{To: "3scale-db/deployment/system-postgresql-external"}
			}
		}
		byDB[c["system_database"]] = append(byDB[c["system_database"]], site)
	}
	return proptest.DrawSites("", byDB)
}
