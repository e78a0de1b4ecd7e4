package ocsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The 3scale operator's own upgrades from 2.9 to 2.15, as far as a
// runbook can observe them. Each release is a list of stages, run in
// order, each some seconds after the one before (upgradeStaged); the
// APIManager's annotations move only when the last one is done. What each
// release does comes from the operator's code (the fact sheets
// operator-2.8-2.9.md to operator-2.14-2.15.md and the branches
// 3scale-2.X-stable of 3scale/3scale-operator):
//
//   - 2.9 (0.6, pkg/3scale/amp/operator/upgrade*.go): every image stream
//     gets a tag 2.9, the DeploymentConfigs' ImageChange triggers move from
//     IS:latest to IS:2.9, the latest tags are deleted; Secret
//     system-master-apicast loses BASE_URL; zync and zync-que get label
//     threescale_component_element (zync_options_provider.go of
//     3scale-2.9-stable, "metering labels: zync labels").
//   - 2.10 to 2.14: each image stream gets the release's tag, the triggers
//     move from the previous tag to it (old tags stay). Images: 3scale's
//     own at 3scale2.X; Redis 3.2 → 5 (rhscl/redis-5-rhel7) at 2.11, MySQL
//     5.7 → 8.0 (rhel8/mysql-80) at 2.12, Redis 5 → 6 (rhel8/redis-6) at
//     2.14; the databases' data are in their claims and survive.
//   - 2.11 (0.8, upgrade.go of 3scale-2.11-stable): the Redis containers'
//     command becomes rh-redis5's redis-server with their trigger
//     (ensureRedisCommand); BACKEND_ROUTE of the
//     system-app containers, its pre hook and system-sidekiq becomes the
//     value http://backend-listener:3000/internal/ (the 2.8 templates read
//     it from Secret backend-listener's route_endpoint).
//   - 2.12 (0.9): AMP_RELEASE leaves the system containers' env (and
//     system-app's pre hook) and ConfigMap system-environment, the
//     MESSAGE_BUS_REDIS_* env vars leave the system containers (Secret
//     system-redis keeps its keys); ConfigMap mysql-extra-conf gets
//     mysql-default-authentication-plugin.cnf (internal MySQL).
//   - 2.14 (0.11, system_searchd_reconciler.go): DeploymentConfig and
//     Service system-sphinx deleted; PVC system-searchd, Service
//     system-searchd (9306), image stream and DeploymentConfig
//     system-searchd created; BACKEND_ROUTE and
//     APICAST_BACKEND_ROOT_ENDPOINT leave system-app and system-sidekiq,
//     BACKEND_URL and BACKEND_PUBLIC_URL (Secret backend-listener's
//     service_endpoint and route_endpoint) come (#821).
//   - 2.15 (0.12, pkg/upgrade/*_2.15.go): preflight first, an APIManager
//     not at 2.14 is refused (Preflights False, nothing changed); then
//     each DeploymentConfig becomes an apps/v1 Deployment of its name
//     (labels but deploymentConfig, env but REDIS_NAMESPACE, volumes,
//     replicas), deleted once the Deployment is available, the databases'
//     at once; Services select deployment=NAME; the system-app hooks become
//     Jobs system-app-pre and system-app-post; the image streams go
//     (system-postgresql's stays, as delete_image_streams_2.15.go lists
//     it not); PVC system-searchd is replaced by system-searchd-manticore
//     and Job system-searchd-manticore-reindex runs once system-searchd is
//     available.
//
// Not modelled (no runbook reads them): metering and rht.* pod labels,
// Prometheus settings, USER_SESSION_TTL (2.11),
// REDIS_CONF (2.14), secrets' owner references.
// Simplification: an APIManager more than one minor behind a release
// before 2.15 gets the missed releases' stages too (the operators before
// 0.10 ran only their own release's upgrade); runbooks move one channel
// at a time, and seeds (UpgradeSite) rely on it.
//
// $OCSIM_OPERATOR_FAIL=2.M stops release 2.M half way: the stages before
// the middle one are done, the APIManager keeps its annotations and gets
// condition Available False, reason UpgradeFailed, saying which stage.

// opStage is one stage of an operator upgrade: it reports whether it is
// done (a stage that waits for a rollout is asked again on later passes).
type opStage struct {
	name string
	run  func(c *Cluster, am Object) bool
}

// releaseDCs are the DeploymentConfigs the 3scale operator deploys before
// 2.15, in the order the 0.12 operator converts them
// (migrate_deployment_config_2.15.go), with the image stream each follows.
var releaseDCs = []struct{ dc, stream string }{
	{"apicast-staging", "amp-apicast"}, {"apicast-production", "amp-apicast"},
	{"backend-cron", "amp-backend"}, {"backend-listener", "amp-backend"}, {"backend-worker", "amp-backend"},
	{"system-memcache", "system-memcached"}, {"system-app", "amp-system"}, {"system-sidekiq", "amp-system"},
	{"system-sphinx", "amp-system"}, {"system-searchd", "system-searchd"},
	{"zync", "amp-zync"}, {"zync-que", "amp-zync"}, {"zync-database", "zync-database-postgresql"},
	{"backend-redis", "backend-redis"}, {"system-redis", "system-redis"},
	{"system-mysql", "system-mysql"}, {"system-postgresql", "system-postgresql"},
}

func databaseDC(name string) bool {
	switch name {
	case "backend-redis", "system-redis", "system-mysql", "system-postgresql", "zync-database":
		return true
	}
	return false
}

// releaseImage is the image of a stream's tag for release 2.M: 3scale's
// own images at 3scale2.M, the databases' where the release moved them,
// else the stream's current one.
func releaseImage(stream, current string, minor int) string {
	switch {
	case stream == "backend-redis" || stream == "system-redis":
		if minor >= 14 {
			return "registry.redhat.io/rhel8/redis-6:1"
		}
		if minor >= 11 {
			return "registry.redhat.io/rhscl/redis-5-rhel7:5"
		}
	case stream == "system-mysql" && minor >= 12:
		return "registry.redhat.io/rhel8/mysql-80:1"
	case stream == "system-searchd":
		return "registry.redhat.io/3scale-amp2/searchd-rhel7:3scale2." + strconv.Itoa(minor)
	}
	if strings.Contains(current, "/3scale-amp2/") {
		return repository(current) + ":3scale2." + strconv.Itoa(minor)
	}
	return current
}

// stagesFor lists the stages that take an APIManager from 2.from to 2.to.
func stagesFor(from, to int) []opStage {
	var out []opStage
	for m := max(from+1, 9); m <= to && m <= 14; m++ {
		m := m
		release := "2." + strconv.Itoa(m)
		if m == 11 {
			out = append(out, opStage{"BACKEND_ROUTE", backendRoute})
		}
		if m == 12 {
			out = append(out, opStage{"remove AMP_RELEASE", dropAMPRelease}, opStage{"MySQL 8 authentication plugin", mysqlAuthPlugin})
		}
		if m == 14 {
			out = append(out, opStage{"system-sphinx to system-searchd", sphinxToSearchd}, opStage{"BACKEND_URL", backendURL})
		}
		out = append(out,
			opStage{"image stream tags " + release, func(c *Cluster, am Object) bool { tagRelease(c, am, m); return true }},
			opStage{"ImageChange triggers to " + release, func(c *Cluster, am Object) bool { moveTriggers(c, am, release); return true }})
		if m == 9 {
			out = append(out, opStage{"delete the latest tags", deleteLatestTags}, opStage{"remove BASE_URL", dropBaseURL},
				opStage{"zync labels", zyncLabels})
		}
	}
	if to == 15 {
		for _, r := range releaseDCs {
			name := r.dc
			out = append(out, opStage{"DeploymentConfig " + name + " to Deployment", func(c *Cluster, am Object) bool { return convertDC(c, am, name) }})
		}
		out = append(out, opStage{"delete the image streams", deleteImageStreams},
			opStage{"system-app hooks to Jobs", hookJobs},
			opStage{"searchd to Manticore", manticore})
	}
	return out
}

// upgradeStaged runs the stages of the upgrade of am to release target
// (2.M or 2.M.P) and reports whether all are done.
func upgradeStaged(c *Cluster, am Object, target string) bool {
	from, to := minorOf(annotation(am, threescaleAnn)), minorOf(target)
	if from == 0 || from >= to {
		return true
	}
	base := upgradeKey(am, target)
	if c.st.Stages[base] == "done" {
		return true
	}
	if to == 15 && from != 14 {
		if c.after(base+"/preflight", 5*time.Second, 20*time.Second) {
			msg := fmt.Sprintf("Attempted upgrade from %s to %s not allowed: upgrade one minor release at a time", annotation(am, threescaleAnn), target)
			if setCondition(c, am, "Preflights", "False", "PreflightsFailed", msg) {
				c.put(am)
			}
		}
		return false
	}
	stages := stagesFor(from, to)
	idx, _ := strconv.Atoi(c.st.Stages[base])
	failAt := -1
	if !c.instant && c.matches(c.cfg.OperatorFail, majorMinor(target)) {
		failAt = max(1, len(stages)/2)
	}
	for idx < len(stages) {
		if idx == failAt {
			msg := fmt.Sprintf("upgrade to %s stopped before stage %d of %d (%s): the operator failed ($OCSIM_OPERATOR_FAIL)", majorMinor(target), idx+1, len(stages), stages[idx].name)
			if c.after(base+"/fail", 5*time.Second, 20*time.Second) && setCondition(c, am, "Available", "False", "UpgradeFailed", msg) {
				c.put(am)
			}
			return false
		}
		key := fmt.Sprintf("%s/%d", base, idx)
		if !c.after(key, 5*time.Second, 30*time.Second) {
			return false
		}
		if !stages[idx].run(c, am) {
			return false
		}
		c.done(key)
		idx++
		c.st.Stages[base] = strconv.Itoa(idx)
	}
	c.st.Stages[base] = "done"
	return true
}

// upgradeKey names the progress of an APIManager's upgrade to a release
// in the cluster's stages: the number of stages done, "done" once all are
// (until the annotations move).
func upgradeKey(am Object, target string) string {
	return "3scale-op/" + str(am, "metadata", "namespace") + "/" + str(am, "metadata", "name") + "/" + majorMinor(target)
}

func amOwnerRef(am Object) map[string]any {
	return map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": str(am, "metadata", "name"),
		"uid": str(am, "metadata", "uid"), "controller": true, "blockOwnerDeletion": true}
}

// tagRelease gives each of the APIManager's image streams a tag named
// after release 2.M from the release's image.
func tagRelease(c *Cluster, am Object, minor int) {
	ns := str(am, "metadata", "namespace")
	release := "2." + strconv.Itoa(minor)
	streams := append(append([]string{}, ampImageStreams...), "system-searchd")
	for _, name := range streams {
		is := c.get(ns, "ImageStream", name)
		if is == nil || externalComponentDeployment(am, name) || specTag(is, release) != nil {
			continue
		}
		current := ""
		for _, t := range list(is, "spec", "tags") {
			if str(t, "from", "kind") == "DockerImage" {
				current = str(t, "from", "name")
			}
		}
		image := releaseImage(name, current, minor)
		if image == "" {
			continue
		}
		gen := num(is, "metadata", "generation") + 1
		tags := append(list(is, "spec", "tags"), map[string]any{"name": release, "from": map[string]any{"kind": "DockerImage", "name": image},
			"importPolicy": map[string]any{}, "referencePolicy": map[string]any{"type": "Source"}, "generation": gen})
		setNested(is, tags, "spec", "tags")
		setNested(is, gen, "metadata", "generation")
		c.put(is)
	}
}

// moveTriggers points every ImageChange trigger of the namespace's
// release DeploymentConfigs at the release's tag of its stream.
func moveTriggers(c *Cluster, am Object, release string) {
	ns := str(am, "metadata", "namespace")
	for _, r := range releaseDCs {
		dc := c.get(ns, "DeploymentConfig", r.dc)
		if dc == nil {
			continue
		}
		changed := false
		for _, t := range list(dc, "spec", "triggers") {
			from := mapAt(t, "imageChangeParams", "from")
			if str(t, "type") != "ImageChange" || from == nil {
				continue
			}
			stream, tag, _ := strings.Cut(str(from, "name"), ":")
			if tag == release || c.get(ns, "ImageStream", stream) == nil || specTag(c.get(ns, "ImageStream", stream), release) == nil {
				continue
			}
			from["name"] = stream + ":" + release
			changed = true
		}
		if changed && release == "2.11" && (r.dc == "backend-redis" || r.dc == "system-redis") {
			// The 2.11 operator's ensureRedisCommand, in the same update as
			// the trigger (upgradeBackendRedisDeploymentConfig of
			// 3scale-2.11-stable): Redis 5's redis-server, which the
			// redis-5-rhel7 image ships under rh-redis5.
			if ctrs := list(dc, "spec", "template", "spec", "containers"); len(ctrs) > 0 {
				if ctr, _ := ctrs[0].(map[string]any); ctr != nil && ctr["command"] != nil {
					ctr["command"] = []any{"/opt/rh/rh-redis5/root/usr/bin/redis-server"}
				}
			}
		}
		if changed {
			c.bumpGeneration(dc)
			c.put(dc)
		}
	}
}

func deleteLatestTags(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	for _, name := range ampImageStreams {
		is := c.get(ns, "ImageStream", name)
		if is == nil || specTag(is, "latest") == nil {
			continue
		}
		var kept []any
		for _, t := range list(is, "spec", "tags") {
			if str(t, "name") != "latest" {
				kept = append(kept, t)
			}
		}
		setNested(is, kept, "spec", "tags")
		c.put(is)
	}
	return true
}

// zyncLabels gives the zync DeploymentConfigs and their pods the
// threescale_component_element label the 2.8 templates lacked.
func zyncLabels(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	for _, name := range []string{"zync", "zync-que"} {
		dc := c.get(ns, "DeploymentConfig", name)
		if dc == nil || str(dc, "metadata", "labels", "threescale_component_element") == name {
			continue
		}
		setNested(dc, name, "metadata", "labels", "threescale_component_element")
		setNested(dc, "zync", "spec", "template", "metadata", "labels", "threescale_component")
		setNested(dc, name, "spec", "template", "metadata", "labels", "threescale_component_element")
		c.bumpGeneration(dc)
		c.put(dc)
	}
	return true
}

func dropBaseURL(c *Cluster, am Object) bool {
	s := c.get(str(am, "metadata", "namespace"), "Secret", "system-master-apicast")
	if s != nil && mapAt(s, "data")["BASE_URL"] != nil {
		delete(mapAt(s, "data"), "BASE_URL")
		c.put(s)
	}
	return true
}

// dropEnv removes env vars from the containers (and init containers) of a
// workload's pod template; it reports whether it removed any.
func dropEnv(obj Object, names ...string) bool {
	drop := nameSet(names)
	changed := false
	for _, field := range []string{"containers", "initContainers"} {
		for _, ctr := range list(obj, "spec", "template", "spec", field) {
			changed = dropFromEnv(ctr.(map[string]any), drop) || changed
		}
	}
	return changed
}

// nameSet is a set of names.
func nameSet(names []string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	return set
}

// dropFromEnv removes the env vars named in drop from the env list of m (a
// container or a lifecycle hook's execNewPod); it reports whether it
// removed any.
func dropFromEnv(m map[string]any, drop map[string]bool) bool {
	env := list(m, "env")
	var kept []any
	for _, e := range env {
		if !drop[str(e, "name")] {
			kept = append(kept, e)
		}
	}
	switch {
	case len(kept) == len(env):
		return false
	case kept == nil:
		delete(m, "env")
	default:
		m["env"] = kept
	}
	return true
}

// setEnv sets an env var of a container (a map with env), in place when
// it is there, else at the end; it reports whether anything changed.
func setEnv(ctr map[string]any, e map[string]any) bool {
	env := list(ctr, "env")
	for i, cur := range env {
		if str(cur, "name") == str(e, "name") {
			if equalJSON(cur, e) {
				return false
			}
			env[i] = e
			return true
		}
	}
	ctr["env"] = append(env, e)
	return true
}

// systemEnvTargets are the env lists the operators keep in step on
// system-app (its containers and pre hook) and system-sidekiq.
func systemEnvTargets(dc Object) []map[string]any {
	var out []map[string]any
	for _, ctr := range list(dc, "spec", "template", "spec", "containers") {
		out = append(out, ctr.(map[string]any))
	}
	if hook := mapAt(dc, "spec", "strategy", "rollingParams", "pre", "execNewPod"); hook != nil && hook["env"] != nil {
		out = append(out, hook)
	}
	return out
}

func backendRoute(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	for _, name := range []string{"system-app", "system-sidekiq"} {
		dc := c.get(ns, "DeploymentConfig", name)
		if dc == nil {
			continue
		}
		changed := false
		for _, t := range systemEnvTargets(dc) {
			changed = setEnv(t, map[string]any{"name": "BACKEND_ROUTE", "value": "http://backend-listener:3000/internal/"}) || changed
		}
		if changed {
			c.bumpGeneration(dc)
			c.put(dc)
		}
	}
	return true
}

func backendURL(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	ref := func(name, key string) map[string]any {
		return map[string]any{"name": name, "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "backend-listener", "key": key}}}
	}
	for _, name := range []string{"system-app", "system-sidekiq"} {
		dc := c.get(ns, "DeploymentConfig", name)
		if dc == nil {
			continue
		}
		changed := dropEnv(dc, "BACKEND_ROUTE", "APICAST_BACKEND_ROOT_ENDPOINT")
		for _, t := range systemEnvTargets(dc) {
			var kept []any
			for _, e := range list(t, "env") {
				if n := str(e, "name"); n != "BACKEND_ROUTE" && n != "APICAST_BACKEND_ROOT_ENDPOINT" {
					kept = append(kept, e)
				}
			}
			if len(kept) != len(list(t, "env")) {
				t["env"] = kept
				changed = true
			}
			changed = setEnv(t, ref("BACKEND_URL", "service_endpoint")) || changed
			changed = setEnv(t, ref("BACKEND_PUBLIC_URL", "route_endpoint")) || changed
		}
		if changed {
			c.bumpGeneration(dc)
			c.put(dc)
		}
	}
	return true
}

// messageBusEnv are the system containers' env vars of the message bus
// Redis (Secret system-redis's MESSAGE_BUS_* keys), which the 2.12
// operator (0.9) no longer deploys.
var messageBusEnv = []string{"MESSAGE_BUS_REDIS_URL", "MESSAGE_BUS_REDIS_NAMESPACE", "MESSAGE_BUS_REDIS_SENTINEL_HOSTS", "MESSAGE_BUS_REDIS_SENTINEL_ROLE"}

func dropAMPRelease(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	for _, name := range []string{"system-app", "system-sidekiq", "system-sphinx"} {
		dc := c.get(ns, "DeploymentConfig", name)
		if dc == nil {
			continue
		}
		names := append([]string{"AMP_RELEASE"}, messageBusEnv...)
		changed := dropEnv(dc, names...)
		if hook := mapAt(dc, "spec", "strategy", "rollingParams", "pre", "execNewPod"); hook != nil {
			changed = dropFromEnv(hook, nameSet(names)) || changed
		}
		if changed {
			c.bumpGeneration(dc)
			c.put(dc)
		}
	}
	if cm := c.get(ns, "ConfigMap", "system-environment"); cm != nil && mapAt(cm, "data")["AMP_RELEASE"] != nil {
		delete(mapAt(cm, "data"), "AMP_RELEASE")
		c.put(cm)
	}
	return true
}

func mysqlAuthPlugin(c *Cluster, am Object) bool {
	if externalComponentDeployment(am, "system-mysql") {
		return true
	}
	cm := c.get(str(am, "metadata", "namespace"), "ConfigMap", "mysql-extra-conf")
	if cm != nil && mapAt(cm, "data")["mysql-default-authentication-plugin.cnf"] == nil {
		setNested(cm, "[mysqld]\ndefault_authentication_plugin=mysql_native_password\n", "data", "mysql-default-authentication-plugin.cnf")
		c.put(cm)
	}
	return true
}

func componentLabels(element string) map[string]any {
	return map[string]any{"app": "3scale-api-management", "threescale_component": "system", "threescale_component_element": element}
}

// sphinxToSearchd is upgradeFromSphinx of the 0.11 operator
// (system_searchd_reconciler.go, system_searchd.go of 3scale-2.14-stable).
func sphinxToSearchd(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	if dc := c.get(ns, "DeploymentConfig", "system-sphinx"); dc != nil {
		c.removeDC(dc)
	}
	if svc := c.get(ns, "Service", "system-sphinx"); svc != nil {
		c.remove(keyOf(svc))
	}
	owner := []any{amOwnerRef(am)}
	meta := func(name string) map[string]any {
		return map[string]any{"name": name, "namespace": ns, "labels": componentLabels("searchd"), "ownerReferences": owner}
	}
	if c.get(ns, "PersistentVolumeClaim", "system-searchd") == nil {
		c.create(Object{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("system-searchd"),
			"spec":   map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}},
			"status": map[string]any{"phase": "Bound", "accessModes": []any{"ReadWriteOnce"}, "capacity": map[string]any{"storage": "1Gi"}}})
	}
	if c.get(ns, "Service", "system-searchd") == nil {
		c.create(Object{"apiVersion": "v1", "kind": "Service", "metadata": meta("system-searchd"),
			"spec": map[string]any{"ports": []any{map[string]any{"name": "searchd", "port": int64(9306), "protocol": "TCP", "targetPort": int64(9306)}},
				"selector": map[string]any{"deploymentConfig": "system-searchd"}}})
	}
	if c.get(ns, "ImageStream", "system-searchd") == nil {
		c.create(Object{"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": meta("system-searchd"),
			"spec": map[string]any{"tags": []any{map[string]any{"name": "2.14", "from": map[string]any{"kind": "DockerImage", "name": releaseImage("system-searchd", "", 14)},
				"importPolicy": map[string]any{}, "referencePolicy": map[string]any{"type": "Source"}}}}})
	}
	if c.get(ns, "DeploymentConfig", "system-searchd") == nil {
		pod := componentLabels("searchd")
		pod["deploymentConfig"] = "system-searchd"
		c.create(Object{"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": meta("system-searchd"),
			"spec": map[string]any{"replicas": int64(1), "selector": map[string]any{"deploymentConfig": "system-searchd"},
				"strategy": map[string]any{"type": "Recreate", "recreateParams": map[string]any{"timeoutSeconds": int64(600)}},
				"triggers": []any{map[string]any{"type": "ConfigChange"}, map[string]any{"type": "ImageChange", "imageChangeParams": map[string]any{
					"automatic": true, "containerNames": []any{"system-searchd"}, "from": map[string]any{"kind": "ImageStreamTag", "name": "system-searchd:2.14"}}}},
				"template": map[string]any{"metadata": map[string]any{"labels": pod},
					"spec": map[string]any{"serviceAccountName": "amp", "containers": []any{map[string]any{
						"name": "system-searchd", "image": "system-searchd:2.14",
						"ports":          []any{map[string]any{"containerPort": int64(9306), "protocol": "TCP"}},
						"readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": int64(9306)}, "initialDelaySeconds": int64(30)},
						"volumeMounts":   []any{map[string]any{"name": "system-searchd-database", "mountPath": "/var/lib/searchd"}}}},
						"volumes": []any{map[string]any{"name": "system-searchd-database", "persistentVolumeClaim": map[string]any{"claimName": "system-searchd"}}}}}}})
	}
	return true
}

// removeDC deletes a DeploymentConfig as the garbage collector does: its
// ReplicationControllers and their pods go with it (the pods terminate).
func (c *Cluster) removeDC(dc Object) {
	ns, name := str(dc, "metadata", "namespace"), str(dc, "metadata", "name")
	for _, rc := range dcRCs(c, ns, name) {
		rcName := str(rc, "metadata", "name")
		for _, p := range c.list(ns, "Pod") {
			if ownedBy(p, "ReplicationController", rcName) {
				if labels(p)[labelDeployer] != nil || labels(p)[labelHookType] != nil {
					c.remove(keyOf(p))
				} else {
					c.terminate(p)
				}
			}
		}
		c.remove(keyOf(rc))
	}
	c.remove(keyOf(dc))
}

// deploymentFromDC is the Deployment the 0.12 operator makes of a
// DeploymentConfig (migrate_deployment_config_2.15.go).
func deploymentFromDC(am, dc Object) Object {
	name := str(dc, "metadata", "name")
	meta := map[string]any{"name": name, "namespace": str(dc, "metadata", "namespace"), "ownerReferences": []any{amOwnerRef(am)}}
	if l := mapAt(dc, "metadata", "labels"); l != nil {
		meta["labels"] = clone(l)
	}
	if a := mapAt(dc, "metadata", "annotations"); a != nil {
		meta["annotations"] = clone(a)
	}
	t := clone(mapAt(dc, "spec", "template"))
	pod := mapAt(t, "metadata", "labels")
	if pod == nil {
		pod = map[string]any{}
		setNested(t, pod, "metadata", "labels")
	}
	delete(pod, "deploymentConfig")
	delete(pod, "deploymentconfig")
	pod["deployment"] = name
	// The operator's own pod template labels (each component's
	// PodTemplateLabels: helper.MeteringLabels of 3scale-2.15-stable
	// pkg/helper/labels.go, for an application component), over the
	// DeploymentConfig's.
	for k, v := range map[string]any{"com.company": "Red_Hat", "rht.prod_name": "Red_Hat_Integration", "rht.prod_ver": "master",
		"rht.comp": "3scale", "rht.comp_ver": "2.15", "rht.subcomp": name, "rht.subcomp_t": "application"} {
		pod[k] = v
	}
	d := Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
		"spec": map[string]any{"replicas": num(dc, "spec", "replicas"), "selector": map[string]any{"matchLabels": map[string]any{"deployment": name}},
			"template": t}}
	for _, ctr := range list(d, "spec", "template", "spec", "containers") {
		m := ctr.(map[string]any)
		if img := str(m, "image"); strings.Contains(img, "/3scale-amp2/") {
			m["image"] = pinned(repository(img) + ":3scale2.15")
		}
	}
	dropEnv(d, "REDIS_NAMESPACE")
	if str(dc, "spec", "strategy", "type") == "Recreate" {
		setNested(d, map[string]any{"type": "Recreate"}, "spec", "strategy")
	} else {
		setNested(d, map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxSurge": "25%", "maxUnavailable": "25%"}}, "spec", "strategy")
	}
	return d
}

func deploymentAvailable(d Object) bool {
	want := int64(1)
	if nested(d, "spec", "replicas") != nil {
		want = num(d, "spec", "replicas")
	}
	return num(d, "status", "observedGeneration") >= num(d, "metadata", "generation") &&
		num(d, "status", "readyReplicas") >= want && num(d, "status", "updatedReplicas") >= want
}

// convertDC is one DeploymentConfig's move to a Deployment: the
// Deployment created; a database's DeploymentConfig deleted at once (its
// ReadWriteOnce claim cannot be mounted twice), another's once the
// Deployment is available; then the Services that selected its pods
// select the Deployment's.
func convertDC(c *Cluster, am Object, name string) bool {
	ns := str(am, "metadata", "namespace")
	dc := c.get(ns, "DeploymentConfig", name)
	d := c.get(ns, "Deployment", name)
	if dc == nil {
		return true
	}
	if d == nil {
		d = deploymentFromDC(am, dc)
		c.create(d)
		if databaseDC(name) {
			c.removeDC(dc)
			reselect(c, ns, name)
			return true
		}
		return false
	}
	if !deploymentAvailable(d) {
		return false
	}
	c.removeDC(dc)
	reselect(c, ns, name)
	return true
}

// reselect makes the Services that selected a DeploymentConfig's pods
// select its Deployment's.
func reselect(c *Cluster, ns, name string) {
	for _, svc := range c.list(ns, "Service") {
		sel := mapAt(svc, "spec", "selector")
		if sel == nil || (sel["deploymentConfig"] != name && sel["deploymentconfig"] != name) {
			continue
		}
		setNested(svc, map[string]any{"deployment": name}, "spec", "selector")
		c.put(svc)
	}
}

// deletedImageStreams are the streams delete_image_streams_2.15.go
// deletes (system-postgresql is not in its list).
var deletedImageStreams = []string{"amp-apicast", "amp-backend", "amp-system", "amp-zync", "backend-redis", "system-memcached",
	"system-mysql", "system-redis", "system-searchd", "zync-database-postgresql"}

func deleteImageStreams(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	for _, name := range deletedImageStreams {
		if is := c.get(ns, "ImageStream", name); is != nil {
			c.remove(keyOf(is))
		}
	}
	return true
}

// newJob is a one-off Job of the operator from a container of a
// Deployment's pod template, running args.
func newJob(c *Cluster, am, from Object, name, element string, args []any, withVolumes bool) {
	ns := str(am, "metadata", "namespace")
	if c.get(ns, "Job", name) != nil {
		return
	}
	ctrs := list(from, "spec", "template", "spec", "containers")
	if len(ctrs) == 0 {
		return
	}
	ctr := clone(ctrs[0].(map[string]any))
	ctr["name"] = name
	ctr["args"] = args
	for _, k := range []string{"ports", "readinessProbe", "livenessProbe", "command"} {
		delete(ctr, k)
	}
	spec := map[string]any{"restartPolicy": "Never", "serviceAccountName": "amp", "containers": []any{ctr}}
	if withVolumes {
		if v := list(from, "spec", "template", "spec", "volumes"); v != nil {
			spec["volumes"] = v
		}
	} else {
		delete(ctr, "volumeMounts")
	}
	c.create(Object{"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": componentLabels(element), "ownerReferences": []any{amOwnerRef(am)}},
		"spec": map[string]any{"backoffLimit": int64(6), "completions": int64(1), "parallelism": int64(1),
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"job-name": name}}, "spec": spec}},
		"status": map[string]any{"startTime": c.timestamp(), "active": int64(1)}})
}

// hookJobs replaces system-app's lifecycle hooks with the Jobs
// system-app-pre (before) and system-app-post (once it is available).
func hookJobs(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	app := c.get(ns, "Deployment", "system-app")
	if app == nil {
		return true
	}
	newJob(c, am, app, "system-app-pre", "app", []any{"bash", "-c", "bundle exec rake boot openshift:deploy"}, true)
	if !jobComplete(c.get(ns, "Job", "system-app-pre")) || !deploymentAvailable(app) {
		return false
	}
	newJob(c, am, app, "system-app-post", "app", []any{"bash", "-c", "bundle exec rake boot openshift:post_deploy"}, true)
	return true
}

func jobComplete(j Object) bool { return j != nil && num(j, "status", "succeeded") > 0 }

// manticore replaces searchd's claim and reindexes once system-searchd
// is available again.
func manticore(c *Cluster, am Object) bool {
	ns := str(am, "metadata", "namespace")
	d := c.get(ns, "Deployment", "system-searchd")
	if d == nil {
		return true
	}
	if old := c.get(ns, "PersistentVolumeClaim", "system-searchd"); old != nil {
		c.remove(keyOf(old))
	}
	if c.get(ns, "PersistentVolumeClaim", "system-searchd-manticore") == nil {
		c.create(Object{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
			"metadata": map[string]any{"name": "system-searchd-manticore", "namespace": ns, "labels": componentLabels("searchd"), "ownerReferences": []any{amOwnerRef(am)}},
			"spec":     map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}},
			"status":   map[string]any{"phase": "Bound", "accessModes": []any{"ReadWriteOnce"}, "capacity": map[string]any{"storage": "1Gi"}}})
		for _, v := range list(d, "spec", "template", "spec", "volumes") {
			if str(v, "persistentVolumeClaim", "claimName") == "system-searchd" {
				setNested(v.(map[string]any), "system-searchd-manticore", "persistentVolumeClaim", "claimName")
			}
		}
		for _, ctr := range list(d, "spec", "template", "spec", "containers") {
			ctr.(map[string]any)["image"] = pinned("registry.redhat.io/3scale-amp2/manticore-rhel9:3scale2.15")
		}
		c.bumpGeneration(d)
		c.put(d)
		return false
	}
	if !deploymentAvailable(d) {
		return false
	}
	app := c.get(ns, "Deployment", "system-app")
	if app == nil {
		app = d
	}
	newJob(c, am, app, "system-searchd-manticore-reindex", "searchd", []any{"bash", "-c", "bundle exec rake searchd:optimal_index"}, false)
	return true
}

// jobController completes the Jobs of a namespace some time after they
// start (no pods: the operator's Jobs are one-off rake tasks whose work
// the simulator does not model). It runs with the 3scale operator, so
// only operator sites pay for it.
func jobController(c *Cluster, ns string) {
	for _, j := range c.list(ns, "Job") {
		if num(j, "status", "succeeded") > 0 || num(j, "status", "failed") > 0 {
			continue
		}
		key := "job/" + ns + "/" + str(j, "metadata", "name")
		if !c.after(key, 10*time.Second, 60*time.Second) {
			continue
		}
		c.done(key)
		delete(mapAt(j, "status"), "active")
		setNested(j, int64(1), "status", "succeeded")
		setNested(j, c.timestamp(), "status", "completionTime")
		setNested(j, []any{map[string]any{"type": "Complete", "status": "True", "lastProbeTime": c.timestamp(), "lastTransitionTime": c.timestamp()}}, "status", "conditions")
		c.put(j)
	}
}
