// Package emit writes a compiled plan (ir.Bundle) out as a bundle
// directory: plan.json, PLAN.md, runbook.sh, patches/, kustomize/ and
// SHA256SUMS. Each artefact has its own writer; Files assembles them in
// memory, checks them (no Secret value, every kustomization builds), and
// Write puts them on disk atomically.
//
// The package knows nothing of HCL, plans or rule modules: only steps. It
// imports the ir package and no other stage of ampc (TestImportsNoFrontEnd).
package emit
