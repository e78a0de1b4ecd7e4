package compiler_test

import (
	"strings"
	"testing"

	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

const operatorPlan27 = `install {
  namespace       = "3scale"
  deployment      = "operator"
  from            = "2.7"
  to              = "2.8"
  system_database = "postgresql"
%s}

operator {
  namespace = "3scale-operator"
}
`

const migrationPlan = `install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.8"
  to              = "2.8"
  system_database = "mysql"
  migrate_to      = "operator"
%s}

operator {
  namespace       = "3scale-operator"
  wildcard_domain = "3scale.example.com"
}
`

// TestOperatorLayout27 compiles the operator hop against its standard
// layout: the Subscription is the only object changed, and the waits are
// the layout's DeploymentConfigs, with the plan's system database.
func TestOperatorLayout27(t *testing.T) {
	b, diags := compiler.Compile(parse(t, strings.Replace(operatorPlan27, "%s", "", 1)), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	ids := stepIDs(b)
	patch := ids["2.7-2.8/subscription-channel"]
	if len(patch.Patches) != 1 || patch.Patches[0].Target.Namespace != "3scale-operator" || patch.Patches[0].Target.Kind != "Subscription" {
		t.Fatalf("subscription-channel patches %+v", patch.Patches)
	}
	var waits []string
	for _, w := range ids["2.7-2.8/wait-rollouts"].Wait {
		waits = append(waits, w.Name)
	}
	if got := strings.Join(waits, " "); !strings.Contains(got, "system-postgresql") || strings.Contains(got, "system-mysql") || len(waits) != 15 {
		t.Errorf("waits for %s", got)
	}
	for _, s := range b.Steps {
		if len(s.Patches) > 0 && s.ID != "2.7-2.8/subscription-channel" {
			t.Errorf("step %s patches the site", s.ID)
		}
		if !strings.HasPrefix(s.Source, "000_fb66213bb7713c41.txt 2.1") {
			t.Errorf("step %s has source %q", s.ID, s.Source)
		}
	}
}

// TestOperatorLayoutHistory: an operator-based site first installed before
// 2.7 has no standard layout, and says so; a migration site upgraded from
// 2.7 is modeled through the 2.7 → 2.8 template hop.
func TestOperatorLayoutHistory(t *testing.T) {
	_, diags := compiler.Compile(parse(t, strings.Replace(operatorPlan27, "%s", "  installed_at    = \"2.6\"\n", 1)), nil)
	if !diags.HasErrors() || diags[0].Summary != "No standard layout for this site" {
		t.Errorf("diags = %v", diags)
	}
	b, diags := compiler.Compile(parse(t, strings.Replace(migrationPlan, "%s", "  installed_at    = \"2.7\"\n", 1)), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(b.Hops) != 1 || b.Hops[0].Deployment != "template-to-operator" {
		t.Errorf("hops = %+v: the history must not run the migration twice or the template hop again", b.Hops)
	}
	if _, ok := stepIDs(b)["2.8-2.8/backup-system-mysql"]; !ok {
		t.Error("no system-mysql dump")
	}
}

// TestMigrationUnsupported: a migration at a version no module covers
// points at migrate_to and lists the hops.
func TestMigrationUnsupported(t *testing.T) {
	body := strings.Replace(strings.Replace(strings.Replace(migrationPlan, "%s", "", 1), `from            = "2.8"`, `from            = "2.6"`, 1), `to              = "2.8"`, `to              = "2.7"`, 1)
	_, diags := compiler.Compile(parse(t, body), nil)
	if !diags.HasErrors() || diags[0].Summary != "Unsupported hop" || !strings.Contains(diags[0].Detail, "2.8 → 2.8 (template-to-operator)") ||
		diags[0].Subject == nil || diags[0].Subject.Start.Line != 7 {
		t.Errorf("diags = %v", diags)
	}
}

// tenantSite is the 2.8 fixture with its backend route's host at
// backend-TENANT.3scale.example.com, as the template writes it for
// TENANT_NAME and WILDCARD_DOMAIN.
func tenantSite(t *testing.T, tenant string) string {
	t.Helper()
	return editFixture(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"), func(obj map[string]any) bool {
		if obj["kind"] == "Route" && obj["metadata"].(map[string]any)["name"] == "backend" {
			obj["spec"].(map[string]any)["host"] = "backend-" + tenant + ".3scale.example.com"
		}
		return true
	})
}

// apimanagerTenant is the tenantName of the APIManager a migration creates.
func apimanagerTenant(t *testing.T, b *ir.Bundle) any {
	t.Helper()
	s, ok := stepIDs(b)["2.8-2.8/apimanager"]
	if !ok || len(s.Creates) != 1 {
		t.Fatalf("no APIManager step: %+v", s)
	}
	spec, _ := s.Creates[0].Object["spec"].(map[string]any)
	return spec["tenantName"]
}

// TestMigrationTenantName (audit D, S2 "Chapter 3 APIManager"): the
// APIManager of the template-to-operator migration names the site's
// TENANT_NAME as tenantName, or the operator's default, 3scale, gives a
// site with another tenant another backend host after the DNS switch. It
// comes from the plan's operator.tenant_name, else from the snapshot's
// backend route (backend-TENANT.DOMAIN), else the template's default; a
// plan that contradicts its snapshot is refused at operator.tenant_name.
func TestMigrationTenantName(t *testing.T) {
	plain := strings.Replace(migrationPlan, "%s", "", 1)
	withTenant := func(tenant string) string {
		return strings.Replace(plain, `wildcard_domain = "3scale.example.com"`, `wildcard_domain = "3scale.example.com"
  tenant_name     = "`+tenant+`"`, 1)
	}
	b, diags := compiler.Compile(parse(t, plain), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := apimanagerTenant(t, b); got != "3scale" {
		t.Errorf("without a snapshot: tenantName %v, want the template's default 3scale", got)
	}
	b, diags = compiler.Compile(parse(t, withTenant("acme")), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := apimanagerTenant(t, b); got != "acme" {
		t.Errorf("with tenant_name: tenantName %v, want acme", got)
	}
	res, diags := compileSnapshotResult(t, plain, tenantSite(t, "acme"))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if got := apimanagerTenant(t, res.Bundle); got != "acme" {
		t.Errorf("from the snapshot: tenantName %v, want acme", got)
	}
	diags = compileSnapshot(t, withTenant("other"), tenantSite(t, "acme"))
	if len(diags) != 1 || diags[0].Summary != "The plan's tenant_name is not the site's" || !strings.Contains(diags[0].Detail, `Set tenant_name = "acme"`) {
		t.Fatalf("a plan that contradicts its snapshot: %v", diags)
	}
	if s := diags[0].Subject; s == nil || s.Filename != "plan.hcl" || s.Start.Line != 13 {
		t.Errorf("the refusal points at %v, not at tenant_name", s)
	}
}
