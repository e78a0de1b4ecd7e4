package ocsim

import (
	"testing"
	"time"

	"github.com/ampc/ampc/internal/ocsim/wire"
)

// TestSleepInterrupt: a sleep that SetSleepInterrupt's function picks
// exits 130 and leaves the clock where it was; the others advance it, and
// oc calls are not asked about (the function sees sleeps only).
func TestSleepInterrupt(t *testing.T) {
	s := newSim(t)
	srv, err := Serve(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var asked [][]string
	srv.SetSleepInterrupt(func(c Call) bool {
		asked = append(asked, c.Args)
		return c.Args[0] == "600" && c.Env["AMPC_STEP"] == "hop/wait"
	})
	call := func(step string, args ...string) wire.Response {
		t.Helper()
		resp, err := wire.Call(srv.Socket(), wire.Request{Args: args, Dir: t.TempDir(), Env: map[string]string{"FAKEOC_DIR": s.dir, "FAKEOC_NAMESPACE": "3scale", "AMPC_STEP": step}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	stamp := func(name string) time.Time {
		t.Helper()
		if r := call("", "oc", "create", "configmap", name); r.Code != 0 {
			t.Fatalf("oc create configmap %s: %d %s", name, r.Code, r.Stderr)
		}
		r := call("", "oc", "get", "configmap", name, "-o", "jsonpath={.metadata.creationTimestamp}")
		at, err := time.Parse(time.RFC3339, string(r.Stdout))
		if err != nil {
			t.Fatalf("creationTimestamp of %s: %q: %v", name, r.Stdout, err)
		}
		return at
	}
	a := stamp("a")
	if r := call("hop/wait", "sleep", "30"); r.Code != 0 {
		t.Fatalf("sleep 30: exit %d %s", r.Code, r.Stderr)
	}
	b := stamp("b")
	if r := call("hop/wait", "sleep", "600"); r.Code != 130 || string(r.Stderr) != "sleep: interrupted (injected)\n" {
		t.Fatalf("the interrupted sleep 600: exit %d %q", r.Code, r.Stderr)
	}
	c := stamp("c")
	if r := call("other/step", "sleep", "600"); r.Code != 0 {
		t.Fatalf("sleep 600 of another step: exit %d %s", r.Code, r.Stderr)
	}
	d := stamp("d")
	if b.Sub(a) < 30*time.Second {
		t.Errorf("sleep 30 moved the clock by %v", b.Sub(a))
	}
	if c.Sub(b) >= 30*time.Second {
		t.Errorf("the interrupted sleep moved the clock by %v", c.Sub(b))
	}
	if d.Sub(c) < 600*time.Second {
		t.Errorf("sleep 600 of another step moved the clock by %v", d.Sub(c))
	}
	if len(asked) != 3 {
		t.Errorf("the interrupt function was asked about %v, want the three sleeps", asked)
	}
}
