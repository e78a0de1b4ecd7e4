// Package compiler turns a Plan into an ordered list of steps: an ir.Bundle,
// which the emit package writes out as a bundle.
//
// The compiler resolves the plan's from → to request into hops, each backed
// by one rule module: an HCL file under rules/, embedded in the binary and
// written to be read by a reviewer who does not read Go. A rule states intent
// at the Kubernetes level (set env var X of container C from secret S key K;
// point image stream tag T at image I; set this field); lowering turns each
// intent into RFC 6902 operations computed against a model of the namespace,
// puts test operations in front of every position-dependent operation, and
// applies the patch to the model so that later steps see its effect.
//
// The model is either the objects of a snapshot (oc get -o yaml exports,
// read by the snapshot package) or the layout of a standard install at the
// plan's version. Secret values of a snapshot never enter the model: Secrets
// are kept with their keys only.
//
// The compiler never contacts a cluster and writes no files.
package compiler
