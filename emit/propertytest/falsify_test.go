package propertytest

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
)

// A falsifier breaks, in a cluster that a complete run left upgraded, the
// claim of one verify step: the step, run again alone, must then fail.
type falsifier struct {
	// site is the example (of propSites) whose run the step verifies.
	site string
	// what says what is broken, for the failure message.
	what string
	// breakIt changes the cluster's objects; an object it deletes from
	// the map is deleted from the cluster.
	breakIt func(t *testing.T, objects map[string]map[string]any)
}

// verifyFalsifiers holds a falsifier for every verify step. A verify step
// for which no cluster state makes it fail checks nothing: it is a defect.
var verifyFalsifiers = map[string]falsifier{
	"2.7-2.8/smtp-secret-verify": {"2.7-mysql-s3", "a value of system-smtp differs from the smtp ConfigMap's", func(t *testing.T, o map[string]map[string]any) {
		secret := o["Secret/system-smtp"]
		data := secret["data"].(map[string]any)
		for _, k := range keysOf(data) {
			data[k] = base64.StdEncoding.EncodeToString([]byte("elsewhere.example.com"))
			break
		}
	}},
	"2.7-2.8/prehook-verify": {"2.7-mysql-s3", "the pre-hook's MASTER_ACCESS_TOKEN reads another Secret", func(t *testing.T, o map[string]map[string]any) {
		for _, e := range asList(bundletest.Get(o["DeploymentConfig/system-app"], "spec", "strategy", "rollingParams", "pre", "execNewPod", "env")) {
			if bundletest.Get(e, "name") == "MASTER_ACCESS_TOKEN" {
				e.(map[string]any)["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": "system-master", "key": "MASTER_ACCESS_TOKEN"}}
			}
		}
	}},
	"2.7-2.8/smtp-env-verify": {"2.7-mysql-s3", "an SMTP_* env var of system-sidekiq reads the smtp ConfigMap", func(t *testing.T, o map[string]map[string]any) {
		for _, c := range asList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "template", "spec", "containers")) {
			for _, e := range asList(bundletest.Get(c, "env")) {
				if strings.HasPrefix(bundletest.Get(e, "name").(string), "SMTP_") {
					e.(map[string]any)["valueFrom"] = map[string]any{"configMapKeyRef": map[string]any{"name": "smtp", "key": "address"}}
					return
				}
			}
		}
	}},
	"2.7-2.8/s3-env-verify": {"2.7-mysql-s3", "AWS_BUCKET of system-app's pre-hook is a literal again", func(t *testing.T, o map[string]map[string]any) {
		for _, e := range asList(bundletest.Get(o["DeploymentConfig/system-app"], "spec", "strategy", "rollingParams", "pre", "execNewPod", "env")) {
			if bundletest.Get(e, "name") == "AWS_BUCKET" {
				m := e.(map[string]any)
				delete(m, "valueFrom")
				m["value"] = "bucket"
			}
		}
	}},
	"2.7-2.8/images-verify": {"2.7-mysql-s3", "system-sidekiq still runs the image it ran before the upgrade", func(t *testing.T, o map[string]map[string]any) {
		old := "registry.redhat.io/3scale-amp2/system-rhel7@sha256:" + strings.Repeat("0", 64)
		for _, c := range asList(bundletest.Get(o["DeploymentConfig/system-sidekiq"], "spec", "template", "spec", "containers")) {
			c.(map[string]any)["image"] = old
		}
	}},
	"2.5-2.6/system-environment-check":      {site25, "the system-environment ConfigMap is missing", breakSystemEnvironment},
	"2.5-2.6/wildcard-policy-check":         {site25, "the wildcard route has wildcardPolicy Subdomain and the plan says None", breakWildcardPolicy},
	"2.5-2.6/registry-auth-secret-verify":   {site25, "threescale-registry-auth is an Opaque Secret", breakRegistryAuthSecret},
	"2.5-2.6/amp-service-account-verify":    {site25, "the amp service account has no image pull secret", breakAmpPullSecret},
	"2.5-2.6/service-account-verify":        {site25, "zync runs with the default service account", breakServiceAccount},
	"2.5-2.6/new-objects-verify":            {site25, "the zync-que role binding is missing", breakNewObjects},
	"2.5-2.6/system-redis-env-verify":       {site25, "REDIS_SENTINEL_HOSTS of system-sidekiq's check-svc reads the SENTINEL_ROLE key", breakSystemRedisEnv},
	"2.5-2.6/backend-redis-env-verify":      {site25, "CONFIG_QUEUES_SENTINEL_ROLE of backend-cron's init container reads system-redis", breakBackendRedisEnv},
	"2.5-2.6/database-image-streams-verify": {site25, "system-mysql has no ImageChange trigger on its image stream", breakDatabaseImageStreams},
	"2.5-2.6/images-verify":                 {site25, "system-sphinx runs the 2.5 system image", breakImages},
	"2.4-2.5/rolling-updates-verify":        {site24, "rolling_updates.yml has policy_registry: false", breakRollingUpdates},
	"2.4-2.5/system-database-secret-verify": {site24, "DB_PASSWORD of system-database is not system-mysql's MYSQL_PASSWORD", breakSystemDatabaseSecret},
	"2.4-2.5/system-mysql-verify":           {site24, "system-mysql's MYSQL_PASSWORD is a literal", breakSystemMySQLEnv},
	"2.4-2.5/zync-database-cleanup-verify":  {site24, "the postgresql image stream has tag 9.5 again", breakZyncDatabaseCleanup},
	"2.4-2.5/zync-database-tag-verify":      {site24, "the postgresql image stream has no tag 10", breakZyncDatabaseTag},
	"2.4-2.5/system-mysql-check":            {site24, "system-mysql is scaled to zero", breakSystemMySQLPods},
	"2.4-2.5/zync-database-verify":          {site24, "zync-database's pod runs the PostgreSQL 9.5 image", breakZyncDatabasePods},
}

// TestEveryVerifyCanFail checks the falsifiers' bookkeeping: every verify
// step of the rule modules is in bundletest.VerifyFalsifiedIn, the
// falsifiers of this package are those the table gives it, and each runs
// in a site that TestRunbookProperties runs by default. The falsifiers run
// in their site's clean run of TestRunbookProperties (falsifyAt): there
// the step passes on the cluster as the run left it and fails on a copy
// with its claim broken.
func TestEveryVerifyCanFail(t *testing.T) {
	t.Parallel()
	bundletest.CheckVerifyTable(t)
	bundletest.CheckFalsifiers(t, bundletest.InPropertyTest, keysOf(verifyFalsifiers))
	runs := map[string]bool{}
	for _, site := range propSites {
		runs[site.example] = !site.heavy && site.pending == ""
	}
	for id, f := range verifyFalsifiers {
		if !runs[f.site] {
			t.Errorf("the falsifier of %s runs in site %s, which TestRunbookProperties does not run by default", id, f.site)
		}
	}
}

// falsifiable lists the verify steps of the site's run that have a
// falsifier, in run order.
func (p *propRun) falsifiable(steps []planStep) []string {
	var ids []string
	for _, s := range steps {
		if f, ok := verifyFalsifiers[s.ID]; ok && f.site == p.site.example {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// falsifyAt breaks the claim of verify step id on a copy of the cluster
// and of the working directory of a run stopped at the step, and runs the
// copy on: the run must fail in that step.
func (p *propRun) falsifyAt(id string, c *bundletest.Cluster, work string) {
	t := p.t
	t.Helper()
	f := verifyFalsifiers[id]
	broken := bundletest.NewCluster(t, "")
	broken.Env = c.Env
	bundletest.CopyDir(t, broken.Dir, c.Dir)
	brokenWork := t.TempDir()
	bundletest.CopyDir(t, brokenWork, work)
	objects := broken.Objects(t)
	keys := keysOf(objects)
	f.breakIt(t, objects)
	for _, key := range keys {
		if objects[key] == nil {
			broken.Remove(t, key)
		}
	}
	for _, obj := range objects {
		broken.Put(t, obj)
	}
	out, err := p.exec(broken, brokenWork)
	started := bundletest.StartedSteps(out)
	if err == nil || len(started) == 0 || started[len(started)-1] != id {
		t.Errorf("%s passes although %s:\n%s", id, f.what, bundletest.Tail(out, 10))
	}
}
