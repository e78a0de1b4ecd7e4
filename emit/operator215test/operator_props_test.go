package operator215test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// Findings of the property runs of the operator examples
// (emit/propertytest), each on the simulated cluster.

// TestOperator215RedisRestartOnce re-runs the 2.15 → 2.16 step that loads
// the Redis dumps after its restart of backend-redis-external reached the
// cluster but the client saw an error (a lost connection): the re-run must
// not restart it again (a second restart reloads the dump into a Redis that
// may have served since; the property run found backend-redis-external
// two generations ahead of the run without faults). Before, the step
// restarted both instances on every run (redeploy).
func TestOperator215RedisRestartOnce(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.15-to-2.16-mysql-on-cluster.hcl"), ""))
	acks := op215Manual(t, bundle)
	c := newOp215Cluster(t, bundletest.Op215Objects(t), op215ExecOut)
	work := t.TempDir()
	const restart = "rollout restart deployment/backend-redis-external"
	out, err := c.runEnv(t, bundle, work, "", []string{"FAKEOC_FAIL_AFTER=" + restart}, acks...)
	if err == nil || !strings.Contains(out, "ampc: step 2.15-2.16/redis-restore failed") {
		t.Fatalf("the run did not stop in redis-restore: %v\n%s", err, out)
	}
	generation := bundletest.Get(c.all(t)["3scale-db/Deployment/backend-redis-external"], "metadata", "generation")
	if out, err := c.runEnv(t, bundle, work, "", nil, append([]string{"--only", "2.15-2.16/redis-restore"}, acks...)...); err != nil {
		t.Fatalf("the re-run of redis-restore: %v\n%s", err, out)
	}
	if n := bundletest.CountCalls(c.Calls(t), restart); n != 1 {
		t.Errorf("backend-redis-external was restarted %d times, want once", n)
	}
	if g := bundletest.Get(c.all(t)["3scale-db/Deployment/backend-redis-external"], "metadata", "generation"); g != generation {
		t.Errorf("the re-run changed backend-redis-external: generation %v, %v before", g, generation)
	}
	if n := bundletest.CountCalls(c.Calls(t), "rollout restart deployment/system-redis-external"); n != 1 {
		t.Errorf("system-redis-external was restarted %d times, want once", n)
	}
}
