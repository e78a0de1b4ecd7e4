package cli_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// dirSum fingerprints every file under dir with its mode and content.
func dirSum(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sum := ""
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum = fmt.Sprintf("%x", sha256.Sum256(data))
		}
		fmt.Fprintf(&b, "%s %v %d %s\n", rel, info.Mode(), info.ModTime().UnixNano(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestInvalidPlanCorpus compiles every invalid plan of the corpus (the
// parser's, plan/testdata/invalid, and the compiler's, testdata/invalid)
// over an existing bundle: each must exit 1 with a FILE:LINE:COL diagnostic
// at every line marked "# ERROR: Summary", a detail that says what to do,
// and leave the output directory exactly as it was. validate --json gives
// the same diagnostics, at the same lines, as output.schema.json says.
func TestInvalidPlanCorpus(t *testing.T) {
	schema, err := outputSchema("validate")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, glob := range []string{
		filepath.Join(testenv.Root(), "plan", "testdata", "invalid", "*.hcl"),
		filepath.Join("testdata", "invalid", "*.hcl"),
	} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 60 {
		t.Fatalf("the corpus has %d plans", len(files))
	}
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	good := filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl")
	if code := cli.Run([]string{"compile", good, "-o", out}, &stdout, &stderr); code != cli.ExitOK {
		t.Fatalf("compiling the example: %d\n%s", code, stderr.String())
	}
	before := dirSum(t, out)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want, wantJSON []string
			sc := bufio.NewScanner(bytes.NewReader(src))
			for line := 1; sc.Scan(); line++ {
				if _, summary, ok := strings.Cut(sc.Text(), "# ERROR: "); ok {
					want = append(want, fmt.Sprintf(`(?m)^%s:%d:[0-9]+: Error: %s$`, regexp.QuoteMeta(file), line, regexp.QuoteMeta(strings.TrimSpace(summary))))
					wantJSON = append(wantJSON, fmt.Sprintf("error %s:%d %s", file, line, strings.TrimSpace(summary)))
				}
			}
			if len(want) == 0 {
				t.Fatal("no # ERROR: line")
			}
			var stdout, stderr bytes.Buffer
			code := cli.Run([]string{"compile", file, "-o", out}, &stdout, &stderr)
			if code != cli.ExitPlan {
				t.Fatalf("exit %d, want %d\n%s", code, cli.ExitPlan, stderr.String())
			}
			for _, w := range want {
				if !regexp.MustCompile(w).Match(stderr.Bytes()) {
					t.Errorf("no diagnostic matching %s in:\n%s", w, stderr.String())
				}
			}
			if strings.Contains(stderr.String(), "bug in ampc") {
				t.Errorf("reported as a bug:\n%s", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %s", stdout.String())
			}

			stdout.Reset()
			stderr.Reset()
			if code := cli.Run([]string{"validate", "--json", file}, &stdout, &stderr); code != cli.ExitPlan || stderr.Len() != 0 {
				t.Fatalf("validate --json: exit %d, want %d\n%s", code, cli.ExitPlan, stderr.String())
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(stdout.Bytes()))
			if err == nil {
				err = schema.Validate(inst)
			}
			if err != nil {
				t.Fatalf("validate --json: %v\n%s", err, stdout.String())
			}
			var out struct {
				Valid       bool
				Diagnostics []struct {
					Severity, Summary string
					Range             *struct {
						Filename string
						Start    struct{ Line int }
					}
				}
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, d := range out.Diagnostics {
				if d.Range != nil {
					got[fmt.Sprintf("%s %s:%d %s", d.Severity, d.Range.Filename, d.Range.Start.Line, d.Summary)] = true
				}
			}
			for _, w := range wantJSON {
				if !got[w] {
					t.Errorf("validate --json: no diagnostic %q in:\n%s", w, stdout.String())
				}
			}
			if out.Valid {
				t.Error("validate --json: valid")
			}
		})
	}
	if after := dirSum(t, out); after != before {
		t.Error("an invalid plan changed the output directory")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".out.ampc-new-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
}
