package compiler

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/txtar"
)

// defaultShared is the shared file a case of testdata/invalid-rules gets
// when it brings none: every deployment's site version, read somehow.
const defaultShared = `applies_to = ["template", "operator", "template-to-operator"]
installed_version {
  source = "the test's version"
  run    = "printf '%s\\n' 2.7"
}
`

// TestInvalidRuleCorpus loads every broken rule module of
// testdata/invalid-rules: a NAME.hcl is the module rules/NAME.hcl, a
// NAME.txtar holds the files of rules/ it needs (modules, shared files,
// the shell library, manifests). Each line marked "# ERROR: Summary" must
// get exactly one error diagnostic with that summary, pointing at that
// line, with a detail; no other line may get one.
func TestInvalidRuleCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid-rules", "*"))
	if len(files) < 20 {
		t.Fatalf("the corpus has %d cases", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			fsys := invalidRuleCase(t, file)
			var want []string
			for name, f := range fsys {
				sc := bufio.NewScanner(bytes.NewReader(f.Data))
				for line := 1; sc.Scan(); line++ {
					if _, summary, ok := strings.Cut(sc.Text(), "# ERROR: "); ok {
						want = append(want, fmt.Sprintf("%s:%d: %s", name, line, strings.TrimSpace(summary)))
					}
				}
			}
			if len(want) == 0 {
				t.Fatal("no # ERROR: line")
			}
			_, diags := loadModulesFrom(fsys)
			var got []string
			for _, d := range diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				if d.Subject == nil {
					t.Errorf("diagnostic without a range: %s", d.Error())
					continue
				}
				if d.Detail == "" {
					t.Errorf("diagnostic without a detail: %s", d.Error())
				}
				got = append(got, fmt.Sprintf("%s:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary))
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("diagnostics:\n  %s\nwant:\n  %s\nin full: %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), diags.Error())
			}
			// The command line reports the same as a bug in ampc, naming
			// the file and the line.
			if err := ruleError(diags); err == nil || !strings.Contains(err.Error(), want[0][:strings.Index(want[0], ": ")]) {
				t.Errorf("ruleError: %v, want it to name %s", err, want[0])
			}
		})
	}
}

// invalidRuleCase reads a case of testdata/invalid-rules as the files of
// a rules directory.
func invalidRuleCase(t *testing.T, file string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	switch filepath.Ext(file) {
	case ".hcl":
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		fsys["rules/"+filepath.Base(file)] = &fstest.MapFile{Data: src}
	case ".txtar":
		a, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range a.Files {
			if !strings.HasPrefix(f.Name, "rules/") {
				t.Fatalf("%s: files of a case live under rules/", f.Name)
			}
			fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		}
	default:
		t.Fatalf("%s: a case is a .hcl or a .txtar", file)
	}
	hasShared := false
	for name := range fsys {
		hasShared = hasShared || strings.HasPrefix(name, "rules/shared/")
	}
	if !hasShared {
		fsys["rules/shared/version.hcl"] = &fstest.MapFile{Data: []byte(defaultShared)}
	}
	return fsys
}
