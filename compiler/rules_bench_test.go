package compiler

import "testing"

// BenchmarkLoadModules parses every rule module, as each ampc process does
// once (the compile benchmarks of emit reuse the parsed modules).
func BenchmarkLoadModules(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadModules(); err != nil {
			b.Fatal(err)
		}
	}
}
