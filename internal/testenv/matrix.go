package testenv

import (
	"fmt"
	"strings"
)

// PlanMatrix gives a plan for every combination of the plan language's
// choices: versions (from, to, installed_at), deployment, system database,
// S3, wildcard policy, migration and externalization. Many are invalid
// (plan.Parse refuses them); the rest must each compile or be refused with
// a diagnostic. A choice that no rule module of a plan reads is left at one
// value for that plan (the wildcard policy outside a 2.4/2.5 history,
// externalize outside 2.16), which keeps the list short.
func PlanMatrix() []string {
	versions := []string{"2.4", "2.5", "2.6", "2.7", "2.8", "2.15", "2.16"}
	var plans []string
	for fi, from := range versions {
		for _, to := range versions[fi:] {
			for _, inst := range append([]string{""}, versions[:fi]...) {
				policies := []string{"None"}
				if from == "2.4" || from == "2.5" || inst == "2.4" || inst == "2.5" {
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
										plans = append(plans, matrixPlan(dep, from, to, db, s3, wp, inst, migrate, ext))
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return plans
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
