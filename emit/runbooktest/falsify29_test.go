package runbooktest

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/testenv"
)

// The falsifiers of the template hops 2.8 → 2.9 and 2.9 → 2.10
// (compiler/rules/2.8-2.9-template.hcl, 2.9-2.10-template.hcl), each on
// the 2.8 fixture cut down to what the step reads: the runs of a step that
// reads a few objects need not pay for the others, which the simulator
// would deploy.

// zyncSite is the 2.8 fixture cut down to zync, zync-que and their image stream (with
// the ConfigMaps and Secrets), at release: "2.8" as exported, "2.9" as the
// 2.8 → 2.9 hop leaves it (amp-zync's tag 2.9 on the 2.9 image, no latest
// tag, the triggers on amp-zync:2.9, AMP_RELEASE 2.9).
func zyncSite(t *testing.T, release string) *bundletest.Cluster {
	t.Helper()
	return bundletest.NewCluster(t, testenv.EditList(t, testenv.Shared(t, "fixtures/templates/2.8-amp.yaml"), func(obj map[string]any) bool {
		name := bundletest.Get(obj, "metadata", "name")
		switch obj["kind"] {
		case "ConfigMap", "Secret":
			if release == "2.9" && name == "system-environment" {
				obj["data"].(map[string]any)["AMP_RELEASE"] = "2.9"
			}
			if release == "2.9" && name == "system-master-apicast" {
				delete(obj["data"].(map[string]any), "BASE_URL")
			}
			return true
		case "DeploymentConfig":
			if name != "zync" && name != "zync-que" {
				return false
			}
			if release == "2.9" {
				for _, tr := range bundletest.Get(obj, "spec", "triggers").([]any) {
					if p, ok := tr.(map[string]any)["imageChangeParams"].(map[string]any); ok {
						p["from"].(map[string]any)["name"] = "amp-zync:2.9"
					}
				}
			}
			return true
		case "ImageStream":
			if name != "amp-zync" {
				return false
			}
			if release == "2.9" {
				obj["spec"].(map[string]any)["tags"] = []any{map[string]any{"name": "2.9",
					"annotations":     map[string]any{"openshift.io/display-name": "AMP Zync 2.9"},
					"from":            map[string]any{"kind": "DockerImage", "name": "registry.redhat.io/3scale-amp2/zync-rhel7:3scale2.9"},
					"referencePolicy": map[string]any{"type": "Source"}}}
			}
			return true
		}
		return false
	}))
}

// zyncSiteAt is the setup of a falsifier on zyncSite at release, after
// steps of the falsifier's bundle, each run alone.
func zyncSiteAt(release string, steps ...string) func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
	return func(t *testing.T, r *falsifyRun, _ *falsifyBases) {
		r.c = zyncSite(t, release)
		r.must(t, steps...)
	}
}

var falsifiers29 = map[string]verifyFalsifier{
	"2.8-2.9/base-url-verify": {
		plan: "2.8-to-2.9-mysql", holds: "the 2.8 site's Secrets after the hop removed BASE_URL from system-master-apicast",
		broken: "system-master-apicast has BASE_URL again",
		want:   []string{"secret/system-master-apicast still has BASE_URL"},
		setup:  zyncSiteAt("2.8", "2.8-2.9/base-url"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "secret/system-master-apicast", "--type=json", "-p",
				`[{"op":"add","path":"/data/BASE_URL","value":"`+bundletest.Base64("http://token-of-the-site@system-master:3000")+`"}]`)
		},
	},
	"2.8-2.9/images-verify": {
		plan: "2.8-to-2.9-mysql", holds: "the 2.8 site cut down to zync, which runs its image stream's current image",
		broken: "zync follows amp-zync:2.9, whose import failed",
		want:   []string{"dc/zync does not run its image stream's current image"},
		setup:  zyncSiteAt("2.8"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel7:3scale2.9")
			r.must(t, "2.8-2.9/image-amp-zync", "2.8-2.9/triggers-amp-zync")
		},
	},
	"2.8-2.9/triggers-verify": {
		plan: "2.8-to-2.9-mysql", holds: "the 2.8 site cut down to zync after the hop's steps for amp-zync (tag, triggers, latest removed)",
		broken: "amp-zync has a latest tag again",
		want:   []string{"these image streams still have a latest tag: amp-zync"},
		setup:  zyncSiteAt("2.8", "2.8-2.9/image-amp-zync", "2.8-2.9/triggers-amp-zync", "2.8-2.9/untag-amp-zync"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "tag", "--alias", "amp-zync:2.9", "amp-zync:latest")
		},
	},
	"2.9-2.10/images-verify": {
		plan: "2.9-to-2.10-mysql", holds: "a 2.9 site cut down to zync, which runs its image stream's current image",
		broken: "zync follows amp-zync:2.10, whose import failed",
		want:   []string{"dc/zync does not run its image stream's current image"},
		setup:  zyncSiteAt("2.9"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Env = append(r.c.Env, "OCSIM_IMPORT_FAIL=3scale-amp2/zync-rhel7:3scale2.10")
			r.must(t, "2.9-2.10/image-amp-zync", "2.9-2.10/triggers-amp-zync")
		},
	},
	"2.9-2.10/triggers-verify": {
		plan: "2.9-to-2.10-mysql", holds: "a 2.9 site cut down to zync after the hop's steps for amp-zync (tag, triggers)",
		broken: "zync follows amp-zync:2.9 again",
		want:   []string{"not every ImageChange trigger follows a 2.10 tag: zync follows amp-zync:2.9"},
		setup:  zyncSiteAt("2.9", "2.9-2.10/image-amp-zync", "2.9-2.10/triggers-amp-zync"),
		breakIt: func(t *testing.T, r *falsifyRun) {
			r.c.Act(t, "patch", "dc/zync", "--type=json", "-p",
				`[{"op":"test","path":"/spec/triggers/1/imageChangeParams/from/name","value":"amp-zync:2.10"},{"op":"replace","path":"/spec/triggers/1/imageChangeParams/from/name","value":"amp-zync:2.9"}]`)
		},
	},
	"2.8-2.9/oracle-site-check":  oracleSiteFalsifier("2.8", "2.9", "mysql2://root:secret@system-mysql/system", "points system at a MySQL database (mysql2://)"),
	"2.9-2.10/oracle-site-check": oracleSiteFalsifier("2.9", "2.10", "postgresql://system:secret@system-postgresql/system", "points system at a PostgreSQL database (postgresql://)"),
}

// TestBaseURLRollback: --rollback 2.8-2.9/base-url, after the hop removed
// BASE_URL from system-master-apicast, puts the site's own value back from
// the copy the backup saved, and prints it nowhere.
func TestBaseURLRollback(t *testing.T) {
	t.Parallel()
	testenv.Tool(t, "jq")
	bundle := bundletest.WriteBundle(t, bundletest.Compile(t, bundletest.WritePlan(t, templatePlan("2.8", "2.9", "mysql")), ""))
	r := &falsifyRun{c: zyncSite(t, "2.8"), bundle: bundle, work: t.TempDir()}
	baseURL := func() any {
		return bundletest.Get(r.c.Objects(t)["Secret/system-master-apicast"], "data", "BASE_URL")
	}
	before := baseURL()
	if before == nil {
		t.Fatal("the 2.8 fixture's system-master-apicast has no BASE_URL")
	}
	r.must(t, "2.8-2.9/backup", "2.8-2.9/base-url")
	if baseURL() != nil {
		t.Fatal("2.8-2.9/base-url left BASE_URL in system-master-apicast")
	}
	out, err := r.c.Exec(t, r.bundle, r.work, []string{"FAKEOC_FAIL="}, "--rollback", "2.8-2.9/base-url")
	if err != nil {
		t.Fatalf("--rollback 2.8-2.9/base-url: %v\n%s", err, out)
	}
	if got := baseURL(); got != before {
		t.Errorf("after the rollback BASE_URL is %v, the site had %v", got, before)
	}
	plain, _ := base64.StdEncoding.DecodeString(before.(string))
	if strings.Contains(out, string(plain)) || strings.Contains(out, before.(string)) {
		t.Errorf("the rollback printed BASE_URL:\n%s", out)
	}
}
