// Package bundletest is the test harness of ampc's bundles, in the spirit of
// kustomize's api/testutils/kusttest: it compiles plans and writes their
// bundles (Compile, WriteBundle), applies a bundle to a site's objects with
// kubectl patch --local in plan.json order and checks that no Secret value
// of the site is in it (Bundle), runs a bundle's runbook on the simulated
// cluster of internal/ocsim (Cluster), and holds the fixture helpers that
// the tests of emit and emit/runbooktest share (the operator sites of
// Op27Objects and Op215Objects among them, and OpSeed, an operator site at
// any release from 2.8 to 2.14 on the simulated cluster).
//
// It is a library for tests, not a test of its own: only _test.go files
// import it, and a test binary that makes clusters calls Main from its
// TestMain. Its tool runs (kubectl, shellcheck) are cached per test binary.
package bundletest
