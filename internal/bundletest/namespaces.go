package bundletest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The simulated cluster keeps the default namespace, 3scale, at the top of
// Dir/objects and every other namespace in a directory of its name. Put and
// Objects see 3scale only; PutObject and AllObjects see every namespace,
// for the sites that span several (an operator's project, the databases'
// project).

// PutObject writes obj into the directory of its namespace: 3scale's, or
// an object without a namespace, at the top.
func (c *Cluster) PutObject(t *testing.T, obj map[string]any) {
	t.Helper()
	dir := filepath.Join(c.Dir, "objects")
	if ns, _ := Get(obj, "metadata", "namespace").(string); ns != "" && ns != "3scale" {
		dir = filepath.Join(dir, ns)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.MarshalIndent(obj, "", "  ")
	name := obj["kind"].(string) + "." + Get(obj, "metadata", "name").(string) + ".json"
	if err := os.WriteFile(filepath.Join(dir, name), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// AllObjects reads the objects of every namespace: 3scale's keyed Kind/name,
// as Objects keys them, another namespace's NS/Kind/name (NamespacedKey).
func (c *Cluster) AllObjects(t *testing.T) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	root := filepath.Join(c.Dir, "objects")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && filepath.Dir(path) != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".json") {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		ns := "3scale"
		if filepath.Dir(path) != root {
			ns = filepath.Base(filepath.Dir(path))
		}
		out[NamespacedKey(ns, obj["kind"].(string), Get(obj, "metadata", "name").(string))] = obj
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// NamespacedKey is the key of an object in AllObjects: Kind/name in 3scale,
// NS/Kind/name in another namespace.
func NamespacedKey(ns, kind, name string) string {
	if ns == "3scale" || ns == "" {
		return kind + "/" + name
	}
	return ns + "/" + kind + "/" + name
}

// KindOfKey is the kind of an AllObjects key.
func KindOfKey(key string) string {
	parts := strings.Split(key, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2]
}
