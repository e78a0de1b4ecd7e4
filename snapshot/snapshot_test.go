package snapshot_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/snapshot"
)

func readSnapshotText(t testing.TB, text string) (*snapshot.Snapshot, string, hcl.Diagnostics) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snap.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	s, diags := snapshot.Read(path, "3scale")
	return s, path, diags
}

func TestSnapshotForms(t *testing.T) {
	multi := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n"
	s, _, diags := readSnapshotText(t, multi)
	if diags.HasErrors() || s.Len() != 2 {
		t.Fatalf("multi-document: %v", diags)
	}
	js := `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "c2VjcmV0LXZhbHVlLTEyMw=="}}`
	s, _, diags = readSnapshotText(t, js)
	if diags.HasErrors() || s.Len() != 1 || strings.Join(s.Sensitive(), ",") != "secret-value-123" {
		t.Fatalf("json secret: %v", diags)
	}
}

func TestSnapshotErrors(t *testing.T) {
	for _, tc := range []struct {
		text, summary string
		line          int
	}{
		{"kind: [\n", "Snapshot is not YAML", 1},
		{"apiVersion: v1\nkind: List\n", "List without items", 1},
		{"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata:\n    name: x\n", "Object without kind", 4},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n", "Duplicate object", 6},
		{"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  k: '%%%'\n", "Undecodable Secret data", 1},
		{"- 1\n- 2\n", "Snapshot document is not an object", 1},
		{"a: 1\na: 2\n", "Invalid snapshot document", 2},
		{"", "Empty snapshot", 1},
	} {
		_, path, diags := readSnapshotText(t, tc.text)
		if !diags.HasErrors() {
			t.Errorf("%q: accepted", tc.text)
			continue
		}
		d := diags[0]
		if d.Summary != tc.summary || d.Subject == nil || d.Subject.Filename != path || d.Subject.Start.Line != tc.line {
			t.Errorf("%q: got %q at %v, want %q at line %d", tc.text, d.Summary, d.Subject, tc.summary, tc.line)
		}
	}
}

func FuzzReadSnapshot(f *testing.F) {
	f.Add("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n  data:\n    k: YWJjZGVmZ2hpamts\n")
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n{}\n")
	f.Add("kind: [\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, _, diags := readSnapshotText(t, text)
		if !diags.HasErrors() && s == nil {
			t.Fatal("no snapshot and no error")
		}
		for _, d := range diags {
			if d.Subject == nil {
				t.Fatalf("diagnostic without position: %s", d.Summary)
			}
		}
	})
}

// TestSnapshotLargeMalformed reads a 50 MB export whose last document is
// broken: the diagnostic names the file and the line, after reading the rest.
func TestSnapshotLargeMalformed(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 50<<20; i++ {
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%07d\n  namespace: 3scale\ndata:\n  settings.yml: |\n    feature: true\n    limit: %d\n    note: padding padding padding padding padding padding padding padding\n", i, i)
	}
	lines := strings.Count(b.String(), "\n")
	b.WriteString("---\napiVersion: v1\nkind: [ConfigMap\n")
	_, path, diags := readSnapshotText(t, b.String())
	if !diags.HasErrors() {
		t.Fatal("a broken 50 MB snapshot was accepted")
	}
	d := diags[0]
	if d.Summary != "Snapshot is not YAML" || d.Subject == nil || d.Subject.Filename != path || d.Subject.Start.Line < lines {
		t.Errorf("got %q at %v, want the broken document near line %d", d.Summary, d.Subject, lines+3)
	}
}

func TestSnapshotSecretsStripped(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	snap, diags := snapshot.Read(fixture, "3scale")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if snap.Len() < 50 {
		t.Errorf("snapshot has %d objects", snap.Len())
	}
	if n := len(snap.Sensitive()); n < 10 {
		t.Errorf("%d sensitive values", n)
	}
	if sensitive := strings.Join(snap.Sensitive(), "\n"); !strings.Contains(sensitive, "mysql2://root:") {
		t.Error("the system-database URL is not among the sensitive values")
	}
}

func TestSnapshotLiteralCredentials(t *testing.T) {
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	snap, diags := snapshot.Read(fixture, "3scale")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	sensitive := "\n" + strings.Join(snap.Sensitive(), "\n") + "\n"
	// MYSQL_PASSWORD of dc/system-mysql and the pre-hook's MASTER_ACCESS_TOKEN
	// are in no Secret of a 2.4 site.
	for _, v := range []string{"70e414915fd23602467a", "64d62133671f1a2c43c1"} {
		if !strings.Contains(sensitive, "\n"+v+"\n") {
			t.Errorf("a literal credential of the fixture (%s…) is not sensitive", v[:4])
		}
		if _, what, ok := snap.Origin(v); !ok || !strings.Contains(what, "of DeploymentConfig") {
			t.Errorf("origin of %s…: %q", v[:4], what)
		}
	}
	// Literal values that are not credentials stay ordinary text.
	for _, v := range []string{"/etc/my-extra/my.cnf", "zync_production", "db/sphinx/production.conf"} {
		if strings.Contains(sensitive, "\n"+v+"\n") {
			t.Errorf("%s is treated as a credential", v)
		}
	}
}

// TestSnapshotSecretTokens: each Secret value becomes "(redacted #N)", the
// same N for the same value in any Secret, another N for another value,
// whatever the order of the objects; an empty value stays empty; the value
// itself is nowhere in the objects.
func TestSnapshotSecretTokens(t *testing.T) {
	secret := func(name, data string) string {
		return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\ndata:\n" + data
	}
	a := secret("system-app", "  SECRET_KEY_BASE: c2VjcmV0LWtleS1iYXNlLTEyMzQ=\n  USER_PASSWORD: c2hhcmVkLXBhc3N3b3Jk\n")
	b := secret("system-seed", "  ADMIN_PASSWORD: c2hhcmVkLXBhc3N3b3Jk\n  EMPTY: \"\"\n")
	tokens := func(text string) map[string]string {
		t.Helper()
		s, _, diags := readSnapshotText(t, text)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		out := map[string]string{}
		for _, o := range s.Objects() {
			name := o.Doc["metadata"].(map[string]any)["name"].(string)
			for k, v := range o.Doc["data"].(map[string]any) {
				out[name+"/"+k] = v.(string)
				if strings.Contains(v.(string), "shared-password") || strings.Contains(v.(string), "c2hhcmVk") {
					t.Errorf("%s/%s keeps its value: %q", name, k, v)
				}
			}
		}
		return out
	}
	got := tokens(a + "\n---\n" + b)
	want := map[string]string{"system-app/SECRET_KEY_BASE": "(redacted #1)", "system-app/USER_PASSWORD": "(redacted #2)", "system-seed/ADMIN_PASSWORD": "(redacted #2)", "system-seed/EMPTY": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tokens %v, want %v", got, want)
	}
	if other := tokens(b + "\n---\n" + a); fmt.Sprint(other) != fmt.Sprint(want) {
		t.Errorf("in the other order: %v, want %v", other, want)
	}
}

// TestFieldRange: a field's place in the export, in a List, a single
// object and JSON, by key, index and name=NAME; a missing field gives the
// deepest part found (a mapping or sequence at its key) and false.
func TestFieldRange(t *testing.T) {
	text := "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: system-environment\n  data:\n    AMP_RELEASE: \"2.6\"\n" +
		"- apiVersion: apps.openshift.io/v1\n  kind: DeploymentConfig\n  metadata:\n    name: system-app\n  spec:\n    template:\n      spec:\n        containers:\n        - name: system-master\n          env:\n          - name: A\n            value: x\n          - name: AMP_RELEASE\n            value: '2.7'\n" +
		"---\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\", \"namespace\": \"other\"}}\n"
	s, path, diags := readSnapshotText(t, text)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	objs := s.Objects()
	for _, tc := range []struct {
		obj       int
		path      []string
		line, col int
		end       int
		ok        bool
	}{
		{0, []string{"data", "AMP_RELEASE"}, 9, 18, 23, true},
		{0, nil, 4, 3, 0, true},
		{1, []string{"spec", "template", "spec", "containers", "name=system-master", "env", "name=AMP_RELEASE", "value"}, 23, 20, 25, true},
		{1, []string{"spec", "template", "spec", "containers", "0", "env", "1", "name"}, 22, 19, 30, true},
		{1, []string{"spec", "template", "spec", "containers", "name=system-provider", "env"}, 17, 9, 0, false},
		{2, []string{"metadata", "namespace"}, 25, 79, 86, true},
	} {
		r, ok := s.FieldRange(objs[tc.obj], tc.path...)
		if ok != tc.ok || r.Filename != path || r.Start.Line != tc.line || r.Start.Column != tc.col || (tc.end != 0 && r.End.Column != tc.end) {
			t.Errorf("%v: %v at %s, want %v at %d:%d-%d", tc.path, ok, r, tc.ok, tc.line, tc.col, tc.end)
		}
		if got := string(s.Files[path].Bytes[r.Start.Byte:r.End.Byte]); tc.end != 0 && !strings.Contains(text, got) {
			t.Errorf("%v: the range's bytes %q", tc.path, got)
		}
	}
}

// TestURLScheme: the scheme of a Secret value that is a URL is kept, the
// rest of the value is not.
func TestURLScheme(t *testing.T) {
	s, _, diags := readSnapshotText(t, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: system-database\ndata:\n  URL: b3JhY2xlLWVuaGFuY2VkOi8vdXNlcjpwYXNzd29yZDEyM0BkYi9zeXN0ZW0=\n  DB_USER: dXNlcg==\n")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := s.URLScheme("3scale", "system-database", "URL"); got != "oracle-enhanced" {
		t.Errorf("URL scheme %q", got)
	}
	if got := s.URLScheme("3scale", "system-database", "DB_USER"); got != "" {
		t.Errorf("DB_USER scheme %q", got)
	}
	if !strings.Contains(strings.Join(s.Sensitive(), ","), "password123") {
		t.Errorf("the URL's password is not kept aside as sensitive: %v", s.Sensitive())
	}
}
