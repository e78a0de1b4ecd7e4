// Package runbooktest holds the tests that run emitted runbooks on the
// simulated cluster of internal/ocsim: whole runs, failed and re-run, the
// run-time steps of a hop, the waits and verify steps against a cluster
// whose controllers act later, rollbacks, and the template-to-operator
// migration across two clusters; emit/operator215test holds those of the
// 2.15 → 2.16 operator hop. Their harness is internal/bundletest.
// One such test, TestRunbookDrift, runs in emit's test binary to keep the
// two binaries' times alike.
//
// It holds tests only. The tests that check a bundle's files (goldens,
// kubectl patch --local on the fixtures, kustomize, shellcheck, secrets)
// are emit's.
package runbooktest
