// Package templatechaintest holds the runbook properties (internal/proptest)
// of the template lifecycle after 2.8, the hops 2.8 → 2.12 of the
// examples 2.8-to-2.10-mysql and 2.8-to-2.12-mysql on the 2.8 template
// export, and 2.9-to-2.10-postgresql-s3 on the 2.7 amp-s3 export turned
// into a 2.9 PostgreSQL site by ampc's own 2.7 → 2.9 runbook: a complete
// run reaches its targets, re-runs and lost state change nothing, faults
// converge. Their verify steps' falsifiers are in emit/runbooktest. It is
// a package of its own, apart from emit/propertytest, so that each runs
// within the per-package time limit; its hops share no step with that
// package's sites, so the default sweep fails no step twice. It holds
// tests only.
package templatechaintest
