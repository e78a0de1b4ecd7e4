package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// readmeCommand is one "$ ampc ..." of a console block of README.md, with
// the output and exit code the README shows.
type readmeCommand struct {
	line int
	args []string
	in   string // the file after "<", for standard input
	want []string
	code int
}

// readmeCommands reads the console blocks of README.md. Below each
// "$ ampc ARGS" line is its output (stdout, then stderr), and "[exit N]"
// when it exits N, not 0.
func readmeCommands(t *testing.T, readme []byte) []readmeCommand {
	t.Helper()
	var cmds []readmeCommand
	in := false
	for i, line := range strings.Split(string(readme), "\n") {
		switch {
		case line == "```console":
			in = true
		case in && line == "```":
			in = false
		case !in:
		case strings.HasPrefix(line, "$ "):
			args := strings.Fields(strings.TrimPrefix(line, "$ "))
			if args[0] != "ampc" {
				t.Fatalf("README.md:%d: a console example runs ampc only", i+1)
			}
			c := readmeCommand{line: i + 1, args: args[1:]}
			if n := len(c.args); n >= 2 && c.args[n-2] == "<" {
				c.in, c.args = c.args[n-1], c.args[:n-2]
			}
			cmds = append(cmds, c)
		case len(cmds) == 0:
			t.Fatalf("README.md:%d: output before any command", i+1)
		case strings.HasPrefix(line, "[exit "):
			code, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(line, "[exit "), "]"))
			if err != nil {
				t.Fatalf("README.md:%d: %v", i+1, err)
			}
			cmds[len(cmds)-1].code = code
		default:
			cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, line)
		}
	}
	return cmds
}

// matchLines reports whether got matches want, where a want line "..."
// stands for any number of lines and "…" in a line for any text.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchLines(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	parts := strings.Split(want[0], "…")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	if !regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(strings.TrimRight(got[0], " ")) {
		return false
	}
	return matchLines(want[1:], got[1:])
}

// TestREADMEExamples runs every console example of README.md, in order,
// in a directory where examples/ and cmd/ are the repository's, and
// compares the output and the exit code with what the README shows.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testenv.Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, readme)
	if len(cmds) < 8 {
		t.Fatalf("README.md has %d console examples", len(cmds))
	}
	dir := t.TempDir()
	for _, sub := range []string{"examples", "cmd"} {
		if err := os.Symlink(filepath.Join(testenv.Root(), sub), filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, c := range cmds {
		var out bytes.Buffer
		std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &out}
		if c.in != "" {
			data, err := os.ReadFile(c.in)
			if err != nil {
				t.Fatalf("README.md:%d: %v", c.line, err)
			}
			std.In = bytes.NewReader(data)
		}
		code := cli.RunIO(c.args, std)
		got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if out.Len() == 0 {
			got = nil
		}
		if code != c.code || !matchLines(c.want, got) {
			t.Errorf("README.md:%d: ampc %s: exit %d (README: %d), output:\n%s\nREADME shows:\n%s",
				c.line, strings.Join(c.args, " "), code, c.code, out.String(), strings.Join(c.want, "\n"))
		}
	}
}
