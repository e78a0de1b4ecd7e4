package compiler

import "testing"

// BenchmarkLoadModules parses every rule module, as every compile does
// (LoadRules); it is part of the compile benchmarks of emit.
func BenchmarkLoadModules(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadModules(); err != nil {
			b.Fatal(err)
		}
	}
}
