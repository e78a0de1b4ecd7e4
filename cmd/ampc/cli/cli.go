// Package cli is the ampc command line: flags, exit codes and the printing
// of diagnostics. The work is done by package ampc (compile, validate),
// compiler (hops), emit (writing the bundle) and inspect (verify, diff).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/inspect"
)

// Exit codes.
const (
	ExitOK    = 0 // success
	ExitPlan  = 1 // the plan or the snapshot is wrong
	ExitUsage = 2 // the command line is wrong
	ExitBug   = 3 // ampc itself failed
)

const usage = `Usage:
  ampc compile PLAN.hcl -o OUTDIR [--snapshot PATH]   write a bundle
  ampc validate PLAN.hcl [--snapshot PATH]            check only
  ampc hops                                           list the upgrades ampc covers
  ampc verify [--key FILE] BUNDLE                     check a bundle after carrying it in
  ampc diff [--stat] OLD NEW                          what changed between two bundles

--snapshot PATH is a file or directory of oc get -o yaml|json exports of the
namespace; patches are then computed against those objects instead of the
standard layout of the plan's version.
`

// Run runs ampc with the given arguments and returns its exit code.
func Run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if !strings.Contains(msg, "this is a bug in ampc") {
				msg = "this is a bug in ampc: " + msg
			}
			fmt.Fprintf(stderr, "ampc: %s\nPlease report it with the plan that caused it.\n", msg)
			code = ExitBug
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	switch args[0] {
	case "compile":
		return compileCmd(args[1:], stdout, stderr, true)
	case "validate":
		return compileCmd(args[1:], stdout, stderr, false)
	case "hops":
		return hopsCmd(args[1:], stdout, stderr)
	case "verify":
		return verifyCmd(args[1:], stdout, stderr)
	case "diff":
		return diffCmd(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "ampc: unknown command %q\n\n%s", args[0], usage)
	return ExitUsage
}

// parseInterspersed parses flags that may come before or after positional
// arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func compileCmd(args []string, stdout, stderr io.Writer, write bool) int {
	name := "validate"
	if write {
		name = "compile"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var out, snapshotPath string
	if write {
		fs.StringVar(&out, "o", "", "output directory")
		fs.StringVar(&out, "output", "", "output directory")
	}
	fs.StringVar(&snapshotPath, "snapshot", "", "namespace export to compile against")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "ampc %s: %v\n\n%s", name, err, usage)
		return ExitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "ampc %s: want exactly one plan file, got %d\n\n%s", name, len(pos), usage)
		return ExitUsage
	}
	if write && out == "" {
		fmt.Fprintf(stderr, "ampc compile: -o OUTDIR is required\n\n%s", usage)
		return ExitUsage
	}
	planFile := pos[0]
	src, err := os.ReadFile(planFile)
	if err != nil {
		fmt.Fprintf(stderr, "ampc %s: %v\n", name, err)
		return ExitUsage
	}
	res, diags := ampc.Compile(planFile, src, ampc.Options{Snapshot: snapshotPath})
	printDiags(stderr, res.Sources, diags)
	if diags.HasErrors() {
		return ExitPlan
	}
	b := res.Bundle
	if !write {
		fmt.Fprintf(stdout, "%s: valid; %d steps over %d hop(s) from %s to %s\n", planFile, len(b.Steps), len(b.Hops), b.From, b.To)
		return ExitOK
	}
	if err := emit.Write(out, res.Files); err != nil {
		fmt.Fprintf(stderr, "ampc compile: %v\n", err)
		if errors.Is(err, emit.ErrNotBundle) || errors.Is(err, emit.ErrForeignFiles) {
			return ExitUsage
		}
		return ExitPlan
	}
	fmt.Fprintf(stdout, "wrote %s: %d steps, %d files\n", out, len(b.Steps), len(res.Files))
	return ExitOK
}

func hopsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "ampc hops: takes no arguments\n")
		return ExitUsage
	}
	hops, err := compiler.Hops()
	if err != nil {
		panic(err)
	}
	for _, h := range hops {
		fmt.Fprintf(stdout, "%s → %s  %-9s %s (%s)\n", h.From, h.To, h.Deployment, h.Title, h.Seed)
	}
	return ExitOK
}

// printDiags writes each diagnostic as FILE:LINE:COL: followed by hcl's
// text rendering with the source snippet.
func printDiags(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) {
	tw := hcl.NewDiagnosticTextWriter(w, files, 100, false)
	for _, d := range diags {
		if d.Subject != nil {
			fmt.Fprintf(w, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		_ = tw.WriteDiagnostic(d)
	}
}

// verifyCmd checks a bundle directory: checksums, every file plan.json
// and the runbook refer to, and, with --key, the signature of SHA256SUMS.
func verifyCmd(args []string, stdout, stderr io.Writer) int {
	var dirs []string
	keyFile := ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--key" || a == "-key":
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "ampc verify: --key needs a file of OpenSSH public keys\n\n%s", usage)
				return ExitUsage
			}
			i++
			keyFile = args[i]
		case strings.HasPrefix(a, "--key=") || strings.HasPrefix(a, "-key="):
			keyFile = a[strings.Index(a, "=")+1:]
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(stderr, "ampc verify: unknown flag %s\n\n%s", a, usage)
			return ExitUsage
		default:
			dirs = append(dirs, a)
		}
	}
	if len(dirs) != 1 {
		fmt.Fprintf(stderr, "ampc verify: want exactly one bundle directory\n\n%s", usage)
		return ExitUsage
	}
	dir := dirs[0]
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "ampc verify: %s is not a directory\n", dir)
		return ExitUsage
	}
	var keys []byte
	if keyFile != "" {
		var err error
		if keys, err = os.ReadFile(keyFile); err != nil {
			fmt.Fprintf(stderr, "ampc verify: --key: %v\n", err)
			return ExitUsage
		}
	}
	n, problems := inspect.Verify(dir)
	for i := range problems {
		problems[i].File = filepath.Join(dir, problems[i].File)
	}
	signer := ""
	if keyFile != "" {
		if pubs, err := inspect.ParseKeys(keys); err != nil {
			problems = append(problems, inspect.Problem{File: keyFile, What: err.Error()})
		} else if s, p := inspect.VerifySignature(dir, pubs); p != nil {
			p.File = filepath.Join(dir, p.File)
			problems = append(problems, *p)
		} else {
			signer = s
		}
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "ampc verify: %d problem(s); do not apply this bundle: compile it again or copy it again\n", len(problems))
		return ExitPlan
	}
	fmt.Fprintf(stdout, "%s: bundle OK, %d files match SHA256SUMS and every referenced file is present\n", dir, n)
	switch _, err := os.Stat(filepath.Join(dir, inspect.SignatureFile)); {
	case signer != "":
		fmt.Fprintf(stdout, "%s: SHA256SUMS is signed by %s (%s)\n", dir, signer, keyFile)
	case err == nil:
		fmt.Fprintf(stdout, "%s: the bundle is signed (%s): check the signature with --key FILE, the signer's public key\n", dir, inspect.SignatureFile)
	}
	return ExitOK
}

// diffCmd shows what changed between two bundles; like diff(1) it exits 0
// when they are the same and 1 when they differ.
func diffCmd(args []string, stdout, stderr io.Writer) int {
	var dirs []string
	stat := false
	for _, a := range args {
		switch {
		case a == "--stat" || a == "-stat":
			stat = true
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(stderr, "ampc diff: unknown flag %s\n\n%s", a, usage)
			return ExitUsage
		default:
			dirs = append(dirs, a)
		}
	}
	if len(dirs) != 2 {
		fmt.Fprintf(stderr, "ampc diff: want two bundle directories\n\n%s", usage)
		return ExitUsage
	}
	d, err := inspect.Diff(dirs[0], dirs[1])
	if err != nil {
		fmt.Fprintf(stderr, "ampc diff: %v\n", err)
		return ExitUsage
	}
	if d == nil {
		return ExitOK
	}
	_, _ = stdout.Write(d.Text(stat))
	return ExitPlan
}
