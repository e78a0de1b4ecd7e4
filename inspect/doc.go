// Package inspect reads a bundle directory that emit wrote, for the people
// who receive one: Verify checks it after it was carried to a site (the
// checksums of SHA256SUMS, and every file plan.json and runbook.sh refer
// to), and Diff shows a reviewer what changed between two bundles. Both
// read plan.json with ReadPlan, into the ir.PlanDoc types emit writes it
// from, so the format has one definition.
//
// The package is not called bundle: that is the name the README gives the
// output directory of its first example (and .gitignore ignores /bundle/).
// It never writes a bundle (that is emit's work) and knows nothing of
// plans, rule modules or snapshots: only the files on disk.
package inspect
