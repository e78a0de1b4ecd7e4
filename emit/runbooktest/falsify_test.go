package runbooktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// The falsifiers of the verify steps that emit/propertytest's runs do not
// reach (bundletest.VerifyFalsifiedIn names them InRunbookTest): the
// operator 2.7 → 2.8 hop, the template → operator migration, 2.6 → 2.7's
// image check, and the Oracle and PostgreSQL checks no example selects.
// Each brings the simulated cluster into a state where the step's claim
// holds and shows the step passing there, alone (--only), then breaks the
// claim and shows the same run failing in that step, saying why.

// falsifyRun is a cluster, a bundle and the working directory its runs
// share, with the environment they run in.
type falsifyRun struct {
	c      *bundletest.Cluster
	bundle string
	work   string
	env    []string
}

// only runs step ID of the bundle alone.
func (r *falsifyRun) only(t *testing.T, id string) (string, error) {
	t.Helper()
	return r.c.Exec(t, r.bundle, r.work, append([]string{"FAKEOC_FAIL="}, r.env...), "--only", id)
}

// must runs steps of the bundle alone, in order, and stops the test when one
// fails.
func (r *falsifyRun) must(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if out, err := r.only(t, id); err != nil {
			t.Fatalf("--only %s: %v\n%s", id, err, out)
		}
	}
}

// verifyFalsifier shows that a verify step can fail.
type verifyFalsifier struct {
	// plan is the plan of the step's bundle, a key of falsifyPlans.
	plan string
	// holds says where the step's claim holds, broken what breaks it.
	holds, broken string
	// want are parts of what the step says when it fails.
	want []string
	// setup makes the cluster of r, in the state where the claim holds:
	// r.bundle and r.work are set, r.c is not.
	setup func(t *testing.T, r *falsifyRun, bases *falsifyBases)
	// breakIt breaks the claim on r's cluster.
	breakIt func(t *testing.T, r *falsifyRun)
}

// falsifyPlans are the plans of the falsifiers: a plan's text, or "" for
// the example of the name (examples/NAME.hcl).
var falsifyPlans = map[string]string{
	"2.7-to-2.8-operator":      "",
	"2.8-template-to-operator": "",
	"2.6-to-2.7-mysql":         templatePlan("2.6", "2.7", "mysql"),
	"2.4-to-2.5-oracle":        templatePlan("2.4", "2.5", "oracle"),
	"2.5-to-2.6-oracle":        templatePlan("2.5", "2.6", "oracle"),
	"2.6-to-2.7-oracle":        templatePlan("2.6", "2.7", "oracle"),
	"2.7-to-2.8-oracle":        templatePlan("2.7", "2.8", "oracle"),
	"2.5-to-2.6-postgresql":    templatePlan("2.5", "2.6", "postgresql"),
	"2.8-to-2.9-mysql":         templatePlan("2.8", "2.9", "mysql"),
	"2.9-to-2.10-mysql":        templatePlan("2.9", "2.10", "mysql"),
	"2.8-to-2.9-oracle":        templatePlan("2.8", "2.9", "oracle"),
	"2.9-to-2.10-oracle":       templatePlan("2.9", "2.10", "oracle"),
	"2.10-to-2.11-mysql":       templatePlan("2.10", "2.11", "mysql"),
	"2.10-to-2.11-oracle":      templatePlan("2.10", "2.11", "oracle"),
	"2.11-to-2.12-oracle":      templatePlan("2.11", "2.12", "oracle"),
	"2.11-to-2.12-mysql":       templatePlan("2.11", "2.12", "mysql"),
}

// allFalsifiers are verifyFalsifiers and those of the other files
// (falsifiers29).
func allFalsifiers() map[string]verifyFalsifier {
	all := map[string]verifyFalsifier{}
	for _, m := range []map[string]verifyFalsifier{verifyFalsifiers, falsifiers29, falsifiers212} {
		for id, f := range m {
			all[id] = f
		}
	}
	return all
}

// templatePlan is the plan of a template-based site's hop.
func templatePlan(from, to, db string) string {
	return `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "` + from + `"
  to              = "` + to + `"
  system_database = "` + db + `"
}
`
}

// verifyFalsifiers holds a falsifier for each verify step that
// bundletest.VerifyFalsifiedIn gives this package.
var verifyFalsifiers = map[string]verifyFalsifier{
	"2.7-2.8/channel-check": {
		plan: "2.7-to-2.8-operator", holds: "the operator side of the 2.7 site (Subscription, APIManager, the 0.4 operator), whose catalog offers threescale-2.8",
		broken: "the catalog drops the threescale-2.8 channel of the 3scale-operator package",
		want:   []string{"catalog redhat-operators in openshift-marketplace offers no channel threescale-2.8 of package 3scale-operator"},
		setup:  op27OperatorSetup(),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_CATALOG_DROP=3scale-operator:threescale-2.8")
		},
	},
	"2.7-2.8/wait-pods": {
		plan: "2.7-to-2.8-operator", holds: "the 2.7 site cut down to its APIManager and zync, whose pod runs ready",
		broken: "a pod of zync's latest deployment cannot start: a key of the zync Secret it reads is gone",
		want:   []string{"dc/zync: 0 of 1 pods of zync-1 ready", "CreateContainerConfigError"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = op27Cut(t, func(key string) bool {
				kind := bundletest.KindOfKey(key)
				return kind == "APIManager" || kind == "ConfigMap" || kind == "Secret" || key == "DeploymentConfig/zync" || key == "ImageStream/amp-zync"
			})
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "secret/zync", "--type=json", "-p", `[{"op":"remove","path":"/data/SECRET_KEY_BASE"}]`)
			for _, p := range podsOf(r.c.Objects(t), "zync") {
				r.c.Act(t, "delete", "pod", bundletest.Get(p, "metadata", "name").(string), "--wait=false")
			}
		},
	},
	"2.7-2.8/apimanager-verify": {
		plan: "2.7-to-2.8-operator", holds: "the operator side of the 2.7 site after the backup and the guide's channel change, once OLM and the 0.5 operator have upgraded it",
		broken: "the APIManager says it was reconciled by operator 0.4.0",
		want:   []string{"apimanager/apimanager-sample was reconciled by operator '0.4.0', not 0.5.x"},
		setup: func(t *testing.T, r *falsifyRun, bases *falsifyBases) {
			op27OperatorSetup("backup")(t, r, bases)
			// The guide's channel change, in the console; OLM installs the
			// 0.5 operator, which upgrades the APIManager, in the cluster's
			// time.
			r.c.Act(t, "patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.8"}}`)
			for range 10 {
				if am := opGet(t, r.c, "3scale", "APIManager", "apimanager-sample"); bundletest.Get(am, "metadata", "annotations", "apps.3scale.net/apimanager-threescale-version") == "2.8" {
					return
				}
				r.c.Act(t, "sleep", "60")
			}
			t.Fatal("the 0.5 operator did not upgrade the APIManager in 10 minutes")
		},
		// The annotation of the backup's apimanager.yaml, applied again: the
		// simulated 0.5 operator sets it back 20 seconds or more later, the
		// step reads it at once.
		breakIt: func(t *testing.T, r *falsifyRun) {
			am := opGet(t, r.c, "3scale", "APIManager", "apimanager-sample")
			am["metadata"].(map[string]any)["annotations"].(map[string]any)["apps.3scale.net/threescale-operator-version"] = "0.4.0"
			opPut(t, r.c, am)
		},
	},

	"2.8-2.8/source-check": {
		plan: "2.8-template-to-operator", holds: "the 2.8 template-based site on the plan's wildcard domain, tenant 3scale",
		broken: "the site's THREESCALE_SUPERDOMAIN is another domain than the plan's",
		want:   []string{"the site's wildcard domain (THREESCALE_SUPERDOMAIN in configmap/system-environment) is 'apps.example.com', not 3scale.example.com"},
		setup:  migrationSource,
		breakIt: func(t *testing.T, r *falsifyRun) {
			cm := r.c.Objects(t)["ConfigMap/system-environment"]
			cm["data"].(map[string]any)["THREESCALE_SUPERDOMAIN"] = "apps.example.com"
			r.c.Put(t, cm)
		},
	},
	"2.8-2.8/target-check": {
		plan: "2.8-template-to-operator", holds: "an empty project on another cluster than the backed-up site's",
		broken: "the project holds an APIManager the migration did not create",
		want:   []string{"project 3scale already has APIManager apimanager-sample"},
		setup:  migrationTarget,
		breakIt: func(t *testing.T, r *falsifyRun) {
			opPut(t, r.c, map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager",
				"metadata": map[string]any{"name": "apimanager-sample", "namespace": "3scale"},
				"spec":     map[string]any{"wildcardDomain": "apps.ocp4.example.com"}})
		},
	},
	"2.8-2.8/operator-verify": {
		plan: "2.8-template-to-operator", holds: "the new cluster with the 0.5.0 operator installed from threescale-2.8",
		broken: "the Subscription is on threescale-2.8, but its operator is still the 0.4.0 one of threescale-2.7: the InstallPlan of 0.5.0 waits for a manual approval",
		want:   []string{"subscriptions.operators.coreos.com/3scale-operator in 3scale-operator installed 3scale-operator.v0.4.0, not a 0.5 operator"},
		setup: func(t *testing.T, r *falsifyRun, bases *falsifyBases) {
			migrationTarget(t, r, bases)
			installOperator(t, r.c, "threescale-2.8", "3scale-operator.v0.5.0", "Automatic")
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			if err := os.Remove(filepath.Join(r.c.Dir, "objects", "3scale-operator", "ClusterServiceVersion.3scale-operator.v0.5.0.json")); err != nil {
				t.Fatal(err)
			}
			installOperator(t, r.c, "threescale-2.8", "3scale-operator.v0.4.0", "Manual")
		},
	},
	"2.8-2.8/routes-verify": {
		plan: "2.8-template-to-operator", holds: "the new cluster with zync's routes of the master and the Admin Portal",
		broken: "the master's route is missing",
		want:   []string{"no master and Admin Portal routes of 3scale.example.com in 3scale after 10 minutes"},
		setup: func(t *testing.T, r *falsifyRun, bases *falsifyBases) {
			migrationTarget(t, r, bases)
			for _, host := range []string{"master", "3scale-admin"} {
				opPut(t, r.c, map[string]any{"apiVersion": "route.openshift.io/v1", "kind": "Route",
					"metadata": map[string]any{"name": "zync-" + host, "namespace": "3scale"},
					"spec":     map[string]any{"host": host + ".3scale.example.com", "to": map[string]any{"kind": "Service", "name": "system-provider"}}})
			}
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Remove(t, "Route/zync-master")
		},
	},
	"2.8-2.8/redis-verify-keys": {
		plan: "2.8-template-to-operator", holds: "the new cluster's backend-redis and system-redis, holding the keys their dumps recorded",
		broken: "backend-redis lost the key of its database 1",
		want:   []string{"backend-redis-dump.keys: db1: 0 keys, 1 recorded;", "backend-redis lost keys of the dump"},
		setup: func(t *testing.T, r *falsifyRun, bases *falsifyBases) {
			migrationTarget(t, r, bases)
			site := migrationSite(t)
			for key, obj := range site {
				if strings.Contains(key, "redis") && bundletest.KindOfKey(key) != "Secret" {
					r.c.Put(t, obj)
				}
			}
			dir := filepath.Join(r.work, "backups/3scale-migration/2.8-2.8")
			for name, keys := range migrationKeys {
				r.c.Seed(t, ocsim.Seed{Workload: "dc/" + name, Data: ocsim.Data{Redis: keys}})
			}
			bundletest.WriteSealed(t, filepath.Join(dir, "backend-redis-dump.keys"), []byte("db0:keys=2\ndb1:keys=1\n"))
			bundletest.WriteSealed(t, filepath.Join(dir, "system-redis-dump.keys"), []byte("db1:keys=2\n"))
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "exec", "dc/backend-redis", "--", "redis-cli", "-n", "1", "DEL", "resque:queue:priority")
		},
	},
	"2.8-2.8/apimanager-verify": {
		plan: "2.8-template-to-operator", holds: "the new cluster whose APIManager the 0.5.0 operator reconciled at 2.8",
		broken: "the operator has not reconciled the APIManager: it has no version annotations",
		want:   []string{"apimanager/apimanager is at 3scale '', not 2.8"},
		setup: func(t *testing.T, r *falsifyRun, bases *falsifyBases) {
			migrationTarget(t, r, bases)
			opPut(t, r.c, map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager",
				"metadata": map[string]any{"name": "apimanager", "namespace": "3scale", "annotations": map[string]any{
					"apps.3scale.net/apimanager-threescale-version": "2.8",
					"apps.3scale.net/threescale-operator-version":   "0.5.0",
				}},
				"spec": map[string]any{"wildcardDomain": "3scale.example.com"}})
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			am := opGet(t, r.c, "3scale", "APIManager", "apimanager")
			delete(am["metadata"].(map[string]any), "annotations")
			opPut(t, r.c, am)
		},
	},

	"2.6-2.7/images-verify": {
		plan: "2.6-to-2.7-mysql", holds: "the 2.6 site cut down to zync, which runs its image stream's current image",
		broken: "amp-zync points at the 2.7 image, whose import failed",
		want:   []string{"dc/zync does not run its image stream's current image"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = bundletest.NewCluster(t, testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.6-amp.yaml"), func(obj map[string]any) bool {
				switch name := bundletest.Get(obj, "metadata", "name"); obj["kind"] {
				case "ConfigMap", "Secret":
					return true
				case "DeploymentConfig", "ImageStream":
					return name == "zync" || name == "amp-zync"
				}
				return false
			}))
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel7:3scale2.7")
			r.must(t, "2.6-2.7/image-amp-zync")
		},
	},

	"2.4-2.5/oracle-site-check": oracleSiteFalsifier("2.4", "2.5", "mysql2://root:secret@system-mysql/system", "points system at a MySQL database (mysql2://)"),
	"2.5-2.6/oracle-site-check": oracleSiteFalsifier("2.5", "2.6", "postgresql://system:secret@system-postgresql/system", "points system at a PostgreSQL database (postgresql://)"),
	"2.6-2.7/oracle-site-check": oracleSiteFalsifier("2.6", "2.7", "mysql2://root:secret@system-mysql/system", "points system at a MySQL database (mysql2://)"),
	"2.7-2.8/oracle-site-check": oracleSiteFalsifier("2.7", "2.8", "system-db.example.com:1521/threescale", "the URL of secret/system-database is not an Oracle one"),

	"2.4-2.5/oracle-build-context-verify": {
		plan: "2.4-to-2.5-oracle", holds: "a build directory with the Dockerfile of 2.5.0.GA, its non-CDB workaround and the three Instant Client packages",
		broken: "the Dockerfile applies the non-CDB workaround of 2.4",
		want:   []string{"applies workaround-non-cdb-2.4-upgrade, which is not for 3scale 2.5.0"},
		setup:  oracleBuildSetup("2.4", "workaround-non-cdb-2.5-upgrade"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			writeFile(t, filepath.Join(oracleBuildDir(r), "Dockerfile"), "FROM system\nRUN patch -p1 < workaround-non-cdb-2.4-upgrade/dockerfile.patch\n")
		},
	},
	"2.5-2.6/oracle-build-context-verify": {
		plan: "2.5-to-2.6-oracle", holds: "a build directory with the Dockerfile of 2.6.0.GA and the three Instant Client packages",
		broken: "the Instant Client SDK package is missing",
		want:   []string{"oracle-client-files has no instantclient-sdk-linux.x64-12.2*.zip"},
		setup:  oracleBuildSetup("2.5", ""),
		breakIt: func(t *testing.T, r *falsifyRun) {
			if err := os.Remove(filepath.Join(oracleBuildDir(r), "oracle-client-files", "instantclient-sdk-linux.x64-12.2.0.1.0.zip")); err != nil {
				t.Fatal(err)
			}
		},
	},

	"2.5-2.6/system-postgresql-version-check": {
		plan: "2.5-to-2.6-postgresql", holds: "a 2.5 site whose system-postgresql runs PostgreSQL 10",
		broken: "system-postgresql runs PostgreSQL 9.6",
		want:   []string{"system-postgresql runs PostgreSQL 9.6.24, and section 2.7 moves it onto the 2.6 image stream, PostgreSQL 10"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = bundletest.NewCluster(t, "")
			r.c.Put(t, systemEnvironment("2.5.0"))
			r.c.Put(t, systemPostgreSQL("registry.redhat.io/rhscl/postgresql-10-rhel7"))
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "dc/system-postgresql", "--type=json", "-p",
				`[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"registry.redhat.io/rhscl/postgresql-96-rhel7"}]`)
			r.c.Act(t, "sleep", "300")
		},
	},
}

// TestEveryVerifyCanFail checks that this package holds the falsifiers
// bundletest.VerifyFalsifiedIn gives it (TestVerifiesCanFail runs them).
func TestEveryVerifyCanFail(t *testing.T) {
	t.Parallel()
	var ids []string
	for id, f := range allFalsifiers() {
		ids = append(ids, id)
		if _, ok := falsifyPlans[f.plan]; !ok {
			t.Errorf("the falsifier of %s names plan %s, which falsifyPlans lacks", id, f.plan)
		}
	}
	bundletest.CheckFalsifiers(t, bundletest.InRunbookTest, ids)
}

// falsifyBases are the states that falsifiers start from, made once.
type falsifyBases struct {
	// migrationSource is the template-based 2.8 site after the
	// migration's source-check and backup-objects, which record the
	// site's cluster and the saved objects in the working directory.
	migrationSource falsifyRun
}

// sharedFalsifiedIn names, for a shared verify step (compiler/rules/shared)
// whose falsifiers in this package break it the same way in each hop, the
// hop whose falsifier the default run makes fail (the test budget): the
// template hops' images-verify, an import that failed at the hop's
// version (about 4 s each), also falsified at 2.7 → 2.8 by
// TestImagesVerifyCanFail.
var sharedFalsifiedIn = map[string]string{"images-verify": "2.11-2.12"}

// TestVerifiesCanFail runs the falsifiers of verifyFalsifiers: each step
// passes, alone, where its claim holds, and fails, alone, saying why, once
// the claim is broken.
func TestVerifiesCanFail(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundles := map[string]string{}
	for name, text := range falsifyPlans {
		path := filepath.Join(testenv.Root(), "examples", name+".hcl")
		if text != "" {
			path = bundletest.WritePlan(t, text)
		}
		bundles[name] = bundletest.WriteBundle(t, bundletest.Compile(t, path, ""))
	}
	bases := &falsifyBases{}
	bases.migrationSource = migrationSourceBase(t, bundles["2.8-template-to-operator"])
	for id, f := range allFalsifiers() {
		t.Run(id, func(t *testing.T) {
			hop, name, _ := strings.Cut(id, "/")
			if at, ok := sharedFalsifiedIn[name]; ok && hop != at && !testenv.Exhaustive() {
				t.Skipf("the shared step %s is falsified in %s by default (the same text, the versions aside, and the same break), in every hop with AMPC_EXHAUSTIVE=1", name, at)
			}
			t.Parallel()
			r := &falsifyRun{bundle: bundles[f.plan], work: t.TempDir()}
			f.setup(t, r, bases)
			if out, err := r.only(t, id); err != nil {
				t.Fatalf("%s fails on %s, where its claim holds: %v\n%s", id, f.holds, err, out)
			}
			f.breakIt(t, r)
			out, err := r.only(t, id)
			switch {
			case err == nil:
				t.Errorf("%s passes although %s:\n%s", id, f.broken, out)
			case !strings.Contains(out, "] "+id+" "):
				t.Errorf("the run failed before %s (%s): %v\n%s", id, f.broken, err, out)
			default:
				for _, want := range f.want {
					if !strings.Contains(out, want) {
						t.Errorf("%s fails where %s without saying %q:\n%s", id, f.broken, want, out)
					}
				}
			}
		})
	}
}

// op27Cut is the operator-based 2.7 site of op27Cluster with only the
// objects whose keys (bundletest.AllObjects) keep holds: the runs of a
// step that reads a few of them need not pay for the others, which the
// simulator would deploy.
func op27Cut(t *testing.T, keep func(key string) bool) *bundletest.Cluster {
	t.Helper()
	c := bundletest.NewCluster(t, "")
	for key, obj := range op27Cluster(t).AllObjects(t) {
		if keep(key) {
			c.PutObject(t, obj)
		}
	}
	return c
}

// op27OperatorSetup is the operator side of the operator-based 2.7 site
// (its APIManager and the 3scale-operator project: the Subscription and
// the 0.4 operator's Deployment, which OLM and the operator act on) after
// steps of the 2.7 → 2.8 hop, each run alone.
func op27OperatorSetup(steps ...string) func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
	return func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
		r.c = op27Cut(t, func(key string) bool {
			return bundletest.KindOfKey(key) == "APIManager" || strings.HasPrefix(key, "3scale-operator/")
		})
		for _, step := range steps {
			r.must(t, "2.7-2.8/"+step)
		}
	}
}

// migrationSourceBase is the template-based 2.8 site on the plan's
// wildcard domain after the migration's source-check and backup-objects.
func migrationSourceBase(t *testing.T, bundle string) falsifyRun {
	t.Helper()
	objects := bundletest.FixtureObjects(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"))
	objects["ConfigMap/system-environment"]["data"].(map[string]any)["THREESCALE_SUPERDOMAIN"] = "3scale.example.com"
	r := falsifyRun{c: bundletest.NewCluster(t, bundletest.WriteObjects(t, objects)), bundle: bundle, work: t.TempDir()}
	r.must(t, "2.8-2.8/source-check", "2.8-2.8/backup-objects")
	return r
}

// migrationSource is a copy of the migration's source cluster and working
// directory (falsifyBases.migrationSource).
func migrationSource(t *testing.T, r *falsifyRun, bases *falsifyBases) {
	r.c = bases.migrationSource.c.Copy(t)
	bundletest.CopyDir(t, r.work, bases.migrationSource.work)
}

// migrationTarget is an empty project on the OpenShift 4 cluster, with a
// copy of the working directory of the migration's source side.
func migrationTarget(t *testing.T, r *falsifyRun, bases *falsifyBases) {
	r.c = bundletest.NewCluster(t, "")
	r.c.Env = append(r.c.Env, "FAKEOC_SERVER=https://api.ocp4.example.com:6443")
	bundletest.CopyDir(t, r.work, bases.migrationSource.work)
}

// installOperator writes the 3scale operator's Subscription on channel,
// with its install plan approval, and csv installed and succeeded; OLM
// takes it from there.
func installOperator(t *testing.T, c *bundletest.Cluster, channel, csv, approval string) {
	t.Helper()
	opPut(t, c, map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "Subscription",
		"metadata": map[string]any{"name": "3scale-operator", "namespace": "3scale-operator"},
		"spec": map[string]any{"channel": channel, "name": "3scale-operator", "source": "redhat-operators", "sourceNamespace": "openshift-marketplace",
			"installPlanApproval": approval},
		"status": map[string]any{"installedCSV": csv, "currentCSV": csv, "state": "AtLatestKnown"}})
	opPut(t, c, map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "ClusterServiceVersion",
		"metadata": map[string]any{"name": csv, "namespace": "3scale-operator"},
		"status":   map[string]any{"phase": "Succeeded"}})
}

// systemEnvironment is the system-environment ConfigMap of a
// template-based site at release.
func systemEnvironment(release string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "system-environment", "namespace": "3scale"},
		"data":     map[string]any{"AMP_RELEASE": release, "THREESCALE_SUPERDOMAIN": "apps.example.com"}}
}

// oracleSiteFalsifier is the falsifier of a hop's oracle-site-check: the
// site's system-database Secret points system at Oracle, then at url.
func oracleSiteFalsifier(from, to, url, want string) verifyFalsifier {
	return verifyFalsifier{
		plan: from + "-to-" + to + "-oracle", holds: "a " + from + " site whose system-database URL is an oracle-enhanced:// one",
		broken: "the system-database URL is " + url,
		want:   []string{want},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = bundletest.NewCluster(t, "")
			r.c.Put(t, systemEnvironment(from))
			r.c.Put(t, systemDatabase("oracle-enhanced://system:secret@oracle.example.com:1521/threescale"))
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Put(t, systemDatabase(url))
		},
	}
}

// systemDatabase is the system-database Secret with URL url.
func systemDatabase(url string) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "system-database", "namespace": "3scale"},
		"data":     map[string]any{"URL": bundletest.Base64(url), "DB_USER": bundletest.Base64("system"), "DB_PASSWORD": bundletest.Base64("secret-password")}}
}

// oracleBuildSetup is an Oracle site at from with a build directory for
// the next release in AMPC_ORACLE_BUILD_DIR, whose Dockerfile applies
// workaround (none when "").
func oracleBuildSetup(from, workaround string) func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
	return func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
		r.c = bundletest.NewCluster(t, "")
		r.c.Put(t, systemEnvironment(from))
		dir := filepath.Join(t.TempDir(), "system-oracle")
		dockerfile := "FROM system\n"
		if workaround != "" {
			dockerfile += "RUN patch -p1 < " + workaround + "/dockerfile.patch\n"
		}
		writeFile(t, filepath.Join(dir, "Dockerfile"), dockerfile)
		for _, pkg := range []string{"basiclite", "sdk", "odbc"} {
			name := "instantclient-" + pkg + "-linux.x64-12.2.0.1.0.zip"
			if pkg == "odbc" {
				name = "instantclient-odbc-linux.x64-12.2.0.1.0-2.zip"
			}
			writeFile(t, filepath.Join(dir, "oracle-client-files", name), "PK")
		}
		r.env = append(r.env, "AMPC_ORACLE_BUILD_DIR="+dir)
	}
}

// oracleBuildDir is the build directory of r (AMPC_ORACLE_BUILD_DIR).
func oracleBuildDir(r *falsifyRun) string {
	for _, kv := range r.env {
		if dir, ok := strings.CutPrefix(kv, "AMPC_ORACLE_BUILD_DIR="); ok {
			return dir
		}
	}
	return ""
}

// systemPostgreSQL is a site's own system-postgresql DeploymentConfig on
// image, its data on an emptyDir, redeployed when its template changes.
func systemPostgreSQL(image string) map[string]any {
	labels := map[string]any{"deploymentConfig": "system-postgresql"}
	return map[string]any{"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
		"metadata": map[string]any{"name": "system-postgresql", "namespace": "3scale"},
		"spec": map[string]any{"replicas": 1, "selector": labels,
			"strategy": map[string]any{"type": "Recreate"},
			"triggers": []any{map[string]any{"type": "ConfigChange"}},
			"template": map[string]any{"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"containers": []any{map[string]any{"name": "system-postgresql", "image": image,
						"env": []any{
							map[string]any{"name": "POSTGRESQL_USER", "value": "system"},
							map[string]any{"name": "POSTGRESQL_PASSWORD", "value": "secret-password"},
							map[string]any{"name": "POSTGRESQL_DATABASE", "value": "system"},
						},
						"volumeMounts": []any{map[string]any{"name": "postgresql-data", "mountPath": "/var/lib/pgsql/data"}}}},
					"volumes": []any{map[string]any{"name": "postgresql-data", "emptyDir": map[string]any{}}}}}}}
}

// writeFile writes text into path, making its directory.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
