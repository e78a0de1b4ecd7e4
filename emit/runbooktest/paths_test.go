package runbooktest

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestRunbookWritesOwnerOnly runs the backup step of a 2.7 → 2.8 runbook
// from a working directory: every file it leaves there (backups, state
// file, log) is readable and writable by its owner only, whatever the
// umask of the shell that started it. Before the runbook's umask 077, the
// backups (Secrets among them) were as readable as the caller's umask made
// them.
func TestRunbookWritesOwnerOnly(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	work := t.TempDir()
	out, err := c.Exec(t, bundle, work, nil, "--only", "2.7-2.8/backup")
	if err != nil {
		t.Fatalf("the backup step: %v\n%s", err, out)
	}
	n := 0
	err = filepath.WalkDir(work, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == work {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n++
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: others than its owner may read it", path, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("the run left %d files and directories; want the backups, the state file and the log", n)
	}
}

// TestRunbookRefusesToWriteInsideTheBundle runs a runbook from its own
// directory, where the next compile would find (and used to delete) what it
// writes: it must refuse before any oc call and write nothing, and name the
// way out. With AMPC_BACKUP_DIR, AMPC_STATE_FILE and AMPC_LOG_FILE outside
// the bundle, the same run goes on.
func TestRunbookRefusesToWriteInsideTheBundle(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	before := bundletest.TreeDigest(t, bundle)
	c := bundletest.NewCluster(t, fixture)
	out, err := c.Exec(t, bundle, bundle, nil, "--only", "2.7-2.8/backup")
	if err == nil || !strings.Contains(out, "would be written inside the bundle") || !strings.Contains(out, "run the runbook from another directory") {
		t.Errorf("run from the bundle's directory: %v\n%s", err, out)
	}
	if calls := c.Calls(t); len(calls) != 0 {
		t.Errorf("the refused run called oc: %q", calls)
	}
	if after := bundletest.TreeDigest(t, bundle); string(after) != string(before) {
		t.Error("the refused run wrote into the bundle")
	}

	elsewhere := t.TempDir()
	env := []string{
		"AMPC_BACKUP_DIR=" + filepath.Join(elsewhere, "backups"),
		"AMPC_STATE_FILE=" + filepath.Join(elsewhere, "state"),
		"AMPC_LOG_FILE=" + filepath.Join(elsewhere, "log"),
	}
	if out, err := c.Exec(t, bundle, bundle, env, "--only", "2.7-2.8/backup"); err != nil {
		t.Errorf("run from the bundle's directory, writing elsewhere: %v\n%s", err, out)
	}
	for _, f := range []string{"backups", "state", "log"} {
		if _, err := os.Stat(filepath.Join(elsewhere, f)); err != nil {
			t.Error(err)
		}
	}
}
