package bundletest

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
)

// Get follows path in a decoded object: a string indexes a map, an int a
// list. It gives nil where the path leads nowhere.
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// EnvOf gives a container's env list by variable name, failing the test on
// a name that appears twice.
func EnvOf(t *testing.T, list any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, e := range list.([]any) {
		m := e.(map[string]any)
		name := m["name"].(string)
		if _, dup := out[name]; dup {
			t.Errorf("env var %s appears twice", name)
		}
		out[name] = m
	}
	return out
}

// WantSecretRef checks that the env var name of env (an EnvOf, found in
// where) reads key of Secret secret, optional or not, and nothing else.
func WantSecretRef(t *testing.T, where string, env map[string]map[string]any, name, secret, key string, optional bool) {
	t.Helper()
	e, ok := env[name]
	if !ok {
		t.Errorf("%s: no env var %s", where, name)
		return
	}
	want := map[string]any{"name": secret, "key": key}
	if optional {
		want["optional"] = true
	}
	if got := Get(e, "valueFrom", "secretKeyRef"); !reflect.DeepEqual(got, want) || Get(e, "valueFrom", "configMapKeyRef") != nil || e["value"] != nil {
		t.Errorf("%s: %s = %v, want secretKeyRef %v", where, name, e, want)
	}
}

// ContainerEnv gives the env list of a DeploymentConfig's container, failing
// the test if it has no such container.
func ContainerEnv(t *testing.T, dc map[string]any, container string) []any {
	t.Helper()
	for _, c := range Get(dc, "spec", "template", "spec", "containers").([]any) {
		if Get(c, "name") == container {
			env, _ := Get(c, "env").([]any)
			return env
		}
	}
	t.Fatalf("dc %v has no container %s", Get(dc, "metadata", "name"), container)
	return nil
}

// Tags returns an image stream's spec tags by name, failing on a
// duplicate name.
func Tags(t *testing.T, is map[string]any) map[string]map[string]any {
	t.Helper()
	tags := map[string]map[string]any{}
	list, _ := Get(is, "spec", "tags").([]any)
	for _, tag := range list {
		m := tag.(map[string]any)
		name := m["name"].(string)
		if _, dup := tags[name]; dup {
			t.Errorf("image stream %v has two tags named %s", Get(is, "metadata", "name"), name)
		}
		tags[name] = m
	}
	return tags
}

// DeepCopy copies a decoded object through JSON.
func DeepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	raw, _ := json.Marshal(m)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// RestartStamp is the annotation `oc rollout restart` writes into a
// workload's pod template: the time of the logical clock, which a run with
// faults reaches later than the run without.
const RestartStamp = "kubectl.kubernetes.io/restartedAt"

// WithoutRestartStamp is a workload's spec (or any value holding a pod
// template at template) without RestartStamp, a copy when it had one: two
// runs that restarted a workload at different times compare equal; that
// the restart happened shows in the rollout and the generation.
func WithoutRestartStamp(spec any) any {
	ann, ok := Get(spec, "template", "metadata", "annotations").(map[string]any)
	if !ok {
		return spec
	}
	if _, ok := ann[RestartStamp]; !ok {
		return spec
	}
	raw, _ := json.Marshal(spec)
	var cp any
	_ = json.Unmarshal(raw, &cp)
	delete(Get(cp, "template", "metadata", "annotations").(map[string]any), RestartStamp)
	return cp
}

// Base64 encodes s as a Secret's data holds it.
func Base64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
