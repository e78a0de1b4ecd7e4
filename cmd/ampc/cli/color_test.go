package cli_test

import (
	"bytes"
	"testing"

	"github.com/ampc/ampc/cmd/ampc/cli"
)

// Colour only on a terminal, never with NO_COLOR set (to anything but the
// empty string, https://no-color.org) or TERM=dumb.
func TestUseColor(t *testing.T) {
	for _, c := range []struct {
		terminal      bool
		noColor, term string
		want          bool
	}{
		{true, "", "xterm-256color", true},
		{true, "", "", true},
		{true, "1", "xterm", false},
		{true, "0", "xterm", false},
		{true, "", "dumb", false},
		{false, "", "xterm", false},
	} {
		if got := cli.UseColor(c.terminal, c.noColor, c.term); got != c.want {
			t.Errorf("UseColor(%v, %q, %q) = %v, want %v", c.terminal, c.noColor, c.term, got, c.want)
		}
	}
}

// With colour, the diagnostics carry ANSI escapes (and still start with
// FILE:LINE:COL:); without, none.
func TestDiagnosticsColor(t *testing.T) {
	plan := "install {\n  namespace = \"3scale\"\n  deployment = \"template\"\n  from = \"2.98\"\n  to = \"2.99\"\n  system_database = \"mysql\"\n}\n"
	for _, color := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		code := cli.RunIO([]string{"validate", "-"}, cli.IO{In: bytes.NewReader([]byte(plan)), Out: &stdout, Err: &stderr, Color: color})
		if code != cli.ExitPlan {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
		if !bytes.HasPrefix(stderr.Bytes(), []byte("<stdin>:4:")) {
			t.Errorf("color %v: %q", color, stderr.String())
		}
		if got := bytes.Contains(stderr.Bytes(), []byte("\x1b[")); got != color {
			t.Errorf("color %v: escapes %v in:\n%q", color, got, stderr.String())
		}
	}
}
