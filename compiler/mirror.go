package compiler

import (
	"sort"
	"strings"

	"github.com/ampc/ampc/ir"
)

// mirrorImage moves an image reference to a mirror registry, keeping its
// repository path and tag: registry.redhat.io/3scale-amp2/system-rhel7:3scale2.8
// with mirror m.example.com:5000 becomes m.example.com:5000/3scale-amp2/system-rhel7:3scale2.8.
func mirrorImage(ref, mirror string) string {
	first, rest, found := strings.Cut(ref, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return mirror + "/" + rest
	}
	return mirror + "/" + ref // an image of the default registry
}

// rewriteImages returns a copy of v with fn applied to every image
// reference: the DockerImage source of an image stream tag, and a
// container's image. It is the one place that says what an image is.
func rewriteImages(v any, fn func(string) string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = rewriteImages(e, fn)
		}
		if x["kind"] == "DockerImage" {
			if name, ok := x["name"].(string); ok && name != "" {
				out["name"] = fn(name)
			}
		}
		if img, ok := x["image"].(string); ok && strings.Contains(img, "/") {
			out["image"] = fn(img)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewriteImages(e, fn)
		}
		return out
	}
	return v
}

// applyMirror moves every image the bundle sets to the plan's mirror and
// returns the source of each mirrored image. The images the bundle sets are
// those of its add and replace operations and of the objects it creates,
// read once, before anything moves; only those are rewritten, wherever they
// stand (an operation, a check, a created object, the objects around a
// patch that PLAN.md and kustomize show). An image the site already runs,
// which the whole objects around a patch also hold, is neither moved nor
// taken for a source.
func applyMirror(b *ir.Bundle, mirror string) map[string]string {
	b.Mirror = mirror
	set := map[string]bool{}
	record := func(ref string) string { set[ref] = true; return ref }
	for _, s := range b.Steps {
		for _, p := range s.Patches {
			for _, op := range p.Ops {
				if op.Op == "add" || op.Op == "replace" {
					rewriteImages(op.Value, record)
				}
			}
		}
		for _, m := range s.Creates {
			rewriteImages(m.Object, record)
		}
	}
	sources := map[string]string{}
	for ref := range set {
		sources[mirrorImage(ref, mirror)] = ref
	}
	move := func(ref string) string {
		if !set[ref] {
			return ref
		}
		return mirrorImage(ref, mirror)
	}
	for i := range b.Steps {
		s := &b.Steps[i]
		for j := range s.Patches {
			p := &s.Patches[j]
			for k := range p.Ops {
				p.Ops[k].Value = rewriteImages(p.Ops[k].Value, move)
			}
			for k := range p.Checks.Present {
				p.Checks.Present[k].Value = rewriteImages(p.Checks.Present[k].Value, move)
			}
			if p.Before != nil {
				p.Before = rewriteImages(p.Before, move).(map[string]any)
			}
			p.After = rewriteImages(p.After, move).(map[string]any)
		}
		for j := range s.Creates {
			s.Creates[j].Object = rewriteImages(s.Creates[j].Object, move).(map[string]any)
		}
	}
	return sources
}

// collectImages lists the images the bundle's add and replace operations
// and created objects set, sorted, each with its source.
func collectImages(b *ir.Bundle, sources map[string]string) []ir.Image {
	seen := map[string]bool{}
	record := func(ref string) string { seen[ref] = true; return ref }
	for _, s := range b.Steps {
		for _, p := range s.Patches {
			for _, op := range p.Ops {
				if op.Op == "add" || op.Op == "replace" {
					rewriteImages(op.Value, record)
				}
			}
		}
		for _, m := range s.Creates {
			rewriteImages(m.Object, record)
		}
	}
	out := make([]ir.Image, 0, len(seen))
	for pulled := range seen {
		src, ok := sources[pulled]
		if !ok {
			src = pulled
		}
		out = append(out, ir.Image{Source: src, Pulled: pulled})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}
