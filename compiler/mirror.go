package compiler

import "strings"

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

// applyMirror rewrites every image the bundle sets (the DockerImage sources
// of image stream tags, the container images of created objects) to the
// plan's mirror, and records which source each mirrored image stands for.
func applyMirror(b *Bundle, mirror string) {
	b.Mirror = mirror
	b.ImageSources = map[string]string{}
	var rewrite func(v any) any
	rewrite = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[k] = rewrite(e)
			}
			if x["kind"] == "DockerImage" {
				if name, ok := x["name"].(string); ok && name != "" {
					out["name"] = b.mirrored(name)
				}
			}
			if img, ok := x["image"].(string); ok && strings.Contains(img, "/") {
				out["image"] = b.mirrored(img)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = rewrite(e)
			}
			return out
		}
		return v
	}
	for i := range b.Steps {
		s := &b.Steps[i]
		for j := range s.Patches {
			p := &s.Patches[j]
			for k := range p.Ops {
				p.Ops[k].Value = rewrite(p.Ops[k].Value)
			}
			for k := range p.Checks.Present {
				p.Checks.Present[k].Value = rewrite(p.Checks.Present[k].Value)
			}
			p.After = rewrite(p.After).(map[string]any)
		}
		for j := range s.Creates {
			s.Creates[j].Object = rewrite(s.Creates[j].Object).(map[string]any)
		}
	}
}

func (b *Bundle) mirrored(src string) string {
	dst := mirrorImage(src, b.Mirror)
	b.ImageSources[dst] = src
	return dst
}
