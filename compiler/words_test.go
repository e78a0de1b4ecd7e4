package compiler

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ampc/ampc/plan"
)

// The words that let rule modules share what they repeat. Each test loads
// rule files of its own, beside the standard 2.7 layout.

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
	return &Rules{mods: mods}, nil
}

func testCompile(t *testing.T, r *Rules) *Bundle {
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

// TestInstalledVersion: the shared file of a hop's deployment says how the
// runbook reads a site's version; the hop carries it to emit.
func TestInstalledVersion(t *testing.T) {
	r, err := testRules(t, map[string]string{
		"shared/s.hcl": `applies_to = ["template"]` + testVersion,
		"m.hcl": testHop + `
step "one" {
  title   = "One"
  kind    = "shell"
  section = "1"
  run     = "true"
}
`,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := testCompile(t, r)
	if h := b.Hops[0]; h.InstalledVersion != `printf '%s\n' 2.7` || h.VersionSource != "the test's version" {
		t.Errorf("hop's version probe: %q (%q)", h.InstalledVersion, h.VersionSource)
	}
	for _, tc := range []struct {
		name, want string
		files      map[string]string
	}{
		{"no installed_version", `no shared file says how a template site's version is read`, map[string]string{
			"shared/s.hcl": `applies_to = ["template"]`,
			"m.hcl":        testHop,
		}},
		{"two installed_version", `two shared files say how a template site's version is read`, map[string]string{
			"shared/a.hcl": `applies_to = ["template"]` + testVersion,
			"shared/b.hcl": `applies_to = ["template", "operator"]` + testVersion,
			"m.hcl":        testHop,
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

// TestLibraryFunctionsNotRedefined: a module that defines a function of the
// shell library does not load (bash functions are global, so it would
// replace the library's for every later step).
func TestLibraryFunctionsNotRedefined(t *testing.T) {
	_, err := testRules(t, map[string]string{
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
	})
	if err == nil || !strings.Contains(err.Error(), "defines wait_gone, a function of the shell library") {
		t.Errorf("load error %v", err)
	}
}
