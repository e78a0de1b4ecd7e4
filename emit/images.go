package emit

import (
	"sort"
	"strings"

	"github.com/ampc/ampc/compiler"
)

// images lists every image the upgrade makes the cluster pull, one per line
// (as SOURCE=MIRROR when the plan names a registry mirror):
// the DockerImage sources of image stream tags the patches and manifests
// set, and the images of containers in created objects. An air-gapped site
// mirrors them before the maintenance window.
func images(b *compiler.Bundle) []byte {
	seen := map[string]bool{}
	for _, s := range b.Steps {
		for _, p := range s.Patches {
			for _, op := range p.Ops {
				if op.Op == "add" || op.Op == "replace" {
					collectImages(op.Value, seen)
				}
			}
		}
		for _, m := range s.Creates {
			collectImages(m.Object, seen)
		}
	}
	var out []string
	for img := range seen {
		if src, ok := b.ImageSources[img]; ok {
			// SOURCE=MIRROR, as `oc image mirror` takes its arguments.
			img = src + "=" + img
		}
		out = append(out, img)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []byte("# this upgrade pulls no new image\n")
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

func collectImages(v any, seen map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if x["kind"] == "DockerImage" {
			if name, ok := x["name"].(string); ok && name != "" {
				seen[name] = true
			}
		}
		if img, ok := x["image"].(string); ok && strings.Contains(img, "/") {
			seen[img] = true
		}
		for _, e := range x {
			collectImages(e, seen)
		}
	case []any:
		for _, e := range x {
			collectImages(e, seen)
		}
	}
}
