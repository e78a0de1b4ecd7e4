package bundletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// KubectlPatch applies the JSON patch in patchFile to obj with kubectl
// patch --local, in the directory work, and fails the test if kubectl
// refuses it.
func KubectlPatch(t *testing.T, kubectl, work string, obj map[string]any, patchFile string) map[string]any {
	t.Helper()
	out, err := tryPatch(kubectl, work, obj, patchFile)
	if err != nil {
		t.Fatalf("kubectl patch --local %s: %v", filepath.Base(patchFile), err)
	}
	return out
}

func tryPatch(kubectl, work string, obj map[string]any, patchFile string) (map[string]any, error) {
	patch, err := os.ReadFile(patchFile)
	if err != nil {
		return nil, err
	}
	return tryPatchOps(kubectl, work, obj, patch)
}

// tryPatchOps applies a JSON patch to an object with kubectl patch --local
// (once per object and patch in the test binary).
func tryPatchOps(kubectl, work string, obj map[string]any, patch []byte) (map[string]any, error) {
	raw, _ := json.Marshal(obj)
	key := append(append(append([]byte("kubectl patch --local --type=json\x00"), raw...), 0), patch...)
	out, err := CachedRun(key, func() ([]byte, error) {
		objFile := filepath.Join(work, "object.json")
		if err := os.WriteFile(objFile, raw, 0o644); err != nil {
			return nil, err
		}
		cmd := exec.Command(kubectl, "patch", "--local", "-f", objFile, "--type=json", "-p", string(patch), "-o", "json")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%v: %s", err, stderr.String())
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	var next map[string]any
	if err := json.Unmarshal(out, &next); err != nil {
		return nil, err
	}
	return next, nil
}
