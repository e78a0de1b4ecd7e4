package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"
)

// ListItems reads the objects of a List export (a fixture), in order.
func ListItems(t testing.TB, path string) []map[string]any {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := yaml.Unmarshal(src, &list); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return list.Items
}

// EditList writes a copy of a List export (a fixture) into a temporary
// directory, with each object passed to edit: edit may change the object in
// place, and drops it by returning false. It returns the copy's path, named
// as the original.
func EditList(t testing.TB, path string, edit func(obj map[string]any) bool) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list map[string]any
	if err := yaml.Unmarshal(src, &list); err != nil {
		t.Fatal(err)
	}
	items, _ := list["items"].([]any)
	kept := []any{}
	for _, it := range items {
		if obj, ok := it.(map[string]any); ok && !edit(obj) {
			continue
		}
		kept = append(kept, it)
	}
	list["items"] = kept
	out, err := yaml.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(copied, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return copied
}
