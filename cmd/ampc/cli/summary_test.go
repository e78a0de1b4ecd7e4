package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// planLine is the summary line compile and validate print.
var planLine = regexp.MustCompile(`(?m)^Plan: ([0-9]+) objects? to create, ([0-9]+) to change, ([0-9]+) to delete; ([0-9]+) steps? \(([0-9]+) manual\) over ([0-9]+) hops?\.$`)

// TestPlanLineAgreesWithPlanJSON compiles every example and checks that
// the Plan line of compile and validate counts what plan.json lists,
// counted here from its steps rather than read from its summary, and that
// PLAN.md shows the same line (and validate, for one example).
func TestPlanLineAgreesWithPlanJSON(t *testing.T) {
	examples, _ := filepath.Glob(filepath.Join(testenv.Root(), "examples", "*.hcl"))
	if len(examples) == 0 {
		t.Fatal("no examples")
	}
	for _, ex := range examples {
		t.Run(filepath.Base(ex), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			if code := cli.Run([]string{"compile", ex, "-o", out}, &stdout, &stderr); code != cli.ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			line := planLine.FindString(stdout.String())
			if line == "" {
				t.Fatalf("no Plan line in:\n%s", stdout.String())
			}
			raw, err := os.ReadFile(filepath.Join(out, "plan.json"))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Hops  []json.RawMessage `json:"hops"`
				Steps []struct {
					Kind      string                 `json:"kind"`
					Patches   []struct{ Target any } `json:"patches"`
					Manifests []json.RawMessage      `json:"manifests"`
					Deletes   []json.RawMessage      `json:"deletes"`
				} `json:"steps"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			created, deleted, manual := 0, 0, 0
			changed := map[string]bool{}
			for _, s := range doc.Steps {
				created += len(s.Manifests)
				deleted += len(s.Deletes)
				if s.Kind == "manual" {
					manual++
				}
				for _, p := range s.Patches {
					changed[fmt.Sprint(p.Target)] = true
				}
			}
			m := planLine.FindStringSubmatch(line)
			want := []string{fmt.Sprint(created), fmt.Sprint(len(changed)), fmt.Sprint(deleted), fmt.Sprint(len(doc.Steps)), fmt.Sprint(manual), fmt.Sprint(len(doc.Hops))}
			if got := m[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s\nplan.json counts create, change, delete, steps, manual, hops: %v", line, want)
			}
			review, err := os.ReadFile(filepath.Join(out, "PLAN.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(review, []byte("\n"+line+"\n")) {
				t.Errorf("PLAN.md does not show %q", line)
			}
			if filepath.Base(ex) != "2.7-to-2.8-operator.hcl" {
				return // validate prints the line with the same code: one example is enough
			}
			stdout.Reset()
			if code := cli.Run([]string{"validate", ex}, &stdout, &stderr); code != cli.ExitOK {
				t.Fatalf("validate: exit %d\n%s", code, stderr.String())
			}
			if got := planLine.FindString(stdout.String()); got != line {
				t.Errorf("validate prints %q, compile %q", got, line)
			}
		})
	}
}
