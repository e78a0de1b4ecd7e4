package runbooktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// TestPatchStepStopsOnAFailedRead runs a patch step whose read of the live
// object (the driver's applied, which tells whether the patch is already
// there) fails as a lost connection fails it: the step must stop without
// patching. Before, a failed read counted as "not applied" and the patch
// was written on that guess.
func TestPatchStepStopsOnAFailedRead(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	const step = "2.7-2.8/prehook-command"
	c := bundletest.NewCluster(t, fixture)
	failed := false
	c.Fault = func(call ocsim.Call) ocsim.Fault {
		if call.Env["AMPC_STEP"] == step && !failed {
			failed = true
			return ocsim.Before
		}
		return ocsim.Pass
	}
	out, err := c.Run(t, bundle, t.TempDir(), "", "--only", step)
	if !failed {
		t.Fatalf("the step made no oc call:\n%s", out)
	}
	if err == nil || !strings.Contains(out, "could not read deploymentconfig/system-app") {
		t.Errorf("the step did not stop at its failed read: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), "patch"); n != 0 {
		t.Errorf("the step patched after its read failed (%d patch calls)\n%s", n, out)
	}

	// A missing object is no failed read: the patch runs and says so.
	c = bundletest.NewCluster(t, fixture)
	if err := os.Remove(filepath.Join(c.Dir, "objects", "DeploymentConfig.system-app.json")); err != nil {
		t.Fatal(err)
	}
	out, err = c.Run(t, bundle, t.TempDir(), "", "--only", step)
	if err == nil || strings.Contains(out, "could not read") || !strings.Contains(out, "NotFound") && !strings.Contains(out, "not found") {
		t.Errorf("on a missing system-app the patch did not run and fail: %v\n%s", err, out)
	}
}

// TestImagesVerifyOnALargeDeploymentConfig runs the 2.7 → 2.8 image check
// on a site whose DeploymentConfigs are larger than Linux lets one program
// argument be (128 KiB, MAX_ARG_STRLEN: a long annotation is enough). The
// check compares each DeploymentConfig with its ReplicationController in
// jq; it gave both to jq as --argjson arguments, and the exec failed with
// "Argument list too long".
func TestImagesVerifyOnALargeDeploymentConfig(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	objects := c.Objects(t)
	dc := objects["DeploymentConfig/system-sidekiq"]
	meta := dc["metadata"].(map[string]any)
	annotations, _ := meta["annotations"].(map[string]any)
	if annotations == nil {
		annotations = map[string]any{}
		meta["annotations"] = annotations
	}
	annotations["example.com/notes"] = strings.Repeat("x", 200<<10)
	c.Put(t, dc)
	out, err := c.Run(t, bundle, t.TempDir(), "", "--only", "2.7-2.8/images-verify")
	if strings.Contains(out, "Argument list too long") {
		t.Fatalf("the image check could not run jq on a large DeploymentConfig:\n%s", out)
	}
	if err != nil {
		t.Fatalf("the image check failed on a settled site: %v\n%s", err, out)
	}
}
