package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// A Secret whose value is a word the bundle holds anyway stops the compile
// with a diagnostic at that Secret, which names it but never its value.
func TestSecretValueInBundle(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap")
	if err := os.Mkdir(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fixture, filepath.Join(snap, "a-namespace.yaml")); err != nil {
		t.Fatal(err)
	}
	weak := "# a Secret whose value is \"system-environment\"\napiVersion: v1\nkind: Secret\nmetadata:\n  name: weak\n  namespace: 3scale\ndata:\n  PASSWORD: c3lzdGVtLWVudmlyb25tZW50\n"
	if err := os.WriteFile(filepath.Join(snap, "b-weak.yaml"), []byte(weak), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl")
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"compile", plan, "-o", out, "--snapshot", snap}, &stdout, &stderr)
	if code != cli.ExitPlan {
		t.Fatalf("exit %d, want %d\n%s", code, cli.ExitPlan, stderr.String())
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.Join(snap, "b-weak.yaml")) + `:2:1: Error: Secret value would appear in the bundle$`).Match(stderr.Bytes()) {
		t.Errorf("no diagnostic at the Secret:\n%s", stderr.String())
	}
	if !bytes.Contains(stderr.Bytes(), []byte("Secret weak key PASSWORD")) {
		t.Errorf("the diagnostic does not name the Secret:\n%s", stderr.String())
	}
	if bytes.Contains(stderr.Bytes(), []byte("system-environment also")) {
		t.Error("the diagnostic shows the value")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a bundle was written: %v", err)
	}
}

// No output of the command line shows a Secret value of the snapshot: not
// the text or JSON of compile and validate (valid, or with the Secret
// diagnostic), nor verify's or diff's of the bundles.
func TestSecretValueInNoOutput(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap")
	if err := os.Mkdir(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fixture, filepath.Join(snap, "a-namespace.yaml")); err != nil {
		t.Fatal(err)
	}
	const value, encoded = "Pa55-w0rd-9f8e7d", "UGE1NS13MHJkLTlmOGU3ZA=="
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: strong\n  namespace: 3scale\ndata:\n  PASSWORD: " + encoded + "\n"
	if err := os.WriteFile(filepath.Join(snap, "b-strong.yaml"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	weakSnap := filepath.Join(dir, "weak")
	if err := os.Mkdir(weakSnap, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"a-namespace.yaml": "",
		"b-strong.yaml":    secret,
		"c-weak.yaml":      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: weak\n  namespace: 3scale\ndata:\n  PASSWORD: c3lzdGVtLWVudmlyb25tZW50\n",
	} {
		path := filepath.Join(weakSnap, name)
		var err error
		if data == "" {
			err = os.Symlink(fixture, path)
		} else {
			err = os.WriteFile(path, []byte(data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	plan := filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	runs := []struct {
		args []string
		code int
	}{
		{[]string{"compile", plan, "-o", a, "--snapshot", snap}, cli.ExitOK},
		{[]string{"compile", plan, "-o", b, "--snapshot", snap, "--json"}, cli.ExitOK},
		{[]string{"validate", plan, "--snapshot", snap}, cli.ExitOK},
		{[]string{"validate", plan, "--snapshot", snap, "--json"}, cli.ExitOK},
		{[]string{"validate", plan, "--snapshot", weakSnap}, cli.ExitPlan},
		{[]string{"validate", plan, "--snapshot", weakSnap, "--json"}, cli.ExitPlan},
		{[]string{"verify", a}, cli.ExitOK},
		{[]string{"verify", a, "--json"}, cli.ExitOK},
		{[]string{"diff", a, b, "--json"}, cli.ExitOK},
	}
	for _, r := range runs {
		var stdout, stderr bytes.Buffer
		if code := cli.Run(r.args, &stdout, &stderr); code != r.code {
			t.Fatalf("%v: exit %d, want %d\n%s", r.args, code, r.code, stderr.String())
		}
		for _, out := range [][]byte{stdout.Bytes(), stderr.Bytes()} {
			if bytes.Contains(out, []byte(value)) || bytes.Contains(out, []byte(encoded)) {
				t.Errorf("%v shows the Secret value:\n%s", r.args, out)
			}
		}
		if r.code == cli.ExitPlan {
			all := append(stdout.Bytes(), stderr.Bytes()...)
			if !bytes.Contains(all, []byte("Secret weak key PASSWORD")) {
				t.Errorf("%v: no diagnostic at the weak Secret:\n%s", r.args, all)
			}
			if bytes.Contains(all, []byte("c3lzdGVtLWVudmlyb25tZW50")) {
				t.Errorf("%v shows the weak Secret's value:\n%s", r.args, all)
			}
		}
	}
	// Compiling against the other snapshot makes a difference to diff.
	c := filepath.Join(dir, "c")
	var stdout, stderr bytes.Buffer
	if code := cli.Run([]string{"compile", plan, "-o", c}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, args := range [][]string{{"diff", a, c}, {"diff", a, c, "--json"}} {
		stdout.Reset()
		if code := cli.Run(args, &stdout, &stderr); code != cli.ExitPlan {
			t.Fatalf("%v: exit %d, want %d", args, code, cli.ExitPlan)
		}
		if bytes.Contains(stdout.Bytes(), []byte(value)) || bytes.Contains(stdout.Bytes(), []byte(encoded)) {
			t.Errorf("%v shows the Secret value", args)
		}
	}
}
