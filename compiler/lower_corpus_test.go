package compiler

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

var updateLower = flag.Bool("update", false, "rewrite the want section of testdata/lower/*.txtar")

// lowerPlan is the plan a case of testdata/lower compiles unless it brings
// a plan.hcl.
const lowerPlan = `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
`

// TestLowerCorpus lowers each case of testdata/lower: rule.hcl, the steps
// of a 2.7 → 2.8 template module (the hop block is added; shared.hcl, if
// any, goes into a shared file for template hops), against
// model.yaml, the namespace as a snapshot, for plan.hcl (lowerPlan when the
// case has none). The want section is what lowering gives: each step's
// patch operations, checks, deletes, waits and shell, or the diagnostics
// when the model disagrees with the rule. go test -run TestLowerCorpus
// -update rewrites it; read the diff like code.
func TestLowerCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lower", "*.txtar"))
	if len(files) < 15 {
		t.Fatalf("the corpus has %d cases", len(files))
	}
	layouts, err := loadLayouts()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			a, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			section := map[string]*txtar.File{}
			for i := range a.Files {
				section[a.Files[i].Name] = &a.Files[i]
			}
			for _, name := range []string{"rule.hcl", "model.yaml"} {
				if section[name] == nil {
					t.Fatalf("no %s section", name)
				}
			}
			got := lowerCase(t, layouts, section)
			if w := section["want"]; *updateLower {
				if w == nil {
					a.Files = append(a.Files, txtar.File{Name: "want"})
					w = &a.Files[len(a.Files)-1]
				}
				w.Data = []byte(got)
				if err := os.WriteFile(file, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if w == nil {
				t.Fatal("no want section; run with -update")
			} else if string(w.Data) != got {
				t.Errorf("lowered:\n%s\nwant:\n%s", got, w.Data)
			}
		})
	}
}

// lowerCase compiles one case and renders what came out.
func lowerCase(t *testing.T, layouts *layoutIndex, section map[string]*txtar.File) string {
	t.Helper()
	shared := `applies_to = ["template"]` + testVersion
	if sh := section["shared.hcl"]; sh != nil {
		shared += string(sh.Data)
	}
	fsys := fstest.MapFS{
		"rules/shared/version.hcl": {Data: []byte(shared)},
		"rules/m.hcl":              {Data: []byte(testHop + string(section["rule.hcl"].Data))},
	}
	mods, diags := loadModulesFrom(fsys)
	if diags.HasErrors() {
		t.Fatalf("the rule does not load: %s", diags.Error())
	}
	src := []byte(lowerPlan)
	if p := section["plan.hcl"]; p != nil {
		src = p.Data
	}
	p, _, diags := plan.Parse("plan.hcl", src)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	dir := t.TempDir()
	model := filepath.Join(dir, "model.yaml")
	if err := os.WriteFile(model, section["model.yaml"].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	snap, diags := snapshot.Read(model, p.Install.Namespace)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	r := &Rules{mods: mods, layouts: layouts}
	b, diags := r.Compile(p, snap)
	var out strings.Builder
	if b != nil {
		for _, s := range b.Steps {
			renderStep(&out, s)
		}
	}
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		at := ""
		if d.Subject != nil {
			at = fmt.Sprintf(" at %s:%d", filepath.Base(d.Subject.Filename), d.Subject.Start.Line)
		}
		fmt.Fprintf(&out, "%s%s: %s\n  %s\n", sev, at, d.Summary, strings.ReplaceAll(d.Detail, "\n", "\n  "))
	}
	return out.String()
}

// renderStep writes what a lowered step does, one line a fact.
func renderStep(out *strings.Builder, s ir.Step) {
	fmt.Fprintf(out, "step %s (%s, %s): %s\n", s.ID, s.Kind, s.Source, s.Title)
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	target := func(t ir.Target) string {
		return fmt.Sprintf("%s %s/%s in %s", t.APIVersion, t.Kind, t.Name, t.Namespace)
	}
	for _, p := range s.Patches {
		fmt.Fprintf(out, "  patch %s\n", target(p.Target))
		for _, o := range p.Ops {
			fmt.Fprintf(out, "    %s\n", js(o))
		}
		for _, pv := range p.Checks.Present {
			fmt.Fprintf(out, "    check present %s = %s\n", js(pv.Path), js(pv.Value))
		}
		for _, path := range p.Checks.Absent {
			fmt.Fprintf(out, "    check absent %s\n", js(path))
		}
		for _, path := range p.Checks.Exists {
			fmt.Fprintf(out, "    check exists %s\n", js(path))
		}
	}
	for _, c := range s.Creates {
		fmt.Fprintf(out, "  create %s\n", target(c.Target))
	}
	for _, d := range s.Deletes {
		fmt.Fprintf(out, "  delete %s\n", target(d.Target))
	}
	for _, w := range s.Wait {
		fmt.Fprintf(out, "  wait %s\n", target(w))
	}
	if s.Guard != "" {
		fmt.Fprintf(out, "  done if: %s\n", s.Guard)
	}
	if s.Run != "" {
		fmt.Fprintf(out, "  run: %s\n", strings.ReplaceAll(strings.TrimRight(s.Run, "\n"), "\n", "\n       "))
	}
	if s.Note != "" {
		fmt.Fprintf(out, "  note: %s\n", s.Note)
	}
}
