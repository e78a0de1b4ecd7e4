// Package snapshot reads a namespace export (`oc get -o yaml|json`, a file
// or a directory of files) into the objects the compiler models the site
// on, with diagnostics that point at the file and line.
//
// Reading is its own stage because it is where a Secret value is met and
// kept out: every value in a Secret's data and stringData is blanked as the
// object is read, and the decoded values (with each line of them and the
// password of a URL in them), like the credentials other objects hold in
// clear, are kept apart. They never enter the objects (Objects); they leave
// the package only through Sensitive, so that the compiler can mask them
// and emit can check every file against them.
//
// The package knows nothing of plans, rule modules or output files: it
// takes the namespace to place objects without one in, and nothing else.
// It uses hcl only for its diagnostics (hcl.Diagnostic, hcl.Range).
package snapshot
