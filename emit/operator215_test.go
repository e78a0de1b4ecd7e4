package emit_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// The 2.15 → 2.16 operator hop (seed 004) against the operator fixtures: a
// snapshot directory of the 3scale project and the operator projects. Objects
// are keyed NAMESPACE/KIND/NAME here, since the same name lives in several
// projects (system-database in 3scale and in the databases' project). The
// runbooks run on the simulated cluster in emit/runbooktest.

// op215Bundle compiles an operator-2.15 plan with bundletest.New, keying
// the objects NAMESPACE/KIND/NAME as bundletest.Op215Objects does.
func op215Bundle(t *testing.T, planPath, snapshot string) *bundletest.Bundle {
	t.Helper()
	b := bundletest.New(t, planPath, snapshot)
	b.Key = func(tg ir.Target) string { return bundletest.Op215Key(tg.Namespace, tg.Kind, tg.Name) }
	return b
}

// op215Kustomize builds the hop's kustomization and compares what it
// renders with the objects kubectl patch gave: each rendered object exists,
// and against a snapshot its spec, data, labels and owner references are
// the same.
func op215Kustomize(t *testing.T, kubectl, dir string, objects map[string]map[string]any, exact bool) {
	t.Helper()
	out, err := exec.Command(kubectl, "kustomize", filepath.Join(dir, "kustomize", "2.15-2.16")).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, out)
	}
	n := 0
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		n++
		key := bundletest.Op215KeyOf(obj)
		applied, ok := objects[key]
		if !ok {
			t.Errorf("kustomize renders %s, which the upgrade deletes or never had", key)
			continue
		}
		if !exact || obj["kind"] == "Secret" {
			continue
		}
		for _, path := range [][]any{{"spec"}, {"data"}, {"metadata", "labels"}, {"metadata", "ownerReferences"}} {
			// Literal credentials (MYSQL_ROOT_PASSWORD) render as <redacted>.
			if !matchesRedacted(bundletest.Get(obj, path...), bundletest.Get(applied, path...)) {
				t.Errorf("%s: kustomize renders another %v than kubectl patch gives:\n%v\n%v", key, path, bundletest.Get(obj, path...), bundletest.Get(applied, path...))
			}
		}
	}
	if n < 1 {
		t.Errorf("kustomize rendered %d objects", n)
	}
}

func op215Shellcheck(t *testing.T, dir string) {
	t.Helper()
	bundletest.Shellcheck(t, filepath.Join(dir, "runbook.sh"))
}

func op215Steps(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, s := range bundletest.Op215ReadPlan(t, dir).Steps {
		out[strings.TrimPrefix(s.ID, "2.15-2.16/")] = true
	}
	return out
}

func op215WantSteps(t *testing.T, steps map[string]bool, want, notWant []string) {
	t.Helper()
	for _, s := range want {
		if !steps[s] {
			t.Errorf("no step %s", s)
		}
	}
	for _, s := range notWant {
		if steps[s] {
			t.Errorf("unexpected step %s", s)
		}
	}
}

func op215WantChannels(t *testing.T, objects map[string]map[string]any, apicast bool) {
	t.Helper()
	if got := bundletest.Get(objects["3scale-operator/Subscription/3scale-operator"], "spec", "channel"); got != "threescale-2.16" {
		t.Errorf("3scale operator channel = %v", got)
	}
	want := "threescale-2.15"
	if apicast {
		want = "threescale-2.16"
	}
	if got := bundletest.Get(objects["apicast/Subscription/apicast-operator"], "spec", "channel"); got != want {
		t.Errorf("APIcast operator channel = %v, want %s", got, want)
	}
}

// TestOperator215Fixtures compiles each branch with and without the
// snapshot, applies every patch, manifest and delete to the fixture's
// objects, builds the kustomization and checks the runbook with shellcheck.
func TestOperator215Fixtures(t *testing.T) {
	t.Parallel()
	kubectl := testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	fixture := bundletest.Op215Objects(t)
	redisConf := bundletest.Get(fixture["3scale/ConfigMap/redis-config"], "data", "redis.conf")
	for _, tc := range []struct {
		name                   string
		db, database, redis    string
		site                   func(t *testing.T, objects map[string]map[string]any)
		want, notWant          []string
		check                  func(t *testing.T, objects map[string]map[string]any)
		snapshotOnly, noLayout bool
	}{
		{
			name: "mysql-on-cluster/redis-on-cluster", db: "mysql", database: "on-cluster", redis: "on-cluster",
			want:    []string{"preflight-operator", "preflight-apicast", "preflight-openshift", "preflight-databases", "save-replicas", "scale-down-operator", "scale-down", "database-namespace", "mysql-external", "mysql-detach", "mysql-triggers", "redis-dump", "redis-claims", "redis-create", "redis-config-persist", "redis-secrets", "redis-external", "scale-up", "channel", "apicast-channel", "cleanup-redis"},
			notWant: []string{"pg-dump", "mysql-rds-import", "elasticache-create", "confirm-external-versions", "oracle-system-image", "cleanup-mysql"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215Detached(t, objects)
				bundletest.Op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				op215WantChannels(t, objects, true)
				if got := bundletest.Get(objects["3scale-db/ConfigMap/redis-config-external"], "data", "redis.conf"); got != redisConf {
					t.Errorf("redis-config-external after 3.4.7 differs from the operator's redis-config:\n%v", got)
				}
				// The claims are made at run time (redis-claims), sized from the site's.
				for _, k := range []string{"3scale-db/Deployment/backend-redis-external", "3scale-db/Deployment/system-redis-external", "3scale-db/Service/backend-redis-service", "3scale-db/ServiceAccount/system-redis-external"} {
					if objects[k] == nil {
						t.Errorf("no %s", k)
					}
				}
				for _, k := range []string{"3scale/Deployment/backend-redis", "3scale/Deployment/system-redis", "3scale/PersistentVolumeClaim/backend-redis-storage", "3scale/ConfigMap/redis-config"} {
					if objects[k] != nil {
						t.Errorf("%s is not deleted (3.4.11)", k)
					}
				}
				if objects["3scale/Service/backend-redis"] == nil {
					t.Error("the guide's cleanup keeps Service backend-redis")
				}
			},
		},
		{
			name: "mysql-aws/redis-aws", db: "mysql", database: "aws", redis: "aws",
			want:    []string{"mysql-rds-create", "elasticache-prepare", "mysql-rds-import", "mysql-rds-secret", "mysql-rds-external", "elasticache-dump", "elasticache-create", "elasticache-check", "elasticache-secrets", "elasticache-external", "cleanup-mysql", "cleanup-redis-elasticache"},
			notWant: []string{"mysql-detach", "redis-create", "database-namespace", "redis-dump", "cleanup-redis"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				for _, k := range []string{"Deployment/system-mysql", "PersistentVolumeClaim/mysql-storage", "ConfigMap/mysql-main-conf", "Deployment/backend-redis"} {
					if objects["3scale/"+k] != nil {
						t.Errorf("%s is not deleted", k)
					}
				}
			},
		},
		{
			name: "postgresql-on-cluster/redis-external", db: "postgresql", database: "on-cluster", redis: "external",
			site: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215PostgreSQL(t, objects)
				bundletest.Op215External(t, objects, false, true)
			},
			want:    []string{"pg-dump", "pg-secret", "pg-claim", "pg-create", "pg-wait", "pg-version", "pg-restore", "pg-verify-data", "pg-url", "pg-external", "confirm-external-versions", "cleanup-postgresql"},
			notWant: []string{"redis-dump", "redis-create", "mysql-detach", "cleanup-redis"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
				// The claim is made at run time (pg-claim), sized from the site's.
				for _, k := range []string{"3scale-db/Deployment/system-postgresql-external", "3scale-db/Service/system-postgresql-service", "3scale-db/ServiceAccount/postgresql-db-external"} {
					if objects[k] == nil {
						t.Errorf("no %s", k)
					}
				}
				if img := bundletest.Get(objects["3scale-db/Deployment/system-postgresql-external"], "spec", "template", "spec", "containers", 0, "image"); img != "registry.redhat.io/rhel9/postgresql-15" {
					t.Errorf("PostgreSQL image %v", img)
				}
				for _, k := range []string{"Deployment/system-postgresql", "PersistentVolumeClaim/postgresql-data", "Service/system-postgresql"} {
					if objects["3scale/"+k] != nil {
						t.Errorf("%s is not deleted (3.2.10)", k)
					}
				}
			},
		},
		{
			name: "postgresql-aws/redis-on-cluster", db: "postgresql", database: "aws", redis: "on-cluster",
			site:    func(t *testing.T, objects map[string]map[string]any) { bundletest.Op215PostgreSQL(t, objects) },
			want:    []string{"pg-rds-create", "pg-rds-import", "pg-rds-secret", "pg-rds-external", "redis-create", "cleanup-postgresql-rds", "cleanup-redis"},
			notWant: []string{"pg-create", "mysql-rds-import"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215WantExternal(t, objects, map[string]any{"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}})
			},
		},
		{
			name: "already-external", db: "mysql", database: "external", redis: "external",
			site: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215External(t, objects, true, true)
			},
			want:    []string{"preflight-operator", "confirm-external-versions", "backup", "channel", "wait-upgrade", "wait-pods", "verify-upgrade", "apicast-channel"},
			notWant: []string{"save-replicas", "scale-down", "scale-up", "verify-portals", "cleanup-confirm", "mysql-external", "redis-dump"},
			check: func(t *testing.T, objects map[string]map[string]any) {
				op215WantChannels(t, objects, true)
			},
		},
	} {
		for _, withSnapshot := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/snapshot=%v", tc.name, withSnapshot), func(t *testing.T) {
				objects := bundletest.Op215Objects(t)
				if tc.site != nil {
					tc.site(t, objects)
				}
				snap := ""
				if withSnapshot {
					snap = bundletest.Op215Snapshot(t, objects)
				}
				planPath := bundletest.Op215Plan(t, tc.db, tc.database, tc.redis, "")
				b := op215Bundle(t, planPath, snap)
				dir := b.Dir
				op215WantSteps(t, op215Steps(t, dir), tc.want, tc.notWant)
				b.Apply(objects)
				tc.check(t, objects)
				op215Kustomize(t, kubectl, dir, objects, withSnapshot)
				op215Shellcheck(t, dir)
				b.NoValues(bundletest.LongValues(bundletest.SecretValues(t, testenv.Shared(t, "fixtures/operator/2.15-mysql.yaml")), false), "Secret value of the fixture")
			})
		}
	}
}

// TestOperator215Rollbacks checks that each database move lists its
// rollback section, in plan.json and in runbook --list, and that none runs
// by default.
func TestOperator215Rollbacks(t *testing.T) {
	t.Parallel()
	bash := testenv.Tool(t, "bash")
	for _, tc := range []struct {
		db, database, redis string
		want                []string
	}{
		{"mysql", "on-cluster", "on-cluster", []string{"2.15-2.16/redis"}},
		{"mysql", "aws", "aws", []string{"2.15-2.16/mysql-rds", "2.15-2.16/redis-elasticache"}},
		{"postgresql", "on-cluster", "external", []string{"2.15-2.16/postgresql"}},
		{"postgresql", "aws", "external", []string{"2.15-2.16/postgresql-rds"}},
		{"mysql", "external", "external", nil},
	} {
		dir := bundletest.WriteBundle(t, bundletest.Compile(t, bundletest.Op215Plan(t, tc.db, tc.database, tc.redis, ""), ""))
		var got []string
		for _, r := range bundletest.Op215ReadPlan(t, dir).Rollbacks {
			got = append(got, r.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s %s: rollbacks %v, want %v", tc.db, tc.database, tc.redis, got, tc.want)
		}
		out, err := exec.Command(bash, filepath.Join(dir, "runbook.sh"), "--list").CombinedOutput()
		if err != nil {
			t.Fatalf("--list: %v\n%s", err, out)
		}
		for _, id := range tc.want {
			if !bytes.Contains(out, []byte("     "+id+"  ")) {
				t.Errorf("--list does not name rollback %s:\n%s", id, out)
			}
		}
		plan, _ := os.ReadFile(filepath.Join(dir, "PLAN.md"))
		for _, id := range tc.want {
			if !bytes.Contains(plan, []byte("`"+id+"`")) {
				t.Errorf("PLAN.md does not show rollback %s", id)
			}
		}
	}
}

// TestOperator215Refusals checks the diagnostics of the plans the hop
// refuses: Oracle on 2.16.0, a missing externalize choice, and a choice the
// snapshot contradicts.
func TestOperator215Refusals(t *testing.T) {
	t.Parallel()
	base := `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  system_database = "%s"
%s}

operator {
  namespace = "3scale-operator"
}
%s`
	for _, tc := range []struct {
		name, db, install, rest string
		snapshot                func(t *testing.T, objects map[string]map[string]any)
		summary                 string
		line                    int
		detail                  []string
	}{
		{
			name: "oracle-2.16.0", db: "oracle", rest: "externalize {\n  redis = \"external\"\n}\n",
			summary: "3scale 2.16.0 does not support Oracle", line: 6,
			detail: []string{"DO NOT ATTEMPT TO INSTALL OR UPGRADE TO 3scale 2.16 IF YOUR DEPLOYMENT USES ORACLE DATABASE", "planned for 2.16.1", `to_release = "2.16.1"`},
		},
		{
			name: "oracle-to-release-2.16.0", db: "oracle", install: "  to_release      = \"2.16.0\"\n", rest: "externalize {\n  redis = \"external\"\n}\n",
			summary: "3scale 2.16.0 does not support Oracle", line: 7,
		},
		{
			name: "no-externalize", db: "mysql",
			summary: "No choice for the internal system database", line: 5,
			detail: []string{`system_database = "on-cluster"  keep system-mysql and detach it from the operator (section 3.3)`, `system_database = "aws"`, `system_database = "external"`, "1.1.1"},
		},
		{
			name: "no-redis-choice", db: "postgresql", rest: "externalize {\n  system_database = \"aws\"\n}\n",
			summary: "No choice for the internal Redis", line: 12,
			detail: []string{`redis = "on-cluster"`, `redis = "aws"`, `redis = "external"`},
		},
		{
			name: "external-but-internal", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"external\"\n}\n",
			snapshot: func(t *testing.T, objects map[string]map[string]any) {},
			summary:  "Redis is not external", line: 14,
		},
		{
			name: "on-cluster-but-external", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"external\"\n}\n",
			snapshot: func(t *testing.T, objects map[string]map[string]any) {
				bundletest.Op215External(t, objects, true, true)
			},
			summary: "The system database is external already", line: 13,
		},
		{
			name: "no-database-namespace", db: "mysql", rest: "externalize {\n  system_database = \"on-cluster\"\n  redis           = \"on-cluster\"\n}\n",
			summary: "No namespace for the on-cluster databases", line: 12,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts ampc.Options
			if tc.snapshot != nil {
				objects := bundletest.Op215Objects(t)
				tc.snapshot(t, objects)
				opts.Snapshot = bundletest.Op215Snapshot(t, objects)
			}
			res, diags := ampc.Compile("plan.hcl", []byte(fmt.Sprintf(base, tc.db, tc.install, tc.rest)), opts)
			if res.Plan == nil || tc.snapshot != nil && res.Snapshot == nil {
				t.Fatalf("the plan or the snapshot does not read: %s", diags.Error())
			}
			if res.Bundle != nil || !diags.HasErrors() {
				t.Fatal("the plan compiled")
			}
			found := false
			for _, d := range diags {
				if d.Summary != tc.summary {
					continue
				}
				found = true
				if d.Subject == nil || d.Subject.Filename != "plan.hcl" || d.Subject.Start.Line != tc.line {
					t.Errorf("%s points at %v, want plan.hcl line %d", d.Summary, d.Subject, tc.line)
				}
				for _, want := range tc.detail {
					if !strings.Contains(d.Detail, want) {
						t.Errorf("detail lacks %q:\n%s", want, d.Detail)
					}
				}
			}
			if !found {
				t.Errorf("no %q among %v", tc.summary, diags)
			}
		})
	}
}

// TestOperator215Oracle compiles an Oracle site for a later micro release:
// the custom image procedure of 1.3, manual InstallPlan approval, no
// system database move.
func TestOperator215Oracle(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "kubectl")
	testenv.Tool(t, "jq")
	objects := bundletest.Op215Objects(t)
	bundletest.Op215External(t, objects, true, false)
	planPath := bundletest.WritePlan(t, `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.15"
  to              = "2.16"
  to_release      = "2.16.1"
  system_database = "oracle"
}

operator {
  namespace = "3scale-operator"
}

externalize {
  redis     = "on-cluster"
  namespace = "3scale-db"
}
`)
	for _, snap := range []string{"", bundletest.Op215Snapshot(t, objects)} {
		b := op215Bundle(t, planPath, snap)
		files, dir := b.Files, b.Dir
		op215WantSteps(t, op215Steps(t, dir),
			[]string{"oracle-system-image-build", "oracle-installplan", "oracle-system-image", "confirm-external-versions", "redis-create", "channel"},
			[]string{"mysql-external", "pg-dump", "mysql-rds-import", "apicast-channel", "preflight-apicast"})
		site := bundletest.Op215Objects(t)
		bundletest.Op215External(t, site, true, false)
		b.Apply(site)
		op215Shellcheck(t, dir)
		runbook := string(files["runbook.sh"])
		for _, want := range []string{"system-oracle-3scale-2.16.1-1", "installPlanApproval", "AMPC_ORACLE_SYSTEM_IMAGE", `{spec: {system: {image: $image}}}`} {
			if !strings.Contains(runbook, want) {
				t.Errorf("the runbook lacks %q", want)
			}
		}
	}
}
