package compiler_test

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
)

// TestPlanMatrix compiles every plan of testenv.PlanMatrix that parses,
// over every version a hop starts or ends at, against the standard layout: each must compile or be refused with a
// diagnostic in the plan; none may reach a bug in ampc (a panic), whatever
// combination the user picks. emit's TestPlanMatrixBundles renders them.
func TestPlanMatrix(t *testing.T) {
	rules, err := compiler.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	var ends []string
	for _, h := range rules.Hops() {
		ends = append(ends, h.From, h.To)
	}
	plans, compiled := 0, 0
	for _, mp := range testenv.PlanMatrix(testenv.MatrixVersions(ends...)) {
		p, _, diags := plan.Parse("matrix.hcl", []byte(mp.Source))
		if diags.HasErrors() {
			continue
		}
		plans++
		if matrixCompile(t, rules, p, mp.Source) {
			compiled++
		}
	}
	if compiled == 0 {
		t.Fatal("no plan of the matrix compiled")
	}
	t.Logf("%d valid plans, %d compiled, the others refused", plans, compiled)
}

// matrixCompile compiles one plan and reports whether it compiled; a panic
// or an error diagnostic outside the plan fails the test.
func matrixCompile(t *testing.T, rules *compiler.Rules, p *plan.Plan, src string) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("a valid plan reaches a bug in ampc: %v\n%s", r, src)
		}
	}()
	_, diags := rules.Compile(p, nil)
	for _, d := range diags {
		if d.Severity == hcl.DiagError && (d.Subject == nil || d.Subject.Filename != "matrix.hcl") {
			t.Errorf("%s: %s, not pointing into the plan\n%s", d.Summary, d.Detail, src)
		}
	}
	return !diags.HasErrors()
}
