// Package testenv gives tests the tools and shared fixtures they need: a
// missing one skips the test on a developer machine and fails it under
// CI=true, where everything must be present.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

// The test binaries that use testenv compile, render and simulate
// thousands of objects: with the garbage collector's default target they
// spend about a fifth of their time in it (go test -cpuprofile on
// ./compiler). They run with four times the heap instead, unless GOGC says
// otherwise; the machine has the memory.
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// CI reports whether the tests run under CI.
func CI() bool { return os.Getenv("CI") == "true" }

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf("CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Tool returns the path of a command on PATH.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "%s is not installed", name)
	}
	return path
}

// Root is the repository's root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Shared returns the path of a file under ../shared beside the checkout.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(Root(), "..", "shared", filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		missing(t, "%s is not there: %v", path, err)
	}
	return path
}
