package emit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestSnapshotFormsGiveOneBundle: a site exported as one YAML List (the
// fixture), as a JSON List, as a multi-document YAML file of single objects,
// as a directory of one List per kind (`oc get dc -o yaml > dc.yaml`, and
// so on), or with the bookkeeping a live cluster adds (managedFields,
// kubectl's last-applied-configuration annotation) compiles to the same
// bytes.
func TestSnapshotFormsGiveOneBundle(t *testing.T) {
	t.Parallel()
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	example := filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl")
	items := testenv.ListItems(t, fixture)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	asList := func(items []map[string]any) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	}

	jsonList, err := json.MarshalIndent(asList(items), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	byKind := map[string][]map[string]any{}
	for _, o := range items {
		docs = append(docs, string(mustMarshalYAML(t, o)))
		kind := strings.ToLower(o["kind"].(string))
		byKind[kind] = append(byKind[kind], o)
	}
	for kind, items := range byKind {
		write("by-kind/"+kind+".yaml", mustMarshalYAML(t, asList(items)))
	}
	var noisy []map[string]any
	for _, o := range items {
		var c map[string]any
		if err := json.Unmarshal(mustJSON(t, o), &c); err != nil {
			t.Fatal(err)
		}
		meta := c["metadata"].(map[string]any)
		annotations, _ := meta["annotations"].(map[string]any)
		if annotations == nil {
			annotations = map[string]any{}
			meta["annotations"] = annotations
		}
		annotations["kubectl.kubernetes.io/last-applied-configuration"] = string(mustJSON(t, o))
		meta["managedFields"] = []any{map[string]any{"manager": "oc", "operation": "Update", "apiVersion": c["apiVersion"],
			"fieldsType": "FieldsV1", "fieldsV1": map[string]any{"f:metadata": map[string]any{"f:labels": map[string]any{}}}}}
		noisy = append(noisy, c)
	}
	forms := map[string]string{
		"live export":    write("noisy.yaml", mustMarshalYAML(t, asList(noisy))),
		"json list":      write("snapshot.json", jsonList),
		"multi-document": write("multi.yaml", []byte(strings.Join(docs, "---\n"))),
		"directory":      filepath.Join(dir, "by-kind"),
	}
	want := bundletest.Compile(t, example, fixture)
	if !regexp.MustCompile("Compiled by ampc \\S+ from the snapshot sha256:[0-9a-f]{64}\\.").Match(want["PLAN.md"]) {
		t.Error("PLAN.md does not name the snapshot's digest")
	}
	for name, snapshot := range forms {
		got := bundletest.Compile(t, example, snapshot)
		if len(got) != len(want) {
			t.Errorf("%s: %d files, the List gives %d", name, len(got), len(want))
		}
		for file, data := range want {
			if !bytes.Equal(got[file], data) {
				t.Errorf("%s: %s differs from the List's", name, file)
			}
		}
	}
}

func mustMarshalYAML(t *testing.T, v any) []byte {
	t.Helper()
	out, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
