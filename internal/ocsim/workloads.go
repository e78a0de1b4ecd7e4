package ocsim

import (
	"fmt"
	"hash/fnv"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"
)

// controllers run in this order on every pass.
var controllers = []func(*Cluster){
	importController,
	dcController,
	deploymentController,
	rcController,
	podController,
	olmController,
	threescaleOperator,
	apicastOperator,
}

// Annotations and labels of DeploymentConfig rollouts, as origin names them.
const (
	annPhase        = "openshift.io/deployment.phase"
	annDCName       = "openshift.io/deployment-config.name"
	annDCVersion    = "openshift.io/deployment-config.latest-version"
	annDeployerPod  = "openshift.io/deployer-pod.name"
	annCancelled    = "openshift.io/deployment.cancelled"
	annStatusReason = "openshift.io/deployment.status-reason"
	labelDCName     = "openshift.io/deployment-config.name"
	labelDeployer   = "openshift.io/deployer-pod-for.name"
	labelHookType   = "openshift.io/deployer-pod.type"
)

func ownerRef(owner Object) map[string]any {
	return map[string]any{
		"apiVersion": owner["apiVersion"], "kind": owner["kind"],
		"name": str(owner, "metadata", "name"), "uid": str(owner, "metadata", "uid"),
		"controller": true, "blockOwnerDeletion": true,
	}
}

func ownedBy(obj Object, kind, name string) bool {
	for _, r := range list(obj, "metadata", "ownerReferences") {
		if str(r, "kind") == kind && str(r, "name") == name {
			return true
		}
	}
	return false
}

func terminating(pod Object) bool { return nested(pod, "metadata", "deletionTimestamp") != nil }

func podReady(pod Object) bool {
	for _, cond := range list(pod, "status", "conditions") {
		if str(cond, "type") == "Ready" {
			return str(cond, "status") == "True"
		}
	}
	return false
}

// finished tells a pod that has ended (Succeeded, or Failed as an evicted
// pod is): a controller no longer counts it, and it lingers until someone
// deletes it.
func finished(pod Object) bool {
	phase := str(pod, "status", "phase")
	return phase == "Succeeded" || phase == "Failed"
}

// ownedPods lists a workload's pods: active ones and terminating ones;
// finished ones are neither (controller.FilterActivePods).
func (c *Cluster) ownedPods(ns, kind, name string) (active, dying []Object) {
	pods := c.listWhere(ns, "Pod", func(p Object) bool {
		return ownedBy(p, kind, name) && labels(p)[labelDeployer] == nil && labels(p)[labelHookType] == nil && (!finished(p) || terminating(p))
	})
	for _, p := range pods {
		if terminating(p) {
			dying = append(dying, p)
		} else {
			active = append(active, p)
		}
	}
	return active, dying
}

// newPod creates a pending pod from a pod template.
func (c *Cluster) newPod(ns, name string, owner Object, template map[string]any, extraLabels map[string]any, neverReady bool) Object {
	meta := map[string]any{"name": name, "namespace": ns}
	lbls := map[string]any{}
	for k, v := range mapAt(template, "metadata", "labels") {
		lbls[k] = v
	}
	for k, v := range extraLabels {
		lbls[k] = v
	}
	meta["labels"] = lbls
	if a := mapAt(template, "metadata", "annotations"); len(a) > 0 {
		meta["annotations"] = clone(a)
	}
	if owner != nil {
		meta["ownerReferences"] = []any{ownerRef(owner)}
	}
	spec := clone(mapAt(template, "spec"))
	if spec == nil {
		spec = map[string]any{}
	}
	pod := Object{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
		"status": map[string]any{"phase": "Pending"}}
	if neverReady {
		c.st.Stages["pod/"+ns+"/"+name] = "never-ready"
	}
	c.create(pod)
	return pod
}

// terminate starts a pod's graceful deletion: it lingers, not ready, until
// its grace period ends.
func (c *Cluster) terminate(pod Object) {
	if terminating(pod) {
		return
	}
	setNested(pod, c.timestamp(), "metadata", "deletionTimestamp")
	setNested(pod, int64(30), "metadata", "deletionGracePeriodSeconds")
	setPodReady(pod, false, c.timestamp())
	c.put(pod)
	if str(pod, "status", "phase") == "Running" {
		c.podStopping(pod)
	}
}

func setPodReady(pod Object, ready bool, at string) {
	status := "False"
	if ready {
		status = "True"
	}
	var conds []any
	for _, t := range []string{"Initialized", "Ready", "ContainersReady", "PodScheduled"} {
		s := "True"
		if t == "Ready" || t == "ContainersReady" {
			s = status
		}
		conds = append(conds, map[string]any{"type": t, "status": s, "lastTransitionTime": at})
	}
	setNested(pod, conds, "status", "conditions")
	var cs []any
	for _, ctr := range list(pod, "spec", "containers") {
		image := str(ctr, "image")
		cs = append(cs, map[string]any{
			"name": str(ctr, "name"), "image": image, "imageID": pinned(image),
			"ready": ready, "restartCount": int64(0), "started": true,
			"state": map[string]any{"running": map[string]any{"startedAt": at}},
		})
	}
	setNested(pod, cs, "status", "containerStatuses")
}

// workloadOf names the DeploymentConfig or Deployment a pod belongs to
// (NAMESPACE/NAME), or "" for another pod.
func (c *Cluster) workloadOf(pod Object) string {
	ns := str(pod, "metadata", "namespace")
	if dc, _ := labels(pod)["deploymentconfig"].(string); dc != "" && labels(pod)[labelDeployer] == nil && labels(pod)[labelHookType] == nil {
		return ns + "/" + dc
	}
	for _, r := range list(pod, "metadata", "ownerReferences") {
		if str(r, "kind") == "ReplicaSet" {
			if i := strings.LastIndex(str(r, "name"), "-"); i > 0 {
				return ns + "/" + str(r, "name")[:i]
			}
		}
	}
	return ""
}

// evicting tells a running pod of a workload that $OCSIM_EVICT names and
// that has not lost a pod to eviction yet.
func (c *Cluster) evicting(pod Object) bool {
	w := c.workloadOf(pod)
	if w == "" || c.instant || c.st.Stages["evicted/"+w] != "" {
		return false
	}
	_, name, _ := strings.Cut(w, "/")
	for _, e := range c.cfg.Evict {
		if e == name {
			return true
		}
	}
	return false
}

// evict ends a pod as the kubelet of a node under memory pressure does:
// phase Failed, reason Evicted, its containers terminated. The pod lingers;
// its controller starts another.
func evict(c *Cluster, pod Object) {
	c.podStopping(pod)
	setNested(pod, "Failed", "status", "phase")
	setNested(pod, "Evicted", "status", "reason")
	setNested(pod, "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91388Ki. ", "status", "message")
	setPodReady(pod, false, c.timestamp())
	for _, cs := range list(pod, "status", "containerStatuses") {
		m := cs.(map[string]any)
		m["started"] = false
		m["state"] = map[string]any{"terminated": map[string]any{"exitCode": int64(137), "reason": "ContainerStatusUnknown",
			"message": "The container could not be located when the pod was terminated", "finishedAt": c.timestamp()}}
	}
	c.put(pod)
}

// podConfigError is what the kubelet says when it cannot build a pod's
// containers' environment: a ConfigMap or Secret that an env var (not
// optional) or envFrom names is missing, or the key it names
// (kubelet_pods.go makeEnvironmentVariables); "" when every reference
// resolves.
func (c *Cluster) podConfigError(pod Object) string {
	ns := str(pod, "metadata", "namespace")
	source := func(kind, name, key string, optional bool) string {
		obj := c.get(ns, kind, name)
		lower := strings.ToLower(kind)
		switch {
		case optional:
			return ""
		case obj == nil:
			return fmt.Sprintf("%s %q not found", lower, name)
		case key == "":
			return ""
		}
		if _, ok := mapAt(obj, "data")[key]; !ok {
			return fmt.Sprintf("couldn't find key %s in %s %s/%s", key, kind, ns, name)
		}
		return ""
	}
	opt := func(ref any) bool { b, _ := nested(ref, "optional").(bool); return b }
	for _, field := range []string{"initContainers", "containers"} {
		for _, ctr := range list(pod, "spec", field) {
			for _, from := range list(ctr, "envFrom") {
				if ref := mapAt(from, "configMapRef"); ref != nil {
					if msg := source("ConfigMap", str(ref, "name"), "", opt(ref)); msg != "" {
						return msg
					}
				}
				if ref := mapAt(from, "secretRef"); ref != nil {
					if msg := source("Secret", str(ref, "name"), "", opt(ref)); msg != "" {
						return msg
					}
				}
			}
			for _, e := range list(ctr, "env") {
				if ref := mapAt(e, "valueFrom", "configMapKeyRef"); ref != nil {
					if msg := source("ConfigMap", str(ref, "name"), str(ref, "key"), opt(ref)); msg != "" {
						return msg
					}
				}
				if ref := mapAt(e, "valueFrom", "secretKeyRef"); ref != nil {
					if msg := source("Secret", str(ref, "name"), str(ref, "key"), opt(ref)); msg != "" {
						return msg
					}
				}
			}
		}
	}
	return ""
}

// setPodWaiting shows a pending pod's containers waiting for reason, not
// ready; it reports whether the status changed (a pod already waiting for
// the same reason is left as it is).
func setPodWaiting(pod Object, reason, msg, at string) bool {
	cs := list(pod, "status", "containerStatuses")
	if len(cs) > 0 && str(cs[0], "state", "waiting", "reason") == reason && str(cs[0], "state", "waiting", "message") == msg {
		return false
	}
	setPodReady(pod, false, at)
	for _, cs := range list(pod, "status", "containerStatuses") {
		m := cs.(map[string]any)
		m["state"] = map[string]any{"waiting": map[string]any{"reason": reason, "message": msg}}
		m["started"] = false
		delete(m, "imageID")
	}
	for _, cond := range list(pod, "status", "conditions") {
		if t := str(cond, "type"); t == "Ready" || t == "ContainersReady" {
			cond.(map[string]any)["reason"] = "ContainersNotReady"
		}
	}
	return true
}

// finishPod ends a deployer or hook pod.
func finishPod(c *Cluster, pod Object, ok bool) {
	phase, code := "Succeeded", int64(0)
	if !ok {
		phase, code = "Failed", 1
	}
	setNested(pod, phase, "status", "phase")
	var cs []any
	for _, ctr := range list(pod, "spec", "containers") {
		cs = append(cs, map[string]any{
			"name": str(ctr, "name"), "image": str(ctr, "image"), "imageID": pinned(str(ctr, "image")),
			"ready": false, "restartCount": int64(0),
			"state": map[string]any{"terminated": map[string]any{"exitCode": code, "finishedAt": c.timestamp()}},
		})
	}
	setNested(pod, cs, "status", "containerStatuses")
	c.put(pod)
}

// podController starts pending pods, makes them ready a few seconds later
// (never, for a rollout that is set to fail), and removes terminating pods
// once their grace period is over.
func podController(c *Cluster) {
	for _, pod := range c.list("", "Pod") {
		ns, name := str(pod, "metadata", "namespace"), str(pod, "metadata", "name")
		base := ns + "/" + name
		if terminating(pod) {
			if c.after("pod-gone/"+base, 10*time.Second, 45*time.Second) {
				c.done("pod-gone/" + base)
				delete(c.st.Stages, "pod/"+base)
				c.remove(keyOf(pod))
			}
			continue
		}
		if labels(pod)[labelDeployer] != nil || labels(pod)[labelHookType] != nil {
			continue // the deployer drives these
		}
		switch str(pod, "status", "phase") {
		case "Pending":
			if c.after("pod-start/"+base, 2*time.Second, 8*time.Second) {
				// The kubelet resolves the containers' env when it
				// creates them: a missing ConfigMap, Secret or key keeps
				// the pod waiting, and it tries again later.
				if msg := c.podConfigError(pod); msg != "" {
					if setPodWaiting(pod, "CreateContainerConfigError", msg, c.timestamp()) {
						c.put(pod)
					}
					continue
				}
				c.done("pod-start/" + base)
				setNested(pod, "Running", "status", "phase")
				setNested(pod, c.timestamp(), "status", "startTime")
				setPodReady(pod, false, c.timestamp())
				c.put(pod)
				c.podStarted(pod)
			}
		case "Running":
			if podReady(pod) && c.evicting(pod) {
				key := "pod-evict/" + c.workloadOf(pod)
				if c.after(key, 5*time.Second, 30*time.Second) {
					c.done(key)
					c.st.Stages["evicted/"+c.workloadOf(pod)] = "done"
					evict(c, pod)
				}
				continue
			}
			if podReady(pod) || c.st.Stages["pod/"+base] == "never-ready" {
				continue
			}
			if c.after("pod-ready/"+base, 3*time.Second, 15*time.Second) {
				c.done("pod-ready/" + base)
				setPodReady(pod, true, c.timestamp())
				c.put(pod)
				c.redisProbe(pod)
			}
		}
	}
}

// rcController keeps each ReplicationController's pod count at its
// replicas and its status in step with its pods.
func rcController(c *Cluster) {
	for _, rc := range c.list("", "ReplicationController") {
		ns, name := str(rc, "metadata", "namespace"), str(rc, "metadata", "name")
		want := num(rc, "spec", "replicas")
		active, _ := c.ownedPods(ns, "ReplicationController", name)
		never := c.st.Stages["rc-fail/"+ns+"/"+name] == "fail"
		for i := int64(len(active)); i < want; i++ {
			lbl := map[string]any{"deployment": name}
			if dc := annotation(rc, annDCName); dc != "" {
				lbl["deploymentconfig"] = dc
			}
			active = append(active, c.newPod(ns, name+"-"+c.suffix(5), rc, mapAt(rc, "spec", "template"), lbl, never))
		}
		for int64(len(active)) > want {
			c.terminate(active[len(active)-1])
			active = active[:len(active)-1]
		}
		ready := int64(0)
		for _, p := range active {
			if podReady(p) {
				ready++
			}
		}
		status := map[string]any{"replicas": int64(len(active)), "fullyLabeledReplicas": int64(len(active)),
			"readyReplicas": ready, "availableReplicas": ready, "observedGeneration": num(rc, "metadata", "generation")}
		if ready == 0 {
			delete(status, "readyReplicas")
			delete(status, "availableReplicas")
		}
		if !equalJSON(status, rc["status"]) {
			rc["status"] = status
			c.put(rc)
		}
	}
}

// --- DeploymentConfigs ---

func dcRCs(c *Cluster, ns, dc string) []Object {
	out := c.listWhere(ns, "ReplicationController", func(rc Object) bool { return annotation(rc, annDCName) == dc })
	sort.Slice(out, func(i, j int) bool { return rcVersion(out[i]) < rcVersion(out[j]) })
	return out
}

func rcVersion(rc Object) int64 {
	v, _ := strconv.ParseInt(annotation(rc, annDCVersion), 10, 64)
	return v
}

func terminalPhase(p string) bool { return p == "Complete" || p == "Failed" }

// rcTemplateOf strips what the deployer adds to a DeploymentConfig's
// template when it copies it into a ReplicationController.
func rcTemplateOf(rc Object) map[string]any { return clone(rcTemplateView(rc)) }

// rcTemplateView is rcTemplateOf sharing all but the template's metadata
// with the RC: for reading only (configChanged compares it on every pass).
func rcTemplateView(rc Object) map[string]any {
	t := maps.Clone(mapAt(rc, "spec", "template"))
	meta := maps.Clone(mapAt(t, "metadata"))
	if meta == nil {
		return t
	}
	t["metadata"] = meta
	if l := maps.Clone(mapAt(meta, "labels")); l != nil {
		delete(l, "deployment")
		delete(l, "deploymentconfig")
		meta["labels"] = l
	}
	if a := maps.Clone(mapAt(meta, "annotations")); a != nil {
		delete(a, annDCVersion)
		delete(a, annDCName)
		delete(a, "openshift.io/deployment.name")
		meta["annotations"] = a
		if len(a) == 0 {
			delete(meta, "annotations")
		}
	}
	return t
}

func hasTrigger(dc Object, typ string) bool {
	for _, t := range list(dc, "spec", "triggers") {
		if str(t, "type") == typ {
			return true
		}
	}
	return false
}

// instantiate starts a new deployment, as the instantiate endpoint does.
func (c *Cluster) instantiate(dc Object, cause map[string]any) {
	v := num(dc, "status", "latestVersion") + 1
	setNested(dc, v, "status", "latestVersion")
	if !c.instant {
		// The seeded objects are taken as the settled state: bootstrap
		// does not count its own changes in the generation.
		setNested(dc, num(dc, "metadata", "generation")+1, "metadata", "generation")
	}
	setNested(dc, map[string]any{"message": str(cause, "type") + " change", "causes": []any{cause}}, "status", "details")
	c.put(dc)
}

func (c *Cluster) failing(name string) bool {
	if c.instant {
		return false
	}
	for _, f := range c.cfg.DeployFail {
		if f == name {
			return true
		}
	}
	return false
}

func dcController(c *Cluster) {
	for _, dc := range c.list("", "DeploymentConfig") {
		ns, name := str(dc, "metadata", "namespace"), str(dc, "metadata", "name")
		base := ns + "/" + name
		gen := num(dc, "metadata", "generation")
		paused, _ := nested(dc, "spec", "paused").(bool)
		if num(dc, "status", "observedGeneration") < gen {
			key := fmt.Sprintf("dc-observe/%s/%d", base, gen)
			if !c.after(key, 300*time.Millisecond, 1500*time.Millisecond) {
				continue
			}
			c.done(key)
			// The pass that sees a new generation turns a config change
			// into a new latestVersion first, in a status update that
			// leaves the generation unobserved and unchanged; the next
			// pass, at once, creates the deployment and observes the
			// generation (triggerActivated and Handle in
			// openshift-controller-manager, the status strategy in
			// openshift-apiserver). Both passes happen here, so no read
			// shows the generation observed with the old latestVersion.
			if !paused && configChanged(c, dc) {
				setNested(dc, num(dc, "status", "latestVersion")+1, "status", "latestVersion")
				setNested(dc, map[string]any{"message": "config change", "causes": []any{map[string]any{"type": "ConfigChange"}}}, "status", "details")
			}
			setNested(dc, gen, "status", "observedGeneration")
			c.put(dc)
		}
		if !paused {
			dcTriggers(c, dc)
		}
		deployer(c, dc)
		dcStatus(c, dc)
	}
}

func dcTriggers(c *Cluster, dc Object) {
	ns, name := str(dc, "metadata", "namespace"), str(dc, "metadata", "name")
	base := ns + "/" + name
	latest := num(dc, "status", "latestVersion")
	resolved := true
	for _, t := range list(dc, "spec", "triggers") {
		params := mapAt(t, "imageChangeParams")
		if str(t, "type") != "ImageChange" || params == nil {
			continue
		}
		auto, _ := params["automatic"].(bool)
		fromNS := str(params, "from", "namespace")
		if fromNS == "" {
			fromNS = ns
		}
		ref := c.resolveTag(fromNS, str(params, "from", "name"))
		if ref == "" {
			if str(params, "lastTriggeredImage") == "" {
				resolved = false
			}
			continue
		}
		if !auto && latest > 0 || ref == str(params, "lastTriggeredImage") {
			continue
		}
		key := "dc-image/" + base + "/" + ref
		if !c.after(key, time.Second, 4*time.Second) {
			resolved = resolved && str(params, "lastTriggeredImage") != ""
			continue
		}
		c.done(key)
		names := map[string]bool{}
		for _, n := range list(params, "containerNames") {
			names[n.(string)] = true
		}
		for _, field := range []string{"containers", "initContainers"} {
			for _, ctr := range list(dc, "spec", "template", "spec", field) {
				if names[str(ctr, "name")] {
					ctr.(map[string]any)["image"] = ref
				}
			}
		}
		params["lastTriggeredImage"] = ref
		if !c.instant {
			c.bumpGeneration(dc)
		}
		c.put(dc)
		if latest > 0 {
			c.instantiate(dc, map[string]any{"type": "ImageChange", "imageTrigger": map[string]any{"from": params["from"]}})
			return
		}
	}
	if !hasTrigger(dc, "ConfigChange") || !resolved {
		return
	}
	if latest == 0 {
		if c.after("dc-config/"+base+"/0", 500*time.Millisecond, 2*time.Second) {
			c.done("dc-config/" + base + "/0")
			c.instantiate(dc, map[string]any{"type": "ConfigChange"})
		}
		return
	}
	if !configChanged(c, dc) {
		return
	}
	key := fmt.Sprintf("dc-config/%s/%d", base, latest)
	if c.after(key, 500*time.Millisecond, 2*time.Second) {
		c.done(key)
		c.instantiate(dc, map[string]any{"type": "ConfigChange"})
	}
}

// configChanged tells whether a DeploymentConfig's ConfigChange trigger
// starts a deployment: it has one, its latest deployment exists, and its
// pod template is not that deployment's.
func configChanged(c *Cluster, dc Object) bool {
	latest := num(dc, "status", "latestVersion")
	if !hasTrigger(dc, "ConfigChange") || latest == 0 {
		return false
	}
	rc := c.get(str(dc, "metadata", "namespace"), "ReplicationController", fmt.Sprintf("%s-%d", str(dc, "metadata", "name"), latest))
	return rc != nil && !equalJSON(rcTemplateView(rc), mapAt(dc, "spec", "template"))
}

// deployer plays the deployer pod of the latest version: the RC, the
// hooks, the rolling or recreating scale, the end phase, and the rollback
// to the previous RC when the deployment fails.
func deployer(c *Cluster, dc Object) {
	ns, name := str(dc, "metadata", "namespace"), str(dc, "metadata", "name")
	latest := num(dc, "status", "latestVersion")
	if latest == 0 {
		return
	}
	rcName := fmt.Sprintf("%s-%d", name, latest)
	rc := c.get(ns, "ReplicationController", rcName)
	stageKey := "deploy/" + ns + "/" + rcName
	if rc == nil {
		// The controller creates the RC in the same pass that observes the
		// new version, so no status reads the old RC as the latest.
		if num(dc, "status", "observedGeneration") < num(dc, "metadata", "generation") {
			return
		}
		for _, old := range dcRCs(c, ns, name) {
			if !terminalPhase(annotation(old, annPhase)) {
				setAnnotation(old, annPhase, "Failed")
				setAnnotation(old, annCancelled, "true")
				setAnnotation(old, annStatusReason, "newer deployment was found running")
				c.put(old)
				c.st.Stages["deploy/"+ns+"/"+str(old, "metadata", "name")] = "cancelled"
			}
		}
		t := clone(mapAt(dc, "spec", "template"))
		setNested(t, rcName, "metadata", "labels", "deployment")
		setNested(t, name, "metadata", "labels", "deploymentconfig")
		setNested(t, strconv.FormatInt(latest, 10), "metadata", "annotations", annDCVersion)
		setNested(t, name, "metadata", "annotations", annDCName)
		setNested(t, rcName, "metadata", "annotations", "openshift.io/deployment.name")
		sel := map[string]any{"deployment": rcName, "deploymentconfig": name}
		for k, v := range mapAt(dc, "spec", "selector") {
			sel[k] = v
		}
		rc = Object{"apiVersion": "v1", "kind": "ReplicationController",
			"metadata": map[string]any{"name": rcName, "namespace": ns,
				"labels": map[string]any{labelDCName: name},
				"annotations": map[string]any{annDCName: name, annDCVersion: strconv.FormatInt(latest, 10),
					annPhase: "New", annDeployerPod: rcName + "-deploy"},
				"ownerReferences": []any{ownerRef(dc)}},
			"spec": map[string]any{"replicas": int64(0), "selector": sel, "template": t}}
		c.create(rc)
		c.st.Stages[stageKey] = "new"
		setDCCondition(c, dc, "Progressing", "True", "NewReplicationControllerCreated", fmt.Sprintf("replication controller %q is waiting for pod %q to run", rcName, rcName+"-deploy"))
		c.put(dc)
		return
	}
	fail := c.failing(name)
	strategy := mapAt(dc, "spec", "strategy")
	params := mapAt(strategy, "rollingParams")
	if str(strategy, "type") == "Recreate" {
		params = mapAt(strategy, "recreateParams")
	}
	hookPod := func(kind string) Object {
		podName := rcName + "-hook-" + kind
		if p := c.get(ns, "Pod", podName); p != nil {
			return p
		}
		t := map[string]any{"spec": clone(mapAt(dc, "spec", "template", "spec"))}
		p := c.newPod(ns, podName, rc, t, map[string]any{labelHookType: "hook-" + kind, labelDCName: name}, false)
		setNested(p, "Running", "status", "phase")
		c.put(p)
		return p
	}
	switch c.st.Stages[stageKey] {
	case "new":
		if !c.after("dc-deployer/"+stageKey, time.Second, 3*time.Second) {
			return
		}
		c.done("dc-deployer/" + stageKey)
		dp := c.newPod(ns, rcName+"-deploy", rc, map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "deployment", "image": "quay.io/openshift-release-dev/ocp-v4.0-art-dev@" + digestOf("deployer")}}}},
			map[string]any{labelDeployer: rcName}, false)
		setNested(dp, "Running", "status", "phase")
		c.put(dp)
		setAnnotation(rc, annPhase, "Running")
		c.put(rc)
		if mapAt(params, "pre") != nil {
			c.st.Stages[stageKey] = "pre"
		} else {
			c.st.Stages[stageKey] = "scale"
		}
	case "pre":
		hook := hookPod("pre")
		if !c.after("dc-hook/"+stageKey+"/pre", 5*time.Second, 20*time.Second) {
			return
		}
		c.done("dc-hook/" + stageKey + "/pre")
		finishPod(c, hook, !fail)
		if fail {
			c.st.Stages[stageKey] = "failed"
		} else {
			c.st.Stages[stageKey] = "scale"
		}
	case "scale":
		want := num(dc, "spec", "replicas")
		if fail {
			c.st.Stages["rc-fail/"+ns+"/"+rcName] = "fail"
		}
		olds := dcRCs(c, ns, name)
		oldActive := 0
		if str(strategy, "type") == "Recreate" {
			for _, old := range olds {
				if str(old, "metadata", "name") == rcName {
					continue
				}
				if num(old, "spec", "replicas") != 0 {
					setNested(old, int64(0), "spec", "replicas")
					c.put(old)
				}
				a, _ := c.ownedPods(ns, "ReplicationController", str(old, "metadata", "name"))
				oldActive += len(a)
			}
			if oldActive > 0 {
				return
			}
		}
		if num(rc, "spec", "replicas") != want {
			setNested(rc, want, "spec", "replicas")
			setAnnotation(rc, "openshift.io/deployment.replicas", strconv.FormatInt(want, 10))
			c.put(rc)
		}
		active, _ := c.ownedPods(ns, "ReplicationController", rcName)
		ready := int64(0)
		for _, p := range active {
			if podReady(p) {
				ready++
			}
		}
		if fail {
			if c.after("dc-timeout/"+stageKey, 30*time.Second, 90*time.Second) {
				c.done("dc-timeout/" + stageKey)
				c.st.Stages[stageKey] = "failed"
			}
			return
		}
		if ready < want || int64(len(active)) != want {
			return
		}
		for _, old := range olds {
			if str(old, "metadata", "name") != rcName && num(old, "spec", "replicas") != 0 {
				setNested(old, int64(0), "spec", "replicas")
				c.put(old)
			}
		}
		if mapAt(params, "post") != nil {
			c.st.Stages[stageKey] = "post"
		} else {
			c.st.Stages[stageKey] = "complete"
		}
	case "post":
		hook := hookPod("post")
		if !c.after("dc-hook/"+stageKey+"/post", 5*time.Second, 20*time.Second) {
			return
		}
		c.done("dc-hook/" + stageKey + "/post")
		finishPod(c, hook, true)
		c.st.Stages[stageKey] = "complete"
	case "complete":
		setAnnotation(rc, annPhase, "Complete")
		c.put(rc)
		if dp := c.get(ns, "Pod", rcName+"-deploy"); dp != nil {
			finishPod(c, dp, true)
		}
		setDCCondition(c, dc, "Progressing", "True", "NewReplicationControllerAvailable", fmt.Sprintf("replication controller %q successfully rolled out", rcName))
		c.put(dc)
		c.st.Stages[stageKey] = "done"
		pruneDeployerPods(c, ns, name)
	case "failed":
		setAnnotation(rc, annPhase, "Failed")
		setNested(rc, int64(0), "spec", "replicas")
		c.put(rc)
		if dp := c.get(ns, "Pod", rcName+"-deploy"); dp != nil {
			finishPod(c, dp, false)
		}
		// Roll back: the last complete RC gets its replicas again.
		olds := dcRCs(c, ns, name)
		for i := len(olds) - 1; i >= 0; i-- {
			old := olds[i]
			if str(old, "metadata", "name") != rcName && annotation(old, annPhase) == "Complete" {
				setNested(old, num(dc, "spec", "replicas"), "spec", "replicas")
				c.put(old)
				break
			}
		}
		setDCCondition(c, dc, "Progressing", "False", "ProgressDeadlineExceeded", fmt.Sprintf("replication controller %q has failed progressing", rcName))
		c.put(dc)
		c.st.Stages[stageKey] = "done"
	case "cancelled":
		setNested(rc, int64(0), "spec", "replicas")
		c.put(rc)
		if dp := c.get(ns, "Pod", rcName+"-deploy"); dp != nil && str(dp, "status", "phase") == "Running" {
			finishPod(c, dp, false)
		}
		c.st.Stages[stageKey] = "done"
	case "done", "":
		// The active RC follows the DeploymentConfig's replicas.
		if annotation(rc, annPhase) == "Complete" && num(rc, "spec", "replicas") != num(dc, "spec", "replicas") {
			setNested(rc, num(dc, "spec", "replicas"), "spec", "replicas")
			c.put(rc)
		}
	}
}

// pruneDeployerPods keeps the deployer and hook pods of the last few
// versions, as the deployer's pruning does; failed ones linger too.
func pruneDeployerPods(c *Cluster, ns, dc string) {
	rcs := dcRCs(c, ns, dc)
	for i := 0; i < len(rcs)-3; i++ {
		rcName := str(rcs[i], "metadata", "name")
		for _, suffix := range []string{"-deploy", "-hook-pre", "-hook-post"} {
			if p := c.get(ns, "Pod", rcName+suffix); p != nil {
				c.remove(keyOf(p))
			}
		}
	}
}

func setDCCondition(c *Cluster, obj Object, typ, status, reason, message string) {
	var conds []any
	for _, cond := range list(obj, "status", "conditions") {
		if str(cond, "type") != typ {
			conds = append(conds, cond)
		}
	}
	conds = append(conds, map[string]any{"type": typ, "status": status, "reason": reason, "message": message,
		"lastUpdateTime": c.timestamp(), "lastTransitionTime": c.timestamp()})
	setNested(obj, conds, "status", "conditions")
}

func dcStatus(c *Cluster, dc Object) {
	ns, name := str(dc, "metadata", "namespace"), str(dc, "metadata", "name")
	latest := num(dc, "status", "latestVersion")
	var replicas, ready, updated int64
	for _, rc := range dcRCs(c, ns, name) {
		replicas += num(rc, "status", "replicas")
		ready += num(rc, "status", "readyReplicas")
		if rcVersion(rc) == latest {
			updated = num(rc, "status", "replicas")
		}
	}
	want := num(dc, "spec", "replicas")
	st := mapAt(dc, "status")
	if st == nil {
		st = map[string]any{}
		dc["status"] = st
	}
	before := clone(st)
	st["replicas"], st["readyReplicas"], st["availableReplicas"], st["updatedReplicas"] = replicas, ready, ready, updated
	st["unavailableReplicas"] = max(int64(0), replicas-ready)
	if latest > 0 {
		avail, reason, msg := "False", "MinimumReplicasUnavailable", "Deployment config does not have minimum availability."
		if ready >= want || ready > 0 && ready >= want-want/4 {
			avail, reason, msg = "True", "MinimumReplicasAvailable", "Deployment config has minimum availability."
		}
		cur := ""
		for _, cond := range list(dc, "status", "conditions") {
			if str(cond, "type") == "Available" {
				cur = str(cond, "status")
			}
		}
		if cur != avail {
			setDCCondition(c, dc, "Available", avail, reason, msg)
		}
	}
	if !equalJSON(before, dc["status"]) {
		c.put(dc)
	}
}

// --- Deployments ---

func templateHash(t any) string {
	h := fnv.New32a()
	h.Write(marshal(t))
	s := strconv.FormatUint(uint64(h.Sum32()), 36)
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(alnum[int(r)%len(alnum)])
	}
	return b.String()
}

func deploymentController(c *Cluster) {
	for _, d := range c.list("", "Deployment") {
		ns, name := str(d, "metadata", "namespace"), str(d, "metadata", "name")
		base := ns + "/" + name
		gen := num(d, "metadata", "generation")
		if num(d, "status", "observedGeneration") < gen {
			key := fmt.Sprintf("deploy-observe/%s/%d", base, gen)
			if !c.after(key, 300*time.Millisecond, 1500*time.Millisecond) {
				continue
			}
			c.done(key)
			setNested(d, gen, "status", "observedGeneration")
			c.put(d)
		}
		want := int64(1)
		if nested(d, "spec", "replicas") != nil {
			want = num(d, "spec", "replicas")
		}
		hash := templateHash(mapAt(d, "spec", "template"))
		rs := name + "-" + hash
		revKey := "deploy-rev/" + base
		if cur, _, _ := strings.Cut(c.st.Stages[revKey], ":"); cur != hash {
			r, _ := strconv.ParseInt(annotation(d, "deployment.kubernetes.io/revision"), 10, 64)
			c.st.Stages[revKey] = hash + ":" + strconv.FormatInt(r+1, 10)
			setAnnotation(d, "deployment.kubernetes.io/revision", strconv.FormatInt(r+1, 10))
			c.put(d)
		}
		fail := c.failing(name)
		var fresh, old []Object
		dying := 0
		for _, p := range c.list(ns, "Pod") {
			if !ownedByDeployment(p, name) || finished(p) && !terminating(p) {
				continue
			}
			switch {
			case terminating(p):
				dying++
			case str(p, "metadata", "labels", "pod-template-hash") == hash:
				fresh = append(fresh, p)
			default:
				old = append(old, p)
			}
		}
		recreate := str(d, "spec", "strategy", "type") == "Recreate"
		if recreate && len(old) > 0 {
			for _, p := range old {
				c.terminate(p)
			}
			old = nil
		}
		if !(recreate && dying > 0) {
			for int64(len(fresh)) < want {
				owner := Object{"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": map[string]any{"name": rs, "uid": str(d, "metadata", "uid")}}
				p := c.newPod(ns, rs+"-"+c.suffix(5), owner, mapAt(d, "spec", "template"), map[string]any{"pod-template-hash": hash}, fail)
				fresh = append(fresh, p)
			}
		}
		for int64(len(fresh)) > want {
			c.terminate(fresh[len(fresh)-1])
			fresh = fresh[:len(fresh)-1]
		}
		ready := int64(0)
		for _, p := range fresh {
			if podReady(p) {
				ready++
			}
		}
		if ready >= want {
			for _, p := range old {
				c.terminate(p)
			}
			old = nil
		}
		oldReady := int64(0)
		for _, p := range old {
			if podReady(p) {
				oldReady++
			}
		}
		st := mapAt(d, "status")
		if st == nil {
			st = map[string]any{}
			d["status"] = st
		}
		before := clone(st)
		total := int64(len(fresh) + len(old))
		st["replicas"], st["updatedReplicas"] = total, int64(len(fresh))
		st["readyReplicas"], st["availableReplicas"] = ready+oldReady, ready+oldReady
		if u := total - ready - oldReady; u > 0 {
			st["unavailableReplicas"] = u
		} else {
			delete(st, "unavailableReplicas")
		}
		for _, f := range []string{"replicas", "updatedReplicas", "readyReplicas", "availableReplicas"} {
			if st[f] == int64(0) {
				delete(st, f)
			}
		}
		progress, reason, msg := "True", "ReplicaSetUpdated", fmt.Sprintf("ReplicaSet %q is progressing.", rs)
		if int64(len(fresh)) == want && ready == want && len(old) == 0 {
			reason, msg = "NewReplicaSetAvailable", fmt.Sprintf("ReplicaSet %q has successfully progressed.", rs)
		} else if fail && c.after("deploy-deadline/"+base+"/"+hash, 60*time.Second, 120*time.Second) {
			progress, reason, msg = "False", "ProgressDeadlineExceeded", fmt.Sprintf("ReplicaSet %q has timed out progressing.", rs)
		}
		avail := "True"
		if ready+oldReady < want-want/4 {
			avail = "False"
		}
		setCond := func(typ, status, reason, msg string) {
			for _, cond := range list(d, "status", "conditions") {
				if str(cond, "type") == typ && str(cond, "status") == status && str(cond, "reason") == reason && str(cond, "message") == msg {
					return
				}
			}
			setDCCondition(c, d, typ, status, reason, msg)
		}
		setCond("Available", avail, map[bool]string{true: "MinimumReplicasAvailable", false: "MinimumReplicasUnavailable"}[avail == "True"],
			map[bool]string{true: "Deployment has minimum availability.", false: "Deployment does not have minimum availability."}[avail == "True"])
		setCond("Progressing", progress, reason, msg)
		if !equalJSON(before, d["status"]) {
			c.put(d)
		}
	}
}

func ownedByDeployment(p Object, name string) bool {
	for _, r := range list(p, "metadata", "ownerReferences") {
		if str(r, "kind") == "ReplicaSet" && strings.HasPrefix(str(r, "name"), name+"-") &&
			!strings.Contains(strings.TrimPrefix(str(r, "name"), name+"-"), "-") {
			return true
		}
	}
	return false
}
