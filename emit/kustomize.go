package emit

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/ir"
)

// kustomizeFiles writes kustomize/: base/ holds every object the bundle
// changes and did not create, as it was before the first change; one
// directory per hop adds the objects that hop creates and layers
// that hop's patches (and deletes) on the previous one, so that
// `kubectl kustomize kustomize/HOP` renders the objects after HOP. Every
// kustomization is built in memory with krusty before it is returned.
//
// kustomize/ is for review (kubectl kustomize, kubectl diff -k), not for
// oc apply -k: the runbook applies the bundle. Secrets are left out of it
// altogether (the base, the patches, the deletes and the creates): their
// values never leave the site, and a Secret with placeholder data would
// overwrite the site's values if the kustomization were applied. Each
// kustomization.yaml says which Secrets its hop's steps change, and where.
func kustomizeFiles(b *ir.Bundle) (map[string][]byte, error) {
	files := map[string][]byte{}
	var resources []string
	seen := map[ir.Target]bool{}
	// An object the bundle creates is a resource of the hop that creates it,
	// never of the base, even when a later step patches or deletes it.
	for _, s := range b.Steps {
		for _, m := range s.Creates {
			seen[m.Target] = true
		}
	}
	addBase := func(t ir.Target, obj map[string]any) {
		if seen[t] || t.Kind == "Secret" {
			return
		}
		seen[t] = true
		name := "base/" + lowerKind(t.Kind) + "-" + t.Name + ".yaml"
		files["kustomize/"+name] = mustYAML(cleanObject(obj))
		resources = append(resources, strings.TrimPrefix(name, "base/"))
	}
	for _, s := range b.Steps {
		for _, p := range s.Patches {
			addBase(p.Target, p.Before)
		}
		for _, d := range s.Deletes {
			addBase(d.Target, d.Object)
		}
	}
	files["kustomize/base/kustomization.yaml"] = append([]byte(reviewHeader), mustYAML(kustomization{
		APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization",
		Resources: resources,
	})...)
	prev := "../base"
	if len(resources) == 0 {
		// Nothing changes before the first hop creates something (a
		// migration's new objects): no base, which kustomize would refuse.
		delete(files, "kustomize/base/kustomization.yaml")
		prev = ""
	}
	var dirs []string
	for _, h := range b.Hops {
		k := kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization"}
		if prev != "" {
			k.Resources = []string{prev}
		}
		var ops hopPatches
		var secrets []string // "STEP: change secret/NAME"
		for _, s := range b.Steps {
			if s.Hop != h.Name() {
				continue
			}
			for _, m := range s.Creates {
				if m.Target.Kind == "Secret" {
					secrets = append(secrets, fmt.Sprintf("%s creates secret/%s (manifests/)", s.ID, m.Target.Name))
					continue
				}
				name := lowerKind(m.Target.Kind) + "-" + m.Target.Name + ".yaml"
				files["kustomize/"+h.Name()+"/"+name] = mustYAML(m.Object)
				k.Resources = append(k.Resources, name)
			}
			for _, p := range s.Patches {
				if p.Target.Kind == "Secret" {
					secrets = append(secrets, fmt.Sprintf("%s patches secret/%s", s.ID, p.Target.Name))
					continue
				}
				ops.add(p.Target, p.Ops)
			}
			for _, d := range s.Deletes {
				if d.Target.Kind == "Secret" {
					secrets = append(secrets, fmt.Sprintf("%s deletes secret/%s", s.ID, d.Target.Name))
					continue
				}
				ops.remove(d.Target)
			}
		}
		k.Patches = ops.patches()
		header := reviewHeader
		if len(secrets) > 0 {
			header += "# Left out, as every Secret (see PLAN.md and patches/):\n"
			listed := map[string]bool{}
			for _, line := range secrets {
				if !listed[line] {
					listed[line] = true
					header += "#   " + line + "\n"
				}
			}
		}
		files["kustomize/"+h.Name()+"/kustomization.yaml"] = append([]byte(header), mustYAML(k)...)
		dirs = append(dirs, "kustomize/"+h.Name())
		prev = "../" + h.Name()
	}
	if err := buildAll(files, dirs); err != nil {
		return nil, err
	}
	return files, nil
}

// hopPatches gathers a hop's patches as kustomize entries: the operations
// of every step on one object, in step order, become one JSON patch (applying
// them together is applying them one after the other, and kustomize converts
// an object to JSON and back for every entry, which made the build the
// largest fixed cost of a compile). A delete ends the object's entry and is
// an entry of its own, in its place.
type hopPatches struct {
	entries []kpatch
	ops     [][]ir.Op
	open    map[ir.Target]int
}

func (h *hopPatches) add(t ir.Target, ops []ir.Op) {
	if h.open == nil {
		h.open = map[ir.Target]int{}
	}
	i, ok := h.open[t]
	if !ok {
		i = len(h.entries)
		h.open[t] = i
		h.entries = append(h.entries, kpatch{Target: selector(t)})
		h.ops = append(h.ops, nil)
	}
	h.ops[i] = append(h.ops[i], ops...)
}

func (h *hopPatches) remove(t ir.Target) {
	delete(h.open, t)
	h.entries = append(h.entries, kpatch{Patch: fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n$patch: delete\n",
		t.APIVersion, t.Kind, t.Name, t.Namespace)})
	h.ops = append(h.ops, nil)
}

func (h *hopPatches) patches() []kpatch {
	for i := range h.entries {
		if h.entries[i].Target != nil {
			data, _ := json.Marshal(h.ops[i])
			h.entries[i].Patch = string(data)
		}
	}
	return h.entries
}

// reviewHeader opens every kustomization.yaml of the bundle.
const reviewHeader = `# For review: kubectl kustomize (or kubectl diff -k) renders the objects the
# upgrade changes as the runbook leaves them. Apply the bundle with its
# runbook, not with oc apply -k. Secrets are never part of it.
`

type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
	Patches    []kpatch `json:"patches,omitempty"`
}

type kpatch struct {
	Target *ktarget `json:"target,omitempty"`
	Patch  string   `json:"patch"`
}

type ktarget struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
}

func selector(t ir.Target) *ktarget {
	group, version, found := strings.Cut(t.APIVersion, "/")
	if !found {
		group, version = "", t.APIVersion
	}
	return &ktarget{Group: group, Version: version, Kind: t.Kind, Name: t.Name, Namespace: t.Namespace}
}

// buildAll builds the kustomizations with krusty in memory.
func buildAll(files map[string][]byte, dirs []string) error {
	fs := filesys.MakeFsInMemory()
	for name, data := range files {
		if err := fs.WriteFile("/"+name, data); err != nil {
			return err
		}
	}
	// The last hop's kustomization builds every one before it, down to base.
	dir := "kustomize/base"
	if len(dirs) > 0 {
		dir = dirs[len(dirs)-1]
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	if _, err := k.Run(fs, "/"+dir); err != nil {
		return fmt.Errorf("this is a bug in ampc: %s does not build: %w", dir, err)
	}
	return nil
}

// cleanObject drops the fields the server owns, and kubectl's
// last-applied-configuration annotation, for review and for bases.
func cleanObject(obj map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		if k != "status" {
			out[k] = v
		}
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		m := map[string]any{}
		for k, v := range meta {
			switch k {
			case "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink":
			case "annotations":
				// kubectl's copy of the last applied object: a stale second
				// copy of the object, as long as the object itself.
				a := map[string]any{}
				for name, value := range v.(map[string]any) {
					if name != "kubectl.kubernetes.io/last-applied-configuration" {
						a[name] = value
					}
				}
				if len(a) > 0 {
					m[k] = a
				}
			default:
				m[k] = v
			}
		}
		out["metadata"] = m
	}
	return out
}

func mustYAML(v any) []byte {
	out, err := yaml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("this is a bug in ampc: %v", err))
	}
	return out
}
