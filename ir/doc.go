// Package ir is the step IR: the compiled plan (Bundle) that the compiler
// produces and emit writes out, and nothing else. A Bundle is a list of
// steps in run order; each step says what it does (Kind), which objects it
// touches (Target), and carries its RFC 6902 operations (Op, Patch) with the
// checks that prove them applied, the objects it creates or deletes, its
// shell and its manual instructions.
//
// The package is called ir rather than bundle because "bundle" already names
// the directory on disk, everywhere in ampc's documentation and commands;
// this package is the in-memory form between the two stages, before any file
// exists. It knows nothing of HCL, plans, rule modules or snapshots, so the
// stages after the compiler (emit) depend on it alone: everything they need
// from the front end travels in a Bundle, in plain Go values.
package ir
