package runbooktest

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// The falsifiers of the template hops 2.10 → 2.11 and 2.11 → 2.12
// (compiler/rules/2.10-2.11-template.hcl, 2.11-2.12-template.hcl), on the
// 2.8 fixture cut down to what the step reads and brought to the state
// the earlier hops leave.

// redisSite210 is the 2.8 fixture cut down to backend-redis and
// system-redis, their image streams and the ConfigMaps and Secrets, as the
// 2.8 → 2.9 and 2.9 → 2.10 hops leave it: each stream has one tag 2.10 on
// Redis 3.2 (rhscl/redis-32-rhel7:3.2), each trigger follows STREAM:2.10,
// the containers run rh-redis32's redis-server (the fixture's command),
// AMP_RELEASE is 2.10.
func redisSite210(t *testing.T) *bundletest.Cluster {
	t.Helper()
	return bundletest.NewCluster(t, testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"), func(obj map[string]any) bool {
		name := bundletest.Get(obj, "metadata", "name")
		redis := name == "backend-redis" || name == "system-redis"
		switch obj["kind"] {
		case "ConfigMap", "Secret":
			if name == "system-environment" {
				obj["data"].(map[string]any)["AMP_RELEASE"] = "2.10"
			}
			return true
		case "DeploymentConfig":
			if !redis {
				return false
			}
			for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
				if p, ok := tr.(map[string]any)["imageChangeParams"].(map[string]any); ok {
					p["from"].(map[string]any)["name"] = name.(string) + ":2.10"
				}
			}
			return true
		case "ImageStream":
			if !redis {
				return false
			}
			obj["spec"].(map[string]any)["tags"] = []any{map[string]any{"name": "2.10",
				"annotations":     map[string]any{"openshift.io/display-name": "Redis 2.10"},
				"from":            map[string]any{"kind": "DockerImage", "name": "registry.redhat.io/rhscl/redis-32-rhel7:3.2"},
				"referencePolicy": map[string]any{"type": "Source"}}}
			return true
		case "PersistentVolumeClaim":
			return redis
		}
		return false
	}))
}

// redis5Steps move both Redis instances to Redis 5 as the hop does.
var redis5Steps = []string{
	"2.10-2.11/image-backend-redis", "2.10-2.11/redis5-backend-redis", "2.10-2.11/wait-backend-redis",
	"2.10-2.11/image-system-redis", "2.10-2.11/redis5-system-redis", "2.10-2.11/wait-system-redis",
}

var falsifiers212 = map[string]verifyFalsifier{
	"2.10-2.11/redis5-verify": {
		plan: "2.10-to-2.11-mysql", holds: "a 2.10 site cut down to its Redis instances after the hop moved both to Redis 5 (the tag, the command and trigger in one patch, the wait)",
		broken: "system-redis is put back on its 2.10 trigger and Redis 3.2's command",
		want:   []string{"dc/system-redis runs '/opt/rh/rh-redis32/root/usr/bin/redis-server', not Redis 5's redis-server"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = redisSite210(t)
			r.must(t, redis5Steps...)
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "dc/system-redis", "--type=json", "-p",
				`[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["/opt/rh/rh-redis32/root/usr/bin/redis-server"]},{"op":"replace","path":"/spec/triggers/1/imageChangeParams/from/name","value":"system-redis:2.10"}]`)
		},
	},
	"2.10-2.11/oracle-site-check": oracleSiteFalsifier("2.10", "2.11", "mysql2://root:secret@system-mysql/system", "points system at a MySQL database (mysql2://)"),
	"2.11-2.12/oracle-site-check": oracleSiteFalsifier("2.11", "2.12", "postgresql://system:secret@system-postgresql/system", "points system at a PostgreSQL database (postgresql://)"),
}

// zyncSiteRelease is the 2.8 fixture cut down to zync, zync-que and their
// image stream (with the ConfigMaps and Secrets), as the hops up to release
// (2.10 or 2.11) leave it: amp-zync's one tag release on that release's
// image (zync-rhel7 at 2.10, zync-rhel8 from 2.11), the triggers on
// amp-zync:release, AMP_RELEASE release.
func zyncSiteRelease(t *testing.T, release string) *bundletest.Cluster {
	t.Helper()
	image := "registry.redhat.io/3scale-amp2/zync-rhel7:3scale" + release
	if release != "2.10" {
		image = "registry.redhat.io/3scale-amp2/zync-rhel8:3scale" + release
	}
	return bundletest.NewCluster(t, testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"), func(obj map[string]any) bool {
		name := bundletest.Get(obj, "metadata", "name")
		switch obj["kind"] {
		case "ConfigMap", "Secret":
			if name == "system-environment" {
				obj["data"].(map[string]any)["AMP_RELEASE"] = release
			}
			if name == "system-master-apicast" {
				delete(obj["data"].(map[string]any), "BASE_URL")
			}
			return true
		case "DeploymentConfig":
			if name != "zync" && name != "zync-que" {
				return false
			}
			for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
				if p, ok := tr.(map[string]any)["imageChangeParams"].(map[string]any); ok {
					p["from"].(map[string]any)["name"] = "amp-zync:" + release
				}
			}
			return true
		case "ImageStream":
			if name != "amp-zync" {
				return false
			}
			obj["spec"].(map[string]any)["tags"] = []any{map[string]any{"name": release,
				"annotations":     map[string]any{"openshift.io/display-name": "AMP Zync " + release},
				"from":            map[string]any{"kind": "DockerImage", "name": image},
				"referencePolicy": map[string]any{"type": "Source"}}}
			return true
		}
		return false
	}))
}

func zyncSiteReleaseAt(release string, steps ...string) func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
	return func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
		r.c = zyncSiteRelease(t, release)
		r.must(t, steps...)
	}
}

func init() {
	falsifiers212["2.10-2.11/images-verify"] = verifyFalsifier{
		plan: "2.10-to-2.11-mysql", holds: "a 2.10 site cut down to zync, which runs its image stream's current image",
		broken: "zync follows amp-zync:2.11, whose import failed",
		want:   []string{"dc/zync does not run its image stream's current image"},
		setup:  zyncSiteReleaseAt("2.10"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel8:3scale2.11")
			r.must(t, "2.10-2.11/image-amp-zync", "2.10-2.11/triggers-amp-zync")
		},
	}
	falsifiers212["2.10-2.11/triggers-verify"] = verifyFalsifier{
		plan: "2.10-to-2.11-mysql", holds: "a 2.10 site cut down to zync after the hop's steps for amp-zync (tag, triggers)",
		broken: "zync follows amp-zync:2.10 again",
		want:   []string{"not every ImageChange trigger follows a 2.11 tag: zync follows amp-zync:2.10"},
		setup:  zyncSiteReleaseAt("2.10", "2.10-2.11/image-amp-zync", "2.10-2.11/triggers-amp-zync"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "dc/zync", "--type=json", "-p",
				`[{"op":"test","path":"/spec/triggers/1/imageChangeParams/from/name","value":"amp-zync:2.11"},{"op":"replace","path":"/spec/triggers/1/imageChangeParams/from/name","value":"amp-zync:2.10"}]`)
		},
	}
	falsifiers212["2.11-2.12/images-verify"] = verifyFalsifier{
		plan: "2.11-to-2.12-mysql", holds: "a 2.11 site cut down to zync, which runs its image stream's current image",
		broken: "zync follows amp-zync:2.12, whose import failed",
		want:   []string{"dc/zync does not run its image stream's current image"},
		setup:  zyncSiteReleaseAt("2.11"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel8:3scale2.12")
			r.must(t, "2.11-2.12/image-amp-zync", "2.11-2.12/triggers-amp-zync")
		},
	}
	falsifiers212["2.10-2.11/redis-keys-verify"] = verifyFalsifier{
		plan: "2.10-to-2.11-mysql", holds: "a 2.10 site cut down to its Redis instances, backend-redis holding keys, dumped and moved to Redis 5 by the hop",
		broken: "backend-redis lost the keys of its database 1",
		want:   []string{"backend-redis lost keys in the upgrade"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = redisSite210(t)
			r.c.Seed(t, ocsim.Seed{Workload: "dc/backend-redis", Data: ocsim.Data{Redis: map[int]map[string]string{
				1: {"stats/{service:1}/uinst:hour:2024010100": "7", "stats/{service:1}/uinst:day:20240101": "42"}}}})
			r.must(t, append([]string{"2.10-2.11/redis-backup"}, redis5Steps...)...)
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "exec", "dc/backend-redis", "--", "redis-cli", "-n", "1", "FLUSHDB")
		},
	}
}

// mysqlSite211 is the 2.8 fixture cut down to system-mysql (its
// DeploymentConfig, image stream, Service and claim, with the ConfigMaps
// and Secrets) as the hops up to 2.11 leave it: system-mysql's one tag
// 2.11 on MySQL 5.7, its trigger on system-mysql:2.11, AMP_RELEASE 2.11;
// the system database holds two tables.
func mysqlSite211(t *testing.T) *bundletest.Cluster {
	t.Helper()
	c := bundletest.NewCluster(t, testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"), func(obj map[string]any) bool {
		name := bundletest.Get(obj, "metadata", "name")
		switch obj["kind"] {
		case "ConfigMap", "Secret":
			if name == "system-environment" {
				obj["data"].(map[string]any)["AMP_RELEASE"] = "2.11"
			}
			return true
		case "DeploymentConfig":
			if name != "system-mysql" {
				return false
			}
			for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
				if p, ok := tr.(map[string]any)["imageChangeParams"].(map[string]any); ok {
					p["from"].(map[string]any)["name"] = "system-mysql:2.11"
				}
			}
			return true
		case "ImageStream":
			if name != "system-mysql" {
				return false
			}
			obj["spec"].(map[string]any)["tags"] = []any{map[string]any{"name": "2.11",
				"annotations":     map[string]any{"openshift.io/display-name": "System 2.11 MySQL"},
				"from":            map[string]any{"kind": "DockerImage", "name": "registry.redhat.io/rhscl/mysql-57-rhel7:5.7"},
				"referencePolicy": map[string]any{"type": "Source"}}}
			return true
		case "Service":
			return name == "system-mysql"
		case "PersistentVolumeClaim":
			return name == "mysql-storage"
		}
		return false
	}))
	c.Seed(t, ocsim.Seed{Workload: "dc/system-mysql", Data: ocsim.Data{MySQL: map[string]*ocsim.Database{"system": {Tables: map[string]*ocsim.Table{
		"accounts": {Columns: []string{"id", "org_name"}, Key: "id", Rows: [][]string{{"1", "Master"}, {"2", "Provider"}}},
		"services": {Columns: []string{"id", "name"}, Key: "id", Rows: [][]string{{"1", "API"}}},
	}}}}})
	return c
}

func init() {
	falsifiers212["2.11-2.12/mysql-tables-verify"] = verifyFalsifier{
		plan: "2.11-to-2.12-mysql", holds: "a 2.11 site cut down to system-mysql, its system database dumped, then moved to MySQL 8.0 by the hop (the authentication plugin setting, the 2.12 tag, the trigger, the wait)",
		broken: "the system database lost its services table",
		want:   []string{"the system database lost tables or their rows in the move to MySQL 8.0: services"},
		setup: func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
			r.c = mysqlSite211(t)
			r.must(t, "2.11-2.12/mysql-backup", "2.11-2.12/mysql-auth-plugin", "2.11-2.12/image-system-mysql", "2.11-2.12/triggers-system-mysql", "2.11-2.12/wait-system-mysql")
		},
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "exec", "dc/system-mysql", "--", "bash", "-c", `MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql -h system-mysql -u root system -e 'DROP TABLE services'`)
		},
	}
}

// TestRedis5Rollback: when the move of backend-redis to Redis 5 fails (the
// Redis 5 image cannot be imported), --rollback 2.10-2.11/redis-5 puts the
// 2.10 trigger and Redis 3.2's command back, and backend-redis runs Redis
// 3.2 with the keys it had; once Redis 5 has run, the rollback refuses
// and names the dump instead.
func TestRedis5Rollback(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, bundletest.WritePlan(t, templatePlan("2.10", "2.11", "mysql")), ""))
	keys := map[int]map[string]string{1: {"stats/{service:1}/uinst:day:20240101": "42"}}
	dc := func(r *falsifyRun) (string, string) {
		obj := r.c.Objects(t)["DeploymentConfig/backend-redis"]
		cmd := bundletest.Get(obj, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)["command"].([]any)[0].(string)
		var from string
		for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
			if p, ok := tr.(map[string]any)["imageChangeParams"].(map[string]any); ok {
				from = p["from"].(map[string]any)["name"].(string)
			}
		}
		return cmd, from
	}

	t.Run("failed-move", func(t *testing.T) {
		t.Parallel()
		r := &falsifyRun{c: redisSite210(t), bundle: bundle, work: t.TempDir()}
		r.c.Seed(t, ocsim.Seed{Workload: "dc/backend-redis", Data: ocsim.Data{Redis: keys}})
		r.must(t, "2.10-2.11/redis-backup", "2.10-2.11/image-backend-redis")
		r.env = []string{"OCSIM_IMPORT_FAIL=rhscl/redis-5-rhel7:5"}
		r.c.Env = append(r.c.Env, r.env...)
		r.must(t, "2.10-2.11/redis5-backend-redis")
		if out, err := r.only(t, "2.10-2.11/wait-backend-redis"); err == nil {
			t.Fatalf("wait-backend-redis passed although the Redis 5 image cannot be imported:\n%s", out)
		}
		out, err := r.c.Exec(t, r.bundle, r.work, append([]string{"FAKEOC_FAIL="}, r.env...), "--rollback", "2.10-2.11/redis-5")
		if err != nil {
			t.Fatalf("--rollback 2.10-2.11/redis-5: %v\n%s", err, out)
		}
		if cmd, from := dc(r); cmd != "/opt/rh/rh-redis32/root/usr/bin/redis-server" || from != "backend-redis:2.10" {
			t.Errorf("after the rollback backend-redis runs %s and follows %s", cmd, from)
		}
		if got := r.c.Data(t, "", "dc/backend-redis"); got == nil || got.Redis[1]["stats/{service:1}/uinst:day:20240101"] != "42" || got.Version[:1] != "3" {
			t.Errorf("after the rollback backend-redis holds %+v", got)
		}
	})

	t.Run("after-redis-5", func(t *testing.T) {
		t.Parallel()
		r := &falsifyRun{c: redisSite210(t), bundle: bundle, work: t.TempDir()}
		r.must(t, "2.10-2.11/redis-backup", "2.10-2.11/image-backend-redis", "2.10-2.11/redis5-backend-redis", "2.10-2.11/wait-backend-redis")
		out, err := r.c.Exec(t, r.bundle, r.work, []string{"FAKEOC_FAIL="}, "--rollback", "2.10-2.11/redis-5")
		if err == nil || !strings.Contains(out, "backend-redis already ran the Redis 5 image") || !strings.Contains(out, "backend-redis-dump.rdb") {
			t.Errorf("--rollback after Redis 5 ran: %v\n%s", err, out)
		}
		if cmd, from := dc(r); cmd != "/opt/rh/rh-redis5/root/usr/bin/redis-server" || from != "backend-redis:2.11" {
			t.Errorf("the refused rollback changed backend-redis: %s, %s", cmd, from)
		}
	})
}
