package ocsim

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim/wire"
	"github.com/ampc/ampc/internal/testenv"
)

// TestCClientSpeaksTheWire: the C client the runbook tests use
// (cclient/oc.c, built with cc) and the Go one (ocremote) say the same to
// the server and print the same answers: each call runs through both, on
// two servers of the same cluster, with arguments JSON must escape, a
// command that reads its standard input, a failing one, a large answer, and
// sleep, the clock.
func TestCClientSpeaksTheWire(t *testing.T) {
	cc := testenv.Tool(t, "cc")
	testenv.Tool(t, "go")
	bin := t.TempDir()
	build := exec.Command(cc, "-O2", "-o", filepath.Join(bin, "c", "oc"), filepath.Join("cclient", "oc.c"))
	if err := os.MkdirAll(filepath.Join(bin, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "go", "oc"), "./ocremote").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, client := range []string{"c", "go"} {
		if err := os.Link(filepath.Join(bin, client, "oc"), filepath.Join(bin, client, "sleep")); err != nil {
			t.Fatal(err)
		}
	}
	manifest := `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-stdin"}, "data": {"k": "ü \"quoted\" \\ back\nslash"}}`
	calls := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"oc", "get", "dc", "-o", "json"}},
		{"", []string{"oc", "get", "configmap/we\"ird\\name\n\tü", "--ignore-not-found", "-o", "name"}},
		{"", []string{"oc", "get", "configmap/we\"ird\\name\n\tü"}},
		{"", []string{"oc", "get", "nosuchkind"}},
		{manifest, []string{"oc", "apply", "-f", "-"}},
		{"ignored", []string{"oc", "get", "configmap/from-stdin", "-o", "jsonpath={.data.k}"}},
		{"", []string{"sleep", "30"}},
		{"", []string{"oc", "get", "pods", "-o", "json"}},
	}
	type answer struct {
		out, err string
		code     int
	}
	results := map[string][]answer{}
	for _, client := range []string{"c", "go"} {
		s := newSim(t, templateSite()...)
		srv, err := Serve(s.dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range calls {
			cmd := exec.Command(filepath.Join(bin, client, call.args[0]), call.args[1:]...)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "FAKEOC_DIR="+s.dir, "FAKEOC_NAMESPACE=3scale", wire.SocketEnv+"="+srv.Socket(), "WEIRD_ENV=a\"b\\c\nd")
			cmd.Stdin = strings.NewReader(call.stdin)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			results[client] = append(results[client], answer{out.String(), errOut.String(), code})
		}
		srv.Close()
	}
	for i, call := range calls {
		c, g := results["c"][i], results["go"][i]
		if c != g {
			t.Errorf("%q: the C client got %+v, the Go one %+v", call.args, c, g)
		}
	}
	if a := results["c"][5]; a.code != 0 || a.out != "ü \"quoted\" \\ back\nslash" {
		t.Errorf("the manifest read from standard input holds %+v", a)
	}
	if a := results["c"][3]; a.code == 0 || a.err == "" {
		t.Errorf("a failing call: %+v", a)
	}
	if a := results["c"][7]; len(a.out) < 1000 {
		t.Errorf("the list of pods is %d bytes", len(a.out))
	}
}
