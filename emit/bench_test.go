package emit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc"
	"github.com/ampc/ampc/compiler"
	"github.com/ampc/ampc/emit"
	"github.com/ampc/ampc/internal/testenv"
	"github.com/ampc/ampc/plan"
	"github.com/ampc/ampc/snapshot"
)

// longestChain returns the source of a plan over every template hop ampc
// covers, and the fixture of its from version.
func longestChain(b *testing.B) ([]byte, string) {
	b.Helper()
	hops, err := compiler.Hops()
	if err != nil {
		b.Fatal(err)
	}
	from, to := "", ""
	for _, h := range hops {
		if h.Deployment != "template" {
			continue
		}
		if from == "" {
			from = h.From
		}
		to = h.To
	}
	src := fmt.Sprintf("install {\n  namespace = \"3scale\"\n  deployment = \"template\"\n  from = %q\n  to = %q\n  system_database = \"mysql\"\n  s3 = true\n}\n", from, to)
	return []byte(src), testenv.Shared(b, "fixtures/templates/"+from+"-amp-s3.yaml")
}

// BenchmarkLongestChain compiles the longest chain of hops and renders every
// file of the bundle, as ampc compile does (ampc.Compile, which also parses
// the plan and the rule modules), against the standard layout and against
// the fixture.
func BenchmarkLongestChain(b *testing.B) {
	src, fixture := longestChain(b)
	for _, bc := range []struct{ name, snapshot string }{{"layout", ""}, {"snapshot", fixture}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := ampc.Compile("bench.hcl", src, ampc.Options{Snapshot: bc.snapshot}); diags.HasErrors() {
					b.Fatal(diags.Error())
				}
			}
		})
	}
}

// grownSnapshot writes the fixture's objects plus unrelated ones (routes,
// secrets, config maps) up to n objects, as one List.
func grownSnapshot(b *testing.B, fixture string, n int) string {
	b.Helper()
	items := make([]any, 0, n)
	for _, it := range testenv.ListItems(b, fixture) {
		items = append(items, it)
	}
	for i := 0; len(items) < n; i++ {
		meta := map[string]any{"name": fmt.Sprintf("unrelated-%06d", i), "namespace": "3scale",
			"labels": map[string]any{"app": "unrelated", "tier": "bench"}}
		switch i % 3 {
		case 0:
			items = append(items, map[string]any{"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": meta,
				"spec": map[string]any{"host": fmt.Sprintf("api-%d.apps.example.com", i), "to": map[string]any{"kind": "Service", "name": "apicast-production"},
					"tls": map[string]any{"termination": "edge", "insecureEdgeTerminationPolicy": "Allow"}}})
		case 1:
			items = append(items, map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque",
				"data": map[string]any{"token": "dG9rZW4tdmFsdWUtMTIzNDU2Nzg5MA==", "user": "dXNlcg=="}})
		default:
			items = append(items, map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
				"data": map[string]any{"settings.yml": "feature: true\nlimit: 100\n", "mode": "production"}})
		}
	}
	out, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": "List", "items": items})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), fmt.Sprintf("snapshot-%d.yaml", n))
	if err := os.WriteFile(path, out, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkSnapshot compiles against snapshots of growing size, beside the
// cost of only decoding the same file with sigs.k8s.io/yaml. It runs the
// stages one by one rather than through ampc.Compile, to sample the heap
// between them.
func BenchmarkSnapshot(b *testing.B) {
	src, fixture := longestChain(b)
	p, _, diags := plan.Parse("bench.hcl", src)
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	for _, n := range []int{1000, 10000, 50000} {
		path := grownSnapshot(b, fixture, n)
		b.Run(fmt.Sprintf("objects=%d/decode", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				src, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				var list map[string]any
				if err := yaml.Unmarshal(src, &list); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("objects=%d/compile", n), func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			sample := func() {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			for b.Loop() {
				snap, diags := snapshot.Read(path, "3scale")
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				sample()
				bundle, diags := compiler.Compile(p, snap)
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				sample()
				if _, err := emit.Files(bundle); err != nil {
					b.Fatal(err)
				}
				sample()
			}
			// The largest live heap seen between stages (read, compile, render).
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
