package proptest

import (
	"testing"
)

// TestStepsOwnedOnce checks the default sweep's sharing of faults between
// a suite's sites: a step whose function is the same in two sites is
// owned by the first only, a step whose function differs (the S3 branch
// of the same step id) by both.
func TestStepsOwnedOnce(t *testing.T) {
	s := &Suite{}
	pg, pgSteps := s.compile(t, Site{Example: "2.7-postgresql"})
	plain, plainSteps := s.compile(t, Site{Example: "2.7-mysql"})
	a, b := stepFingerprints(t, pg, pgSteps), stepFingerprints(t, plain, plainSteps)
	same, differ := 0, 0
	for id, fp := range b {
		switch a[id] {
		case fp:
			same++
		case "":
		default:
			differ++
		}
	}
	// The driver's patch steps run the same function on both sites (one
	// code path, whatever the patch files hold); the backup dumps MySQL on
	// one and PostgreSQL on the other.
	if a["2.7-2.8/prehook-env"] == "" || a["2.7-2.8/prehook-env"] != b["2.7-2.8/prehook-env"] {
		t.Errorf("2.7-2.8/prehook-env: %q and %q, want one fingerprint", a["2.7-2.8/prehook-env"], b["2.7-2.8/prehook-env"])
	}
	if a["2.7-2.8/backup"] == b["2.7-2.8/backup"] {
		t.Errorf("2.7-2.8/backup has the same fingerprint on a MySQL and a PostgreSQL site")
	}
	if same == 0 || differ == 0 {
		t.Errorf("%d steps the same and %d different: the fingerprints tell nothing", same, differ)
	}
	again := stepFingerprints(t, plain, plainSteps)
	for id, fp := range b {
		if again[id] != fp {
			t.Errorf("%s: fingerprint %s, then %s", id, fp, again[id])
		}
	}
}
