// Package plan reads an ampc plan: HCL bytes in, a typed Plan out, with
// diagnostics that point at the source.
//
// A plan describes one 3scale site and the upgrade it wants: where 3scale
// runs, how it was installed, which version it runs and which it should run.
// Every value that may later reach a shell runbook (names, versions, paths) is
// validated here, once, at the edge.
//
// The package knows nothing of rule modules, hops or output files: whether a
// requested upgrade is covered is the compiler's question.
package plan
