package runbooktest

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

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

// TestRunbookAgainstFakeOC runs the whole 2.7 → 2.8 S3 runbook against a
// namespace seeded from the fixture, fails it in the middle, re-runs it, and
// checks the result against kubectl patch plus the run-time steps' effects.
func TestRunbookAgainstFakeOC(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	testenv.Tool(t, "kubectl")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))

	// --dry-run changes nothing and calls no oc.
	c := bundletest.NewCluster(t, fixture)
	before := c.Objects(t)
	work := t.TempDir()
	out, err := c.Run(t, bundle, work, "", "--dry-run")
	if err != nil || !strings.Contains(out, "oc patch deploymentconfig/system-app --type=json") {
		t.Fatalf("--dry-run: %v\n%s", err, out)
	}
	if calls := c.Calls(t); len(calls) != 0 {
		t.Errorf("--dry-run called oc: %v", calls)
	}
	if !reflect.DeepEqual(before, c.Objects(t)) {
		t.Error("--dry-run changed the namespace")
	}

	// A failure in the middle stops the run at that step.
	out, err = c.Run(t, bundle, work, "patch imagestream/amp-zync")
	if err == nil {
		t.Fatalf("the run with an injected failure succeeded:\n%s", out)
	}
	if !strings.Contains(out, "ampc: step 2.7-2.8/image-amp-zync failed") || !strings.Contains(out, "re-run") {
		t.Errorf("no failure message naming the step:\n%s", out)
	}
	// The re-run continues at the failed step.
	out, err = c.Run(t, bundle, work, "patch imagestream/amp-zync")
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2.7-2.8/smtp-secret: done before, skipped") || !strings.Contains(out, "all steps done") {
		t.Errorf("the re-run did not skip the finished steps:\n%s", out)
	}
	calls := c.Calls(t)
	for prefix, want := range map[string]int{
		"create -f -":           1, // system-smtp, never twice
		"patch secret aws-auth": 1, // the bucket and region copy
		"patch deploymentconfig/system-app --type=json": 5, // 1.2.3, 1.2.4, 1.2.5, twice in 1.2.7
		"patch imagestream/amp-zync":                    2, // failed once, then applied
		"delete configmap/smtp":                         1,
	} {
		if got := bundletest.CountCalls(calls, prefix); got != want {
			t.Errorf("%q ran %d times, want %d", prefix, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "backups", "3scale-2.7", "2.7-2.8", "system-app_dc.yml")); err != nil {
		t.Errorf("no backup of system-app: %v", err)
	}

	// The namespace equals the fixture patched with kubectl, plus the
	// run-time steps' effects.
	got := c.Objects(t)
	want := bundletest.FixtureObjects(t, fixture)
	bundletest.At(t, bundle).Apply(want)
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
	smtp := got["Secret/system-smtp"]
	if smtp == nil {
		t.Fatal("no system-smtp Secret")
	}
	cm := bundletest.FixtureObjects(t, fixture)["ConfigMap/smtp"]
	for k, v := range bundletest.Get(cm, "data").(map[string]any) {
		dec, _ := base64.StdEncoding.DecodeString(bundletest.Get(smtp, "data", k).(string))
		if string(dec) != v {
			t.Errorf("system-smtp %s = %q, want the ConfigMap's %q", k, dec, v)
		}
	}
	if n := len(bundletest.Get(smtp, "data").(map[string]any)); n != len(bundletest.Get(cm, "data").(map[string]any)) {
		t.Errorf("system-smtp has %d keys", n)
	}
	env := bundletest.FixtureObjects(t, fixture)["ConfigMap/system-environment"]
	for _, k := range []string{"AWS_BUCKET", "AWS_REGION"} {
		dec, _ := base64.StdEncoding.DecodeString(bundletest.Get(got["Secret/aws-auth"], "data", k).(string))
		if string(dec) != bundletest.Get(env, "data", k) {
			t.Errorf("aws-auth %s = %q, want %q", k, dec, bundletest.Get(env, "data", k))
		}
	}

	// A third run has nothing left to do and changes nothing.
	snapshot := c.Objects(t)
	if out, err := c.Run(t, bundle, work, ""); err != nil {
		t.Fatalf("third run: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(snapshot, c.Objects(t)) {
		t.Error("a run after completion changed the namespace")
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch "); n != bundletest.CountCalls(calls, "patch ") {
		t.Errorf("the run after completion patched again (%d patch calls, %d before)", n, bundletest.CountCalls(calls, "patch "))
	}
	// Forcing a finished patch step again: its checks hold on the live
	// object, so the append of MASTER_ACCESS_TOKEN is not repeated.
	out, err = c.Run(t, bundle, work, "", "--only", "2.7-2.8/prehook-env")
	if err != nil || !strings.Contains(out, "deploymentconfig/system-app: already applied, skipped") {
		t.Errorf("--only on a finished patch step: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch "); n != bundletest.CountCalls(calls, "patch ") {
		t.Error("--only re-applied a patch that was already applied")
	}
}
