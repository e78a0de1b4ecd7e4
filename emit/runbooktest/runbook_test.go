package runbooktest

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestRunbookAgainstFakeOC: --dry-run of the 2.7 → 2.8 S3 runbook prints
// its steps and changes nothing, calling no oc. (Its run on the fixture is
// emit/propertytest's site 2.7-mysql-s3, whose check27S3 compares the
// namespace with the fixture patched by kubectl.)
func TestRunbookAgainstFakeOC(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	before := c.Objects(t)
	out, err := c.Run(t, bundle, t.TempDir(), "", "--dry-run")
	if err != nil || !strings.Contains(out, "oc patch deploymentconfig/system-app --type=json") {
		t.Fatalf("--dry-run: %v\n%s", err, out)
	}
	if calls := c.Calls(t); len(calls) != 0 {
		t.Errorf("--dry-run called oc: %v", calls)
	}
	if !reflect.DeepEqual(before, c.Objects(t)) {
		t.Error("--dry-run changed the namespace")
	}
}
