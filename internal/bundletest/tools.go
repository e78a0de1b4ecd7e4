package bundletest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
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

// Shellcheck checks a runbook with shellcheck -x (once per content), as
// ShellcheckText gives it.
func Shellcheck(t *testing.T, runbook string) {
	t.Helper()
	bin := testenv.Tool(t, "shellcheck")
	text, err := os.ReadFile(runbook)
	if err != nil {
		t.Fatal(err)
	}
	text = ShellcheckText(t, text)
	out, err := CachedRun(append([]byte("shellcheck -x\x00"), text...), func() ([]byte, error) {
		checked := filepath.Join(t.TempDir(), filepath.Base(runbook))
		if err := os.WriteFile(checked, text, 0o644); err != nil {
			return nil, err
		}
		return exec.Command(bin, "-x", checked).CombinedOutput()
	})
	if err != nil {
		t.Errorf("shellcheck %s: %v\n%s", runbook, err, out)
	}
}

// ShellcheckText is a runbook as the tests give it to shellcheck: without
// the rule modules' shell library and without the driver, each of their
// lines left blank so that shellcheck's line numbers are the runbook's.
// Both are the same text in every runbook, word for word, and are checked
// on their own (compiler's TestShellLibraryShellcheck, emit's
// TestRunbookDriverFiles, with the declarations the driver reads); what
// shellcheck finds in the steps does not depend on the bodies of the
// functions they call, and the two are about two thirds of a runbook, so
// each of the suite's dozens of runbooks is checked in about a third of
// the time. The header's variables that only the driver reads are named
// on the driver's first line, so that shellcheck does not take them for
// unused. A runbook without the library or the driver fails the test.
func ShellcheckText(t *testing.T, runbook []byte) []byte {
	t.Helper()
	lib, err := compiler.ShellLibrary()
	if err != nil {
		t.Fatal(err)
	}
	out := blankOut(t, runbook, lib, "", "the shell library")
	return blankOut(t, out, emit.DriverText(), driverReads, "the driver")
}

// driverReads names the runbook header's variables that only the driver
// reads.
const driverReads = `: "${FROM}${TO}${KNOWN_VERSIONS[*]}${VERSION_SOURCE}${MIGRATION}${STATE_FILE}${LOG_FILE}${STEPS[*]}${TITLES[*]}${ROLLBACKS[*]}${ROLLBACK_TITLES[*]}${ROLLBACK_OFFERS[*]}${DRIFT[*]}${APPLIED_JQ}"`

// blankOut replaces text, which must be in runbook once, with as many
// empty lines, the first holding first.
func blankOut(t *testing.T, runbook []byte, text, first, what string) []byte {
	t.Helper()
	i := bytes.Index(runbook, []byte(text))
	if text == "" || i < 0 {
		t.Fatalf("the runbook does not hold %s", what)
	}
	out := append([]byte{}, runbook[:i]...)
	out = append(out, first...)
	out = append(out, bytes.Repeat([]byte("\n"), strings.Count(text, "\n"))...)
	return append(out, runbook[i+len(text):]...)
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
