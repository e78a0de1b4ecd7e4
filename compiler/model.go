package compiler

import (
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/ir"
	"github.com/ampc/ampc/snapshot"
)

// object is one object of the namespace model.
type object struct {
	doc map[string]any
	// at is where the object starts in its snapshot file; nil for objects of
	// the standard layout.
	at *hcl.Range
}

// model is the namespace as the compiler knows it at one point of the plan.
type model struct {
	objects map[key]*object
	// snapshot is true when the objects came from a snapshot: then a failed
	// precondition is the site's difference, reported to the user, rather
	// than a bug of the standard layout.
	snapshot bool
}

type key struct{ kind, namespace, name string }

func (k key) String() string { return k.kind + "/" + k.name + " in " + k.namespace }

func newModel(snapshot bool) *model {
	return &model{objects: map[key]*object{}, snapshot: snapshot}
}

func (m *model) get(kind, namespace, name string) *object {
	return m.objects[key{kind, namespace, name}]
}

func (m *model) put(doc map[string]any, at *hcl.Range) {
	m.objects[keyOf(doc)] = &object{doc: doc, at: at}
}

func keyOf(doc map[string]any) key {
	meta, _ := doc["metadata"].(map[string]any)
	kind, _ := doc["kind"].(string)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return key{kind, ns, name}
}

func (o *object) target() ir.Target {
	k := keyOf(o.doc)
	api, _ := o.doc["apiVersion"].(string)
	return ir.Target{APIVersion: api, Kind: k.kind, Name: k.name, Namespace: k.namespace}
}

// snapshotModel builds a namespace model on a snapshot's objects. The model
// shares the documents: lowering never changes a document in place (a patch
// gives the model a new document), so one snapshot can serve several
// compiles.
func snapshotModel(snap *snapshot.Snapshot) *model {
	m := newModel(true)
	objs := snap.Objects()
	for i := range objs {
		m.put(objs[i].Doc, &objs[i].At)
	}
	return m
}

// keys returns the model's keys in a stable order.
func (m *model) keys() []key {
	out := make([]key, 0, len(m.objects))
	for k := range m.objects {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.namespace != b.namespace {
			return a.namespace < b.namespace
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.name < b.name
	})
	return out
}

// deepCopy copies a JSON document.
func deepCopy(doc map[string]any) map[string]any {
	return copyValue(doc).(map[string]any)
}

// matching is the keys of the model's objects of kind in namespace named
// name, or of every object of that kind when name is "*", in a stable
// order.
func (m *model) matching(kind, namespace, name string) []key {
	if name != "*" {
		k := key{kind, namespace, name}
		if m.objects[k] == nil {
			return nil
		}
		return []key{k}
	}
	var out []key
	for _, k := range m.keys() {
		if k.kind == kind && k.namespace == namespace {
			out = append(out, k)
		}
	}
	return out
}
