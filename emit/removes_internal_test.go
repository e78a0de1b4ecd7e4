package emit

import (
	"testing"

	"github.com/ampc/ampc/ir"
)

// TestRemovesLeavesWritesAlone: patch_removing checks each removed path on
// the object as read, so a patch whose removal follows a write at, above
// or below its path goes to oc patch whole.
func TestRemovesLeavesWritesAlone(t *testing.T) {
	remove := func(path string) ir.Op { return ir.Op{Op: "remove", Path: path} }
	add := func(path string) ir.Op { return ir.NewOp("add", path, "x") }
	test := func(path string) ir.Op { return ir.NewOp("test", path, "x") }
	for _, c := range []struct {
		name string
		ops  []ir.Op
		want bool
	}{
		{"no removal", []ir.Op{add("/a"), test("/b")}, false},
		{"removals only", []ir.Op{remove("/metadata/ownerReferences"), remove("/metadata/labels/app")}, true},
		{"a test before", []ir.Op{test("/spec/tags/0/name"), remove("/spec/tags/0")}, true},
		{"a write elsewhere", []ir.Op{add("/spec/template/metadata/annotations"), remove("/metadata/annotations/a")}, true},
		{"a write at the path", []ir.Op{add("/metadata/labels/app"), remove("/metadata/labels/app")}, false},
		{"a write above", []ir.Op{add("/metadata/labels"), remove("/metadata/labels/app")}, false},
		{"a write below", []ir.Op{add("/metadata/labels/app/x"), remove("/metadata/labels/app")}, false},
		{"a sibling with the same prefix", []ir.Op{add("/metadata/labels/application"), remove("/metadata/labels/app")}, true},
		{"a write after", []ir.Op{remove("/metadata/labels/app"), add("/metadata/labels/app")}, true},
	} {
		if got := removes(c.ops); got != c.want {
			t.Errorf("%s: removes = %v, want %v", c.name, got, c.want)
		}
	}
}
