package operator215test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// TestDetachBegunByHand runs the 2.15 → 2.16 move on a site where someone
// began the detach of system-mysql by hand before the runbook got there.
// The 2.16 guide's 3.3.4 removes the ownerReferences with one command and
// the labels with others: after its first command, the Deployment has no
// ownerReferences but all its labels; the PVC and mysql-extra-conf are
// done whole. A JSON patch that removes a missing path fails whole on the
// server ("The request is invalid"), so the runbook's detach patch, made of
// both removals, stopped there for good (before patch_removing): the
// re-run must instead make the removals left, skip the objects already
// detached, and end as a run from the start does.
func TestDetachBegunByHand(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	acks := op215Manual(t, bundle)
	c := newOp215Cluster(t, bundletest.Op215Objects(t), op215ExecOut)
	work := t.TempDir()
	const detach = "2.15-2.16/mysql-detach"
	c.Fault = func(call ocsim.Call) ocsim.Fault {
		if call.Env["AMPC_STEP"] == detach {
			return ocsim.Before
		}
		return ocsim.Pass
	}
	out, err := c.runEnv(t, bundle, work, "", nil, acks...)
	if err == nil || !strings.Contains(out, detach+" [patch]") {
		t.Fatalf("the run did not stop at %s: %v\n%s", detach, err, out)
	}
	c.Fault = nil

	objects := c.all(t)
	byHand := func(key string, labels bool) {
		obj := objects[key]
		if obj == nil || bundletest.Get(obj, "metadata", "ownerReferences") == nil {
			t.Fatalf("%s is not owned before the detach: nothing to begin by hand", key)
		}
		meta := obj["metadata"].(map[string]any)
		delete(meta, "ownerReferences")
		if labels {
			l := meta["labels"].(map[string]any)
			for _, name := range []string{"app", "threescale_component", "threescale_component_element"} {
				delete(l, name)
			}
		}
		c.Put(t, obj)
	}
	byHand("3scale/Deployment/system-mysql", false)
	byHand("3scale/PersistentVolumeClaim/mysql-storage", true)
	byHand("3scale/ConfigMap/mysql-extra-conf", true)

	out, err = c.runEnv(t, bundle, work, "", nil, acks...)
	if err != nil || !strings.Contains(out, "all steps done") {
		t.Fatalf("the re-run after the detach begun by hand: %v\n%s", err, out)
	}
	for _, skipped := range []string{"persistentvolumeclaim/mysql-storage: already applied, skipped", "configmap/mysql-extra-conf: already applied, skipped"} {
		if !strings.Contains(out, skipped) {
			t.Errorf("the re-run does not say %q:\n%s", skipped, out)
		}
	}
	bundletest.Op215Detached(t, c.all(t))
}
