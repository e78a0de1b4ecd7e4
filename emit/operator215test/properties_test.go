package operator215test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/proptest"
)

// The 2.15 → 2.16 move to AWS (RDS and ElastiCache outside the cluster,
// reached through the AMPC_* variables) as a site of the runbook
// properties (proptest.Suite.Properties), on the 2.15 operator export with
// its databases holding data. The on-cluster example's properties are
// runRedis215's (the run of TestVerifiesCanFail's site upgraded: complete,
// again, without its state file, the keys where they move, faults), so
// that its run is not made twice. The verify steps of both are falsified
// in TestVerifiesCanFail.
var suite = &proptest.Suite{Sites: []proptest.Site{
	{Example: "2.15-to-2.16-mysql-aws", Build: awsSite, Databases: true, Data: op215Data(),
		Manual: map[string]proptest.Manual{"2.15-2.16/elasticache-create": seedElastiCache},
		Moved: map[string]proptest.Move{
			"deployment/system-mysql":  {To: "host/" + mysqlRDSHost, Databases: map[string]string{"system": "threescale"}},
			"deployment/backend-redis": {To: "host/" + elastiCacheBackend},
			"deployment/system-redis":  {To: "host/" + elastiCacheSystem},
		}},
}}

// op215Data is what the 2.15 site's databases hold: mysql215Rows and
// redis215Keys.
func op215Data() map[string]ocsim.Data {
	out := map[string]ocsim.Data{"deployment/system-mysql": {MySQL: mysql215Rows()}}
	for name, keys := range redis215Keys {
		out["deployment/"+name] = ocsim.Data{Redis: keys}
	}
	return out
}

// awsSite is the 2.15 operator site (as newOp215DataCluster) with the AWS
// side of the AWS example (newOp215AWSCluster): RDS running MySQL 8.0,
// empty, and the endpoints in the environment. The ElastiCache instances
// are the person's (seedElastiCache).
func awsSite(t *testing.T, c *bundletest.Cluster) {
	t.Helper()
	(&op215Cluster{c}).putSite(t, bundletest.Op215Objects(t))
	c.Seed(t, ocsim.Seed{Host: mysqlRDSHost, Kind: "mysql", Data: ocsim.Data{Version: "8.0.40"}})
	c.Env = append(c.Env, awsEnv...)
}

// seedElastiCache is what the person does at
// 2.15-2.16/elasticache-create (guide 6.2.3): create the two ElastiCache
// instances, Redis 7.2, each seeded from the dump the runbook wrote.
func seedElastiCache(con *proptest.Console) {
	con.T.Helper()
	for host, dump := range map[string]string{elastiCacheBackend: "backend-redis-dump.rdb", elastiCacheSystem: "system-redis-dump.rdb"} {
		raw, err := os.ReadFile(filepath.Join(con.Work, "3scale-backup", "2.15-2.16", dump))
		if err != nil {
			con.T.Fatalf("the person's upload: %v", err)
		}
		keys, err := ocsim.LoadRDB("7.2.4", raw)
		if err != nil {
			con.T.Fatalf("ElastiCache refuses %s: %v", dump, err)
		}
		con.C.Seed(con.T, ocsim.Seed{Host: host, Kind: "redis", Data: ocsim.Data{Version: "7.2.4", Redis: keys}})
	}
}

// TestOperator215Properties runs the 2.15 → 2.16 AWS example with the
// properties of every runbook: the targets reached, a second run and a run
// without its state file change nothing, faults at sampled calls converge,
// and the databases' rows and keys are where the run moves them.
func TestOperator215Properties(t *testing.T) {
	t.Parallel()
	suite.Properties(t)
}
