package ampc

import (
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// Options are the optional inputs of a compile.
type Options struct {
	// Snapshot is the file or directory of the namespace export to compile
	// against; empty compiles against the standard layout.
	Snapshot string
	// Rules are rule modules parsed once with compiler.LoadRules, for a
	// caller that compiles many plans; nil parses the embedded modules.
	Rules *compiler.Rules
}

// Result is what a compile gives besides its diagnostics. Each stage's
// output is set once that stage succeeded: Plan once the plan parsed,
// Snapshot once the snapshot was read (nil without Options.Snapshot), Bundle
// once the plan compiled, and Files only when the diagnostics hold no
// error. A Bundle without Files is one whose files would show a Secret
// value.
type Result struct {
	Plan     *plan.Plan
	Snapshot *snapshot.Snapshot
	Bundle   *ir.Bundle
	Files    map[string][]byte // the bundle's files, by slash-separated path
	// Sources holds each file read (the plan and the snapshot's files), for
	// printing diagnostics with source snippets.
	Sources map[string]*hcl.File
}

// CompileFile reads a plan file and compiles it, as Compile does.
func CompileFile(filename string, opts Options) (*Result, hcl.Diagnostics) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return &Result{Sources: map[string]*hcl.File{}}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read plan", Detail: err.Error()}}
	}
	return Compile(filename, src, opts)
}

// Compile runs the whole pipeline on the source of one plan: parse it, read
// the snapshot, lower the plan into steps and render every file of the
// bundle, checked. Warnings come back with a result; an error in the plan
// or the snapshot stops at the first stage that finds it. A failure of
// ampc itself panics with "this is a bug in ampc".
func Compile(filename string, src []byte, opts Options) (*Result, hcl.Diagnostics) {
	p, file, diags := plan.Parse(filename, src)
	res := &Result{Sources: map[string]*hcl.File{filename: file}}
	if file != nil && file.Bytes == nil {
		res.Sources[filename] = &hcl.File{Bytes: src}
	}
	if diags.HasErrors() {
		return res, diags
	}
	res.Plan = p
	var snap *snapshot.Snapshot
	if opts.Snapshot != "" {
		s, sd := snapshot.Read(opts.Snapshot, p.Install.Namespace)
		if s != nil {
			for f, hf := range s.Files {
				res.Sources[f] = hf
			}
		}
		if diags = append(diags, sd...); sd.HasErrors() {
			return res, diags
		}
		snap, res.Snapshot = s, s
	}
	compile := compiler.Compile
	if opts.Rules != nil {
		compile = opts.Rules.Compile
	}
	b, cd := compile(p, snap)
	if diags = append(diags, cd...); diags.HasErrors() {
		return res, diags
	}
	if snap != nil {
		b.SnapshotDigest = snap.Digest()
	}
	res.Bundle = b
	files, err := emit.Files(b)
	var leak *emit.SecretInOutputError
	switch {
	case errors.As(err, &leak) && snap != nil:
		at, what, _ := snap.Origin(leak.Value)
		return res, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Secret value would appear in the bundle",
			Detail: fmt.Sprintf("The value of %s also appears in %s, which ampc generates, so no bundle was written: Secret values never leave the snapshot. "+
				"The value is probably a common word (a name, an image, a key); give that Secret a real secret value, or leave it out of the snapshot.", what, leak.File),
			Subject: &at,
		})
	case err != nil:
		panic("this is a bug in ampc: " + err.Error())
	}
	res.Files = files
	return res, diags
}
