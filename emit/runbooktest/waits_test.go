package runbooktest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// TestWaitAfterImagePatch runs the 2.4 → 2.5 image patch of amp-system and
// then, at once, the wait step that follows, on the simulated cluster where
// the tag import and the ImageChange trigger act later: when the wait step
// returns, system-app and system-sidekiq must run the stream's new image in
// the ReplicationController of their latest, complete, deployment (audit
// section A, "waits that do not wait"). Before the wait_rollout of the
// shell library waited for the trigger, the wait step returned at once
// with system-app on its 2.4 deployment.
func TestWaitAfterImagePatch(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	c := bundletest.NewCluster(t, fixture)
	// An oc call takes 10ms of the cluster's time, not a second: the
	// runbook's own calls before the wait do not give the import and the
	// trigger the time they need, as on a real cluster where they take
	// longer than a few calls.
	c.Env = append(c.Env, "OCSIM_STEP=10ms")
	work := t.TempDir()
	for _, step := range []string{"image-amp-system", "wait-images"} {
		if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/"+step); err != nil {
			t.Fatalf("--only %s: %v\n%s", step, err, out)
		}
	}
	objects := c.Objects(t)
	// The image amp-system:latest stands for: latest points at the 2.5.0
	// tag, whose import gives the image.
	is := objects["ImageStream/amp-system"]
	tag := "latest"
	for range 3 {
		for _, st := range bundletest.Get(is, "spec", "tags").([]any) {
			if bundletest.Get(st, "name") == tag && bundletest.Get(st, "from", "kind") == "ImageStreamTag" {
				tag = bundletest.Get(st, "from", "name").(string)
			}
		}
	}
	if !strings.HasPrefix(tag, "2.5") {
		t.Fatalf("amp-system:latest points at %s after the patch", tag)
	}
	var want string
	for _, st := range bundletest.Get(is, "status", "tags").([]any) {
		if bundletest.Get(st, "tag") == tag {
			items, _ := bundletest.Get(st, "items").([]any)
			if len(items) > 0 {
				want, _ = bundletest.Get(items[0], "image").(string)
			}
		}
	}
	if want == "" {
		t.Fatalf("the wait returned before amp-system:%s was imported", tag)
	}
	for _, dc := range []string{"system-app", "system-sidekiq"} {
		d := objects["DeploymentConfig/"+dc]
		latest := fmt.Sprint(bundletest.Get(d, "status", "latestVersion"))
		rc := objects["ReplicationController/"+dc+"-"+latest]
		if rc == nil {
			t.Errorf("%s: no ReplicationController %s-%s", dc, dc, latest)
			continue
		}
		if phase := bundletest.Get(rc, "metadata", "annotations", "openshift.io/deployment.phase"); phase != "Complete" {
			t.Errorf("%s: the wait returned with deployment %s %v", dc, latest, phase)
		}
		for _, ctr := range bundletest.Get(rc, "spec", "template", "spec", "containers").([]any) {
			if img := bundletest.Get(ctr, "image").(string); !strings.HasSuffix(img, "@"+want) {
				t.Errorf("%s: the wait returned while %s-%s runs %s, not amp-system:%s's %s", dc, dc, latest, img, tag, want)
			}
		}
	}
}

// TestImagesVerifyCanFail runs the 2.7 → 2.8 images-verify step after the
// amp-zync image patch on two simulated clusters where zync still runs its
// 2.7 image, pinned by digest as the new one would be: one where the import
// of the 2.8 image failed (ImportSuccess=False), one where the trigger has
// not fired yet. The check must fail on both (audit section A,
// "verifications that cannot fail"); TestRunbookAgainstFakeOC shows it
// passing at the end of a good run.
func TestImagesVerifyCanFail(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.7-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.7-mysql.hcl"), ""))
	for name, env := range map[string][]string{
		"failed import": {"OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel7:3scale2.8"},
		"old image":     {"OCSIM_STEP=10ms"},
	} {
		c := bundletest.NewCluster(t, fixture)
		c.Env = env
		work := t.TempDir()
		if out, err := c.Run(t, bundle, work, "", "--only", "2.7-2.8/image-amp-zync"); err != nil {
			t.Fatalf("%s: --only image-amp-zync: %v\n%s", name, err, out)
		}
		out, err := c.Run(t, bundle, work, "", "--only", "2.7-2.8/images-verify")
		if err == nil {
			t.Errorf("%s: images-verify passed while zync runs its 2.7 image:\n%s", name, out)
		} else if !strings.Contains(out, "dc/zync does not run its image stream's current image") {
			t.Errorf("%s: images-verify failed for another reason:\n%s", name, out)
		}
	}
}

// TestWaitAfterEnvPatch runs the 2.4 → 2.5 env patch of system-mysql and at
// once the wait that follows, with the DeploymentConfig controller slower
// than the runbook's calls: the ConfigChange trigger starts deployment #2
// after the wait has read the DeploymentConfig. The wait must follow the
// deployment the patch starts, not ask for #1 and fail with "desired
// revision (1) is different from the running revision (2)" (found by
// TestRunbookProperties on 2.4-to-2.5-mysql, seed 1).
func TestWaitAfterEnvPatch(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	fixture := testenv.Shared(t, "fixtures/templates/2.4-amp.yaml")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, filepath.Join(testenv.Root(), "examples", "2.4-to-2.5-mysql.hcl"), ""))
	for _, seed := range []string{"1", "2", "3", "4"} {
		c := bundletest.NewCluster(t, fixture)
		c.Env = append(c.Env, "OCSIM_STEP=10ms", "OCSIM_SEED="+seed)
		work := t.TempDir()
		for _, step := range []string{"system-database-secret", "system-mysql-env", "wait-system-mysql"} {
			if out, err := c.Run(t, bundle, work, "", "--only", "2.4-2.5/"+step); err != nil {
				t.Fatalf("seed %s: --only %s: %v\n%s", seed, step, err, out)
			}
		}
		dc := c.Objects(t)["DeploymentConfig/system-mysql"]
		latest := fmt.Sprint(bundletest.Get(dc, "status", "latestVersion"))
		if latest == "1" {
			t.Errorf("seed %s: the wait returned before the env patch's deployment started", seed)
		}
		rc := c.Objects(t)["ReplicationController/system-mysql-"+latest]
		if phase := bundletest.Get(rc, "metadata", "annotations", "openshift.io/deployment.phase"); phase != "Complete" {
			t.Errorf("seed %s: the wait returned with deployment #%s %v", seed, latest, phase)
		}
	}
}
