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
	mods, err := loadModulesFrom(fsys)
	if err != nil {
		return nil, err
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

// TestSharedStepErrors: what a module or a shared file may not do.
func TestSharedStepErrors(t *testing.T) {
	group := `
steps "pair" {
  step "one" {
    title = "One"
    kind  = "shell"
    run   = "true"
  }
}
`
	for _, tc := range []struct {
		name, want string
		files      map[string]string
	}{
		{"unknown group", `use "nothing": no shared steps of that name for template hops`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion,
			"m.hcl":        testHop + `use "nothing" { section = "1" }`,
		}},
		{"group of another deployment", `use "pair": no shared steps of that name for template hops`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion,
			"shared/o.hcl": `applies_to = ["operator"]` + group,
			"m.hcl":        testHop + `use "pair" { section = "1" }`,
		}},
		{"section in a shared step", `step "one" has a section`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion + strings.Replace(group, `kind  = "shell"`, `kind = "shell"
    section = "1"`, 1),
			"m.hcl": testHop,
		}},
		{"use without a section", `Missing required argument`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion + group,
			"m.hcl":        testHop + `use "pair" {}`,
		}},
		{"a step name taken twice", `step "one" defined twice`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion + group,
			"m.hcl": testHop + `use "pair" { section = "1" }
step "one" {
  title   = "Mine"
  kind    = "shell"
  section = "2"
  run     = "true"
}`,
		}},
		{"a group defined twice", `steps "pair", defined in rules/shared/a.hcl already`, map[string]string{
			"shared/a.hcl": `applies_to = ["template"]` + testVersion + group,
			"shared/b.hcl": `applies_to = ["operator"]` + group,
			"m.hcl":        testHop,
		}},
		{"no installed_version", `no shared file says how a template site's version is read`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]`,
			"m.hcl":        testHop,
		}},
		{"two installed_version", `two shared files say how a template site's version is read`, map[string]string{
			"shared/a.hcl": `applies_to = ["template"]` + testVersion,
			"shared/b.hcl": `applies_to = ["template", "operator"]` + testVersion,
			"m.hcl":        testHop,
		}},
		{"a function of the library defined again", `defines wait_gone, a function of the shell library`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]` + testVersion,
			"lib/wait.sh":  "# wait_gone DC\nwait_gone() {\n  :\n}\n",
			"m.hcl": testHop + `
step "mine" {
  title   = "Mine"
  kind    = "shell"
  section = "1"
  run     = <<-EOT
    wait_gone() {
      true
    }
    wait_gone zync
  EOT
}`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testRules(t, tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("load error %v, want %q", err, tc.want)
			}
		})
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
	if err == nil || !strings.Contains(err.Error(), "patch DeploymentConfig with for_each needs name") {
		t.Errorf("for_each without name: %v", err)
	}
}
