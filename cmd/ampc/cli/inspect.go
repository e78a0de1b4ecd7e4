package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/inspect"
	"github.com/ampc/ampc/ir"
)

// newHopsCmd is ampc hops.
func newHopsCmd(std IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "hops",
		Short: "List the upgrades ampc covers",
		Long: `List the upgrades ampc covers, one line per rule module, in version order:
FROM → TO  DEPLOYMENT TITLE (SEED).`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("takes no arguments")
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error {
			hops, err := compiler.Hops()
			if err != nil {
				panic(err)
			}
			if asJSON {
				out := hopsJSON{FormatVersion: FormatVersion, Hops: []ir.HopDoc{}}
				for _, h := range hops {
					out.Hops = append(out.Hops, ir.DocOf(h))
				}
				writeJSON(std.Out, out)
				return nil
			}
			for _, h := range hops {
				fmt.Fprintf(std.Out, "%s → %s  %-9s %s (%s)\n", h.From, h.To, h.Deployment, h.Title, h.Seed)
				if h.Confidence != "" {
					fmt.Fprintf(std.Out, "    source: %s\n", h.Confidence)
				}
				if h.OpenShiftMin != "" || h.OpenShiftMax != "" {
					// A migration's bounds are those of the cluster it moves to.
					label := "OpenShift"
					if strings.Contains(h.Deployment, "-to-") {
						label = "OpenShift of the new cluster"
					}
					switch {
					case h.OpenShiftMax == "":
						fmt.Fprintf(std.Out, "    %s: %s or later\n", label, h.OpenShiftMin)
					case h.OpenShiftMin == "":
						fmt.Fprintf(std.Out, "    %s: up to %s\n", label, h.OpenShiftMax)
					default:
						fmt.Fprintf(std.Out, "    %s: %s to %s\n", label, h.OpenShiftMin, h.OpenShiftMax)
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the hops as JSON (schema: cmd/ampc/cli/output.schema.json)")
	return cmd
}

// newVerifyCmd is ampc verify.
func newVerifyCmd(std IO) *cobra.Command {
	var keyFile string
	var asJSON, strict bool
	cmd := &cobra.Command{
		Use:   "verify [--key FILE] BUNDLE",
		Short: "Check a bundle after carrying it in",
		Long: `Check a bundle directory after it was carried to the site: every file
listed in SHA256SUMS is present with its checksum, no file was added, and
every file plan.json and runbook.sh refer to exists. Problems are printed as
FILE:LINE:1: what (exit 1). With --key FILE (OpenSSH public keys, one per
line), SHA256SUMS.sig must be a valid signature of SHA256SUMS by one of
them. A signed bundle checked without --key is a warning, which --strict
makes an error.`,
		Args: exactArgs(1, "exactly one bundle directory"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
		RunE: func(_ *cobra.Command, args []string) error {
			return verify(std, args[0], keyFile, asJSON, strict)
		},
	}
	cmd.Flags().StringVar(&keyFile, "key", "", "a `FILE` of OpenSSH public keys, one of which must have signed SHA256SUMS")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result and the problems as JSON diagnostics (schema: cmd/ampc/cli/output.schema.json)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings (a signature not checked) as errors")
	return cmd
}

// verify checks a bundle directory: checksums, every file plan.json and
// the runbook refer to, and, with a key file, the signature of SHA256SUMS.
func verify(std IO, dir, keyFile string, asJSON, strict bool) error {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("%s is not a directory", dir)
	}
	var keys []byte
	if keyFile != "" {
		var err error
		if keys, err = os.ReadFile(keyFile); err != nil {
			return usagef("--key: %v", err)
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
	sigFile := filepath.Join(dir, inspect.SignatureFile)
	_, err := os.Stat(sigFile)
	signed := err == nil
	var unchecked *inspect.Problem
	if signed && signer == "" && keyFile == "" {
		unchecked = &inspect.Problem{File: sigFile, What: "the bundle is signed, and the signature was not checked: check it with --key FILE, the signer's public key"}
		if strict {
			problems = append(problems, *unchecked)
			unchecked = nil
		}
	}
	if asJSON {
		out := verifyJSON{checkJSON: checkJSON{FormatVersion: FormatVersion, Valid: len(problems) == 0, Diagnostics: []diagnosticJSON{}},
			Dir: dir, Files: n, Signed: signed, Signer: signer}
		for _, p := range problems {
			out.append(diagnosticJSON{Severity: "error", Summary: p.What, Range: lineRange(p.File, p.Line)})
		}
		if unchecked != nil {
			out.append(diagnosticJSON{Severity: "warning", Summary: unchecked.What, Range: lineRange(unchecked.File, 0)})
		}
		writeJSON(std.Out, out)
		if len(problems) > 0 {
			return exitError{ExitPlan}
		}
		return nil
	}
	for _, p := range problems {
		fmt.Fprintf(std.Err, "%s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(std.Err, "ampc verify: %d problem(s); do not apply this bundle: compile it again or copy it again\n", len(problems))
		return exitError{ExitPlan}
	}
	fmt.Fprintf(std.Out, "%s: bundle OK, %d files match SHA256SUMS and every referenced file is present\n", dir, n)
	switch {
	case signer != "":
		fmt.Fprintf(std.Out, "%s: SHA256SUMS is signed by %s (%s)\n", dir, signer, keyFile)
	case unchecked != nil:
		fmt.Fprintf(std.Out, "%s: the bundle is signed (%s): check the signature with --key FILE, the signer's public key\n", dir, inspect.SignatureFile)
	}
	return nil
}

// newDiffCmd is ampc diff.
func newDiffCmd(std IO) *cobra.Command {
	var stat, asJSON bool
	cmd := &cobra.Command{
		Use:   "diff [--stat] OLD NEW",
		Short: "Show what changed between two bundles",
		Long: `Show what changed between two bundles, for a reviewer: a line per step
added, removed or changed, with the objects whose files differ, then a
unified diff of each file that differs (PLAN.md and SHA256SUMS are left
out: they restate the rest). Like diff(1), it exits 0 when the bundles are
the same and 1 when they differ.`,
		Args: exactArgs(2, "two bundle directories"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := inspect.Diff(args[0], args[1])
			if err != nil {
				return usagef("%v", err)
			}
			if asJSON {
				out := diffJSON{FormatVersion: FormatVersion, Same: d == nil, Steps: []stepDiffJSON{}, Files: []fileDiffJSON{}}
				if d != nil {
					for _, s := range d.Steps {
						out.Steps = append(out.Steps, stepDiffJSON{ID: s.ID, Change: s.Change, Objects: append([]string{}, s.Objects...)})
					}
					for _, f := range d.Files {
						fd := fileDiffJSON{File: f.Name, Change: f.Change, Added: f.Added, Removed: f.Removed}
						if !stat {
							fd.Unified = string(f.Unified)
						}
						out.Files = append(out.Files, fd)
					}
				}
				writeJSON(std.Out, out)
			} else if d != nil {
				text := d.Text(stat)
				if std.ColorOut {
					text = colorDiff(text)
				}
				_, _ = std.Out.Write(text)
			}
			if d != nil {
				return exitError{ExitPlan}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&stat, "stat", false, "print each differing file with its lines added and removed instead of the diffs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the differences as JSON (schema: cmd/ampc/cli/output.schema.json)")
	return cmd
}

// ANSI colours of diff's output, as git diff shows them.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// colorDiff colours the text of ampc diff for a terminal: steps added and
// lines added green, removed red, changed steps yellow, hunk headers cyan
// and file headers bold.
func colorDiff(text []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(text), "\n") {
		color := ""
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
			color = ansiBold
		case strings.HasPrefix(line, "step added: "), strings.HasPrefix(line, "+"):
			color = ansiGreen
		case strings.HasPrefix(line, "step removed: "), strings.HasPrefix(line, "-"):
			color = ansiRed
		case strings.HasPrefix(line, "step changed: "):
			color = ansiYellow
		case strings.HasPrefix(line, "@@"):
			color = ansiCyan
		}
		if color == "" {
			out.WriteString(line)
			continue
		}
		body, nl := strings.CutSuffix(line, "\n")
		out.WriteString(color + body + ansiReset)
		if nl {
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
