// Package cli is the ampc command line: commands and flags (spf13/cobra),
// exit codes, and the printing of diagnostics as text or JSON. The work is
// done by package ampc (compile, validate), compiler (hops), emit (writing
// the bundle) and inspect (verify, diff).
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ampc/ampc/emit"
)

// Exit codes.
const (
	ExitOK    = 0 // success
	ExitPlan  = 1 // the plan or the snapshot is wrong, a bundle is damaged, or two bundles differ
	ExitUsage = 2 // the command line is wrong
	ExitBug   = 3 // ampc itself failed
)

// IO is what a run of ampc reads and writes: the plan from In when the plan
// file is "-", results on Out, diagnostics and usage errors on Err. Color
// turns on ANSI colour in the diagnostics on Err, ColorOut in diff's output
// on Out.
type IO struct {
	In              io.Reader
	Out, Err        io.Writer
	Color, ColorOut bool
}

// Run runs ampc with the given arguments, no standard input and no colour,
// and returns its exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	return RunIO(args, IO{In: strings.NewReader(""), Out: stdout, Err: stderr})
}

// Main runs ampc as the process: its arguments, its standard streams, and
// colour on each that is a terminal when NO_COLOR is not set. It returns
// the exit code.
func Main() int {
	noColor, termName := os.Getenv("NO_COLOR"), os.Getenv("TERM")
	std := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Color:    UseColor(term.IsTerminal(int(os.Stderr.Fd())), noColor, termName),
		ColorOut: UseColor(term.IsTerminal(int(os.Stdout.Fd())), noColor, termName)}
	return RunIO(os.Args[1:], std)
}

// UseColor decides whether ampc colours what it writes to a stream: only
// when the stream is a terminal, NO_COLOR is empty or unset
// (https://no-color.org) and the terminal is not TERM=dumb.
func UseColor(terminal bool, noColor, termName string) bool {
	return terminal && noColor == "" && termName != "dumb"
}

// exitError ends a command with an exit code other than 0 once the command
// has printed what it has to say.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// usageError is a wrong command line: it is printed with the command's
// usage and ends the run with ExitUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef makes a usage error.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// RunIO runs ampc with the given arguments and streams and returns its exit
// code. A panic is reported as a bug in ampc (ExitBug).
func RunIO(args []string, std IO) (code int) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if !strings.Contains(msg, "this is a bug in ampc") {
				msg = "this is a bug in ampc: " + msg
			}
			fmt.Fprintf(std.Err, "ampc: %s\nPlease report it with the plan that caused it.\n", msg)
			code = ExitBug
		}
	}()
	root := newRoot(std)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	var exit exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &exit):
		return exit.code
	}
	// Everything else is a usage error: ours, the flag parser's (unknown
	// flag, missing value) or cobra's (unknown command).
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(std.Err, "%s: %s\n\n%s", cmd.CommandPath(), err, cmd.UsageString())
	return ExitUsage
}

// rootUsage is the usage of ampc itself: one line per command with its
// arguments, then the global flags.
const rootUsage = `Usage:{{range .Commands}}{{if .IsAvailableCommand}}
  ampc {{rpad .Use 50}} {{.Short}}{{end}}{{end}}
{{if .HasAvailableLocalFlags}}
Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}
{{end}}
Run 'ampc help COMMAND' (or 'ampc COMMAND --help') for a command's flags.
Exit codes: 0 success, 1 the plan or snapshot is wrong (or the bundle is
damaged, or the bundles differ), 2 usage error, 3 a bug in ampc.
`

// newRoot builds the ampc command and its commands, writing to std. To add
// a command, add its constructor to root.AddCommand.
func newRoot(std IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "ampc",
		Short: "Compile a 3scale upgrade plan into a reviewed bundle",
		Long: `ampc compiles a 3scale upgrade plan (HCL) into a bundle of JSON patches,
kustomizations, a runbook and a review (PLAN.md, plan.json), without
contacting a cluster.`,
		Version:       emit.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without a command, ampc is a usage error; with an unknown one,
		// cobra reports it before calling this.
		RunE: func(*cobra.Command, []string) error { return usagef("no command given") },
	}
	root.SetIn(std.In)
	root.SetOut(std.Out)
	root.SetErr(std.Err)
	commandUsage := root.UsageTemplate() // cobra's, for the commands
	root.SetUsageTemplate(rootUsage)
	root.SetVersionTemplate("ampc {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.AddCommand(
		newCompileCmd(std, true),
		newCompileCmd(std, false),
		newHopsCmd(std),
		newVerifyCmd(std),
		newDiffCmd(std),
		newVersionCmd(std),
		newInitCmd(std),
	)
	help := newHelpCmd()
	help.SetUsageTemplate(commandUsage)
	root.SetHelpCommand(help)
	root.InitDefaultCompletionCmd()
	// The commands keep cobra's own usage template.
	for _, c := range root.Commands() {
		c.SetUsageTemplate(commandUsage)
		if c.Name() == "completion" {
			c.Short = "Print the completion script for bash, zsh, fish or powershell"
			// Without a shell cobra would print the help and exit 0 (it
			// reports an unknown shell itself).
			c.RunE = func(*cobra.Command, []string) error {
				return usagef("name the shell: bash, zsh, fish or powershell")
			}
		}
	}
	return root
}

// newHelpCmd is cobra's help command, except that an unknown command is a
// usage error (cobra's prints the usage and exits 0).
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "Print the help of ampc or of a command",
		Long: `Print the help of ampc or, with a command, of that command: what it
does, its arguments and its flags.`,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, cmd := range c.Root().Commands() {
				if cmd.IsAvailableCommand() {
					names = append(names, cmd.Name()+"\t"+cmd.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return usagef("no help for %q: it is not a command of ampc", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// exactArgs is cobra.ExactArgs with ampc's wording, as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d", what, len(args))
		}
		return nil
	}
}

// newVersionCmd is ampc version.
func newVersionCmd(std IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of ampc",
		Long:  "Print the version of ampc: the module version it was built at, or (devel). Bundles record it in PLAN.md and plan.json (ampc_version).",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("takes no arguments")
			}
			return nil
		},
		RunE: func(*cobra.Command, []string) error {
			if asJSON {
				writeJSON(std.Out, versionJSON{Version: emit.Version})
				return nil
			}
			fmt.Fprintf(std.Out, "ampc %s\n", emit.Version)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version as JSON")
	return cmd
}
