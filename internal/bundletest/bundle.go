package bundletest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/ir"
)

// Bundle is one bundle under test, in the spirit of kustomize's kusttest
// harness: a plan compiled through ampc.Compile (against a snapshot or the
// standard layout), written to a directory, applied to a site's objects with
// kubectl patch --local in plan.json order, and checked to hold no Secret
// value of the site.
type Bundle struct {
	t *testing.T
	// Files are the bundle's files; Dir is where they are written.
	Files map[string][]byte
	Dir   string
	// Key names an object in the maps Apply changes: ObjectKey (Kind/name)
	// unless the test sets another.
	Key func(ir.Target) string
}

// ObjectKey is the usual key of a site's objects: Kind/name.
func ObjectKey(t ir.Target) string { return t.Kind + "/" + t.Name }

// New compiles plan, a plan file's path or a plan's text (which holds a
// newline), against snapshot ("" for the standard layout), writes the bundle
// and checks that no Secret value of the snapshot is in any of its files.
func New(t *testing.T, plan, snapshot string) *Bundle {
	t.Helper()
	opts := ampc.Options{Snapshot: snapshot}
	var res *ampc.Result
	if strings.Contains(plan, "\n") {
		r, d := ampc.Compile("plan.hcl", []byte(plan), opts)
		if d.HasErrors() {
			t.Fatalf("compile: %s", d.Error())
		}
		res = r
	} else {
		res = CompileResult(t, plan, snapshot)
	}
	b := &Bundle{t: t, Files: res.Files, Dir: WriteBundle(t, res.Files), Key: ObjectKey}
	if snapshot != "" {
		b.NoValues(LongValues(SecretValues(t, snapshot), false), "Secret value of the snapshot")
	}
	return b
}

// At is the bundle written in dir, to apply.
func At(t *testing.T, dir string) *Bundle {
	t.Helper()
	return &Bundle{t: t, Dir: dir, Key: ObjectKey}
}

// fileTarget is a file of the bundle and the object it is for.
type fileTarget struct {
	File   string
	Target ir.Target
}

// Apply applies the bundle to objects, keyed by Key, in plan.json order:
// each created object is added from manifests/ (it must match its target
// and not exist yet), each patch is applied with kubectl patch --local (the
// object must exist; its checks file must not hold before and must hold
// after, evaluated in one run of jq), each deleted object is removed (it
// must exist).
func (b *Bundle) Apply(objects map[string]map[string]any) {
	t := b.t
	t.Helper()
	kubectl, jq := testenv.Tool(t, "kubectl"), testenv.Tool(t, "jq")
	var pf struct {
		Steps []struct {
			ID        string
			Manifests []fileTarget
			Patches   []fileTarget
			Deletes   []ir.Target
		}
	}
	raw, err := os.ReadFile(filepath.Join(b.Dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &pf); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	var guards guardChecks
	// Each object's patches are applied in process, in order, with the
	// JSON patch library kubectl itself uses, which gives the object before
	// and after each patch for the guard checks. kubectl then applies the
	// same patch files, concatenated, once per object and lifetime (a
	// delete ends one): its result must be what the library gave. One
	// kubectl run per object instead of one per patch keeps the tests
	// within their time budget; a concatenation kubectl refuses is applied
	// file by file to name the file.
	type run struct {
		key    string
		start  map[string]any
		end    map[string]any
		files  []string
		failed bool
	}
	var runs []*run
	open := map[string]*run{}
	for _, s := range pf.Steps {
		for _, m := range s.Manifests {
			data, err := os.ReadFile(filepath.Join(b.Dir, m.File))
			if err != nil {
				t.Fatal(err)
			}
			var obj map[string]any
			if err := json.Unmarshal(data, &obj); err != nil {
				t.Fatalf("%s: %v", m.File, err)
			}
			if err := ocsim.DecodeStrict(data); err != nil {
				t.Errorf("%s is not valid for the server: %v", m.File, err)
			}
			key := b.Key(m.Target)
			if obj["kind"] != m.Target.Kind || Get(obj, "metadata", "name") != m.Target.Name || Get(obj, "metadata", "namespace") != m.Target.Namespace {
				t.Errorf("%s holds %v %v in %v, plan.json says %v", m.File, obj["kind"], Get(obj, "metadata", "name"), Get(obj, "metadata", "namespace"), m.Target)
			}
			if _, exists := objects[key]; exists {
				t.Errorf("step %s creates %s, which the site has already", s.ID, key)
			}
			objects[key] = obj
		}
		for _, p := range s.Patches {
			key := b.Key(p.Target)
			obj, ok := objects[key]
			if !ok {
				t.Fatalf("step %s patches %s, which the site lacks", s.ID, key)
			}
			patch, err := os.ReadFile(filepath.Join(b.Dir, p.File))
			if err != nil {
				t.Fatal(err)
			}
			decoded, err := jsonpatch.DecodePatch(patch)
			if err != nil {
				t.Fatalf("%s: %v", p.File, err)
			}
			before, _ := json.Marshal(obj)
			after, err := decoded.Apply(before)
			if err != nil {
				t.Fatalf("step %s: %s does not apply to %s: %v", s.ID, p.File, key, err)
			}
			var next map[string]any
			if err := json.Unmarshal(after, &next); err != nil {
				t.Fatal(err)
			}
			r := open[key]
			if r == nil {
				r = &run{key: key, start: obj}
				open[key] = r
				runs = append(runs, r)
			}
			r.files, r.end = append(r.files, p.File), next
			objects[key] = next
			guards.add(t, filepath.Join(b.Dir, "checks", strings.TrimPrefix(p.File, "patches/")), obj, next)
		}
		for _, d := range s.Deletes {
			key := b.Key(d)
			if _, ok := objects[key]; !ok {
				t.Errorf("step %s deletes %s, which the site lacks", s.ID, key)
			}
			delete(objects, key)
			delete(open, key)
		}
	}
	for _, r := range runs {
		var ops []json.RawMessage
		for _, f := range r.files {
			raw, _ := os.ReadFile(filepath.Join(b.Dir, f))
			var fileOps []json.RawMessage
			if err := json.Unmarshal(raw, &fileOps); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			ops = append(ops, fileOps...)
		}
		all, _ := json.Marshal(ops)
		got, err := tryPatchOps(kubectl, work, r.start, all)
		if err != nil {
			obj := r.start
			for _, f := range r.files {
				obj = KubectlPatch(t, kubectl, work, obj, filepath.Join(b.Dir, f))
			}
			t.Fatalf("kubectl patch --local of %s with %v: %v", r.key, r.files, err)
		}
		if !reflect.DeepEqual(got, r.end) {
			t.Errorf("kubectl patch --local gives another %s than the patches %v applied one by one", r.key, r.files)
		}
		if cur, ok := objects[r.key]; ok && reflect.DeepEqual(cur, r.end) {
			objects[r.key] = got
		}
	}
	guards.verify(t, jq)
	// Every object the bundle patched, as it leaves it, decodes strictly
	// into its API type (kubectl patch --local does not check fields).
	for _, r := range runs {
		obj, ok := objects[r.key]
		if !ok {
			continue
		}
		raw, _ := json.Marshal(obj)
		if err := ocsim.DecodeStrict(raw); err != nil {
			t.Errorf("%s after the bundle's patches (%v) is not valid for the server: %v", r.key, r.files, err)
		}
	}
}

// NoSecrets checks that no Secret value of a fixture (a file or a
// directory) is in any file of the bundle. The fixture must hold at least
// ten Secret values, so that a fixture read wrong cannot pass.
func (b *Bundle) NoSecrets(fixture string) {
	b.t.Helper()
	values := SecretValues(b.t, fixture)
	if len(values) < 10 {
		b.t.Fatalf("fixture has %d secret values", len(values))
	}
	b.NoValues(LongValues(values, false), "Secret value of "+filepath.Base(fixture))
}

// NoValues reports each file of the bundle that holds one of values; what
// names them in the report.
func (b *Bundle) NoValues(values []string, what string) {
	b.t.Helper()
	for name, data := range b.Files {
		for _, v := range values {
			if bytes.Contains(data, []byte(v)) {
				b.t.Errorf("%s contains a %s (%d bytes)", name, what, len(v))
			}
		}
	}
}

// LongValues keeps the values of 8 bytes or more, trimmed of white space
// first when trim is true: shorter ones ("", "admin", "3scale") are words
// every bundle holds.
func LongValues(values []string, trim bool) []string {
	var out []string
	for _, v := range values {
		if trim {
			v = strings.TrimSpace(v)
		}
		if len(v) >= 8 {
			out = append(out, v)
		}
	}
	return out
}

// SecretValues decodes every value of every Secret in path (but the
// addresses of backend-listener, see snapshot.publicSecretKey): a fixture (a
// List export), one object, or a directory of them, walked (files ending in
// .yaml, .yml or .json, such as a simulated cluster's objects).
func SecretValues(t *testing.T, path string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".yaml", ".yml", ".json":
			files = append(files, p)
		default:
			if p == path {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(src, &obj); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		objs := []any{obj}
		if items, ok := obj["items"].([]any); ok {
			objs = items
		}
		for _, o := range objs {
			o, _ := o.(map[string]any)
			if o["kind"] != "Secret" {
				continue
			}
			data, _ := o["data"].(map[string]any)
			for k, v := range data {
				dec, err := base64.StdEncoding.DecodeString(v.(string))
				if err != nil {
					t.Fatalf("%s: Secret %v: %v", f, Get(o, "metadata", "name"), err)
				}
				if Get(o, "metadata", "name") == "backend-listener" && (k == "service_endpoint" || k == "route_endpoint") {
					// Addresses, not credentials: the 2.11 templates write
					// http://backend-listener:3000/internal/ literally
					// (snapshot.publicSecretKey).
					continue
				}
				values = append(values, string(dec))
			}
		}
	}
	return values
}

// guardChecks collects, for each patch a test applies, its checks file
// and the object before and after it, and evaluates them all in one run of
// jq with the runbook's own program (emit.CheckProgram), as the runbook's
// applied function does: a patch's checks must not hold before the patch
// and must hold after it.
type guardChecks struct {
	cases []guardCase
}

type guardCase struct {
	File   string         `json:"file"`
	Checks any            `json:"c"`
	Before map[string]any `json:"before"`
	After  map[string]any `json:"after"`
}

func (g *guardChecks) add(t *testing.T, checkFile string, before, after map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(checkFile)
	if err != nil {
		t.Fatal(err)
	}
	var checks any
	if err := json.Unmarshal(raw, &checks); err != nil {
		t.Fatalf("%s: %v", checkFile, err)
	}
	g.cases = append(g.cases, guardCase{File: filepath.Base(checkFile), Checks: checks, Before: before, After: after})
}

// verify runs jq once over every case collected. An error of the program on
// an object counts as "does not hold", as a failed jq -e does in the runbook.
func (g *guardChecks) verify(t *testing.T, jq string) {
	t.Helper()
	if len(g.cases) == 0 {
		return
	}
	input, err := json.Marshal(g.cases)
	if err != nil {
		t.Fatal(err)
	}
	holds := "(try (" + emit.CheckProgram() + ") catch false) == true"
	program := ".[] | [.c] as $c | [.file, (.before | " + holds + "), (.after | " + holds + ")]"
	cmd := exec.Command(jq, "-c", program)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(g.cases) {
		t.Fatalf("jq gave %d results for %d patches", len(lines), len(g.cases))
	}
	for _, line := range lines {
		var r []any
		if err := json.Unmarshal([]byte(line), &r); err != nil || len(r) != 3 {
			t.Fatalf("jq: %q", line)
		}
		if r[1] == true {
			t.Errorf("%s holds before its patch is applied", r[0])
		}
		if r[2] != true {
			t.Errorf("%s does not hold after its patch is applied", r[0])
		}
	}
	g.cases = nil
}
