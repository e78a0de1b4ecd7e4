package bundletest

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/testenv"
)

// Compile compiles a plan file, against a snapshot when snapshotPath is not
// "", and returns the bundle's files.
func Compile(t *testing.T, planFile, snapshotPath string) map[string][]byte {
	t.Helper()
	return CompileResult(t, planFile, snapshotPath).Files
}

// CompileResult compiles a plan file with ampc.CompileFile, as ampc compile
// does, and fails the test on an error.
func CompileResult(t *testing.T, planFile, snapshotPath string) *ampc.Result {
	t.Helper()
	res, diags := ampc.CompileFile(planFile, ampc.Options{Snapshot: snapshotPath})
	if diags.HasErrors() {
		t.Fatalf("compile: %s", diags.Error())
	}
	return res
}

// WritePlan writes a plan's text into a temporary directory and returns the
// file's path.
func WritePlan(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.hcl")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteBundle writes a bundle's files with emit.Write into a temporary
// directory and returns the bundle's directory.
func WriteBundle(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := emit.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteObjects writes objects as a List, in the order of their keys, for
// use as a snapshot or a cluster's fixture, and returns the file's path.
func WriteObjects(t *testing.T, objects map[string]map[string]any) string {
	t.Helper()
	out := listYAML(t, objects)
	path := filepath.Join(t.TempDir(), "snapshot.yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// listYAML is objects as a List, in the order of their keys.
func listYAML(t *testing.T, objects map[string]map[string]any) []byte {
	t.Helper()
	var items []any
	for _, k := range slices.Sorted(maps.Keys(objects)) {
		items = append(items, objects[k])
	}
	out, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FixtureObjects reads a fixture List into objects keyed by "Kind/name".
func FixtureObjects(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, o := range testenv.ListItems(t, path) {
		meta := o["metadata"].(map[string]any)
		out[o["kind"].(string)+"/"+meta["name"].(string)] = o
	}
	return out
}
