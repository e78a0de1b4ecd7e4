package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// TestDeterminism compiles every example twice with the built binary, from
// different working directories and with different TZ and GOMAXPROCS, and
// compares the bundles byte for byte.
func TestDeterminism(t *testing.T) {
	goTool := testenv.Tool(t, "go")
	bin := filepath.Join(t.TempDir(), "ampc")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/ampc")
	build.Dir = testenv.Root()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	runs := []struct{ tz, procs string }{{"UTC", "1"}, {"Pacific/Kiritimati", "2"}}
	for _, ex := range examples {
		var bundles []string
		for i, r := range runs {
			cwd := t.TempDir()
			out := filepath.Join(cwd, "sub", "bundle")
			if i == 1 {
				out = "bundle" // relative to another working directory
			}
			cmd := exec.Command(bin, "compile", ex, "-o", out)
			cmd.Dir = cwd
			cmd.Env = append(os.Environ(), "TZ="+r.tz, "GOMAXPROCS="+r.procs)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", filepath.Base(ex), err, b)
			}
			if !filepath.IsAbs(out) {
				out = filepath.Join(cwd, out)
			}
			bundles = append(bundles, out)
		}
		a, b := readTree(t, bundles[0]), readTree(t, bundles[1])
		if len(a) != len(b) {
			t.Errorf("%s: %d files, then %d", filepath.Base(ex), len(a), len(b))
		}
		for name, data := range a {
			if !bytes.Equal(data, b[name]) {
				t.Errorf("%s: %s differs between the two compiles", filepath.Base(ex), name)
			}
		}
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
