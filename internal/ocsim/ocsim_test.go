package ocsim

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim/wire"
	"github.com/ampc/ampc/internal/testenv"
)

// TestMain lets the test binary stand for oc and sleep, for the tests that
// run shell scripts.
func TestMain(m *testing.M) {
	switch filepath.Base(os.Args[0]) {
	case "oc", "sleep":
		os.Exit(Main(os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type sim struct {
	t   *testing.T
	dir string
	env map[string]string
	// twin is the same cluster served from memory (Serve): every call is
	// made on both, and what they print, their exit codes and the files
	// they leave must be the same.
	twin *Server
	// twinDir is the twin's cluster directory.
	twinDir string
}

// newSim seeds a cluster (default namespace 3scale) with objects.
func newSim(t *testing.T, objects ...Object) *sim {
	t.Helper()
	s := &sim{t: t, dir: t.TempDir(), env: map[string]string{"FAKEOC_NAMESPACE": "3scale"}, twinDir: t.TempDir()}
	s.env["FAKEOC_DIR"] = s.dir
	for _, o := range objects {
		s.put(o)
	}
	t.Cleanup(s.compareTwin)
	return s
}

// twinCall makes a call on the served twin and compares it with the
// file-based cluster's answer.
func (s *sim) twinCall(args []string, stdin string, out, errOut string, code int) {
	s.t.Helper()
	if s.twin == nil {
		srv, err := Serve(s.twinDir)
		if err != nil {
			s.t.Fatal(err)
		}
		s.twin = srv
	}
	env := map[string]string{}
	for k, v := range s.env {
		env[k] = v
	}
	env["FAKEOC_DIR"] = s.twinDir
	// The twin runs every controller on every call, so that each test
	// also shows that skipping the passes of a settled cluster changes
	// nothing (Cluster.reconcile).
	env["OCSIM_FULL_PASSES"] = "1"
	resp, err := wire.Call(s.twin.Socket(), wire.Request{Args: args, Env: env, Stdin: []byte(stdin)})
	if err != nil {
		s.t.Fatal(err)
	}
	twinOut := strings.ReplaceAll(string(resp.Stdout), s.twinDir, s.dir)
	twinErr := strings.ReplaceAll(string(resp.Stderr), s.twinDir, s.dir)
	if twinOut != out || twinErr != errOut || resp.Code != code {
		s.t.Errorf("%s: the served cluster answered differently:\nfiles:  exit %d\n%s%s\nserved: exit %d\n%s%s",
			strings.Join(args, " "), code, out, errOut, resp.Code, twinOut, twinErr)
	}
}

// settledFields are the lines of the state file that say where the cluster
// settled (State.Settled), which only the file-based cluster records.
var settledFields = regexp.MustCompile(`(?m)^\s*"settled(At)?": .*\n`)

// compareTwin checks that the served twin left the same files.
func (s *sim) compareTwin() {
	if s.twin == nil {
		return
	}
	s.twin.Close()
	files := func(dir string) map[string]string {
		m := map[string]string{}
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Base(p) == "ocsim.lock" {
				return err
			}
			raw, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			// What the two differ in by design: whether the state records
			// where the cluster settled.
			m[rel] = settledFields.ReplaceAllString(strings.ReplaceAll(string(raw), dir, "DIR"), "")
			return nil
		})
		return m
	}
	a, b := files(s.dir), files(s.twinDir)
	for name, text := range a {
		if b[name] != text {
			s.t.Errorf("%s differs between the file-based and the served cluster:\n%s\n---\n%s", name, text, b[name])
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			s.t.Errorf("the served cluster left %s, the file-based one did not", name)
		}
	}
}

func (s *sim) put(o Object) {
	s.t.Helper()
	s.putIn(s.dir, o)
	s.putIn(s.twinDir, o)
}

func (s *sim) putIn(root string, o Object) {
	s.t.Helper()
	ns := str(o, "metadata", "namespace")
	dir := filepath.Join(root, "objects")
	if ns != "" && ns != "3scale" {
		dir = filepath.Join(dir, ns)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Fatal(err)
	}
	raw, _ := json.MarshalIndent(o, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, o["kind"].(string)+"."+str(o, "metadata", "name")+".json"), raw, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sim) getenv(k string) string { return s.env[k] }

// oc runs one oc command in-process.
func (s *sim) oc(args ...string) (string, string, int) {
	return s.ocIn("", args...)
}

func (s *sim) ocIn(stdin string, args ...string) (string, string, int) {
	s.t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"oc"}, args...), s.getenv, strings.NewReader(stdin), &out, &errOut)
	s.twinCall(append([]string{"oc"}, args...), stdin, out.String(), errOut.String(), code)
	return out.String(), errOut.String(), code
}

// must runs oc and fails the test when it fails.
func (s *sim) must(args ...string) string {
	s.t.Helper()
	out, errOut, code := s.oc(args...)
	if code != 0 {
		s.t.Fatalf("oc %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (s *sim) sleep(d string) {
	s.t.Helper()
	var errOut bytes.Buffer
	code := Main([]string{"sleep", d}, s.getenv, nil, &bytes.Buffer{}, &errOut)
	if code != 0 {
		s.t.Fatalf("sleep %s: %s", d, errOut.String())
	}
	s.twinCall([]string{"sleep", d}, "", "", errOut.String(), code)
}

// object reads an object's JSON form through oc get.
func (s *sim) object(args ...string) Object {
	s.t.Helper()
	out := s.must(append([]string{"get"}, append(args, "-o", "json")...)...)
	obj, err := decodeObject([]byte(out))
	if err != nil {
		s.t.Fatal(err)
	}
	return obj
}

// waitFor polls (in logical time) until cond holds.
func (s *sim) waitFor(what string, cond func() bool) {
	s.t.Helper()
	for i := 0; i < 120; i++ {
		if cond() {
			return
		}
		s.sleep("5")
	}
	s.t.Fatalf("%s did not happen in 10 logical minutes", what)
}

func meta(kind, apiVersion, ns, name string) Object {
	return Object{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name, "namespace": ns}}
}

// templateSite is a template-based site in miniature: an image stream
// whose latest tag follows 2.7, and a DeploymentConfig with a pre hook
// that follows it.
func templateSite() []Object {
	is := meta("ImageStream", "image.openshift.io/v1", "3scale", "amp-system")
	is["spec"] = map[string]any{"tags": []any{
		map[string]any{"name": "latest", "from": map[string]any{"kind": "ImageStreamTag", "name": "2.7"}},
		map[string]any{"name": "2.7", "from": map[string]any{"kind": "DockerImage", "name": "registry.example.com/3scale/system:2.7"}},
	}}
	dc := meta("DeploymentConfig", "apps.openshift.io/v1", "3scale", "system-app")
	dc["spec"] = map[string]any{
		"replicas": 1, "selector": map[string]any{"deploymentConfig": "system-app"},
		"strategy": map[string]any{"type": "Rolling", "rollingParams": map[string]any{
			"pre": map[string]any{"failurePolicy": "Retry", "execNewPod": map[string]any{"containerName": "system-master", "command": []any{"true"}}}}},
		"triggers": []any{
			map[string]any{"type": "ConfigChange"},
			map[string]any{"type": "ImageChange", "imageChangeParams": map[string]any{"automatic": true,
				"containerNames": []any{"system-master"}, "from": map[string]any{"kind": "ImageStreamTag", "name": "amp-system:latest"}}},
		},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"deploymentConfig": "system-app"}},
			"spec": map[string]any{"containers": []any{
				map[string]any{"name": "system-master", "image": "amp-system:latest", "env": []any{map[string]any{"name": "A", "value": "1"}}},
				map[string]any{"name": "system-provider", "image": "registry.example.com/3scale/provider:2.7"},
			}},
		},
	}
	cm := meta("ConfigMap", "v1", "3scale", "system-environment")
	cm["data"] = map[string]any{"AMP_RELEASE": "2.7"}
	d := meta("Deployment", "apps/v1", "3scale", "backend-worker")
	d["spec"] = map[string]any{"replicas": 2, "selector": map[string]any{"matchLabels": map[string]any{"app": "backend-worker"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "backend-worker"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "worker", "image": "registry.example.com/3scale/backend:2.15"}}}}}
	return []Object{is, dc, cm, d}
}

func TestStrictDecodingRefusesMisspeltFields(t *testing.T) {
	s := newSim(t, templateSite()...)
	file := filepath.Join(t.TempDir(), "cm.yaml")
	for _, tc := range []struct{ manifest, want string }{
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndatta:\n  a: b\n", `unknown field "datta"`},
		{"apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: x\nspec:\n  replicaz: 1\n", `unknown field "spec.replicaz"`},
		{"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: one\n", "cannot unmarshal string"},
		{"apiVersion: apps.3scale.net/v1alpha1\nkind: APIManager\nmetadata:\n  name: x\nspec:\n  wildcardDomain: a\n  externalComponents:\n    system:\n      databse: true\n", `unknown field "spec.externalComponents.system.databse"`},
		{"apiVersion: v1\nkind: DeploymentConfig\nmetadata:\n  name: x\n", `no matches for kind "DeploymentConfig" in version "v1"`},
	} {
		if err := os.WriteFile(file, []byte(tc.manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := s.oc("create", "-f", file)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("create of\n%s: exit %d, %q; want a refusal with %q", tc.manifest, code, errOut, tc.want)
		}
	}
	// A patch that leaves a misspelt field is refused and changes nothing.
	_, errOut, code := s.oc("patch", "dc/system-app", "--type=merge", "-p", `{"spec":{"replicas":2,"triggerz":[]}}`)
	if code == 0 || !strings.Contains(errOut, `unknown field "spec.triggerz"`) {
		t.Errorf("patch with a misspelt field: exit %d, %q", code, errOut)
	}
	if n := num(s.object("dc", "system-app"), "spec", "replicas"); n != 1 {
		t.Errorf("the refused patch changed replicas to %d", n)
	}
}

func TestPatchTypes(t *testing.T) {
	s := newSim(t, append(templateSite(), apimanager())...)
	// JSON patch, with a test that fails and one that holds.
	_, errOut, code := s.oc("patch", "configmap/system-environment", "--type=json", "-p", `[{"op":"test","path":"/data/AMP_RELEASE","value":"2.6"},{"op":"replace","path":"/data/AMP_RELEASE","value":"2.8"}]`)
	if code == 0 || !strings.Contains(errOut, "The request is invalid") {
		t.Errorf("a failing test op: exit %d, %q", code, errOut)
	}
	s.must("patch", "configmap/system-environment", "--type=json", "-p", `[{"op":"test","path":"/data/AMP_RELEASE","value":"2.7"},{"op":"replace","path":"/data/AMP_RELEASE","value":"2.8"}]`)
	if v := str(s.object("cm", "system-environment"), "data", "AMP_RELEASE"); v != "2.8" {
		t.Errorf("AMP_RELEASE = %q after the JSON patch", v)
	}
	// Strategic merge patch merges containers by name; a merge patch
	// replaces the list.
	s.must("patch", "dc/system-app", "-p", `{"spec":{"template":{"spec":{"containers":[{"name":"system-master","env":[{"name":"B","value":"2"}]}]}}}}`)
	ctrs := list(s.object("dc", "system-app"), "spec", "template", "spec", "containers")
	if len(ctrs) != 2 || len(list(ctrs[0], "env")) != 2 {
		t.Errorf("strategic merge patch: containers %v", ctrs)
	}
	s.must("patch", "dc/system-app", "--type=merge", "-p", `{"spec":{"template":{"spec":{"containers":[{"name":"system-master","image":"x"}]}}}}`)
	if ctrs := list(s.object("dc", "system-app"), "spec", "template", "spec", "containers"); len(ctrs) != 1 {
		t.Errorf("merge patch kept %d containers, want the list replaced", len(ctrs))
	}
	// A custom resource takes JSON and merge patches, not strategic ones.
	_, errOut, code = s.oc("patch", "apimanager", "apimanager-sample", "-p", `{"spec":{"externalComponents":{"system":{"database":true}}}}`)
	if code == 0 || !strings.Contains(errOut, "UnsupportedMediaType") {
		t.Errorf("strategic patch of an APIManager: exit %d, %q", code, errOut)
	}
	s.must("patch", "apimanager", "apimanager-sample", "--type=merge", "-p", `{"spec":{"externalComponents":{"system":{"database":true}}}}`)
	if v := nested(s.object("apimanager", "apimanager-sample"), "spec", "externalComponents", "system", "database"); v != true {
		t.Errorf("merge patch of the APIManager: %v", v)
	}
	// No change is reported as such.
	if out := s.must("patch", "apimanager", "apimanager-sample", "--type=merge", "-p", `{"spec":{"externalComponents":{"system":{"database":true}}}}`); !strings.Contains(out, "(no change)") {
		t.Errorf("a patch that changes nothing printed %q", out)
	}
}

func latestVersion(s *sim) int64 { return num(s.object("dc", "system-app"), "status", "latestVersion") }

// TestImagePatchThenRolloutStatus shows the behaviour the audit's "waits
// that do not wait" rely on: right after an image stream patch, oc rollout
// status reports the old deployment as rolled out; waiting for the new
// latestVersion first, then for that revision, waits for the new image.
func TestImagePatchThenRolloutStatus(t *testing.T) {
	s := newSim(t, templateSite()...)
	if out := s.must("rollout", "status", "dc/system-app", "--watch", "--timeout=20m"); !strings.Contains(out, `"system-app-1" successfully rolled out`) {
		t.Fatalf("the settled site: %q", out)
	}
	old := str(s.object("dc", "system-app"), "spec", "template", "spec", "containers", "0", "image")
	s.must("patch", "imagestream/amp-system", "--type=json", "-p", `[{"op":"replace","path":"/spec/tags/1/from/name","value":"registry.example.com/3scale/system:2.8"}]`)
	out := s.must("rollout", "status", "dc/system-app", "--watch", "--timeout=20m")
	if !strings.Contains(out, `"system-app-1" successfully rolled out`) {
		t.Errorf("rollout status right after the patch: %q, want the old deployment reported done", out)
	}
	if v := latestVersion(s); v != 1 {
		t.Errorf("latestVersion = %d right after the patch", v)
	}
	if _, errOut, code := s.oc("rollout", "status", "dc/system-app", "--revision=2"); code == 0 || !strings.Contains(errOut, "desired revision (2) is different from the running revision (1)") {
		t.Errorf("--revision=2 before the trigger: exit %d %q", code, errOut)
	}
	s.waitFor("latestVersion 2", func() bool { return latestVersion(s) >= 2 })
	out = s.must("rollout", "status", "dc/system-app", "--revision=2", "--watch", "--timeout=20m")
	if !strings.Contains(out, `"system-app-2" successfully rolled out`) {
		t.Errorf("rollout status --revision=2: %q", out)
	}
	want := "registry.example.com/3scale/system@" + digestOf("registry.example.com/3scale/system:2.8")
	if img := images(s, "deploymentconfig=system-app"); len(img) != 1 || img[0] != want {
		t.Errorf("running pods' images = %v, want [%s] (old %s)", img, want, old)
	}
}

// images lists the system-master images of the running, non-terminating
// pods a selector picks.
func images(s *sim, selector string) []string {
	var out []string
	for _, p := range list(s.object("pods", "-l", selector), "items") {
		if terminating(p.(map[string]any)) || str(p, "status", "phase") != "Running" {
			continue
		}
		out = append(out, str(list(p, "status", "containerStatuses")[0], "image"))
	}
	return out
}

func TestRolloutLatestRefusedInProgress(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.must("set", "env", "dc/system-app", "B=2")
	s.waitFor("a new version", func() bool { return latestVersion(s) == 2 })
	_, errOut, code := s.oc("rollout", "latest", "dc/system-app")
	if code == 0 || !strings.Contains(errOut, "#2 is already in progress") {
		t.Errorf("rollout latest during a rollout: exit %d %q", code, errOut)
	}
	s.must("rollout", "status", "dc/system-app")
	if out := s.must("rollout", "latest", "dc/system-app"); !strings.Contains(out, "rolled out") {
		t.Errorf("rollout latest when settled: %q", out)
	}
}

func TestFailedImport(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.must("get", "dc", "system-app")
	s.env["OCSIM_IMPORT_FAIL"] = "system:2.8"
	s.must("tag", "--source=docker", "registry.example.com/3scale/system:2.8", "amp-system:2.7")
	s.waitFor("the import to fail", func() bool {
		return failedImport(statusTag(s.object("is", "amp-system"), "2.7"), 1)
	})
	s.sleep("300")
	if v := latestVersion(s); v != 1 {
		t.Errorf("a failed import redeployed: latestVersion %d", v)
	}
	if out, _, _ := s.oc("get", "is", "amp-system", "-o", `jsonpath={.status.tags[?(@.tag=="2.7")].conditions[0].status}`); out != "False" {
		t.Errorf("ImportSuccess condition = %q", out)
	}
}

func TestTerminatingPodsLinger(t *testing.T) {
	s := newSim(t, templateSite()...)
	if n := len(list(s.object("pods", "-l", "app=backend-worker"), "items")); n != 2 {
		t.Fatalf("%d backend-worker pods", n)
	}
	s.must("scale", "deployment/backend-worker", "--replicas=0")
	s.sleep("3")
	d := s.object("deployment", "backend-worker")
	pods := list(s.object("pods", "-l", "app=backend-worker"), "items")
	if num(d, "status", "replicas") != 0 || len(pods) != 2 {
		t.Fatalf("after the scale: status.replicas %d, %d pods", num(d, "status", "replicas"), len(pods))
	}
	for _, p := range pods {
		if !terminating(p.(map[string]any)) {
			t.Errorf("pod %s is not terminating", str(p, "metadata", "name"))
		}
	}
	if out := s.must("get", "pods"); !strings.Contains(out, "Terminating") {
		t.Errorf("oc get pods does not show Terminating:\n%s", out)
	}
	s.sleep("60")
	if n := len(list(s.object("pods", "-l", "app=backend-worker"), "items")); n != 0 {
		t.Errorf("%d pods left a minute after the grace period", n)
	}
}

func TestDeployFailureRollsBack(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.must("get", "dc", "system-app")
	s.env["OCSIM_DEPLOY_FAIL"] = "system-app"
	s.must("set", "env", "dc/system-app", "B=2")
	s.waitFor("a new version", func() bool { return latestVersion(s) == 2 })
	_, errOut, code := s.oc("rollout", "status", "dc/system-app", "--watch")
	if code == 0 || !strings.Contains(errOut, `replication controller "system-app-2" has failed progressing`) {
		t.Errorf("rollout status of a failing rollout: exit %d %q", code, errOut)
	}
	s.sleep("30")
	rc1, rc2 := s.object("rc", "system-app-1"), s.object("rc", "system-app-2")
	if annotation(rc2, annPhase) != "Failed" || num(rc1, "spec", "replicas") != 1 || num(rc2, "spec", "replicas") != 0 {
		t.Errorf("after the failure: rc-2 %s with %d replicas, rc-1 %d replicas", annotation(rc2, annPhase), num(rc2, "spec", "replicas"), num(rc1, "spec", "replicas"))
	}
	if p := s.object("pod", "system-app-2-hook-pre"); str(p, "status", "phase") != "Failed" {
		t.Errorf("the failed hook pod is %q, want it lingering Failed", str(p, "status", "phase"))
	}
}

// TestMissingConfigKeyKeepsPodsWaiting: a pod whose container reads a
// ConfigMap key (not optional) that is gone stays Pending, not ready, with
// CreateContainerConfigError, as the kubelet leaves it; so does one that
// names a missing Secret. Running pods keep running (the env was read when
// they started), and a waiting pod starts once the key is back. After a
// failed rollout rolls back to a deployment whose pods read a removed key,
// the replacement of its pod cannot start.
func TestMissingConfigKeyKeepsPodsWaiting(t *testing.T) {
	site := templateSite()
	dc := site[1]
	ctr := list(dc, "spec", "template", "spec", "containers")[1].(map[string]any)
	ctr["env"] = []any{
		map[string]any{"name": "AWS_BUCKET", "valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": "system-environment", "key": "AWS_BUCKET"}}},
		map[string]any{"name": "AWS_HOSTNAME", "valueFrom": map[string]any{"configMapKeyRef": map[string]any{"name": "system-environment", "key": "AWS_HOSTNAME", "optional": true}}},
	}
	site[2]["data"].(map[string]any)["AWS_BUCKET"] = "bucket"
	s := newSim(t, site...)
	s.must("rollout", "status", "dc/system-app")
	s.must("patch", "configmap/system-environment", "--type=json", "-p", `[{"op":"remove","path":"/data/AWS_BUCKET"}]`)
	s.sleep("60")
	if n := len(images(s, "deploymentconfig=system-app")); n != 1 {
		t.Fatalf("%d running system-app pods after the key went, want the one that started before", n)
	}
	// A rollout that fails rolls back to system-app-1, whose new pod
	// cannot start.
	s.env["OCSIM_DEPLOY_FAIL"] = "system-app"
	s.must("set", "env", "dc/system-app", "B=2")
	s.waitFor("a new version", func() bool { return latestVersion(s) == 2 })
	s.waitFor("the rollback", func() bool {
		return annotation(s.object("rc", "system-app-2"), annPhase) == "Failed" && num(s.object("rc", "system-app-1"), "spec", "replicas") == 1
	})
	// The rolling deployment kept system-app-1's pod running; once it
	// goes (a node drained, an eviction), its replacement cannot start.
	for _, p := range list(s.object("pods", "-l", "deployment=system-app-1"), "items") {
		s.must("delete", "pod", str(p, "metadata", "name"), "--wait=false")
	}
	s.sleep("60")
	var waiting Object
	for _, p := range list(s.object("pods", "-l", "deployment=system-app-1"), "items") {
		if !terminating(p.(map[string]any)) {
			waiting = p.(map[string]any)
		}
	}
	if waiting == nil {
		t.Fatal("no pod of system-app-1 after the rollback")
	}
	cs := list(waiting, "status", "containerStatuses")
	if str(waiting, "status", "phase") != "Pending" || podReady(waiting) || len(cs) != 2 ||
		str(cs[0], "state", "waiting", "reason") != "CreateContainerConfigError" ||
		str(cs[0], "state", "waiting", "message") != "couldn't find key AWS_BUCKET in ConfigMap 3scale/system-environment" {
		t.Errorf("the pod of system-app-1 after the rollback: phase %s, ready %v, statuses %v", str(waiting, "status", "phase"), podReady(waiting), cs)
	}
	if out := s.must("get", "pods", "-l", "deployment=system-app-1"); !strings.Contains(out, "CreateContainerConfigError") {
		t.Errorf("oc get pods does not show the reason:\n%s", out)
	}
	if num(s.object("dc", "system-app"), "status", "readyReplicas") != 0 {
		t.Error("system-app counts a ready pod")
	}
	// The key back, the kubelet's next try starts the pod.
	s.must("patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"AWS_BUCKET":"bucket"}}`)
	s.waitFor("the pod ready", func() bool { return num(s.object("dc", "system-app"), "status", "readyReplicas") == 1 })

	// A Secret that is missing altogether.
	ctr = list(dc, "spec", "template", "spec", "containers")[0].(map[string]any)
	ctr["env"] = []any{map[string]any{"name": "SMTP_ADDRESS", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "system-smtp", "key": "address"}}}}
	delete(list(dc, "spec", "template", "spec", "containers")[1].(map[string]any), "env")
	s = newSim(t, site...)
	s.sleep("30")
	out := s.must("get", "pods", "-l", "deploymentconfig=system-app", "-o", "json")
	if !strings.Contains(out, `secret \"system-smtp\" not found`) {
		t.Errorf("a pod that reads a missing Secret:\n%s", out)
	}
}

// TestEvictedPodLingers: OCSIM_EVICT evicts a running pod of system-app
// once; the pod lingers, Failed with reason Evicted, and no longer counts:
// the ReplicationController starts another, which runs ready.
func TestEvictedPodLingers(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.must("rollout", "status", "dc/system-app")
	s.env["OCSIM_EVICT"] = "system-app"
	s.sleep("60")
	var evicted, running []Object
	for _, p := range list(s.object("pods", "-l", "deployment=system-app-1"), "items") {
		p := p.(map[string]any)
		switch {
		case str(p, "status", "phase") == "Failed" && str(p, "status", "reason") == "Evicted":
			evicted = append(evicted, p)
		case str(p, "status", "phase") == "Running" && podReady(p):
			running = append(running, p)
		}
	}
	if len(evicted) != 1 || len(running) != 1 {
		t.Fatalf("%d evicted and %d running pods of system-app-1, want 1 and 1", len(evicted), len(running))
	}
	if rc := s.object("rc", "system-app-1"); num(rc, "status", "replicas") != 1 || num(rc, "status", "readyReplicas") != 1 {
		t.Errorf("system-app-1 counts %d pods, %d ready", num(rc, "status", "replicas"), num(rc, "status", "readyReplicas"))
	}
	if out := s.must("get", "pods"); !strings.Contains(out, "Evicted") {
		t.Errorf("oc get pods does not show the evicted pod:\n%s", out)
	}
	s.sleep("300")
	if n := len(list(s.object("pods", "-l", "deployment=system-app-1"), "items")); n != 2 {
		t.Errorf("%d pods of system-app-1 after 5 minutes, want the evicted one and its replacement", n)
	}
}

// operatorSite is a 2.15 operator-based site: the 3scale operator's
// Subscription, its Deployment and an APIManager.
func operatorSite(approval string, external bool) []Object {
	sub := meta("Subscription", "operators.coreos.com/v1alpha1", "3scale-operator", "3scale-operator")
	sub["spec"] = map[string]any{"channel": "threescale-2.15", "installPlanApproval": approval, "name": "3scale-operator",
		"source": "redhat-operators", "sourceNamespace": "openshift-marketplace"}
	sub["status"] = map[string]any{"installedCSV": "3scale-operator.v0.12.5", "currentCSV": "3scale-operator.v0.12.5", "state": "AtLatestKnown"}
	op := meta("Deployment", "apps/v1", "3scale-operator", "threescale-operator-controller-manager-v2")
	op["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"app": "3scale-api-management"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "3scale-api-management"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "manager", "image": "registry.redhat.io/3scale-amp2/3scale-rhel9-operator@sha256:7ecef5"}}}}}
	am := apimanager()
	if external {
		am["spec"].(map[string]any)["externalComponents"] = map[string]any{
			"system": map[string]any{"database": true, "redis": true}, "backend": map[string]any{"redis": true}}
	}
	return []Object{sub, op, am}
}

func apimanager() Object {
	am := meta("APIManager", "apps.3scale.net/v1alpha1", "3scale", "apimanager-sample")
	am["metadata"].(map[string]any)["annotations"] = map[string]any{threescaleAnn: "2.15.5", operatorAnn: "0.12.5"}
	am["spec"] = map[string]any{"wildcardDomain": "apps.example.com"}
	return am
}

func subscription(s *sim) Object {
	return s.object("subscription", "3scale-operator", "--namespace=3scale-operator")
}

// TestKnativeSubscriptionsAmbiguous: on a cluster that serves Knative
// eventing's Subscriptions (OCSIM_KNATIVE=1), the bare "subscription",
// "subscriptions" and "sub" name Knative's, which holds no 3scale-operator;
// the name qualified by OLM's group, plural or singular, finds it.
func TestKnativeSubscriptionsAmbiguous(t *testing.T) {
	s := newSim(t, operatorSite("Automatic", true)...)
	s.must("get", "subscription", "3scale-operator", "--namespace=3scale-operator")
	s.env["OCSIM_KNATIVE"] = "1"
	for _, arg := range []string{"subscription", "subscriptions", "sub"} {
		_, errOut, code := s.oc("get", arg, "3scale-operator", "--namespace=3scale-operator", "-o", "json")
		if code == 0 || !strings.Contains(errOut, `subscriptions.messaging.knative.dev "3scale-operator" not found`) {
			t.Errorf("oc get %s 3scale-operator with Knative: exit %d %q", arg, code, errOut)
		}
	}
	if _, errOut, code := s.oc("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.16"}}`); code == 0 {
		t.Errorf("oc patch subscription/3scale-operator with Knative passed: %q", errOut)
	}
	for _, arg := range []string{"subscriptions.operators.coreos.com/3scale-operator", "subscription.operators.coreos.com/3scale-operator"} {
		if sub := s.object(arg, "--namespace=3scale-operator"); str(sub, "spec", "channel") != "threescale-2.15" {
			t.Errorf("oc get %s: %v", arg, sub["spec"])
		}
	}
}

func TestOLMManualApproval(t *testing.T) {
	s := newSim(t, operatorSite("Manual", true)...)
	s.must("patch", "subscriptions.operators.coreos.com/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.16"}}`)
	s.waitFor("an install plan", func() bool { return str(subscription(s), "status", "installPlanRef", "name") != "" })
	s.sleep("600")
	sub := subscription(s)
	plan := str(sub, "status", "installPlanRef", "name")
	if str(sub, "status", "state") != "UpgradePending" || str(sub, "status", "installedCSV") != "3scale-operator.v0.12.5" {
		t.Fatalf("before approval: state %q, installed %q", str(sub, "status", "state"), str(sub, "status", "installedCSV"))
	}
	ip := s.object("installplan", plan, "--namespace=3scale-operator")
	if str(ip, "status", "phase") != "RequiresApproval" || nested(ip, "spec", "approved") != false {
		t.Fatalf("the install plan: %v", ip["status"])
	}
	if am := s.object("apimanager", "apimanager-sample"); annotation(am, threescaleAnn) != "2.15.5" {
		t.Errorf("the APIManager moved before the approval: %s", annotation(am, threescaleAnn))
	}
	s.must("patch", "installplan", plan, "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"approved":true}}`)
	s.waitFor("the new CSV", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.13.1" })
	if _, _, code := s.oc("get", "csv", "3scale-operator.v0.12.5", "--namespace=3scale-operator"); code == 0 {
		t.Error("the old CSV is still there")
	}
	if str(subscription(s), "status", "state") != "AtLatestKnown" {
		t.Errorf("state %q after the install", str(subscription(s), "status", "state"))
	}
}

func TestCatalogWithoutChannel(t *testing.T) {
	s := newSim(t, operatorSite("Automatic", true)...)
	s.env["OCSIM_CATALOG_DROP"] = "3scale-operator:threescale-2.16"
	out := s.must("get", "packagemanifests", "--namespace=openshift-marketplace", "--selector=catalog=redhat-operators", "-o", "jsonpath={.items[?(@.metadata.name==\"3scale-operator\")].status.channels[*].name}")
	if strings.Contains(out, "threescale-2.16") || !strings.Contains(out, "threescale-2.15") {
		t.Errorf("catalog channels: %q", out)
	}
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.16"}}`)
	s.sleep("300")
	sub := subscription(s)
	found := false
	for _, c := range list(sub, "status", "conditions") {
		if str(c, "type") == "ResolutionFailed" && str(c, "status") == "True" && strings.Contains(str(c, "message"), "no operators found in channel threescale-2.16") {
			found = true
		}
	}
	if !found || str(sub, "status", "installedCSV") != "3scale-operator.v0.12.5" {
		t.Errorf("a channel the catalog lacks: conditions %v, installed %q", nested(sub, "status", "conditions"), str(sub, "status", "installedCSV"))
	}
	if items := list(s.object("installplan", "--namespace=3scale-operator"), "items"); len(items) != 0 {
		t.Errorf("%d install plans for a channel the catalog lacks", len(items))
	}
}

func TestThreescaleOperatorUpgradesLater(t *testing.T) {
	s := newSim(t, operatorSite("Automatic", true)...)
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.16"}}`)
	s.waitFor("the 2.16 operator", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.13.1" })
	if v := annotation(s.object("apimanager", "apimanager-sample"), threescaleAnn); v != "2.15.5" {
		t.Errorf("the APIManager is at %s as soon as the CSV is installed", v)
	}
	s.waitFor("the APIManager at 2.16", func() bool {
		return annotation(s.object("apimanager", "apimanager-sample"), threescaleAnn) == "2.16.1"
	})
	if v := annotation(s.object("apimanager", "apimanager-sample"), operatorAnn); v != "0.13.1" {
		t.Errorf("operator version annotation %q", v)
	}
}

// TestThreescaleOperator08UpgradesImageStreams: a DeploymentConfig-based
// 2.7 site, its 0.4 operator running as Deployment 3scale-operator (its
// name up to operator 0.7), moves to threescale-2.8. OLM installs 0.5.0 on
// that Deployment, and the 0.5 operator upgrades the APIManager as
// v0.5.0's UpgradeApiManager does: the image streams get a 2.8 tag of the
// 2.8 image, their latest tag follows it, so that the DeploymentConfig
// rolls out on it; the annotations say 2.8 (major.minor, as operators
// before 0.12 wrote them) and 0.5.0.
func TestThreescaleOperator08UpgradesImageStreams(t *testing.T) {
	objects := templateSite()
	is := objects[0]
	is["spec"].(map[string]any)["tags"].([]any)[1].(map[string]any)["from"].(map[string]any)["name"] = "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.7"
	sub := meta("Subscription", "operators.coreos.com/v1alpha1", "3scale-operator", "3scale-operator")
	sub["spec"] = map[string]any{"channel": "threescale-2.7", "installPlanApproval": "Automatic", "name": "3scale-operator",
		"source": "redhat-operators", "sourceNamespace": "openshift-marketplace"}
	sub["status"] = map[string]any{"installedCSV": "3scale-operator.v0.4.0", "currentCSV": "3scale-operator.v0.4.0", "state": "AtLatestKnown"}
	op := meta("Deployment", "apps/v1", "3scale-operator", "3scale-operator")
	op["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"name": "threescale-operator"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"name": "threescale-operator"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "3scale-operator", "image": "registry.redhat.io/3scale-amp2/3scale-rhel7-operator:0.4.0"}}}}}
	am := apimanager()
	am["metadata"].(map[string]any)["annotations"] = map[string]any{threescaleAnn: "2.7", operatorAnn: "0.4.0"}
	s := newSim(t, append(objects, sub, op, am)...)
	s.sleep("120")
	if a := s.object("apimanager", "apimanager-sample"); annotation(a, threescaleAnn) != "2.7" || annotation(a, operatorAnn) != "0.4.0" {
		t.Fatalf("the 0.4 operator moved its own 2.7 APIManager: %v", a["metadata"])
	}
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.8"}}`)
	s.waitFor("the 0.5 operator", func() bool { return str(subscription(s), "status", "installedCSV") == "3scale-operator.v0.5.0" })
	d := s.object("deployment", "3scale-operator", "--namespace=3scale-operator")
	if img := str(list(d, "spec", "template", "spec", "containers")[0], "image"); img != pinned("registry.redhat.io/3scale-amp2/3scale-rhel7-operator:0.5.0") {
		t.Errorf("OLM did not roll the operator's Deployment out on 0.5.0: %q", img)
	}
	s.waitFor("the APIManager at 2.8", func() bool {
		a := s.object("apimanager", "apimanager-sample")
		return annotation(a, threescaleAnn) == "2.8" && annotation(a, operatorAnn) == "0.5.0"
	})
	stream := s.object("imagestream", "amp-system")
	if tag := specTag(stream, "2.8"); str(tag, "from", "name") != "registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8" {
		t.Errorf("amp-system's 2.8 tag: %v", tag)
	}
	if tag := specTag(stream, "latest"); str(tag, "from", "kind") != "ImageStreamTag" || str(tag, "from", "name") != "2.8" {
		t.Errorf("amp-system's latest tag: %v", tag)
	}
	want := pinned("registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8")
	s.waitFor("system-app on the 2.8 image", func() bool {
		dc := s.object("dc", "system-app")
		return str(list(dc, "spec", "template", "spec", "containers")[0], "image") == want
	})
}

func TestThreescaleOperatorRefusesInternalDatabases(t *testing.T) {
	s := newSim(t, operatorSite("Automatic", false)...)
	s.must("patch", "subscription/3scale-operator", "--namespace=3scale-operator", "--type=merge", "-p", `{"spec":{"channel":"threescale-2.16"}}`)
	s.sleep("900")
	am := s.object("apimanager", "apimanager-sample")
	if v := annotation(am, threescaleAnn); v != "2.15.5" {
		t.Errorf("an APIManager with internal databases moved to %s", v)
	}
	found := false
	for _, c := range list(am, "status", "conditions") {
		if str(c, "type") == "Preflights" && str(c, "status") == "False" && strings.Contains(str(c, "message"), "system.database") {
			found = true
		}
	}
	if !found {
		t.Errorf("no failing Preflights condition: %v", nested(am, "status", "conditions"))
	}
}

func TestFaultInjection(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.env["FAKEOC_FAIL_AFTER"] = "AMP_RELEASE"
	_, errOut, code := s.oc("patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"AMP_RELEASE":"2.8"}}`)
	if code == 0 || !strings.Contains(errOut, "injected after") {
		t.Errorf("fail-after: exit %d %q", code, errOut)
	}
	if v := str(s.object("cm", "system-environment"), "data", "AMP_RELEASE"); v != "2.8" {
		t.Errorf("a call that failed after the cluster applied it left AMP_RELEASE %q", v)
	}
	s.env["FAKEOC_FAIL"] = "AMP_RELEASE"
	if _, _, code := s.oc("patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"AMP_RELEASE":"2.9"}}`); code == 0 {
		t.Error("FAKEOC_FAIL did not fail the call")
	}
	if v := str(s.object("cm", "system-environment"), "data", "AMP_RELEASE"); v != "2.8" {
		t.Errorf("a call that failed before the cluster changed AMP_RELEASE to %q", v)
	}
	var st State
	raw, _ := os.ReadFile(filepath.Join(s.dir, "ocsim-state.json"))
	_ = json.Unmarshal(raw, &st)
	s.env["FAKEOC_CRASH_AT"] = strconv.Itoa(st.Calls + 1)
	if _, errOut, code := s.oc("patch", "configmap/system-environment", "--type=merge", "-p", `{"data":{"X":"1"}}`); code == 0 || !strings.Contains(errOut, "injected before") {
		t.Errorf("crash at the next call: exit %d %q", code, errOut)
	}
	if cm := s.object("cm", "system-environment"); nested(cm, "data", "X") != nil {
		t.Error("a call that crashed before reaching the cluster was applied")
	}
}

// TestDeterministicForSeed runs the same scenario twice per seed: the
// logical times and names are the same for a seed and differ between seeds.
func TestDeterministicForSeed(t *testing.T) {
	scenario := func(seed string) string {
		s := newSim(t, templateSite()...)
		s.env["OCSIM_SEED"] = seed
		s.must("patch", "imagestream/amp-system", "--type=json", "-p", `[{"op":"replace","path":"/spec/tags/1/from/name","value":"registry.example.com/3scale/system:2.8"}]`)
		n := 0
		for latestVersion(s) < 2 {
			n++
		}
		out := s.must("rollout", "status", "dc/system-app", "--watch")
		pods := s.must("get", "pods", "-o", "name")
		raw, _ := os.ReadFile(filepath.Join(s.dir, "ocsim-state.json"))
		var st State
		_ = json.Unmarshal(raw, &st)
		return strconv.Itoa(n) + "|" + out + "|" + pods + "|" + strconv.Itoa(int(st.Now/1000%1000))
	}
	a, b := scenario("7"), scenario("7")
	if a != b {
		t.Errorf("seed 7 gave two runs:\n%s\n%s", a, b)
	}
	if c := scenario("8"); c == a {
		t.Errorf("seeds 7 and 8 gave the same run:\n%s", a)
	}
}

// TestShellPollingLoop runs a runbook-style polling loop with the oc and
// sleep commands on PATH: the loop takes logical minutes, not real ones.
func TestShellPollingLoop(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	for _, n := range []string{"oc", "sleep"} {
		if err := os.Symlink(self, filepath.Join(bin, n)); err != nil {
			t.Fatal(err)
		}
	}
	s := newSim(t, templateSite()...)
	script := `set -euo pipefail
before=$(oc get dc system-app -o jsonpath='{.status.latestVersion}')
oc patch imagestream/amp-system --type=json -p '[{"op":"replace","path":"/spec/tags/1/from/name","value":"registry.example.com/3scale/system:2.8"}]' >/dev/null
for ((i = 0; i < 60; i++)); do
  v=$(oc get dc system-app -o jsonpath='{.status.latestVersion}')
  [ "$v" -gt "$before" ] && break
  sleep 10
done
oc rollout status dc/system-app --revision="$v" --watch --timeout=20m
`
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKEOC_DIR="+s.dir, "FAKEOC_NAMESPACE=3scale")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"system-app-2" successfully rolled out`) {
		t.Fatalf("the loop: %v\n%s", err, out)
	}
}

// TestClusterGrants: the simulator serves the cluster-wide grants a
// runbook compares between service accounts, ClusterRoleBindings and
// SecurityContextConstraints (whose users list who may use them), as the
// real types, cluster-scoped.
func TestClusterGrants(t *testing.T) {
	s := newSim(t,
		Object{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": map[string]any{"name": "view-3scale-default"},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "default", "namespace": "3scale"}}},
		Object{"apiVersion": "security.openshift.io/v1", "kind": "SecurityContextConstraints",
			"metadata":                 map[string]any{"name": "anyuid"},
			"allowPrivilegedContainer": false,
			"users":                    []any{"system:serviceaccount:3scale:default"}},
	)
	out := s.must("get", "clusterrolebindings", "-o", "jsonpath={.items[*].metadata.name}")
	if out != "view-3scale-default" {
		t.Errorf("clusterrolebindings: %q", out)
	}
	if out := s.must("get", "scc", "anyuid", "-o", "jsonpath={.users[0]}"); out != "system:serviceaccount:3scale:default" {
		t.Errorf("scc anyuid users: %q", out)
	}
	file := filepath.Join(t.TempDir(), "scc.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: security.openshift.io/v1\nkind: SecurityContextConstraints\nmetadata:\n  name: x\nuserz: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := s.oc("create", "-f", file); code == 0 || !strings.Contains(errOut, `unknown field "userz"`) {
		t.Errorf("an SCC with a misspelt field: exit %d, %q", code, errOut)
	}
}

// TestConfigChangeDeploysBeforeObserved: the deployment config
// controller turns a config change into a new latestVersion in the pass
// that sees the new generation, and observes the generation only in a pass
// that starts no deployment (openshift-controller-manager,
// pkg/apps/deploymentconfig: Handle calls triggerActivated, and when it
// fires, updates the status with latestVersion+1 and the old
// observedGeneration). So no read shows the new generation observed with
// the old latestVersion: a client that takes latestVersion once the
// generation is observed gets the config change's deployment, under every
// seed.
func TestConfigChangeDeploysBeforeObserved(t *testing.T) {
	for seed := 1; seed <= 12; seed++ {
		s := newSim(t, templateSite()...)
		s.env["OCSIM_SEED"] = strconv.Itoa(seed)
		s.env["OCSIM_STEP"] = "100ms"
		s.must("set", "env", "dc/system-app", "B=2")
		for i := 0; ; i++ {
			if i == 300 {
				t.Fatalf("seed %d: no deployment for the config change in 30 logical seconds", seed)
			}
			dc := s.object("dc", "system-app")
			if num(dc, "status", "latestVersion") >= 2 {
				break
			}
			if num(dc, "status", "observedGeneration") >= num(dc, "metadata", "generation") {
				t.Errorf("seed %d: generation %d observed with latestVersion %d, before the config change's deployment",
					seed, num(dc, "metadata", "generation"), num(dc, "status", "latestVersion"))
				break
			}
		}
	}
}

// TestExecOutputOfAWorkload: under the exec fallback, oc exec prints
// exec.out, the same for every pod, unless the workload it names is
// annotated with what its pods' programs print (ocsim.ampc.io/exec-output).
func TestExecOutputOfAWorkload(t *testing.T) {
	objects := templateSite()
	other := meta("Deployment", "apps/v1", "3scale", "system-redis")
	other["metadata"].(map[string]any)["annotations"] = map[string]any{execOutputAnn: "Redis server v=7.0.15\n"}
	other["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"app": "system-redis"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "system-redis"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "redis", "image": "registry.example.com/redis:7"}}}}}
	s := newSim(t, append(objects, other)...)
	s.env["OCSIM_EXEC_FALLBACK"] = "1"
	for _, dir := range []string{s.dir, s.twinDir} {
		if err := os.WriteFile(filepath.Join(dir, "exec.out"), []byte("Redis server v=7.2.6\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out := s.must("exec", "deployment/backend-worker", "--", "redis-server", "--version"); out != "Redis server v=7.2.6\n" {
		t.Errorf("backend-worker printed %q, not exec.out", out)
	}
	if out := s.must("exec", "deployment/system-redis", "--", "redis-server", "--version"); out != "Redis server v=7.0.15\n" {
		t.Errorf("system-redis printed %q, not its annotation", out)
	}
}

// TestProjectsAreNamespaces: oc get project (and namespace) answers for
// every namespace the cluster holds objects in or created, as OpenShift
// does, so that a step that creates a project only when it is missing sees
// one that exists; oc new-project refuses it.
func TestProjectsAreNamespaces(t *testing.T) {
	s := newSim(t, templateSite()...)
	s.put(Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "other"}})
	for _, ns := range []string{"3scale", "other"} {
		for _, kind := range []string{"project", "namespace"} {
			if out := s.must("get", kind, ns, "-o", "name"); strings.TrimSpace(out) == "" {
				t.Errorf("oc get %s %s printed nothing", kind, ns)
			}
		}
	}
	if _, errOut, code := s.oc("get", "project", "missing"); code == 0 || !strings.Contains(errOut, "NotFound") {
		t.Errorf("oc get project missing: exit %d %q", code, errOut)
	}
	if _, errOut, code := s.oc("new-project", "other", "--skip-config-write"); code == 0 || !strings.Contains(errOut, "AlreadyExists") {
		t.Errorf("oc new-project other: exit %d %q", code, errOut)
	}
	s.must("new-project", "created", "--skip-config-write")
	if out := s.must("get", "projects", "-o", "name"); !strings.Contains(out, "project.project.openshift.io/created") || !strings.Contains(out, "project.project.openshift.io/other") {
		t.Errorf("oc get projects:\n%s", out)
	}
}

// TestThreescaleOperator08KeepsReplicas: the 0.5 operator scales
// system-app, a DeploymentConfig of its APIManager, back to the
// APIManager's count after an oc scale (DeploymentConfigReconcileReplicas
// of v0.5.0); with spec.system.appSpec.replicas 0 it stays stopped, and a
// DeploymentConfig the APIManager does not set (system-sphinx) stays as
// scaled.
func TestThreescaleOperator08KeepsReplicas(t *testing.T) {
	objects := templateSite()
	for _, name := range []string{"system-app", "system-sphinx"} {
		var dc Object
		if name == "system-app" {
			dc = objects[1]
		} else {
			dc = clone(objects[1])
			dc["metadata"] = map[string]any{"name": name, "namespace": "3scale"}
			dc["spec"].(map[string]any)["selector"] = map[string]any{"deploymentConfig": name}
			dc["spec"].(map[string]any)["template"].(map[string]any)["metadata"] = map[string]any{"labels": map[string]any{"deploymentConfig": name}}
			objects = append(objects, dc)
		}
		dc["metadata"].(map[string]any)["ownerReferences"] = []any{map[string]any{"apiVersion": "apps.3scale.net/v1alpha1", "kind": "APIManager", "name": "apimanager-sample", "uid": "5c1d"}}
	}
	sub := meta("Subscription", "operators.coreos.com/v1alpha1", "3scale-operator", "3scale-operator")
	sub["spec"] = map[string]any{"channel": "threescale-2.8", "installPlanApproval": "Automatic", "name": "3scale-operator",
		"source": "redhat-operators", "sourceNamespace": "openshift-marketplace"}
	sub["status"] = map[string]any{"installedCSV": "3scale-operator.v0.5.0", "currentCSV": "3scale-operator.v0.5.0", "state": "AtLatestKnown"}
	op := meta("Deployment", "apps/v1", "3scale-operator", "3scale-operator")
	op["spec"] = map[string]any{"replicas": 1, "selector": map[string]any{"matchLabels": map[string]any{"name": "threescale-operator"}},
		"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"name": "threescale-operator"}},
			"spec": map[string]any{"containers": []any{map[string]any{"name": "3scale-operator", "image": "registry.redhat.io/3scale-amp2/3scale-rhel7-operator:0.5.0"}}}}}
	am := apimanager()
	am["metadata"].(map[string]any)["annotations"] = map[string]any{threescaleAnn: "2.8", operatorAnn: "0.5.0"}
	s := newSim(t, append(objects, sub, op, am)...)
	s.sleep("60")
	for _, name := range []string{"system-app", "system-sphinx"} {
		s.must("scale", "dc/"+name, "--replicas=0")
	}
	s.waitFor("system-app scaled back to 1", func() bool { return num(s.object("dc", "system-app"), "spec", "replicas") == 1 })
	if n := num(s.object("dc", "system-sphinx"), "spec", "replicas"); n != 0 {
		t.Errorf("system-sphinx, which the APIManager does not scale, is back at %d", n)
	}
	s.must("patch", "apimanager/apimanager-sample", "--type=merge", "-p", `{"spec":{"system":{"appSpec":{"replicas":0}}}}`)
	s.waitFor("system-app scaled to the APIManager's 0", func() bool { return num(s.object("dc", "system-app"), "spec", "replicas") == 0 })
	s.sleep("120")
	if n := num(s.object("dc", "system-app"), "spec", "replicas"); n != 0 {
		t.Errorf("system-app is back at %d with appSpec.replicas 0", n)
	}
}
