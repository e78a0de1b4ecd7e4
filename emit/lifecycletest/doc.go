// Package lifecycletest holds the runbook properties (internal/proptest)
// of the operator lifecycle, the hops 2.8 → 2.16 of issue 15, on simulated
// operator sites (bundletest.OpSeed): a chain through every channel
// reaches its targets, re-runs and lost state change nothing, faults
// converge, and every verify step of those hops is shown able to fail. It
// is a package of its own so that it runs beside emit/propertytest within
// the per-package time limit. It holds tests only.
package lifecycletest
