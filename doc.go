// Package ampc runs the whole pipeline in one call, as hclsimple does for
// hcl: plan source → Plan (package plan) → snapshot (package snapshot) →
// steps (package compiler, an ir.Bundle) → the bundle's files (package
// emit), with the diagnostics of every stage. The command line and the
// tests call Compile or CompileFile rather than chaining the stages
// themselves.
//
// The package holds no logic of its own beyond turning a Secret value that
// would reach the bundle into a diagnostic at that Secret. It writes
// nothing to disk: emit.Write does, with the files a Result holds.
package ampc
