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

// shellchecked holds the step and rollback functions Shellcheck has
// checked in this test binary.
var (
	shellcheckedMu sync.Mutex
	shellchecked   = map[string]bool{}
)

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

// Shellcheck checks a runbook with shellcheck -x, as ShellcheckText gives
// it, without the steps an earlier call of the test binary checked
// (BlankCheckedSteps: the examples and their variants share most of their
// steps; each distinct step is checked once, in the first runbook that has
// it). AMPC_EXHAUSTIVE=1 checks each distinct runbook whole.
func Shellcheck(t *testing.T, runbook string) {
	t.Helper()
	bin := testenv.Tool(t, "shellcheck")
	text, err := os.ReadFile(runbook)
	if err != nil {
		t.Fatal(err)
	}
	text = ShellcheckText(t, text)
	if !testenv.Exhaustive() {
		shellcheckedMu.Lock()
		text = BlankCheckedSteps(text, shellchecked)
		shellcheckedMu.Unlock()
	}
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

// BlankCheckedSteps blanks, in a runbook's text as ShellcheckText gives
// it, each step and rollback function (from its "step_ID() {" or
// "rollback_ID() {" line to the "}" that ends it) whose text, name
// included, is in checked, keeping the line numbers, and adds the others to
// checked: a set of runbooks that share most of their steps (the plan
// matrix's) is then checked with each distinct step once, in the first
// runbook that has it, with that runbook's header and the steps not
// checked before it. A function cut short by a "}" line of a here-document
// leaves a text that neither bash nor shellcheck parses: the check fails,
// it does not pass a step unread.
func BlankCheckedSteps(text []byte, checked map[string]bool) []byte {
	lines := strings.SplitAfter(string(text), "\n")
	var out strings.Builder
	blanked := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if !(strings.HasPrefix(line, "step_") || strings.HasPrefix(line, "rollback_")) || !strings.HasSuffix(line, "() {\n") {
			out.WriteString(line)
			continue
		}
		end := i + 1
		for end < len(lines) && lines[end] != "}\n" {
			end++
		}
		if end == len(lines) {
			out.WriteString(line)
			continue
		}
		fn := strings.Join(lines[i:end+1], "")
		if checked[fn] {
			// The first function blanked names the header's variables
			// that only steps read, which shellcheck would otherwise take
			// for unused in a runbook whose steps are all blanked.
			if !blanked {
				out.WriteString(stepReads)
				blanked = true
			}
			out.WriteString(strings.Repeat("\n", end+1-i))
		} else {
			checked[fn] = true
			out.WriteString(fn)
		}
		i = end
	}
	return []byte(out.String())
}

// stepReads names the runbook header's variables that only steps read
// (driverReads names the others).
const stepReads = `: "${NAMESPACE}${BUNDLE_DIR}${BACKUP_DIR}"`

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
