// Package propertytest holds the properties every emitted runbook must have
// on the simulated cluster of internal/ocsim, checked over example sites:
// a complete run ends on the target images, a second run and a run without
// its state file change nothing, a lost connection in any step converges
// after a re-run (TestRunbookProperties), and every verify step can fail
// (TestEveryVerifyCanFail). AMPC_EXHAUSTIVE=1 widens the sweep. They are a
// package of their own so that they run beside emit/runbooktest within the
// per-package time limit. It holds tests only: its sites and falsifiers;
// the harness is internal/proptest (emit/lifecycletest is its other user).
package propertytest
