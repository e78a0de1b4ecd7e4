// Package operator215test holds the tests that run the 2.15 → 2.16
// operator runbooks (guide 004) on the simulated cluster of internal/ocsim:
// whole runs stopped where the 2.16 operator takes over and finished after
// it, the database moves with the data the simulated database pods hold,
// the rollbacks and what refuses them, the section A audit findings of
// that hop, a falsifier of each of its verify steps (a state that
// makes the step fail, TestVerifiesCanFail), and the runbook properties
// of internal/proptest on the AWS example (TestOperator215Properties). It is emit/runbooktest's twin for the operator hop, a package
// of its own so that each test binary stays within the test budget. Their
// harness is internal/bundletest.
//
// It holds tests only.
package operator215test
