package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/emit"
)

// StdinName is the file name diagnostics give a plan read from standard
// input (the plan file "-").
const StdinName = "<stdin>"

// checkFlags are the flags compile and validate share.
type checkFlags struct {
	out      string // compile only
	snapshot string
	json     bool
	strict   bool
}

// newCompileCmd is ampc compile when write is set, ampc validate otherwise.
func newCompileCmd(std IO, write bool) *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "validate PLAN.hcl [--snapshot PATH]",
		Short: "Check a plan; write nothing",
		Long: `Check a plan: parse it, read the snapshot, lower every step and render
every file of the bundle, including the Secret check, but write nothing.
On success it prints "PLAN: valid; ..." and the Plan line.

PLAN.hcl may be "-": the plan is read from standard input and diagnostics
name it <stdin>.`,
	}
	if write {
		cmd.Use = "compile PLAN.hcl -o OUTDIR [--snapshot PATH]"
		cmd.Short = "Compile a plan into a bundle in OUTDIR"
		cmd.Long = `Compile a plan into a bundle in OUTDIR: JSON patches, kustomizations,
runbook.sh, PLAN.md, plan.json and SHA256SUMS. OUTDIR must not exist, be
empty, or hold an earlier bundle and nothing else; it is replaced
atomically, and left exactly as it was on any error. On success it prints
the Plan line and "wrote OUTDIR: N steps, M files".

PLAN.hcl may be "-": the plan is read from standard input and diagnostics
name it <stdin>.`
		cmd.Flags().StringVarP(&f.out, "output", "o", "", "the bundle's directory, `OUTDIR` (required)")
	}
	cmd.Args = exactArgs(1, "exactly one plan file")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
	}
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "compile against the namespace's export: a file or directory (`PATH`) of oc get -o yaml|json output")
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result and the diagnostics as JSON on stdout (schema: cmd/ampc/cli/output.schema.json)")
	cmd.Flags().BoolVar(&f.strict, "strict", false, "treat warnings as errors (exit 1)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if write && f.out == "" {
			return usagef("-o OUTDIR is required")
		}
		return check(std, cmd.Name(), args[0], f, write)
	}
	return cmd
}

// check compiles a plan and, when write is set, writes its bundle.
func check(std IO, name, planFile string, f checkFlags, write bool) error {
	var src []byte
	var err error
	if planFile == "-" {
		planFile = StdinName
		src, err = readAll(std.In)
	} else {
		src, err = os.ReadFile(planFile)
	}
	if err != nil {
		return usagef("%v", err)
	}
	res, diags := ampc.Compile(planFile, src, ampc.Options{Snapshot: f.snapshot})
	if f.strict {
		for _, d := range diags {
			if d.Severity == hcl.DiagWarning {
				d.Severity = hcl.DiagError
			}
		}
	}
	out := checkJSON{FormatVersion: FormatVersion, Diagnostics: []diagnosticJSON{}}
	if !f.json {
		printDiags(std, res.Sources, diags)
	}
	for _, d := range diags {
		out.add(d)
	}
	if diags.HasErrors() {
		if f.json {
			writeJSON(std.Out, out)
		}
		return exitError{ExitPlan}
	}
	b := res.Bundle
	sum := emit.Summarize(b)
	out.Valid = true
	out.Plan = &planResultJSON{Namespace: b.Namespace, Deployment: b.Deployment, From: b.From, To: b.To, Summary: sum}
	if write {
		if err := emit.Write(f.out, res.Files); err != nil {
			fmt.Fprintf(std.Err, "ampc %s: %v\n", name, err)
			if errors.Is(err, emit.ErrNotBundle) || errors.Is(err, emit.ErrForeignFiles) {
				return exitError{ExitUsage}
			}
			return exitError{ExitPlan}
		}
		out.Bundle = &bundleResultJSON{Dir: f.out, Files: len(res.Files)}
	}
	switch {
	case f.json:
		writeJSON(std.Out, out)
	case write:
		fmt.Fprintf(std.Out, "%s\nwrote %s: %d steps, %d files\n", emit.PlanLine(sum), f.out, len(b.Steps), len(res.Files))
	default:
		fmt.Fprintf(std.Out, "%s: valid; %d steps over %d hop(s) from %s to %s\n%s\n", planFile, len(b.Steps), len(b.Hops), b.From, b.To, emit.PlanLine(sum))
	}
	return nil
}

// readAll reads a plan from standard input.
func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the plan from standard input: %w", err)
	}
	return b, nil
}

// printDiags writes each diagnostic as FILE:LINE:COL: followed by hcl's
// text rendering with the source snippet, in colour when std.Color is set.
func printDiags(std IO, files map[string]*hcl.File, diags hcl.Diagnostics) {
	width := 100
	if f, ok := std.Err.(*os.File); ok && std.Color {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = w
		}
	}
	tw := hcl.NewDiagnosticTextWriter(std.Err, files, uint(width), std.Color)
	for _, d := range diags {
		if d.Subject != nil {
			fmt.Fprintf(std.Err, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		_ = tw.WriteDiagnostic(d)
	}
}
