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
