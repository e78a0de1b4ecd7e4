package propertytest

import (
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
)

// The falsifiers of the 2.5 → 2.6 verify steps (verifyFalsifiers), on the
// cluster of the 2.5-to-2.6-mysql site as its run leaves it when it stops
// at the step.

// site25 is the example whose run the 2.5 → 2.6 falsifiers break.
const site25 = "2.5-to-2.6-mysql"

// breakSystemEnvironment deletes the system-environment ConfigMap, as on
// a site upgraded from before 2.4 that never created it: such a site
// carries its release as the literal AMP_RELEASE=2.5.0 that the 2.4 → 2.5
// guide's oc set env dc/system-app leaves (002_fcdd7c3ee9f6ca34.txt 2.1),
// which is where the preflight reads it then.
func breakSystemEnvironment(t *testing.T, o map[string]map[string]any) {
	delete(o, "ConfigMap/system-environment")
	for _, c := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-app"], "spec", "template", "spec", "containers")) {
		for _, e := range proptest.AsList(bundletest.Get(c, "env")) {
			if e := e.(map[string]any); e["name"] == "AMP_RELEASE" {
				delete(e, "valueFrom")
				e["value"] = "2.5.0"
			}
		}
	}
}

// breakWildcardPolicy makes the wildcard route the one of a site deployed
// with WILDCARD_POLICY=Subdomain, which the plan (None) does not say.
func breakWildcardPolicy(t *testing.T, o map[string]map[string]any) {
	spec := bundletest.Get(o["Route/apicast-wildcard-router"], "spec").(map[string]any)
	spec["wildcardPolicy"] = "Subdomain"
	spec["host"] = "wildcard.apps.example.com"
}

// breakRegistryAuthSecret makes threescale-registry-auth an Opaque Secret,
// as oc create secret generic without --type leaves it.
func breakRegistryAuthSecret(t *testing.T, o map[string]map[string]any) {
	o["Secret/threescale-registry-auth"]["type"] = "Opaque"
}

// breakAmpPullSecret leaves the amp service account without
// threescale-registry-auth among its image pull secrets.
func breakAmpPullSecret(t *testing.T, o map[string]map[string]any) {
	sa := o["ServiceAccount/amp"]
	if sa == nil {
		t.Fatal("no amp service account to break")
	}
	delete(sa, "imagePullSecrets")
}

// breakServiceAccount runs zync with the project's default service account
// again.
func breakServiceAccount(t *testing.T, o map[string]map[string]any) {
	spec := bundletest.Get(o["DeploymentConfig/zync"], "spec", "template", "spec").(map[string]any)
	spec["serviceAccountName"] = "default"
}

// breakNewObjects deletes the zync-que role binding.
func breakNewObjects(t *testing.T, o map[string]map[string]any) {
	if o["RoleBinding/zync-que-rolebinding"] == nil {
		t.Fatal("no zync-que-rolebinding to delete")
	}
	delete(o, "RoleBinding/zync-que-rolebinding")
}

// breakSystemRedisEnv makes REDIS_SENTINEL_HOSTS of system-sidekiq's
// check-svc init container read the Sentinel role's key.
func breakSystemRedisEnv(t *testing.T, o map[string]map[string]any) {
	setSecretKey(t, o["DeploymentConfig/system-sidekiq"], "initContainers", "check-svc", "REDIS_SENTINEL_HOSTS", "system-redis", "SENTINEL_ROLE")
}

// breakBackendRedisEnv makes CONFIG_QUEUES_SENTINEL_ROLE of backend-cron's
// backend-redis-svc init container read the system-redis Secret.
func breakBackendRedisEnv(t *testing.T, o map[string]map[string]any) {
	setSecretKey(t, o["DeploymentConfig/backend-cron"], "initContainers", "backend-redis-svc", "CONFIG_QUEUES_SENTINEL_ROLE", "system-redis", "REDIS_QUEUES_SENTINEL_ROLE")
}

// breakDatabaseImageStreams gives system-mysql the triggers of the 2.5
// template again: a config change only, its image a literal, no image
// stream.
func breakDatabaseImageStreams(t *testing.T, o map[string]map[string]any) {
	bundletest.Get(o["DeploymentConfig/system-mysql"], "spec").(map[string]any)["triggers"] = []any{map[string]any{"type": "ConfigChange"}}
}

// breakImages makes system-sphinx run the 2.5 system image, pinned by a
// digest.
func breakImages(t *testing.T, o map[string]map[string]any) {
	old := "registry.access.redhat.com/3scale-amp25/system@sha256:" + "1111111111111111111111111111111111111111111111111111111111111111"
	for _, c := range proptest.AsList(bundletest.Get(o["DeploymentConfig/system-sphinx"], "spec", "template", "spec", "containers")) {
		c.(map[string]any)["image"] = old
	}
}

// setSecretKey makes env var name of container ctr (in field, containers
// or initContainers) of a DeploymentConfig read key of Secret secret.
func setSecretKey(t *testing.T, dc map[string]any, field, ctr, name, secret, key string) {
	t.Helper()
	for _, c := range proptest.AsList(bundletest.Get(dc, "spec", "template", "spec", field)) {
		if bundletest.Get(c, "name") != ctr {
			continue
		}
		for _, e := range proptest.AsList(bundletest.Get(c, "env")) {
			if e := e.(map[string]any); e["name"] == name {
				e["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": secret, "key": key}}
				return
			}
		}
	}
	t.Fatalf("no env var %s in %s %s", name, field, ctr)
}
