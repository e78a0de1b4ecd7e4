package bundletest

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// WriteSealed writes a file of a run's backups as the step that writes it
// does: with its SHA-256 in path.sha256, in sha256sum's format (the shell
// library's seal), which the steps that read it check (check_seal). A test
// that changes a record to stand for a database that differs from it
// writes it this way; one that writes it plainly shows a changed file.
func WriteSealed(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := fmt.Sprintf("%x  %s\n", sha256.Sum256(content), filepath.Base(path))
	if err := os.WriteFile(path+".sha256", []byte(sum), 0o600); err != nil {
		t.Fatal(err)
	}
}
