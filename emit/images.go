package emit

import (
	"strings"

	"github.com/ampc/ampc/ir"
)

// images writes images.txt: every image the upgrade makes the cluster pull,
// one per line, as SOURCE=MIRROR (the form `oc image mirror` takes) when the
// plan names a registry mirror. An air-gapped site mirrors them before the
// maintenance window.
func images(b *ir.Bundle) []byte {
	if len(b.Images) == 0 {
		return []byte("# this upgrade pulls no new image\n")
	}
	var out strings.Builder
	for _, img := range b.Images {
		if img.Source != img.Pulled {
			out.WriteString(img.Source + "=")
		}
		out.WriteString(img.Pulled + "\n")
	}
	return []byte(out.String())
}
