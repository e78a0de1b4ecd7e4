package propertytest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/proptest"
	"github.com/ampc/ampc/internal/testenv"
)

// check27S3 checks what the 2.7 → 2.8 S3 example's run leaves on its
// fixture: the objects are the fixture patched with kubectl plus the
// run-time steps' effects (the smtp ConfigMap moved into the system-smtp
// Secret, the bucket and region copied into aws-auth), each change made
// once, the backup of system-app written; and a finished patch step forced
// again (--only) finds its checks holding on the live object and patches
// nothing.
func check27S3(t *testing.T, p *proptest.Run, c *bundletest.Cluster, work string) {
	t.Helper()
	testenv.Tool(t, "kubectl")
	got := c.Objects(t)
	fixture := bundletest.FixtureObjects(t, p.Fixture)
	want := bundletest.FixtureObjects(t, p.Fixture)
	bundletest.At(t, p.Bundle).Apply(want)
	for key, obj := range want {
		if !reflect.DeepEqual(withoutImages(obj["spec"]), withoutImages(got[key]["spec"])) {
			t.Errorf("%s: spec differs from the patched fixture", key)
		}
		if obj["kind"] == "ConfigMap" && !reflect.DeepEqual(obj["data"], got[key]["data"]) {
			t.Errorf("%s: data differs from the patched fixture", key)
		}
	}
	if _, ok := got["ConfigMap/smtp"]; ok {
		t.Error("the smtp ConfigMap is still there")
	}
	smtp, cm := got["Secret/system-smtp"], fixture["ConfigMap/smtp"]
	if smtp == nil {
		t.Fatal("no system-smtp Secret")
	}
	for k, v := range bundletest.Get(cm, "data").(map[string]any) {
		dec, _ := base64.StdEncoding.DecodeString(bundletest.Get(smtp, "data", k).(string))
		if string(dec) != v {
			t.Errorf("system-smtp %s = %q, want the ConfigMap's %q", k, dec, v)
		}
	}
	if n := len(bundletest.Get(smtp, "data").(map[string]any)); n != len(bundletest.Get(cm, "data").(map[string]any)) {
		t.Errorf("system-smtp has %d keys", n)
	}
	env := fixture["ConfigMap/system-environment"]
	for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
		dec, _ := base64.StdEncoding.DecodeString(bundletest.Get(got["Secret/aws-auth"], "data", k).(string))
		if string(dec) != bundletest.Get(env, "data", k) {
			t.Errorf("aws-auth %s = %q, want %q", k, dec, bundletest.Get(env, "data", k))
		}
	}
	calls := c.Calls(t)
	for prefix, n := range map[string]int{
		"create -f -":           1, // system-smtp, never twice
		"patch secret aws-auth": 1, // the bucket and region copy
		"patch deploymentconfig/system-app --type=json": 5, // 1.2.3, 1.2.4, 1.2.5, twice in 1.2.7
		"delete configmap/smtp":                         1,
	} {
		if got := bundletest.CountCalls(calls, prefix); got != n {
			t.Errorf("%q ran %d times, want %d", prefix, got, n)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "backups", "3scale-2.7", "2.7-2.8", "system-app_dc.yml")); err != nil {
		t.Errorf("no backup of system-app: %v", err)
	}
	patches := bundletest.CountCalls(calls, "patch ")
	out, err := c.Exec(t, p.Bundle, work, nil, "--only", "2.7-2.8/prehook-env")
	if err != nil || !strings.Contains(out, "deploymentconfig/system-app: already applied, skipped") {
		t.Errorf("--only on a finished patch step: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch "); n != patches {
		t.Error("--only re-applied a patch that was already applied")
	}
}

// withoutImages drops the container images a rollout resolves, which
// kubectl patch cannot know, and what the server sets in a spec: the
// ImageChange trigger's lastTriggeredImage and an image stream tag's
// generation.
func withoutImages(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "image" && k != "lastTriggeredImage" && k != "generation" {
				out[k] = withoutImages(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = withoutImages(e)
		}
		return out
	}
	return v
}
