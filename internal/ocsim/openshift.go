package ocsim

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultOpenShift is the OpenShift release of a cluster that neither
// seeds a ClusterVersion nor sets $OCSIM_OPENSHIFT: 4.12, the first
// release both ends of the seeded operator hops run on (3scale 2.13.1
// to 2.16 support it; seed 004 and the 2.14 guide name it as the
// minimum), at a late patch release.
const DefaultOpenShift = "4.12.45"

// openshiftVersion is the cluster's OpenShift release: $OCSIM_OPENSHIFT
// when set, else the seeded ClusterVersion's desired version, else
// DefaultOpenShift.
func (c *Cluster) openshiftVersion() string {
	if c.cfg.OpenShift != "" {
		return c.cfg.OpenShift
	}
	if cv := c.storedClusterVersion(); cv != nil {
		if v := str(cv, "status", "desired", "version"); v != "" {
			return v
		}
	}
	return DefaultOpenShift
}

func (c *Cluster) storedClusterVersion() Object {
	for _, cv := range c.list("", "ClusterVersion") {
		if str(cv, "metadata", "name") == "version" {
			return cv
		}
	}
	return nil
}

// clusterVersionView is the ClusterVersion the cluster answers when none
// is stored: the cluster installed at its release, history of one
// completed update. Nothing is written, so that clusters whose runbooks
// never read it carry no extra object.
func (c *Cluster) clusterVersionView() Object {
	v := c.openshiftVersion()
	at := epoch.UTC().Format("2006-01-02T15:04:05Z")
	return Object{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": map[string]any{"name": "version"},
		"spec":     map[string]any{"channel": "stable-" + majorMinor(v), "clusterID": "5c1d3a2e-0000-4000-8000-000000000412"},
		"status": map[string]any{
			"desired": map[string]any{"version": v, "image": "quay.io/openshift-release-dev/ocp-release@" + digestOf(v)},
			"history": []any{map[string]any{"state": "Completed", "version": v, "image": "quay.io/openshift-release-dev/ocp-release@" + digestOf(v),
				"startedTime": at, "completionTime": at, "verified": false}},
			"observedGeneration": int64(1), "versionHash": "ocsim", "availableUpdates": nil,
			"conditions": []any{
				map[string]any{"type": "Available", "status": "True", "lastTransitionTime": at, "message": "Done applying " + v},
				map[string]any{"type": "Progressing", "status": "False", "lastTransitionTime": at, "message": "Cluster version is " + v},
			}}}
}

// syncClusterVersion moves a stored ClusterVersion to $OCSIM_OPENSHIFT
// when the test set another release: the update is recorded as the
// cluster version operator records a completed one (a new history entry
// first, desired version). The simulator does not play the update
// itself (nodes, operators): a test changes the release between runs of
// the runbook, as an administrator upgrades OpenShift between hops. It
// runs with OLM (olmController), so only operator sites pay for it.
func syncClusterVersion(c *Cluster) {
	want := c.cfg.OpenShift
	if want == "" {
		return
	}
	cv := c.storedClusterVersion()
	if cv == nil || str(cv, "status", "desired", "version") == want {
		return
	}
	image := "quay.io/openshift-release-dev/ocp-release@" + digestOf(want)
	setNested(cv, map[string]any{"version": want, "image": image}, "status", "desired")
	entry := map[string]any{"state": "Completed", "version": want, "image": image,
		"startedTime": c.timestamp(), "completionTime": c.timestamp(), "verified": false}
	setNested(cv, append([]any{entry}, list(cv, "status", "history")...), "status", "history")
	c.put(cv)
}

// ocpAtLeast tells whether OpenShift release v (4.M[.P]) is at least
// 4.min; an unparsable release counts as new enough.
func ocpAtLeast(v string, min int) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return true
	}
	m, err := strconv.Atoi(parts[1])
	return err != nil || m >= min
}

func validOpenShift(v string) error {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "4" {
		return fmt.Errorf("want 4.M or 4.M.P")
	}
	for _, p := range parts[1:] {
		if _, err := strconv.Atoi(p); err != nil {
			return fmt.Errorf("want 4.M or 4.M.P")
		}
	}
	return nil
}
