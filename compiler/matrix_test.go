package compiler_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/plan"
)

// TestPlanMatrix compiles every plan that the choices of the plan language
// make (versions, deployment, system database, S3, wildcard policy,
// installed_at, migration, externalization) against the standard layout.
// Each valid plan must compile or be refused with a diagnostic in the plan;
// none may reach a bug in ampc (a panic), whatever combination the user
// picks. Choices that no module of a plan reads are left at one value for
// that plan (the wildcard policy outside a 2.4/2.5 history, externalize
// outside 2.16), which keeps the run short.
func TestPlanMatrix(t *testing.T) {
	versions := []string{"2.4", "2.5", "2.6", "2.7", "2.8", "2.15", "2.16"}
	for fi, from := range versions {
		t.Run("from="+from, func(t *testing.T) {
			t.Parallel()
			plans, compiled := 0, 0
			for _, to := range versions[fi:] {
				for _, inst := range append([]string{""}, versions[:fi]...) {
					early := from == "2.4" || from == "2.5" || inst == "2.4" || inst == "2.5"
					policies := []string{"None"}
					if early {
						policies = append(policies, "Subdomain")
					}
					externalize := []string{""}
					if to == "2.16" {
						externalize = append(externalize, "on-cluster", "aws", "external")
					}
					for _, dep := range []string{"template", "operator"} {
						for _, db := range []string{"mysql", "postgresql", "oracle"} {
							for _, s3 := range []bool{false, true} {
								for _, wp := range policies {
									for _, migrate := range []bool{false, true} {
										for _, ext := range externalize {
											src := matrixPlan(dep, from, to, db, s3, wp, inst, migrate, ext)
											p, _, diags := plan.Parse("matrix.hcl", []byte(src))
											if diags.HasErrors() {
												continue
											}
											plans++
											if matrixCompile(t, p, src) {
												compiled++
											}
										}
									}
								}
							}
						}
					}
				}
			}
			t.Logf("%d valid plans, %d compiled, the others refused", plans, compiled)
		})
	}
}

func matrixPlan(dep, from, to, db string, s3 bool, wp, inst string, migrate bool, ext string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "install {\n  namespace = \"3scale\"\n  deployment = %q\n  from = %q\n  to = %q\n  system_database = %q\n  s3 = %v\n  wildcard_policy = %q\n", dep, from, to, db, s3, wp)
	if inst != "" {
		fmt.Fprintf(&b, "  installed_at = %q\n", inst)
	}
	if migrate {
		b.WriteString("  migrate_to = \"operator\"\n")
	}
	b.WriteString("}\n")
	if dep == "operator" || migrate {
		b.WriteString("operator {\n  namespace = \"3scale-operator\"\n")
		if migrate {
			b.WriteString("  wildcard_domain = \"apps.example.com\"\n")
		}
		b.WriteString("}\n")
	}
	if ext != "" {
		fmt.Fprintf(&b, "externalize {\n  system_database = %q\n  redis = %q\n  namespace = \"3scale-db\"\n}\n", ext, ext)
	}
	return b.String()
}

// matrixCompile compiles one plan and reports whether it compiled; a panic
// or an error diagnostic outside the plan fails the test.
func matrixCompile(t *testing.T, p *plan.Plan, src string) (ok bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("a valid plan reaches a bug in ampc: %v\n%s", r, src)
		}
	}()
	_, diags := compiler.Compile(p, nil)
	for _, d := range diags {
		if d.Severity == hcl.DiagError && (d.Subject == nil || d.Subject.Filename != "matrix.hcl") {
			t.Errorf("%s: %s, not pointing into the plan\n%s", d.Summary, d.Detail, src)
		}
	}
	return !diags.HasErrors()
}
