package bundletest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/ocsim/wire"
)

// OC runs oc against the cluster as a person at the console does, outside
// any runbook: in the 3scale project, from a directory of its own, with
// stdin as the command's standard input. The calls are logged in calls.log
// like a runbook's, and c.Fault does not apply to them.
func (c *Cluster) OC(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	return c.console(t, "oc", stdin, args...)
}

// console runs program (the simulated oc or sleep) with args as a person
// at the console does: see OC.
func (c *Cluster) console(t *testing.T, program, stdin string, args ...string) (string, error) {
	t.Helper()
	srv := c.serve(t)
	defer srv.Close()
	cmd := exec.Command(filepath.Join(c.bin, program), args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		"FAKEOC_DIR="+c.Dir, "FAKEOC_NAMESPACE=3scale", wire.SocketEnv+"="+srv.Socket())
	cmd.Env = append(cmd.Env, c.Env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Remove deletes the object keyed KIND/NAME from the cluster's objects at
// the top, 3scale's namespace, as Put writes them; an object that is not
// there is no error.
func (c *Cluster) Remove(t *testing.T, key string) {
	t.Helper()
	kind, name, _ := strings.Cut(key, "/")
	if err := os.Remove(filepath.Join(c.Dir, "objects", kind+"."+name+".json")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

// Act runs one oc command on the simulated cluster outside a runbook, or
// with "sleep" first lets the cluster's time pass: what a person or the
// cluster does between two runs. It runs in the test's process, in the
// 3scale project, and fails the test when the call fails.
func (c *Cluster) Act(t *testing.T, args ...string) string {
	t.Helper()
	env := map[string]string{"FAKEOC_DIR": c.Dir, "FAKEOC_NAMESPACE": "3scale"}
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	name := "oc"
	if len(args) > 0 && args[0] == "sleep" {
		name, args = "sleep", args[1:]
	}
	var out, errOut bytes.Buffer
	if code := ocsim.Main(append([]string{name}, args...), func(k string) string { return env[k] }, nil, &out, &errOut); code != 0 {
		t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return out.String()
}
