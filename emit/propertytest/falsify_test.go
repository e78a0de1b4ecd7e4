package propertytest

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

// verifyFalsifiers holds a falsifier for every verify step. A verify step
// for which no cluster state makes it fail checks nothing: it is a defect.
var verifyFalsifiers = map[string]proptest.Falsifier{
	"2.7-2.8/smtp-secret-verify": {Site: "2.7-mysql-s3", What: "a value of system-smtp differs from the smtp ConfigMap's", Break: func(t *testing.T, o map[string]map[string]any) {
		secret := o["Secret/system-smtp"]
		data := secret["data"].(map[string]any)
		for _, k := range proptest.KeysOf(data) {
			data[k] = base64.StdEncoding.EncodeToString([]byte("elsewhere.example.com"))
			break
		}
	}},
	"2.7-2.8/prehook-verify": {Site: "2.7-mysql-s3", What: "the pre-hook's MASTER_ACCESS_TOKEN reads another Secret", Break: func(t *testing.T, o map[string]map[string]any) {
		for _, e := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-app"], "spec", "strategy", "rollingParams", "pre", "execNewPod", "env")) {
			if bundletest.Get(e, "name") == "MASTER_ACCESS_TOKEN" {
				e.(map[string]any)["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": "system-master", "key": "MASTER_ACCESS_TOKEN"}}
			}
		}
	}},
	"2.7-2.8/smtp-env-verify": {Site: "2.7-mysql-s3", What: "an SMTP_* env var of system-sidekiq reads the smtp ConfigMap", Break: func(t *testing.T, o map[string]map[string]any) {
		for _, c := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "template", "spec", "containers")) {
			for _, e := range proptest.AsList(bundletest.Get(c, "env")) {
				if strings.HasPrefix(bundletest.Get(e, "name").(string), "SMTP_") {
					e.(map[string]any)["valueFrom"] = map[string]any{"configMapKeyRef": map[string]any{"name": "smtp", "key": "address"}}
					return
				}
			}
		}
	}},
	"2.7-2.8/s3-env-verify": {Site: "2.7-mysql-s3", What: "AWS_BUCKET of system-app's pre-hook is a literal again", Break: func(t *testing.T, o map[string]map[string]any) {
		for _, e := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-app"], "spec", "strategy", "rollingParams", "pre", "execNewPod", "env")) {
			if bundletest.Get(e, "name") == "AWS_BUCKET" {
				m := e.(map[string]any)
				delete(m, "valueFrom")
				m["value"] = "bucket"
			}
		}
	}},
	"2.7-2.8/images-verify": {Site: "2.7-mysql-s3", What: "system-sidekiq still runs the image it ran before the upgrade", Break: func(t *testing.T, o map[string]map[string]any) {
		old := "registry.redhat.io/3scale-amp2/system-rhel7@sha256:" + strings.Repeat("0", 64)
		for _, c := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "template", "spec", "containers")) {
			c.(map[string]any)["image"] = old
		}
	}},
	"2.5-2.6/system-environment-check":      {Site: site25, What: "the system-environment ConfigMap is missing", Break: breakSystemEnvironment},
	"2.5-2.6/wildcard-policy-check":         {Site: site25, What: "the wildcard route has wildcardPolicy Subdomain and the plan says None", Break: breakWildcardPolicy},
	"2.5-2.6/registry-auth-secret-verify":   {Site: site25, What: "threescale-registry-auth is an Opaque Secret", Break: breakRegistryAuthSecret},
	"2.5-2.6/amp-service-account-verify":    {Site: site25, What: "the amp service account has no image pull secret", Break: breakAmpPullSecret},
	"2.5-2.6/service-account-verify":        {Site: site25, What: "zync runs with the default service account", Break: breakServiceAccount},
	"2.5-2.6/new-objects-verify":            {Site: site25, What: "the zync-que role binding is missing", Break: breakNewObjects},
	"2.5-2.6/system-redis-env-verify":       {Site: site25, What: "REDIS_SENTINEL_HOSTS of system-sidekiq's check-svc reads the SENTINEL_ROLE key", Break: breakSystemRedisEnv},
	"2.5-2.6/backend-redis-env-verify":      {Site: site25, What: "CONFIG_QUEUES_SENTINEL_ROLE of backend-cron's init container reads system-redis", Break: breakBackendRedisEnv},
	"2.5-2.6/database-image-streams-verify": {Site: site25, What: "system-mysql has no ImageChange trigger on its image stream", Break: breakDatabaseImageStreams},
	"2.5-2.6/images-verify":                 {Site: site25, What: "system-sphinx runs the 2.5 system image", Break: breakImages},
	"2.4-2.5/rolling-updates-verify":        {Site: site24, What: "rolling_updates.yml has policy_registry: false", Break: breakRollingUpdates},
	"2.4-2.5/system-database-secret-verify": {Site: site24, What: "DB_PASSWORD of system-database is not system-mysql's MYSQL_PASSWORD", Break: breakSystemDatabaseSecret},
	"2.4-2.5/system-mysql-verify":           {Site: site24, What: "system-mysql's MYSQL_PASSWORD is a literal", Break: breakSystemMySQLEnv},
	"2.4-2.5/zync-database-cleanup-verify":  {Site: site24, What: "the postgresql image stream has tag 9.5 again", Break: breakZyncDatabaseCleanup},
	"2.4-2.5/zync-database-tag-verify":      {Site: site24, What: "the postgresql image stream has no tag 10", Break: breakZyncDatabaseTag},
	"2.4-2.5/system-mysql-check":            {Site: site24, What: "system-mysql is scaled to zero", Break: breakSystemMySQLPods},
	"2.4-2.5/zync-database-verify":          {Site: site24, What: "zync-database's pod runs the PostgreSQL 9.5 image", Break: breakZyncDatabasePods},
}

// TestEveryVerifyCanFail checks the falsifiers' bookkeeping: every verify
// step of the rule modules is in bundletest.VerifyFalsifiedIn, and the
// falsifiers of this package are those the table gives it, each in a site
// that TestRunbookProperties runs by default, where it runs
// (proptest.Suite.EveryVerifyCanFail).
func TestEveryVerifyCanFail(t *testing.T) {
	t.Parallel()
	bundletest.CheckVerifyTable(t)
	suite.EveryVerifyCanFail(t)
}
