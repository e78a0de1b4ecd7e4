package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
	"github.com/ampc/ampc/survey"
)

// newInitCmd is ampc init.
func newInitCmd(std IO) *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init --snapshot PATH --to VERSION [-o FILE] [--force]",
		Short: "Write a site's plan from its namespace export",
		Long: `Write a plan for the 3scale site of a namespace export (a file or a
directory of oc get -o yaml|json exports, as compile reads them): every
fact the export shows, each with a comment that says where it was read,
and what it cannot show as commented choices (or, where the plan needs a
value, the guide's default marked CHOOSE, named in a warning). The plan is
validated against the same export before it is written. Without -o it goes
to stdout; an existing FILE is replaced only with --force.

Exit codes: 0 written and valid; 1 the export cannot be read, is not one
3scale site, or gives a plan that does not validate (the plan is still
written, for its author to correct); 2 usage (a missing flag, --to not
above the site's version, an existing FILE without --force).`,
		Args: exactArgs(0, "no arguments"),
	}
	cmd.Flags().StringVar(&f.snapshot, "snapshot", "", "the namespace's export: a file or directory (`PATH`) of oc get -o yaml|json output (required)")
	cmd.Flags().StringVar(&f.to, "to", "", "the `VERSION` to upgrade to, such as 2.8 (required)")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "write the plan to `FILE` instead of stdout")
	cmd.Flags().BoolVar(&f.force, "force", false, "replace an existing FILE")
	cmd.RunE = func(*cobra.Command, []string) error {
		switch {
		case f.snapshot == "":
			return usagef("--snapshot PATH is required")
		case f.to == "":
			return usagef("--to VERSION is required")
		}
		if code := runInit(std, f); code != ExitOK {
			return exitError{code}
		}
		return nil
	}
	return cmd
}

// initFlags are ampc init's flags.
type initFlags struct {
	snapshot, to, out string
	force             bool
}

// InitCommand runs ampc init with args (the arguments after "init") and
// the given streams, without colour, and returns its exit code.
func InitCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunIO(append([]string{"init"}, args...), IO{In: stdin, Out: stdout, Err: stderr})
}

// runInit is ampc init: it reads the export given with --snapshot,
// surveys the site (package survey), renders its plan for the version of
// --to, compiles that plan against the same export and writes it to -o
// FILE or stdout. It returns ExitOK; ExitPlan when the export cannot be
// read, is not one 3scale site, or gives a plan that does not validate
// (the plan is still written, for its author to correct); ExitUsage for an
// unsupported --to, or an -o FILE that exists without --force.
func runInit(std IO, f initFlags) int {
	stdout, stderr := std.Out, std.Err
	snapshotPath, toFlag, out, force := f.snapshot, f.to, f.out, f.force
	to, ok := plan.ParseVersion(toFlag)
	if !ok {
		fmt.Fprintf(stderr, "ampc init: --to %q is not a major.minor version such as 2.8\n", toFlag)
		return ExitUsage
	}
	if out != "" && !force {
		if _, err := os.Lstat(out); err == nil {
			fmt.Fprintf(stderr, "ampc init: %s exists; give --force to replace it, or another -o FILE\n", out)
			return ExitUsage
		} else if !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(stderr, "ampc init: %v\n", err)
			return ExitUsage
		}
	}

	snap, diags := snapshot.Read(snapshotPath, "")
	sources := map[string]*hcl.File{}
	if snap != nil {
		for f, hf := range snap.Files {
			sources[f] = hf
		}
	}
	if diags.HasErrors() {
		printDiags(std, sources, diags)
		return ExitPlan
	}
	site, sd := survey.Read(snap)
	diags = append(diags, sd...)
	if sd.HasErrors() {
		printDiags(std, sources, diags)
		return ExitPlan
	}
	migration := site.Deployment == plan.Template && site.Release.Version == to
	if !site.Release.Version.Less(to) && !migration {
		printDiags(std, sources, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Target version not above the site's",
			Detail: fmt.Sprintf("The site runs %s (%s says %q), and --to %s is not a later version. ampc upgrades only: give --to a later version (ampc hops lists the upgrades it covers); a template-based site's own version moves it to the operator.",
				site.Release.Version, site.Release.From, site.Release.Written, to),
			Subject: site.Release.From.Range.Ptr(),
		}))
		return ExitUsage
	}

	name := out
	if name == "" {
		name = "(stdout)"
	}
	opts := survey.Options{To: to, Export: snapshotPath}
	src, choices := survey.Render(site, opts)
	res, cd := ampc.Compile(name, src, ampc.Options{Snapshot: snapshotPath})
	if unread := ignored(res, cd); len(unread) > 0 {
		// Attributes no hop of the plan reads are facts all the same:
		// written as comments, they state nothing that changes nothing.
		opts.Unread = unread
		src, choices = survey.Render(site, opts)
		res, cd = ampc.Compile(name, src, ampc.Options{Snapshot: snapshotPath})
	}
	for f, hf := range res.Sources {
		sources[f] = hf
	}
	if len(choices) > 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Choices the export cannot show",
			Detail: fmt.Sprintf("The plan needs values the export cannot show, and ampc init wrote the guide's default for each, marked CHOOSE: %s. Check them before compiling the plan.",
				survey.ChoiceList(choices)),
		})
	}
	diags = append(diags, cd...)
	if cd.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "The plan does not validate against its export",
			Detail:   fmt.Sprintf("ampc init wrote the plan the export shows, and compiling it against %s gives the errors above. Correct the plan where they point (or the site), then run ampc validate PLAN.hcl --snapshot %s.", snapshotPath, snapshotPath),
		})
	}
	if err := writePlan(out, src, stdout); err != nil {
		printDiags(std, sources, diags)
		fmt.Fprintf(stderr, "ampc init: %v\n", err)
		return ExitPlan
	}
	printDiags(std, sources, diags)
	if diags.HasErrors() {
		return ExitPlan
	}
	if out != "" {
		fmt.Fprintf(stdout, "wrote %s: a %s-based site of namespace %s at %s, to %s\n", out, site.Deployment, site.Namespace, site.Release.Version, to)
	}
	return ExitOK
}

// ignored returns the attributes of a compiled plan that the compiler
// warns no hop reads ("install.wildcard_policy"), by the warnings' places.
func ignored(res *ampc.Result, diags hcl.Diagnostics) map[string]bool {
	if res == nil || res.Plan == nil {
		return nil
	}
	blocks := map[string]map[string]hcl.Range{"install": res.Plan.Install.Ranges}
	if op := res.Plan.Operator; op != nil {
		blocks["operator"] = op.Ranges
	}
	out := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagWarning || d.Subject == nil || !strings.HasSuffix(d.Summary, " is ignored") {
			continue
		}
		for block, ranges := range blocks {
			for attr, r := range ranges {
				if r == *d.Subject {
					out[block+"."+attr] = true
				}
			}
		}
	}
	return out
}

// writePlan writes the plan to stdout, or to a new file beside FILE that
// then replaces it, so that FILE is either the old file or the whole plan.
func writePlan(out string, src []byte, stdout io.Writer) error {
	if out == "" {
		_, err := stdout.Write(src)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".ampc-new-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
