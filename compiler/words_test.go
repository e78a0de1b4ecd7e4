package compiler

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/plan"
)

// The words that let rule modules share what they repeat: shared steps
// (steps groups in rules/shared, placed with use), installed_version, step
// titles as expressions and for_each on patch blocks. Each test loads rule
// files of its own, beside the standard layouts of ampc (2.7's).

const testVersion = `
installed_version {
  source = "the test's version"
  run    = "printf '%s\\n' 2.7"
}
`

const testHop = `
hop {
  from       = "2.7"
  to         = "2.8"
  deployment = "template"
  seed       = "seed.txt"
  title      = "test hop"
}
`

// testRules loads rule files given as name → text under rules/.
func testRules(t *testing.T, files map[string]string) (*Rules, error) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys["rules/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	mods, diags := loadModulesFrom(fsys)
	if diags.HasErrors() {
		return nil, ruleError(diags)
	}
	layouts, err := loadLayouts()
	if err != nil {
		t.Fatal(err)
	}
	return &Rules{mods: mods, layouts: layouts}, nil
}

func testCompile(t *testing.T, r *Rules) *ir.Bundle {
	t.Helper()
	p, _, diags := plan.Parse("plan.hcl", []byte(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "mysql"
}
`))
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	b, diags := r.Compile(p, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return b
}

// TestSharedSteps: a use block places the group's steps where it stands,
// with its section; they see the shared file's locals, not the module's, and
// hop.*; titles are expressions; installed_version reaches the hop.
func TestSharedSteps(t *testing.T) {
	r, err := testRules(t, map[string]string{
		"shared/test.hcl": `applies_to = ["template"]` + testVersion + `
locals {
  where = "shared ${hop.from}"
}
steps "pair" {
  step "one" {
    title = "One of ${local.where} to ${hop.to}"
    kind  = "shell"
    run   = "echo ${local.where}"
  }
  step "two" {
    title   = "Two"
    kind    = "wait"
    rollout = ["system-app"]
  }
}
`,
		"test.hcl": testHop + `
locals {
  where = "module"
}
step "before" {
  title   = "Before, in the ${local.where}"
  kind    = "shell"
  section = "1"
  run     = "echo ${local.where}"
}
use "pair" {
  section = "9.9"
}
step "after" {
  title   = "After"
  kind    = "shell"
  section = "2"
  run     = "true"
}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := testCompile(t, r)
	var got []string
	for _, s := range b.Steps {
		got = append(got, s.ID+" ("+s.Source+"): "+s.Title+": "+s.Run)
	}
	want := []string{
		"2.7-2.8/before (seed.txt 1): Before, in the module: echo module",
		"2.7-2.8/one (seed.txt 9.9): One of shared 2.7 to 2.8: echo shared 2.7",
		"2.7-2.8/two (seed.txt 9.9): Two: ",
		"2.7-2.8/after (seed.txt 2): After: true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if h := b.Hops[0]; h.InstalledVersion != `printf '%s\n' 2.7` || h.VersionSource != "the test's version" {
		t.Errorf("hop's version probe: %q (%q)", h.InstalledVersion, h.VersionSource)
	}
}

// TestForEachPatch: a patch block with for_each is one patch per element,
// in order, each seeing each.key and each.value; when drops single ones.
func TestForEachPatch(t *testing.T) {
	r, err := testRules(t, map[string]string{
		"shared/s.hcl": `applies_to = ["template"]` + testVersion,
		"m.hcl": testHop + `
step "accounts" {
  title   = "Accounts"
  kind    = "patch"
  section = "1"
  patch "DeploymentConfig" "each" {
    for_each = ["system-sidekiq", "zync", "no-such-dc", "system-app"]
    name     = each.value
    when     = each.value != "no-such-dc"
    set "/spec/template/spec/serviceAccountName" { value = "account-${each.key}" }
  }
  patch "ConfigMap" "each" {
    for_each = { first = "system-environment" }
    name     = each.value
    set "/data/FROM_EACH" { value = each.key }
  }
}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := testCompile(t, r)
	var got []string
	for _, p := range b.Steps[0].Patches {
		last := p.Ops[len(p.Ops)-1]
		got = append(got, p.Target.Name+" "+last.Path+"="+last.Value.(string))
	}
	want := []string{
		"system-sidekiq /spec/template/spec/serviceAccountName=account-0",
		"zync /spec/template/spec/serviceAccountName=account-1",
		"system-app /spec/template/spec/serviceAccountName=account-3",
		"system-environment /data/FROM_EACH=first",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("patches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	_, err = testRules(t, map[string]string{
		"shared/s.hcl": `applies_to = ["template"]` + testVersion,
		"m.hcl": testHop + `
step "accounts" {
  title   = "Accounts"
  kind    = "patch"
  section = "1"
  patch "DeploymentConfig" "each" {
    for_each = ["zync"]
    set "/spec/template/spec/serviceAccountName" { value = "amp" }
  }
}
`,
	})
	// A for_each without name: testdata/invalid-rules/for_each_without_name.hcl.
	if err == nil || !strings.Contains(err.Error(), "rules/m.hcl:15,5-24: for_each without name") {
		t.Errorf("for_each without name: %v", err)
	}
}
