package runbooktest

import (
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
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
