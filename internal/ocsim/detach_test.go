package ocsim

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/ocsim/wire"
)

// served is a cluster served from memory only: a detached command outlives
// its call, which the file-based cluster cannot express.
type served struct {
	t   *testing.T
	dir string
	srv *Server
}

func newServed(t *testing.T, objects ...Object) *served {
	t.Helper()
	d := &served{t: t, dir: t.TempDir()}
	for _, o := range objects {
		(&sim{t: t}).putIn(d.dir, o)
	}
	srv, err := Serve(d.dir)
	if err != nil {
		t.Fatal(err)
	}
	d.srv = srv
	t.Cleanup(func() { srv.Close() })
	return d
}

func (d *served) call(stdin string, args ...string) wire.Response {
	d.t.Helper()
	resp, err := wire.Call(d.srv.Socket(), wire.Request{Args: args, Dir: d.t.TempDir(), Stdin: []byte(stdin),
		Env: map[string]string{"FAKEOC_DIR": d.dir, "FAKEOC_NAMESPACE": "3scale"}})
	if err != nil {
		d.t.Fatal(err)
	}
	return resp
}

func (d *served) must(args ...string) string {
	d.t.Helper()
	r := d.call("", append([]string{"oc"}, args...)...)
	if r.Code != 0 {
		d.t.Fatalf("oc %s: exit %d\n%s%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return string(r.Stdout)
}

// detachFirst makes the first call whose command line holds text a
// detached exec.
func (d *served) detachFirst(text string) {
	fired := false
	d.srv.SetFault(func(c Call) Fault {
		if !fired && strings.Contains(strings.Join(c.Args, " "), text) {
			fired = true
			return Detach
		}
		return Pass
	})
}

const detachedInsert = `echo running > /tmp/status; psql -d zync_production -c "INSERT INTO tenants (id, endpoint) VALUES (3, 'https://t3.example.com')"; echo "ended $?" > /tmp/status`

// newDetachSite is zync-database with its two tenants, its data on a claim
// (which outlives its pods).
func newDetachSite(t *testing.T) *served {
	d := newServed(t, dbDC("zync-database", "registry.redhat.io/rhscl/postgresql-10-rhel7", pgDataDir, "zync-data", "1Gi", zyncEnv)...)
	if err := SeedData(d.dir, Seed{Workload: "dc/zync-database", Data: Data{PostgreSQL: zyncData()}}); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *served) tenants() string {
	d.t.Helper()
	return d.must("exec", "dc/zync-database", "--", "psql", "-d", "zync_production", "-tAc", "SELECT count(*) FROM tenants")
}

// TestDetachedExecRunsOn: an exec whose connection drops (Detach) fails
// for its client, while its command goes on in the pod: what comes before
// its first long program (psql) has run, the rest runs when its timer
// fires, a few logical minutes later.
func TestDetachedExecRunsOn(t *testing.T) {
	d := newDetachSite(t)
	d.detachFirst("INSERT")
	r := d.call("", "oc", "exec", "dc/zync-database", "--", "bash", "-c", detachedInsert)
	if r.Code == 0 || !strings.Contains(string(r.Stderr), "lost connection to pod") {
		t.Fatalf("the detached exec: exit %d %s", r.Code, r.Stderr)
	}
	if got := d.must("exec", "dc/zync-database", "--", "cat", "/tmp/status"); got != "running\n" {
		t.Errorf("the status right after the lost connection: %q, want running", got)
	}
	if got := d.tenants(); got != "2\n" {
		t.Errorf("the rows right after the lost connection: %q, want the 2 before the insert", got)
	}
	if d.srv.Pending() != 1 {
		t.Fatalf("%d commands run on in pods, want 1", d.srv.Pending())
	}
	d.must("get", "pods") // a call: the clock moves a second, not ten minutes
	if d.srv.Pending() != 1 {
		t.Errorf("the command ended a second later")
	}
	if r := d.call("", "sleep", "600"); r.Code != 0 {
		t.Fatalf("sleep: %s", r.Stderr)
	}
	if d.srv.Pending() != 0 {
		t.Fatalf("%d commands still run in pods ten minutes later", d.srv.Pending())
	}
	if got := d.must("exec", "dc/zync-database", "--", "cat", "/tmp/status"); got != "ended 0\n" {
		t.Errorf("the status once the command ended: %q", got)
	}
	if got := d.tenants(); got != "3\n" {
		t.Errorf("the rows once the command ended: %q, want 3", got)
	}
}

// TestDetachedExecDiesWithItsPod: the pod of a detached command is deleted
// before the command resumes: the rest never runs (the row is not
// inserted) and the replacement pod starts with an empty /tmp.
func TestDetachedExecDiesWithItsPod(t *testing.T) {
	d := newDetachSite(t)
	pod := d.must("get", "pods", "-l", "deploymentConfig=zync-database", "-o", "jsonpath={.items[0].metadata.name}")
	d.detachFirst("INSERT")
	if r := d.call("", "oc", "exec", "pod/"+pod, "--", "bash", "-c", detachedInsert); r.Code == 0 {
		t.Fatal("the detached exec succeeded")
	}
	d.must("delete", "pod", pod)
	if r := d.call("", "sleep", "600"); r.Code != 0 {
		t.Fatalf("sleep: %s", r.Stderr)
	}
	if d.srv.Pending() != 0 {
		t.Fatalf("%d commands still run in pods ten minutes later", d.srv.Pending())
	}
	if got := d.tenants(); got != "2\n" {
		t.Errorf("rows after the pod died under the command: %q, want the 2 before the insert", got)
	}
	if r := d.call("", "oc", "exec", "dc/zync-database", "--", "cat", "/tmp/status"); r.Code == 0 {
		t.Errorf("the replacement pod holds the dead pod's status: %q", r.Stdout)
	}
}

// TestDetachedExecCutsItsInput: the command of a detached exec reads the
// half of the call's input that got through, and a command fed from the
// input ends at once, a long program too (an import cut short).
func TestDetachedExecCutsItsInput(t *testing.T) {
	d := newDetachSite(t)
	d.detachFirst("upload")
	if r := d.call("0123456789", "oc", "exec", "-i", "dc/zync-database", "--", "bash", "-c", "cat > /tmp/upload"); r.Code == 0 {
		t.Fatal("the detached upload succeeded")
	}
	if d.srv.Pending() != 0 {
		t.Errorf("%d commands run on after an upload without a long program", d.srv.Pending())
	}
	if got := d.must("exec", "dc/zync-database", "--", "cat", "/tmp/upload"); got != "01234" {
		t.Errorf("the pod received %q, want the first half of the input", got)
	}
	d.detachFirst("psql")
	statements := "INSERT INTO tenants (id, endpoint) VALUES (3, 'https://t3.example.com');\nINSERT INTO tenants (id, endpoint) VALUES (4, 'https://t4.example.com');\n"
	if r := d.call(statements, "oc", "exec", "-i", "dc/zync-database", "--", "psql", "-d", "zync_production", "-f", "-"); r.Code == 0 {
		t.Fatal("the detached import succeeded")
	}
	if d.srv.Pending() != 0 {
		t.Errorf("%d commands run on after an import fed from the call's input", d.srv.Pending())
	}
	if got := d.tenants(); got != "3\n" {
		t.Errorf("the rows after an import cut in half: %q, want 3 (the first of the two inserts)", got)
	}
}

// TestCloseEndsDetachedCommands: closing the server kills the commands
// still paused, whose goroutines end.
func TestCloseEndsDetachedCommands(t *testing.T) {
	d := newDetachSite(t)
	d.detachFirst("INSERT")
	d.call("", "oc", "exec", "dc/zync-database", "--", "bash", "-c", detachedInsert)
	if d.srv.Pending() != 1 {
		t.Fatalf("%d commands run on in pods, want 1", d.srv.Pending())
	}
	d.srv.Close()
	if d.srv.Pending() != 0 {
		t.Errorf("%d commands left after Close", d.srv.Pending())
	}
}
