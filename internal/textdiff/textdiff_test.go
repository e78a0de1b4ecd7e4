package textdiff_test

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/internal/textdiff"
)

// TestUnifiedIsMinimalAndApplies: on random line edits, the diff changes
// exactly as many lines as GNU diff --minimal does, and patch(1) turns
// the old text into the new one with it.
func TestUnifiedIsMinimalAndApplies(t *testing.T) {
	diffBin, patchBin := testenv.Tool(t, "diff"), testenv.Tool(t, "patch")
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "name: x", "value: y", "- key", "}", ""}
	dir := t.TempDir()
	changed := func(u []byte) int {
		n := 0
		for _, l := range strings.Split(string(u), "\n") {
			if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++ ") && !strings.HasPrefix(l, "--- ") {
				n++
			}
		}
		return n
	}
	for i := 0; i < 60; i++ {
		var a []string
		for j := r.IntN(40); j > 0; j-- {
			a = append(a, words[r.IntN(len(words))])
		}
		b := append([]string(nil), a...)
		for k := r.IntN(6); k > 0 && len(b) > 0; k-- {
			at := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				b = append(b[:at], b[at+1:]...)
			case 1:
				b = append(b[:at], append([]string{words[r.IntN(len(words))]}, b[at:]...)...)
			default:
				b[at] = words[r.IntN(len(words))]
			}
		}
		ta, tb := strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n"
		if len(a) == 0 {
			ta = ""
		}
		if len(b) == 0 {
			tb = ""
		}
		fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		os.WriteFile(fa, []byte(ta), 0o644)
		os.WriteFile(fb, []byte(tb), 0o644)
		got := textdiff.Unified("a", "b", []byte(ta), []byte(tb))
		if ta == tb {
			if got != nil {
				t.Errorf("equal texts give a diff:\n%s", got)
			}
			continue
		}
		want, _ := exec.Command(diffBin, "--minimal", "-u", fa, fb).Output()
		if changed(got) != changed(want) {
			t.Errorf("case %d: %d lines changed, diff --minimal changes %d\n%s\n%s", i, changed(got), changed(want), got, want)
		}
		pf := filepath.Join(dir, "p")
		os.WriteFile(pf, got, 0o644)
		if out, err := exec.Command(patchBin, "-s", "-o", filepath.Join(dir, "out"), fa, pf).CombinedOutput(); err != nil {
			t.Errorf("case %d: patch: %v\n%s\n%s", i, err, out, got)
			continue
		}
		if out, _ := os.ReadFile(filepath.Join(dir, "out")); string(out) != tb {
			t.Errorf("case %d: the patched text is not the new one\n%s", i, got)
		}
	}
}
