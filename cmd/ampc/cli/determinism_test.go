package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/testenv"
)

// TestDeterminism compiles every example with the built binary, from
// another working directory, into a relative output directory, with
// TZ=Pacific/Kiritimati and GOMAXPROCS=2, and compares the bundle byte for
// byte with the example's golden bundle (testdata/golden), which emit's
// TestGolden compiles in its test process under the test's own time zone
// and CPU count: the same plan gives the same bytes in another process,
// time zone, scheduling and directory. With AMPC_EXHAUSTIVE=1 each example
// is also compiled a second time, with TZ=UTC and GOMAXPROCS=1 into an
// absolute path, and the two compared (without the goldens).
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
	compile := func(ex, tz, procs string, relative bool) string {
		t.Helper()
		cwd := t.TempDir()
		out := filepath.Join(cwd, "sub", "bundle")
		if relative {
			out = "bundle" // relative to another working directory
		}
		cmd := exec.Command(bin, "compile", ex, "-o", out)
		cmd.Dir = cwd
		cmd.Env = append(os.Environ(), "TZ="+tz, "GOMAXPROCS="+procs)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", filepath.Base(ex), err, b)
		}
		if relative {
			return filepath.Join(cwd, out)
		}
		return out
	}
	for _, ex := range examples {
		name := strings.TrimSuffix(filepath.Base(ex), ".hcl")
		got := readTree(t, compile(ex, "Pacific/Kiritimati", "2", true))
		want, what := readTree(t, filepath.Join(testenv.Root(), "testdata", "golden", name)), "its golden bundle (if emit's TestGolden fails too, the goldens are out of date)"
		if testenv.Exhaustive() {
			want, what = readTree(t, compile(ex, "UTC", "1", false)), "a compile with TZ=UTC, GOMAXPROCS=1"
		}
		if len(want) == 0 {
			t.Errorf("%s: no files in %s", name, what)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d files, %d in %s", name, len(got), len(want), what)
		}
		for file, data := range want {
			if !bytes.Equal(data, got[file]) {
				t.Errorf("%s: %s differs from %s", name, file, what)
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
