package runbooktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// TestRunbookChecksItsBundle: before its first oc call, the runbook checks
// the bundle's files against SHA256SUMS and, when the bundle is signed or
// --key asks for it, the signature of SHA256SUMS (ssh-keygen -Y verify,
// namespace ampc-bundle). A patch changed after the compile, a file cut
// short, a signed bundle run without the signer's key, another key, an
// unsigned bundle under --key and a SHA256SUMS rewritten after signing are
// all refused without any call to the cluster; the bundle as signed runs.
// A rollback section checks the same.
func TestRunbookChecksItsBundle(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	keygen := testenv.Tool(t, "ssh-keygen")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp-s3.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql-s3.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	work := t.TempDir()
	refused := func(what, want string, env []string, args ...string) {
		t.Helper()
		calls := len(c.Calls(t))
		out, err := c.Exec(t, bundle, work, env, args...)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("%s: %v, want a refusal saying %q\n%s", what, err, want, bundletest.Tail(out, 10))
		}
		if n := len(c.Calls(t)); n != calls {
			t.Errorf("%s: the refused run called oc %d times", what, n-calls)
		}
	}
	// The first oc call (oc whoami, the preflight's) fails: a run that gets
	// there has passed the bundle's checks and changed nothing.
	passes := func(what string, env []string, args ...string) string {
		t.Helper()
		c.Fault = func(call ocsim.Call) ocsim.Fault {
			if slices.Contains(call.Args, "whoami") {
				return ocsim.Before
			}
			return ocsim.Pass
		}
		defer func() { c.Fault = nil }()
		out, err := c.Exec(t, bundle, work, env, args...)
		if err == nil || !strings.Contains(out, "not logged in to OpenShift") {
			t.Errorf("%s: %v, want the checks passed and the preflight's oc whoami failing\n%s", what, err, bundletest.Tail(out, 10))
		}
		return out
	}
	passes("the bundle as compiled", nil)

	patches, _ := filepath.Glob(filepath.Join(bundle, "patches", "*", "*", "*.json"))
	if len(patches) == 0 {
		t.Fatal("the bundle has no patch")
	}
	patch := patches[0]
	original, err := os.ReadFile(patch)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(patch, []byte(`[{"op": "remove", "path": "/spec/template/spec/containers/0/env"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(bundle, patch)
	refused("a changed patch", rel+": FAILED", nil)
	if err := os.WriteFile(patch, original[:len(original)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	refused("a patch cut short", "do not run it; copy it again or compile it again", nil)
	if err := os.WriteFile(patch, original, 0o644); err != nil {
		t.Fatal(err)
	}

	// Signed.
	keys := t.TempDir()
	for _, name := range []string{"signer", "other"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", filepath.Join(keys, name)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	sign := func() {
		t.Helper()
		_ = os.Remove(filepath.Join(bundle, "SHA256SUMS.sig"))
		if out, err := exec.Command(keygen, "-Y", "sign", "-f", filepath.Join(keys, "signer"), "-n", "ampc-bundle", filepath.Join(bundle, "SHA256SUMS")).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
		}
	}
	refused("--key on an unsigned bundle", "the bundle is not signed", nil, "--key", filepath.Join(keys, "signer.pub"))
	sign()
	refused("a signed bundle without --key", "this bundle is signed", nil)
	refused("another key", "does not verify with the keys of", nil, "--key", filepath.Join(keys, "other.pub"))
	out := passes("the signer's key", nil, "--key", filepath.Join(keys, "signer.pub"))
	if !strings.Contains(out, `Good "ampc-bundle" signature`) {
		t.Errorf("the run does not say whose signature it checked:\n%s", bundletest.Tail(out, 10))
	}
	passes("the signer's key in AMPC_BUNDLE_KEY", []string{"AMPC_BUNDLE_KEY=" + filepath.Join(keys, "signer.pub")})

	// A changed patch with SHA256SUMS rewritten to match it: the checksums
	// agree, the signature does not.
	if err := os.WriteFile(patch, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-c", `cd "$1" && cut -c67- SHA256SUMS | xargs sha256sum > ../sums && mv ../sums SHA256SUMS`, "bash", bundle).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	refused("SHA256SUMS rewritten after signing", "does not verify", nil, "--key", filepath.Join(keys, "signer.pub"))

	// A rollback section checks the bundle too (the migration's).
	bundle = bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.8-template-to-operator.hcl"), ""))
	if err := os.WriteFile(filepath.Join(bundle, "manifests", "apimanager-apimanager.json"), []byte(`{"kind": "APIManager"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	refused("a changed manifest, rollback", "manifests/apimanager-apimanager.json: FAILED", nil, "--rollback", "2.8-2.8/source")
}
