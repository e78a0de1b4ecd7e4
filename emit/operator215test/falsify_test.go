package operator215test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// A verify step that no cluster state can make fail checks nothing. Each
// verify step of the 2.15 → 2.16 hop has a falsifier here: a site where
// the step holds, and a change of the cluster that breaks exactly what the
// step claims. TestVerifiesCanFail shows the step, run alone (--only),
// passing on the site and failing, with its own message, once the claim is
// broken.

// falsifier breaks the claim of one verify step.
type falsifier struct {
	// site is the verifySites entry where the step holds.
	site string
	// what says what is broken.
	what string
	// breakIt breaks the claim on the cluster of the site (for a site
	// checked before any run, on a new cluster of the site before its first
	// call: the site as it would be).
	breakIt func(t *testing.T, c *op215Cluster)
	// want is part of the message the step fails with.
	want string
}

// verifyFalsifiers holds a falsifier for every verify step of the 2.15 →
// 2.16 hop.
var verifyFalsifiers = map[string]falsifier{
	"2.15-2.16/preflight-operator": {"fixture", "the 3scale operator runs 3scale-operator.v0.12.4, and its InstallPlan to v0.12.5 waits for manual approval",
		func(t *testing.T, c *op215Cluster) {
			olderOperator(t, c, "3scale-operator", "3scale-operator", "3scale-operator.v0.12.4")
		}, "the 3scale operator does not run the latest CSV of threescale-2.15"},
	"2.15-2.16/preflight-apicast": {"fixture", "the APIcast operator's Subscription is on channel threescale-2.14",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "patch", "subscriptions.operators.coreos.com/apicast-operator", "--namespace=apicast", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.14"}}`)
		}, "the APIcast operator's Subscription is on channel 'threescale-2.14', not threescale-2.15"},
	"2.15-2.16/channel-check": {"fixture", "the catalog has no threescale-2.16 channel of the 3scale operator",
		func(t *testing.T, c *op215Cluster) {
			c.Env = append(c.Env, "OCSIM_CATALOG_DROP=3scale-operator:threescale-2.16")
		}, "offers no channel threescale-2.16 of package 3scale-operator"},
	"2.15-2.16/apicast-channel-check": {"fixture", "the catalog has no threescale-2.16 channel of the APIcast operator",
		func(t *testing.T, c *op215Cluster) {
			c.Env = append(c.Env, "OCSIM_CATALOG_DROP=apicast-operator:threescale-2.16")
		}, "offers no channel threescale-2.16 of package apicast-operator"},
	"2.15-2.16/preflight-openshift": {"fixture", "OpenShift is 4.11",
		func(t *testing.T, c *op215Cluster) {
			c.Put(t, map[string]any{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
				"metadata": map[string]any{"name": "version", "namespace": "3scale"},
				"status":   map[string]any{"desired": map[string]any{"version": "4.11.59"}}})
		}, "OpenShift is '4.11.59': 3scale 2.16 needs 4.12 or later"},
	"2.15-2.16/preflight-databases": {"fixture", "system-mysql runs MySQL 5.7",
		func(t *testing.T, c *op215Cluster) {
			d := c.all(t)["3scale/Deployment/system-mysql"]
			bundletest.Get(d, "spec", "template", "spec", "containers", 0).(map[string]any)["image"] = "registry.redhat.io/rhscl/mysql-57-rhel7"
			c.Put(t, d)
		}, "system-mysql runs MySQL '5.7': 3scale 2.16 needs MySQL 8.0 or later"},
	"2.15-2.16/mysql-verify": {"upgraded", "deployment/system-mysql is owned by the APIManager again",
		func(t *testing.T, c *op215Cluster) {
			objects := c.all(t)
			am := objects["3scale/APIManager/apimanager-sample"]
			d := objects["3scale/Deployment/system-mysql"]
			d["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager",
				"name": "apimanager-sample", "uid": bundletest.Get(am, "metadata", "uid"), "controller": true, "blockOwnerDeletion": true}}
			c.Put(t, d)
		}, "deployment/system-mysql is still owned by the APIManager"},
	"2.15-2.16/redis-version": {"upgraded", "backend-redis-external runs the Redis 6 image",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "patch", "deployment/backend-redis-external", "--namespace=3scale-db", "--type=json", "-p",
				`[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.redhat.io/rhel8/redis-6"}]`)
			c.Act(t, "rollout", "status", "deployment/backend-redis-external", "--namespace=3scale-db", "--watch", "--timeout=10m")
		}, "backend-redis-external runs Redis '6.2': 3scale 2.16 needs 7.2 or later"},
	// (A key of database 1: the readiness probe of the new instance wrote
	// liveness-probe into database 0 after the seed, where the old one held
	// none when dumped.)
	"2.15-2.16/redis-verify-keys": {"upgraded", "backend-redis-external lost the queue key of its database 1",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "exec", "deployment/backend-redis-external", "--namespace=3scale-db", "--", "redis-cli", "-n", "1", "DEL", "resque:queue:priority")
		}, "-dump.keys: db1: 0 keys, 1 recorded;"},
	"2.15-2.16/verify-3scale": {"upgraded", "system-app's new pods lack the system-database Secret's URL",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "patch", "secret/system-database", "--type=json", "-p", `[{"op": "remove", "path": "/data/URL"}]`)
			c.Act(t, "rollout", "restart", "deployment/system-app")
		}, "deployment/system-app is not ready 20 minutes after the scale-up"},
	"2.15-2.16/wait-upgrade": {"upgraded", "the APIManager is at 3scale 2.15.5 and no 3scale operator runs to upgrade it",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "scale", "deployment/threescale-operator-controller-manager-v2", "--namespace=3scale-operator", "--replicas=0")
			c.Act(t, "patch", "apimanager/apimanager-sample", "--type=merge", "-p",
				`{"metadata": {"annotations": {"apps.3scale.net/apimanager-threescale-version": "2.15.5", "apps.3scale.net/threescale-operator-version": "0.12.5"}}}`)
		}, "the APIManager apimanager-sample still reports 3scale '2.15.5', not 2.16, after 1 minutes"},
	"2.15-2.16/verify-upgrade": {"upgraded", "the APIManager was last reconciled by the 2.15 operator (0.12.5)",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "scale", "deployment/threescale-operator-controller-manager-v2", "--namespace=3scale-operator", "--replicas=0")
			c.Act(t, "patch", "apimanager/apimanager-sample", "--type=merge", "-p",
				`{"metadata": {"annotations": {"apps.3scale.net/threescale-operator-version": "0.12.5"}}}`)
		}, "apimanager/apimanager-sample was reconciled by operator '0.12.5', not 0.13.x"},
	"2.15-2.16/apicast-verify": {"upgraded", "the APIcast was last reconciled by the 2.15 APIcast operator and none runs to upgrade it",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "scale", "deployment/apicast-operator-controller-manager-v2", "--namespace=apicast", "--replicas=0")
			c.Act(t, "patch", "apicast/example-apicast", "--namespace=apicast", "--type=merge", "-p",
				`{"metadata": {"annotations": {"apicast.apps.3scale.net/operator-version": "0.12.5"}}}`)
		}, "APIcast example-apicast still not at operator version 0.13.x after 1 minutes"},
	"2.15-2.16/pg-version": {"postgresql", "system-postgresql-external runs the PostgreSQL 13 image",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "patch", "deployment/system-postgresql-external", "--namespace=3scale-db", "--type=json", "-p",
				`[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "registry.redhat.io/rhel8/postgresql-13"}]`)
			c.Act(t, "sleep", "120")
		}, "system-postgresql-external runs PostgreSQL '13.16': 3scale 2.16 needs 15 or later"},
	"2.15-2.16/pg-verify-data": {"postgresql", "the new database lost its users table",
		func(t *testing.T, c *op215Cluster) {
			c.Act(t, "exec", "deployment/system-postgresql-external", "--namespace=3scale-db", "--", "psql", "-U", "postgres", "-d", "system", "-c", "DROP TABLE users")
		}, "the tables of the new database do not hold the rows of the dump"},
	"2.15-2.16/mysql-rds-check": {"aws", "database threescale on RDS holds a table this runbook did not import",
		func(t *testing.T, c *op215Cluster) {
			c.Seed(t, ocsim.Seed{Host: mysqlRDSHost, Kind: "mysql", Data: ocsim.Data{Version: "8.0.40", MySQL: foreignTables("threescale")}})
		}, "holds 1 tables that this runbook did not import"},
	"2.15-2.16/pg-rds-check": {"pg-rds", "database system on RDS holds a table this runbook did not import",
		func(t *testing.T, c *op215Cluster) {
			c.Seed(t, ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "15.8", PostgreSQL: foreignTables("system")}})
		}, "holds 1 tables that this runbook did not import"},
	"2.15-2.16/mysql-rds-verify-data": {"mysql-rds-imported", "threescale on RDS lost its users table",
		func(t *testing.T, c *op215Cluster) {
			c.Seed(t, ocsim.Seed{Host: mysqlRDSHost, Kind: "mysql", Data: ocsim.Data{Version: "8.0.40", MySQL: map[string]*ocsim.Database{"threescale": {Tables: map[string]*ocsim.Table{"accounts": mysql215Rows()["system"].Tables["accounts"]}}}}})
		}, "the tables of database threescale on " + mysqlRDSHost + " do not hold the rows of the dump"},
	"2.15-2.16/pg-rds-verify-data": {"pg-rds-imported", "system on RDS lost its users table",
		func(t *testing.T, c *op215Cluster) {
			c.Seed(t, ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "15.8", PostgreSQL: map[string]*ocsim.Database{"system": {Owner: "admin", Tables: map[string]*ocsim.Table{"accounts": pg215Rows()["system"].Tables["accounts"]}}}}})
		}, "the tables of database system on " + pgRDSHost + " do not hold the rows of the dump"},
	"2.15-2.16/elasticache-check": {"aws", "the system ElastiCache instance was created empty, not from the dump",
		func(t *testing.T, c *op215Cluster) {
			c.Seed(t, ocsim.Seed{Host: elastiCacheSystem, Kind: "redis", Data: ocsim.Data{Version: "7.2.4"}})
		}, "the system Redis instance system.abc.cache.amazonaws.com answers without the liveness-probe key"},
}

// TestEveryVerifyCanFail checks that this package's falsifiers are those
// bundletest.VerifyFalsifiedIn gives it, and that each runs in a site of
// TestVerifiesCanFail.
func TestEveryVerifyCanFail(t *testing.T) {
	t.Parallel()
	ids := make([]string, 0, len(verifyFalsifiers))
	for id, f := range verifyFalsifiers {
		ids = append(ids, id)
		if verifySites[f.site] == nil {
			t.Errorf("the falsifier of %s runs in site %q, which TestVerifiesCanFail does not have", id, f.site)
		}
	}
	bundletest.CheckFalsifiers(t, bundletest.InOperator215Test, ids)
}

// verifySite is a 2.15 → 2.16 site where verify steps hold: the runbook
// of a bundle, the cluster where its steps run, and the environment of the
// runs.
type verifySite struct {
	// bundle compiles the site's bundle.
	bundle func(t *testing.T) string
	// cluster makes a new cluster of the site as it is before any run.
	cluster func(t *testing.T) *op215Cluster
	// run, for a site whose steps hold after a run, runs the runbook on c
	// from work to that state; the sites without it are checked before any
	// run.
	run func(t *testing.T, c *op215Cluster, bundle, work string, acks []string)
	// env holds more environment variables of the runs.
	env []string
	// faults: the site's run is also made with faults (faultSequences),
	// and must end as the run without them: at the end of the runbook, or
	// where the run stops, failing in step stopsAt at the call fail
	// (FAKEOC_FAIL) fails.
	faults        bool
	stopsAt, fail string
	// faultAfter names, by step, the call (a part of its arguments) that
	// fails after the cluster applied it in the fault sequence, instead of
	// one chosen by the step's name.
	faultAfter map[string]string
	// stopsOnceIn is the step where the site's run stops once on purpose
	// and continues: its calls are counted twice, and its fault sequence
	// leaves it out (the run has failed it already).
	stopsOnceIn string
}

// exampleBundle compiles an example plan.
func exampleBundle(name string) func(t *testing.T) string {
	return func(t *testing.T) string {
		return bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", name), ""))
	}
}

// verifySites are the sites of the falsifiers, by name.
var verifySites = map[string]*verifySite{
	// The MySQL-kept, Redis-on-cluster example before the run: the
	// preflight and catalog checks.
	"fixture": {bundle: exampleBundle("2.15-to-2.16-mysql-on-cluster.hcl"), cluster: func(t *testing.T) *op215Cluster {
		return newOp215DataCluster(t, bundletest.Op215Objects(t))
	}},
	// The same example after a complete run, its Redis pods holding keys.
	// The waits of its steps give up after a minute: the upgrade is done
	// there, and a falsifier's broken one would not come in ten.
	"upgraded": {bundle: exampleBundle("2.15-to-2.16-mysql-on-cluster.hcl"), cluster: redis215Cluster, run: runRedis215,
		env: []string{"AMPC_UPGRADE_MINUTES=1"}, faults: true,
		// A restart that reached the cluster while the client saw an
		// error: the re-run must not restart it again (a second restart
		// reloads the dump into a Redis that may have served since; the
		// property run found backend-redis-external two generations
		// ahead of the run without faults when the step restarted both
		// instances on every run).
		faultAfter:  map[string]string{"2.15-2.16/redis-restore": "rollout restart deployment/backend-redis-external"},
		stopsOnceIn: "2.15-2.16/channel"},
	// The PostgreSQL 10 → 15 move (pg215Site) stopped at the upgrade wait.
	"postgresql": {bundle: pg215Bundle, cluster: pg215Cluster, run: runPostgreSQL215,
		faults: true, stopsAt: "2.15-2.16/wait-upgrade", fail: op215PollFail},
	// The MySQL-to-RDS, Redis-to-ElastiCache example before the run
	// (newOp215AWSCluster: RDS empty, the ElastiCache instances created
	// from the dumps): the RDS and ElastiCache checks.
	"aws": {bundle: exampleBundle("2.15-to-2.16-mysql-aws.hcl"), env: awsEnv, cluster: newOp215AWSCluster},
	// The same after its import into RDS, 3scale not pointed at RDS yet:
	// the data check before the Secret switch. The state is made, not run:
	// RDS holds the site's tables and the backup directory their counts.
	"mysql-rds-imported": {bundle: exampleBundle("2.15-to-2.16-mysql-aws.hcl"), env: awsEnv, cluster: newOp215AWSCluster,
		run: func(t *testing.T, c *op215Cluster, _, work string, _ []string) {
			c.Seed(t, ocsim.Seed{Host: mysqlRDSHost, Kind: "mysql", Data: ocsim.Data{Version: "8.0.40", MySQL: map[string]*ocsim.Database{"threescale": mysql215Rows()["system"]}}})
			writeBackup(t, work, "system_mysql_backup.counts", "accounts 3\nusers 2\n")
		}},
	// The PostgreSQL site moving to RDS (pgRDSSite) before the run: the RDS
	// check.
	"pg-rds": {bundle: pgRDSBundle, env: pgRDSEnv, cluster: pgRDSCluster},
	// The same after its import, as mysql-rds-imported.
	"pg-rds-imported": {bundle: pgRDSBundle, env: pgRDSEnv, cluster: pgRDSCluster,
		run: func(t *testing.T, c *op215Cluster, _, work string, _ []string) {
			imported := pg215Rows()["system"]
			imported.Owner = "admin"
			c.Seed(t, ocsim.Seed{Host: pgRDSHost, Kind: "postgresql", Data: ocsim.Data{Version: "15.8", PostgreSQL: map[string]*ocsim.Database{"system": imported}}})
			writeBackup(t, work, "system_postgres_backup.counts", "accounts 3\nusers 2\n")
		}},
}

// foreignTables is a database db holding a table no run of the runbook
// wrote.
func foreignTables(db string) map[string]*ocsim.Database {
	return map[string]*ocsim.Database{db: {Owner: "admin", Tables: map[string]*ocsim.Table{"orders": {Columns: []string{"id"}, Key: "id", Rows: [][]string{{"1"}}}}}}
}

// writeBackup writes a file of the hop's backup directory under work, as
// the step that writes it does (sealed: bundletest.WriteSealed).
func writeBackup(t *testing.T, work, name, content string) {
	t.Helper()
	bundletest.WriteSealed(t, filepath.Join(work, "3scale-backup", "2.15-2.16", name), []byte(content))
}

// The ElastiCache instances of site aws.
const (
	elastiCacheBackend = "backend.abc.cache.amazonaws.com"
	elastiCacheSystem  = "system.abc.cache.amazonaws.com"
)

// awsEnv is the environment of the AWS example's runs: RDS's endpoint
// and credentials, the ElastiCache endpoints.
var awsEnv = []string{"AMPC_RDS_HOST=" + mysqlRDSHost, "AMPC_RDS_USER=admin", "AMPC_RDS_PASSWORD=s3cr3t:p@ss/word",
	"AMPC_BACKEND_REDIS_HOST=" + elastiCacheBackend, "AMPC_SYSTEM_REDIS_HOST=" + elastiCacheSystem}

// preparedSite is a site ready for its falsifiers: its bundle, the --ack
// of its manual steps, and for a site checked after a run the cluster and
// working directory the run left.
type preparedSite struct {
	*verifySite
	bundle string
	acks   []string
	ran    *op215Cluster
	work   string
	// perStep counts the oc calls of each step of the run (faults),
	// perStepExec its oc exec calls.
	perStep, perStepExec map[string]int
}

// state gives a falsifier its own cluster and working directory in the
// state where the site's steps hold: a new cluster, or a copy of what the
// run left.
func (s *preparedSite) state(t *testing.T) (*op215Cluster, string) {
	t.Helper()
	if s.run == nil {
		return s.cluster(t), t.TempDir()
	}
	return s.ran.copy(t, s.work)
}

// copy is a new cluster holding what c holds (objects, volumes, clock,
// calls), with c's environment, and a copy of the working directory work.
func (c *op215Cluster) copy(t *testing.T, work string) (*op215Cluster, string) {
	t.Helper()
	return &op215Cluster{c.Copy(t)}, bundletest.CopiedDir(t, work)
}

// TestVerifiesCanFail runs each falsifier: the step, run alone, passes on
// its site and fails on the site with its claim broken, in that step and
// with its message. A site checked after a run runs once; each falsifier
// works on a copy of the cluster and of the working directory it left.
func TestVerifiesCanFail(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bySite := map[string][]string{}
	for id, f := range verifyFalsifiers {
		bySite[f.site] = append(bySite[f.site], id)
	}
	for name, ids := range bySite {
		sort.Strings(ids)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := prepareSite(t, verifySites[name])
			if s.faults {
				t.Run("fault-sequence", func(t *testing.T) {
					t.Parallel()
					faultSequences(t, s)
				})
			}
			if rb, ok := siteRollbacks[name]; ok && (name == defaultRollbackSite || testenv.Exhaustive()) {
				t.Run("rollback", func(t *testing.T) {
					t.Parallel()
					rollbackSweep(t, s, rb)
				})
			}
			for _, id := range ids {
				t.Run(strings.TrimPrefix(id, "2.15-2.16/"), func(t *testing.T) {
					t.Parallel()
					falsify(t, s, id)
				})
			}
		})
	}
}

// prepareSite compiles the bundle of a site and, for a site checked after
// a run, runs it.
func prepareSite(t *testing.T, vs *verifySite) *preparedSite {
	t.Helper()
	s := &preparedSite{verifySite: vs, bundle: vs.bundle(t)}
	s.acks = op215Manual(t, s.bundle)
	if vs.run != nil {
		s.ran, s.work = vs.cluster(t), t.TempDir()
		if vs.faults {
			counter := bundletest.NewStepFaults(nil)
			s.perStep, s.perStepExec = counter.PerStep, counter.PerStepExec
			s.ran.Fault = counter.Fault
		}
		vs.run(t, s.ran, s.bundle, s.work, s.acks)
		s.ran.Fault = nil
	}
	return s
}

// falsify shows the step id passing on its site, then failing once its
// claim is broken: for a site checked before any run, on a new cluster
// broken before its first call.
func falsify(t *testing.T, s *preparedSite, id string) {
	t.Helper()
	f := verifyFalsifiers[id]
	args := append([]string{"--only", id}, s.acks...)
	c, work := s.state(t)
	if out, err := c.runEnv(t, s.bundle, work, "", s.env, args...); err != nil {
		t.Fatalf("%s fails on its site, before anything is broken: %v\n%s", id, err, bundletest.Tail(out, 15))
	}
	if s.run == nil {
		c, work = s.state(t)
	}
	f.breakIt(t, c)
	out, err := c.runEnv(t, s.bundle, work, "", s.env, args...)
	if started := bundletest.StartedSteps(out); err == nil || len(started) != 1 || started[0] != id {
		t.Fatalf("%s does not fail although %s: %v\n%s", id, f.what, err, bundletest.Tail(out, 15))
	}
	if !strings.Contains(out, f.want) {
		t.Errorf("%s fails, but not because %s (no %q):\n%s", id, f.what, f.want, bundletest.Tail(out, 15))
	}
}

// olderOperator makes the operator of Subscription sub in ns run csv, an
// older CSV of its channel, under manual approval: OLM then resolves the
// channel's head into an InstallPlan that waits for approval. It is for a
// cluster before its first call (OLM installs the CSVs then).
func olderOperator(t *testing.T, c *op215Cluster, ns, sub, csv string) {
	t.Helper()
	objects := c.all(t)
	s := objects[bundletest.Op215Key(ns, "Subscription", sub)]
	s["spec"].(map[string]any)["installPlanApproval"] = "Manual"
	status := s["status"].(map[string]any)
	status["installedCSV"], status["currentCSV"] = csv, csv
	c.Put(t, s)
}
