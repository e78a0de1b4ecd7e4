package plan_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/plan"
)

func TestValidPlan(t *testing.T) {
	src := []byte(`install {
  namespace       = "3scale"
  deployment      = "template"
  from            = "2.7"
  to              = "2.8"
  system_database = "postgresql"
  s3              = true
}
`)
	p, _, diags := plan.Parse("plan.hcl", src)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	in := p.Install
	if in.Namespace != "3scale" || in.Deployment != plan.Template || in.From.String() != "2.7" || in.To.String() != "2.8" ||
		in.SystemDatabase != plan.PostgreSQL || !in.S3 || in.WildcardPolicy != plan.WildcardNone ||
		in.InstalledAt != in.From || in.BackupDir != plan.DefaultBackupDir {
		t.Errorf("install = %+v", in)
	}
	if r := in.Ranges["to"]; r.Start.Line != 5 || r.Start.Column != 21 {
		t.Errorf("range of to = %v", r)
	}
}

func TestVersionOrder(t *testing.T) {
	a, _ := plan.ParseVersion("2.9")
	b, _ := plan.ParseVersion("2.10")
	if !a.Less(b) || b.Less(a) {
		t.Error("2.9 is not below 2.10")
	}
	for _, bad := range []string{"", "2", "2.", "v2.7", "02.7", "2.7.0", "2.-1"} {
		if _, ok := plan.ParseVersion(bad); ok {
			t.Errorf("%q parsed as a version", bad)
		}
	}
}

// TestInvalidFiles checks every testdata/invalid plan: each line marked
// "# ERROR: Summary" must get exactly that diagnostic, and no other line any.
func TestInvalidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.hcl")
	if len(files) < 15 {
		t.Fatalf("%d invalid plans", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int]string{}
			sc := bufio.NewScanner(bytes.NewReader(src))
			for line := 1; sc.Scan(); line++ {
				if _, after, ok := strings.Cut(sc.Text(), "# ERROR: "); ok {
					want[line] = strings.TrimSpace(after)
				}
			}
			p, _, diags := plan.Parse(file, src)
			if p != nil {
				t.Error("an invalid plan gave a Plan")
			}
			got := map[int]string{}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a position: %s", d.Summary)
					continue
				}
				if d.Detail == "" {
					t.Errorf("diagnostic %q says nothing about what to do", d.Summary)
				}
				got[d.Subject.Start.Line] = d.Summary
			}
			for line, summary := range want {
				if got[line] != summary {
					t.Errorf("line %d: got %q, want %q", line, got[line], summary)
				}
			}
			for line, summary := range got {
				if _, ok := want[line]; !ok {
					t.Errorf("line %d: unexpected %q", line, summary)
				}
			}
		})
	}
}

func TestNotText(t *testing.T) {
	for name, src := range map[string][]byte{
		"binary": {0x7f, 'E', 'L', 'F', 0, 0xff, 0xfe},
		"huge":   bytes.Repeat([]byte("# padding\n"), plan.MaxSize/10+1),
		"empty":  nil,
	} {
		p, _, diags := plan.Parse(name+".hcl", src)
		if p != nil || !diags.HasErrors() {
			t.Errorf("%s: accepted", name)
			continue
		}
		if diags[0].Subject == nil || diags[0].Subject.Filename != name+".hcl" {
			t.Errorf("%s: diagnostic without position: %v", name, diags[0])
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/invalid/*.hcl")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("install {\n  namespace = \"3scale\"\n  deployment = \"template\"\n  from = \"2.7\"\n  to = \"2.8\"\n  system_database = \"mysql\"\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, _, diags := plan.Parse("fuzz.hcl", src)
		if (p == nil) != diags.HasErrors() {
			t.Fatalf("plan %v with diagnostics %v", p != nil, diags)
		}
		for _, d := range diags {
			if d.Severity == 0 || d.Summary == "" {
				t.Fatalf("empty diagnostic %v", d)
			}
		}
	})
}
