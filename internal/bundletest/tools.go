package bundletest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// toolRuns holds the result of every distinct tool run of the test binary:
// many tests compile the same examples, and a tool given the same input
// gives the same output, so kubectl and shellcheck run once per input.
var toolRuns sync.Map

type toolRun struct {
	once sync.Once
	out  []byte
	err  error
}

// CachedRun runs run once for each key (a digest of everything the run
// reads) in the test binary and gives every caller its output.
func CachedRun(key []byte, run func() ([]byte, error)) ([]byte, error) {
	sum := sha256.Sum256(key)
	v, _ := toolRuns.LoadOrStore(sum, &toolRun{})
	r := v.(*toolRun)
	r.once.Do(func() { r.out, r.err = run() })
	return r.out, r.err
}

// Shellcheck checks a runbook with shellcheck -x (once per content).
func Shellcheck(t *testing.T, runbook string) {
	t.Helper()
	bin := testenv.Tool(t, "shellcheck")
	text, err := os.ReadFile(runbook)
	if err != nil {
		t.Fatal(err)
	}
	out, err := CachedRun(append([]byte("shellcheck -x\x00"), text...), func() ([]byte, error) {
		return exec.Command(bin, "-x", runbook).CombinedOutput()
	})
	if err != nil {
		t.Errorf("shellcheck %s: %v\n%s", runbook, err, out)
	}
}

// TreeDigest is a digest of the names and contents of the files under dir,
// for a CachedRun key.
func TreeDigest(t *testing.T, dir string) []byte {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(raw))
		h.Write(raw)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}
