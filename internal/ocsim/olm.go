package ocsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// catalogPackage is a package the built-in catalog (redhat-operators in
// openshift-marketplace) offers.
type catalogPackage struct {
	name, deployment string
	channels         []catalogChannel
}

// catalogChannel is a channel and its CSVs in the order of their replaces
// chain: each replaces the one before it, the last is the head.
type catalogChannel struct {
	name string
	csvs []string
}

func (ch catalogChannel) head() string { return ch.csvs[len(ch.csvs)-1] }

// next is the CSV OLM installs next on a Subscription of the channel that
// runs installed, one step of the replaces chain: the one after it when
// it is in the channel; the channel's first when installed is an older
// release (the first replaces the previous channel's head); the head when
// installed is a CSV the simulator's chain does not list (a patch release
// between two it lists: the real channel has it, and its successor
// replaces it). "" when installed is the head.
func (ch catalogChannel) next(installed string) string {
	for i, csv := range ch.csvs {
		if csv == installed {
			if i+1 < len(ch.csvs) {
				return ch.csvs[i+1]
			}
			return ""
		}
	}
	if versionLess(csvVersion(installed), csvVersion(ch.csvs[0])) {
		return ch.csvs[0]
	}
	return ch.head()
}

// deploymentOf is the name of the Deployment that the CSV of an operator
// version (0.M.P) runs. The 3scale operator's was 3scale-operator up to
// 0.7 (deploy/operator.yaml of 3scale/3scale-operator v0.4.0 to v0.7.0),
// threescale-operator-controller-manager in 0.8 and
// threescale-operator-controller-manager-v2 from 0.9 on (the
// install.spec.deployments of bundle/manifests/3scale-operator.clusterserviceversion.yaml
// at v0.8.0 and v0.9.0).
func (p catalogPackage) deploymentOf(version string) string {
	if p.name != "3scale-operator" {
		return p.deployment
	}
	switch m := minorOf(version); {
	case m > 0 && m <= 7:
		return "3scale-operator"
	case m == 8:
		return "threescale-operator-controller-manager"
	}
	return p.deployment
}

// threescaleZStreams are the patch releases of the 3scale operator's
// channels that hold more than one CSV, in replaces order, from the
// operator version (version/version.go) at the release tags and stable
// branches of 3scale/3scale-operator: threescale-2.11 0.8.0
// (3scale-2.11.0-GA) and 0.8.1 (3scale-2.11.1-GA to 2.11.3-GA);
// threescale-2.13 0.10.0 (3scale-2.13.0-GA) and 0.10.1 (3scale-2.13.1-GA,
// the release that brought OpenShift 4.12 support); threescale-2.14
// 0.11.0 (3scale-2.14.1-GA) and 0.11.3 (3scale-2.14-stable, "prep for
// 2.14.3"; version.go went from 0.11.0 to 0.11.3 directly);
// threescale-2.15 0.12.1 (3scale-2.15.1-GA) to 0.12.5
// (3scale-2.15-stable): 0.12.2 to 0.12.4 are chosen here, one per 2.15
// patch release, as the 2.15.P annotation of 0.12.P implies. The other
// channels hold one CSV, as before.
var threescaleZStreams = map[int][]string{
	11: {"0.8.0", "0.8.1"},
	13: {"0.10.0", "0.10.1"},
	14: {"0.11.0", "0.11.3"},
	15: {"0.12.1", "0.12.2", "0.12.3", "0.12.4", "0.12.5"},
}

// builtinCatalog offers the 3scale and APIcast operators on their
// threescale-2.X channels: operator 0.M serves 3scale 2.(M+3).
func builtinCatalog() []catalogPackage {
	var threescale, apicast []catalogChannel
	for minor := 7; minor <= 16; minor++ {
		patch := 0
		switch minor {
		case 15:
			patch = 5
		case 16:
			patch = 1
		}
		v := fmt.Sprintf("v0.%d.%d", minor-3, patch)
		ch := fmt.Sprintf("threescale-2.%d", minor)
		csvs := []string{"3scale-operator." + v}
		if zs := threescaleZStreams[minor]; zs != nil {
			csvs = nil
			for _, z := range zs {
				csvs = append(csvs, "3scale-operator.v"+z)
			}
		}
		threescale = append(threescale, catalogChannel{ch, csvs})
		if minor >= 9 {
			apicast = append(apicast, catalogChannel{ch, []string{"apicast-operator." + v}})
		}
	}
	return []catalogPackage{
		{name: "3scale-operator", deployment: "threescale-operator-controller-manager-v2", channels: threescale},
		{name: "apicast-operator", deployment: "apicast-operator-controller-manager-v2", channels: apicast},
	}
}

const (
	marketplaceNS  = "openshift-marketplace"
	catalogName    = "redhat-operators"
	builtinMarker  = "ocsim.ampc.io/builtin-catalog"
	threescaleAnn  = "apps.3scale.net/apimanager-threescale-version"
	operatorAnn    = "apps.3scale.net/threescale-operator-version"
	apicastOperAnn = "apicast.apps.3scale.net/operator-version"
)

// syncCatalog keeps the built-in catalog's PackageManifests, less the
// channels OCSIM_CATALOG_DROP removes. PackageManifests a test seeds
// (without the built-in marker) are left as they are.
func syncCatalog(c *Cluster) {
	for _, p := range builtinCatalog() {
		pm := c.get(marketplaceNS, "PackageManifest", p.name)
		if pm != nil && annotation(pm, builtinMarker) == "" {
			continue
		}
		var channels []any
		def := ""
		for _, ch := range p.channels {
			if c.matches(c.cfg.CatalogDrop, p.name+":"+ch.name) {
				continue
			}
			var entries []any
			for i := len(ch.csvs) - 1; i >= 0; i-- {
				entries = append(entries, map[string]any{"name": ch.csvs[i], "version": csvVersion(ch.csvs[i])})
			}
			channels = append(channels, map[string]any{"name": ch.name, "currentCSV": ch.head(), "entries": entries})
			def = ch.name
		}
		want := Object{"apiVersion": "packages.operators.coreos.com/v1", "kind": "PackageManifest",
			"metadata": map[string]any{"name": p.name, "namespace": marketplaceNS,
				"labels":      map[string]any{"catalog": catalogName, "catalog-namespace": marketplaceNS, "provider": "Red Hat"},
				"annotations": map[string]any{builtinMarker: "true"}},
			"spec": map[string]any{},
			"status": map[string]any{"catalogSource": catalogName, "catalogSourceNamespace": marketplaceNS,
				"catalogSourceDisplayName": "Red Hat Operators", "catalogSourcePublisher": "Red Hat",
				"packageName": p.name, "defaultChannel": def, "channels": channels}}
		if pm == nil {
			c.create(want)
			continue
		}
		if !equalJSON(pm["status"], want["status"]) {
			pm["status"] = want["status"]
			c.put(pm)
		}
	}
}

// catalogChannelOf is the channel of the catalog a Subscription names,
// read from its PackageManifest (the entries, else the head alone), and
// whether the catalog has it.
func (c *Cluster) catalogChannelOf(sub Object) (catalogChannel, bool) {
	srcNS := str(sub, "spec", "sourceNamespace")
	if srcNS == "" {
		srcNS = marketplaceNS
	}
	for _, pm := range c.list(srcNS, "PackageManifest") {
		if str(pm, "status", "packageName") != str(sub, "spec", "name") || str(pm, "status", "catalogSource") != str(sub, "spec", "source") {
			continue
		}
		for _, ch := range list(pm, "status", "channels") {
			if str(ch, "name") != str(sub, "spec", "channel") || str(ch, "currentCSV") == "" {
				continue
			}
			out := catalogChannel{name: str(ch, "name")}
			entries := list(ch, "entries")
			for i := len(entries) - 1; i >= 0; i-- {
				out.csvs = append(out.csvs, str(entries[i], "name"))
			}
			if len(out.csvs) == 0 || out.head() != str(ch, "currentCSV") {
				out.csvs = []string{str(ch, "currentCSV")}
			}
			return out, true
		}
	}
	return catalogChannel{}, false
}

// OperatorDeployment is the name of the Deployment that the CSV csv
// (NAME.vX.Y.Z) of the catalog's package pkg runs (deploymentOf): what a
// test that installs an operator by hand must name it for the simulated
// operator to run.
func OperatorDeployment(pkg, csv string) string {
	for _, p := range builtinCatalog() {
		if p.name == pkg {
			return p.deploymentOf(csvVersion(csv))
		}
	}
	return ""
}

func csvVersion(csv string) string {
	_, v, _ := strings.Cut(csv, ".v")
	return v
}

func setCondition(c *Cluster, obj Object, typ, status, reason, message string) bool {
	var conds []any
	for _, cond := range list(obj, "status", "conditions") {
		if str(cond, "type") == typ {
			if str(cond, "status") == status && str(cond, "reason") == reason && str(cond, "message") == message {
				return false
			}
			continue
		}
		conds = append(conds, cond)
	}
	if status != "" {
		cond := map[string]any{"type": typ, "status": status, "lastTransitionTime": c.timestamp()}
		if reason != "" {
			cond["reason"] = reason
		}
		if message != "" {
			cond["message"] = message
		}
		conds = append(conds, cond)
	}
	setNested(obj, conds, "status", "conditions")
	return true
}

func dropCondition(obj Object, typ string) bool {
	var conds []any
	found := false
	for _, cond := range list(obj, "status", "conditions") {
		if str(cond, "type") == typ {
			found = true
			continue
		}
		conds = append(conds, cond)
	}
	if found {
		setNested(obj, conds, "status", "conditions")
	}
	return found
}

func (c *Cluster) newCSV(ns, name, replaces string) Object {
	csv := Object{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "ClusterServiceVersion",
		"metadata": map[string]any{"name": name, "namespace": ns},
		"spec": map[string]any{"displayName": strings.SplitN(name, ".", 2)[0], "version": csvVersion(name),
			"install": map[string]any{"strategy": "deployment"}},
		"status": map[string]any{"phase": "Succeeded", "reason": "InstallSucceeded", "message": "install strategy completed with no errors",
			"lastTransitionTime": c.timestamp(), "lastUpdateTime": c.timestamp()}}
	if replaces != "" {
		setNested(csv, replaces, "spec", "replaces")
	}
	req := csvRequirementsOf(name)
	if req.maxOpenShift != "" {
		setAnnotation(csv, "olm.properties", fmt.Sprintf(`[{"type": "olm.maxOpenShiftVersion", "value": %q}]`, req.maxOpenShift))
	}
	if req.minOpenShift > 0 {
		setNested(csv, kubeOf(req.minOpenShift)+".0", "spec", "minKubeVersion")
	}
	if msg := c.requirementsNotMet(csv); msg != "" {
		setCSVPending(c, csv, msg)
	}
	c.create(csv)
	return csv
}

// csvRequirements is what a CSV of the built-in catalog asks of the
// cluster. minOpenShift is its minKubeVersion (as an OpenShift minor:
// 4.12 is Kubernetes 1.25); replacesBelow, when set, is the OpenShift
// minor from which it cannot replace a CSV of an older operator minor
// (maxUpgradeFrom); maxOpenShift its olm.maxOpenShiftVersion property.
type csvRequirements struct {
	minOpenShift  int
	replacesBelow int
	maxOpenShift  string
}

// csvRequirementsOf gives the 3scale operator CSVs the OpenShift ranges
// of the fact sheets and the bundles (olm.properties of
// bundle/manifests/3scale-operator.clusterserviceversion.yaml:
// 3scale-2.14.1-GA 4.15, 3scale-2.14-stable 4.16, 3scale-2.15.1-GA 4.17,
// 3scale-2.15-stable and 3scale-2.16.0-GA 4.19; 2.11 and 2.12 4.11 and
// 2.13.1 4.14 from the migration guides; 2.13.0 4.11, since only 2.13.1
// runs on 4.12).
//
// What is modelled, and how the real cluster differs:
//   - The minimum (2.14, 2.15 and 2.16 need OpenShift 4.12, whose
//     Kubernetes 1.25 serves the policy/v1 PodDisruptionBudgets and APIs
//     they use) is a minKubeVersion: real OLM leaves such a CSV in phase
//     Pending, reason RequirementsNotMet, with a requirementStatus entry
//     saying which, until the cluster is new enough; so does the
//     simulator, re-checking on every pass of a Subscription's CSV.
//   - 2.11 must be installed from 2.10 before OpenShift 4.9: the 0.7
//     operator's CRDs are apiextensions.k8s.io/v1beta1, gone in
//     Kubernetes 1.22, and the guide says the result is "a non-working
//     installation". How that shows on a real cluster is not documented;
//     the simulator shows it the same way as a minimum: a 0.8 CSV that
//     replaces a 0.7 (or older) one on OpenShift 4.9 or later stays
//     Pending, RequirementsNotMet.
//   - maxOpenShiftVersion is only carried (annotation olm.properties):
//     on a real cluster it does not stop an install, it makes OLM's
//     ClusterOperator report Upgradeable=False, which blocks OpenShift
//     minor updates past it. The simulator's OpenShift release is the
//     test's ($OCSIM_OPENSHIFT), so nothing is blocked; a runbook reads
//     the property to check its own ordering.
func csvRequirementsOf(name string) csvRequirements {
	pkg, v, _ := strings.Cut(name, ".v")
	if pkg != "3scale-operator" {
		return csvRequirements{}
	}
	switch minor := minorOf(v); {
	case minor == 8:
		return csvRequirements{replacesBelow: 9, maxOpenShift: "4.11"}
	case minor == 9:
		return csvRequirements{maxOpenShift: "4.11"}
	case minor == 10 && v == "0.10.0":
		return csvRequirements{maxOpenShift: "4.11"}
	case minor == 10:
		return csvRequirements{maxOpenShift: "4.14"}
	case minor == 11 && v == "0.11.0":
		return csvRequirements{minOpenShift: 12, maxOpenShift: "4.15"}
	case minor == 11:
		return csvRequirements{minOpenShift: 12, maxOpenShift: "4.16"}
	case minor == 12 && v == "0.12.1":
		return csvRequirements{minOpenShift: 12, maxOpenShift: "4.17"}
	case minor >= 12:
		return csvRequirements{minOpenShift: 12, maxOpenShift: "4.19"}
	}
	return csvRequirements{}
}

// kubeOf is the Kubernetes release of OpenShift 4.M.
func kubeOf(ocpMinor int) string { return fmt.Sprintf("1.%d", ocpMinor+13) }

// requirementsNotMet says which requirement of a CSV the cluster does not
// meet, "" when it meets them all.
func (c *Cluster) requirementsNotMet(csv Object) string {
	req := csvRequirementsOf(str(csv, "metadata", "name"))
	ocp := c.openshiftVersion()
	server := kubeOf(minorOf(ocp))
	if req.minOpenShift > 0 && !ocpAtLeast(ocp, req.minOpenShift) {
		return fmt.Sprintf("CSV version requirement not met: minKubeVersion (%s.0) > server version (v%s.0; OpenShift %s)", kubeOf(req.minOpenShift), server, ocp)
	}
	if replaced := str(csv, "spec", "replaces"); req.replacesBelow > 0 && replaced != "" &&
		minorOf(csvVersion(replaced)) < minorOf(csvVersion(str(csv, "metadata", "name"))) && ocpAtLeast(ocp, req.replacesBelow) {
		return fmt.Sprintf("%s replaces %s, whose apiextensions.k8s.io/v1beta1 CustomResourceDefinitions OpenShift %s (Kubernetes %s) no longer serves: upgrade 3scale before OpenShift 4.%d",
			str(csv, "metadata", "name"), replaced, ocp, server, req.replacesBelow)
	}
	return ""
}

func setCSVPending(c *Cluster, csv Object, msg string) {
	setNested(csv, "Pending", "status", "phase")
	setNested(csv, "RequirementsNotMet", "status", "reason")
	setNested(csv, "one or more requirements couldn't be found", "status", "message")
	setNested(csv, []any{map[string]any{"group": "operators.coreos.com", "version": "v1alpha1", "kind": "ClusterServiceVersion",
		"name": str(csv, "metadata", "name"), "status": "PresentNotSatisfied", "message": msg}}, "status", "requirementStatus")
	setNested(csv, c.timestamp(), "status", "lastTransitionTime")
	setNested(csv, c.timestamp(), "status", "lastUpdateTime")
}

// olmController resolves each Subscription against the catalog: a channel
// the catalog lacks gives a ResolutionFailed condition; a CSV after the
// installed one in the channel's replaces chain gives an InstallPlan (one
// per step: a Subscription behind by two patch releases takes two),
// approved at once under Automatic approval and left RequiresApproval
// under Manual approval (the Subscription stays UpgradePending) until
// someone approves it; an approved plan installs the new CSV. A CSV whose
// requirements the cluster does not meet (csvRequirementsOf) stays
// Pending; one that meets them replaces the old one and rolls the
// operator's Deployment out on the new version.
func olmController(c *Cluster) {
	if len(c.list("", "Subscription")) == 0 {
		return
	}
	syncCatalog(c)
	syncClusterVersion(c)
	for _, sub := range c.list("", "Subscription") {
		ns, name := str(sub, "metadata", "namespace"), str(sub, "metadata", "name")
		base := ns + "/" + name
		installed := str(sub, "status", "installedCSV")
		if installed != "" && c.get(ns, "ClusterServiceVersion", installed) == nil && c.instant {
			c.newCSV(ns, installed, "")
		}
		if csv := c.get(ns, "ClusterServiceVersion", installed); csv != nil && str(csv, "status", "phase") == "Pending" {
			// The CSV waits for its requirements; OLM installs
			// nothing after it until it succeeds.
			if msg := c.requirementsNotMet(csv); msg != "" {
				if rs := list(csv, "status", "requirementStatus"); len(rs) == 0 || str(rs[0], "message") != msg {
					setCSVPending(c, csv, msg)
					c.put(csv)
				}
				continue
			}
			key := "olm-csv/" + ns + "/" + installed
			if !c.after(key, 5*time.Second, 20*time.Second) {
				continue
			}
			c.done(key)
			c.succeedCSV(sub, csv)
			continue
		}
		ch, ok := c.catalogChannelOf(sub)
		if !ok {
			msg := fmt.Sprintf("constraints not satisfiable: no operators found in channel %s of package %s in the catalog referenced by subscription %s",
				str(sub, "spec", "channel"), str(sub, "spec", "name"), name)
			key := "olm-resolve/" + base + "/" + str(sub, "spec", "channel")
			if c.after(key, 2*time.Second, 10*time.Second) && setCondition(c, sub, "ResolutionFailed", "True", "ConstraintsNotSatisfiable", msg) {
				c.put(sub)
			}
			continue
		}
		if dropCondition(sub, "ResolutionFailed") {
			c.put(sub)
		}
		head := ch.next(installed)
		if installed == "" {
			// A new Subscription starts at spec.startingCSV, else at
			// the channel's head.
			head = ch.head()
			for _, csv := range ch.csvs {
				if csv == str(sub, "spec", "startingCSV") {
					head = csv
				}
			}
		}
		if head == "" {
			if str(sub, "status", "state") != "AtLatestKnown" || dropCondition(sub, "InstallPlanPending") {
				setNested(sub, "AtLatestKnown", "status", "state")
				setNested(sub, installed, "status", "currentCSV")
				c.put(sub)
			}
			continue
		}
		var ip Object
		for _, p := range c.list(ns, "InstallPlan") {
			for _, n := range list(p, "spec", "clusterServiceVersionNames") {
				if n == head {
					ip = p
				}
			}
		}
		if ip == nil {
			key := "olm-plan/" + base + "/" + head
			if !c.after(key, 3*time.Second, 15*time.Second) {
				continue
			}
			c.done(key)
			approval := str(sub, "spec", "installPlanApproval")
			if approval == "" {
				approval = "Automatic"
			}
			gen := num(sub, "status", "installPlanGeneration") + 1
			phase := "Installing"
			if approval == "Manual" {
				phase = "RequiresApproval"
			}
			ip = Object{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "InstallPlan",
				"metadata": map[string]any{"name": "install-" + c.suffix(5), "namespace": ns,
					"ownerReferences": []any{ownerRef(sub)}},
				"spec": map[string]any{"approval": approval, "approved": approval == "Automatic",
					"clusterServiceVersionNames": []any{head}, "generation": gen},
				"status": map[string]any{"phase": phase, "catalogSources": []any{str(sub, "spec", "source")}}}
			c.create(ip)
			ref := map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "InstallPlan",
				"name": str(ip, "metadata", "name"), "namespace": ns, "uid": str(ip, "metadata", "uid")}
			setNested(sub, ref, "status", "installPlanRef")
			setNested(sub, map[string]any{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "InstallPlan",
				"name": str(ip, "metadata", "name"), "uuid": str(ip, "metadata", "uid")}, "status", "installplan")
			setNested(sub, gen, "status", "installPlanGeneration")
			setNested(sub, head, "status", "currentCSV")
			setNested(sub, "UpgradePending", "status", "state")
			setNested(sub, c.timestamp(), "status", "lastUpdated")
			setCondition(c, sub, "InstallPlanPending", "True", phase, "")
			c.put(sub)
			continue
		}
		ipName := str(ip, "metadata", "name")
		switch str(ip, "status", "phase") {
		case "RequiresApproval":
			if approved, _ := nested(ip, "spec", "approved").(bool); approved {
				setNested(ip, "Installing", "status", "phase")
				c.put(ip)
				setCondition(c, sub, "InstallPlanPending", "True", "Installing", "")
				c.put(sub)
			}
		case "Installing":
			key := "olm-install/" + ns + "/" + ipName
			if !c.after(key, 10*time.Second, 40*time.Second) {
				continue
			}
			c.done(key)
			csv := c.get(ns, "ClusterServiceVersion", head)
			if csv == nil {
				csv = c.newCSV(ns, head, installed)
			}
			setNested(ip, "Complete", "status", "phase")
			c.put(ip)
			if str(csv, "status", "phase") == "Succeeded" {
				c.succeedCSV(sub, csv)
			}
			setNested(sub, head, "status", "installedCSV")
			setNested(sub, head, "status", "currentCSV")
			setNested(sub, "AtLatestKnown", "status", "state")
			setNested(sub, c.timestamp(), "status", "lastUpdated")
			dropCondition(sub, "InstallPlanPending")
			c.put(sub)
		}
	}
}

// succeedCSV finishes the install of a CSV whose requirements the
// cluster meets: it succeeds, the CSV it replaces goes, and the operator's
// Deployment rolls out on its version (a new Deployment, the old one
// deleted, when the operator's Deployment name changed: 3scale-operator
// up to 0.7, threescale-operator-controller-manager at 0.8,
// threescale-operator-controller-manager-v2 after; see deploymentOf).
func (c *Cluster) succeedCSV(sub, csv Object) {
	ns, name := str(csv, "metadata", "namespace"), str(csv, "metadata", "name")
	if str(csv, "status", "phase") != "Succeeded" {
		csv["status"] = map[string]any{"phase": "Succeeded", "reason": "InstallSucceeded", "message": "install strategy completed with no errors",
			"lastTransitionTime": c.timestamp(), "lastUpdateTime": c.timestamp()}
		c.put(csv)
	}
	replaced := str(csv, "spec", "replaces")
	if old := c.get(ns, "ClusterServiceVersion", replaced); old != nil && replaced != name {
		c.remove(keyOf(old))
	}
	for _, p := range builtinCatalog() {
		if p.name != str(sub, "spec", "name") {
			continue
		}
		want := p.deploymentOf(csvVersion(name))
		d := c.get(ns, "Deployment", want)
		if d == nil && replaced != "" {
			if old := c.get(ns, "Deployment", p.deploymentOf(csvVersion(replaced))); old != nil {
				d = clone(old)
				meta := map[string]any{"name": want, "namespace": ns}
				for _, k := range []string{"labels", "annotations"} {
					if v := mapAt(old, "metadata", k); v != nil {
						meta[k] = clone(v)
					}
				}
				d["metadata"] = meta
				delete(d, "status")
				for _, pod := range c.list(ns, "Pod") {
					if ownedByDeployment(pod, str(old, "metadata", "name")) {
						c.terminate(pod)
					}
				}
				c.remove(keyOf(old))
				c.create(d)
			}
		}
		if d != nil {
			for _, ctr := range list(d, "spec", "template", "spec", "containers") {
				m := ctr.(map[string]any)
				m["image"] = pinned(repository(str(m, "image")) + ":" + csvVersion(name))
			}
			setNested(d, name, "spec", "template", "metadata", "labels", "olm.owner")
			c.bumpGeneration(d)
			c.put(d)
		}
	}
}

func (c *Cluster) bumpGeneration(obj Object) {
	setNested(obj, num(obj, "metadata", "generation")+1, "metadata", "generation")
}

// threescaleVersion maps an operator version 0.M.P to the 3scale release
// it installs, as it writes it into the APIManager's
// apps.3scale.net/apimanager-threescale-version annotation: 2.(M+3).P from
// 0.12 (2.15) on, when the annotation took the patch release
// (version.ThreescaleVersionMajorMinorPatch of 3scale/3scale-operator
// 3scale-2.15.1-GA), 2.(M+3) before (product.ThreescaleRelease of v0.5.0,
// "2.8").
func threescaleVersion(op string) string {
	parts := strings.Split(op, ".")
	if len(parts) != 3 {
		return ""
	}
	m, err := strconv.Atoi(parts[1])
	if err != nil {
		return ""
	}
	if m+3 < 15 {
		return fmt.Sprintf("2.%d", m+3)
	}
	return fmt.Sprintf("2.%d.%s", m+3, parts[2])
}

func majorMinor(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// operatorFor finds the Subscription of a package and whether its
// operator's Deployment runs the installed version, ready.
func (c *Cluster) operatorFor(pkg string) (sub Object, running bool) {
	for _, s := range c.list("", "Subscription") {
		if str(s, "spec", "name") != pkg {
			continue
		}
		ns, installed := str(s, "metadata", "namespace"), str(s, "status", "installedCSV")
		name := OperatorDeployment(pkg, installed)
		if name == "" {
			return s, false // not a package of the catalog
		}
		d := c.get(ns, "Deployment", name)
		// A CSV waiting for its requirements does not run: OLM has not
		// rolled its Deployment out.
		csv := c.get(ns, "ClusterServiceVersion", installed)
		running = d != nil && (csv == nil || str(csv, "status", "phase") == "Succeeded") && num(d, "status", "readyReplicas") > 0 &&
			num(d, "status", "updatedReplicas") == num(d, "status", "replicas") &&
			num(d, "status", "observedGeneration") == num(d, "metadata", "generation")
		return s, running
	}
	return nil, false
}

// externalMissing lists the databases an APIManager still runs inside
// 3scale, which the 2.16 operator refuses.
func externalMissing(am Object) []string {
	var out []string
	for _, f := range [][]string{{"system", "database"}, {"system", "redis"}, {"backend", "redis"}} {
		if v, _ := nested(am, "spec", "externalComponents", f[0], f[1]).(bool); !v {
			out = append(out, f[0]+"."+f[1])
		}
	}
	return out
}

// threescaleOperator plays the 3scale operator while its Deployment runs:
// it moves the APIManager to its own release some time after it was
// installed (annotations; images of the Deployments it owns from 2.15 on,
// of the image streams its DeploymentConfigs follow before: see
// upgradeImageStreams), refuses an APIManager with internal databases at
// 2.16 with a Preflights condition, and scales the Deployments it owns
// back to their replicas (before 2.15, the DeploymentConfigs whose replicas
// the APIManager sets: reconcileDCReplicas).
func threescaleOperator(c *Cluster) {
	sub, running := c.operatorFor("3scale-operator")
	if sub == nil || !running {
		return
	}
	op := csvVersion(str(sub, "status", "installedCSV"))
	target := threescaleVersion(op)
	if target == "" {
		return
	}
	for _, am := range c.list("", "APIManager") {
		ns, name := str(am, "metadata", "namespace"), str(am, "metadata", "name")
		base := ns + "/" + name
		for _, d := range c.list(ns, "Deployment") {
			if !ownedBy(d, "APIManager", name) || externalComponentDeployment(am, str(d, "metadata", "name")) {
				continue
			}
			if nested(d, "spec", "replicas") != nil && num(d, "spec", "replicas") == 0 {
				key := "3scale-replicas/" + ns + "/" + str(d, "metadata", "name")
				if c.after(key, 5*time.Second, 20*time.Second) {
					c.done(key)
					setNested(d, int64(1), "spec", "replicas")
					c.bumpGeneration(d)
					c.put(d)
				}
			}
		}
		if minorOf(target) < 15 {
			reconcileDCReplicas(c, am)
		}
		jobController(c, ns)
		if annotation(am, threescaleAnn) == target && annotation(am, operatorAnn) == op {
			continue
		}
		if minorOf(target) >= 16 {
			if missing := externalMissing(am); len(missing) > 0 {
				key := "3scale-preflight/" + base + "/" + target
				if c.after(key, 5*time.Second, 20*time.Second) {
					msg := fmt.Sprintf("3scale %s does not support internal databases: spec.externalComponents %s must be true", majorMinor(target), strings.Join(missing, ", "))
					if setCondition(c, am, "Preflights", "False", "PreflightsFailed", msg) {
						c.put(am)
					}
				}
				continue
			}
		}
		if m := minorOf(target); m >= 9 && m <= 15 && !upgradeStaged(c, am, target) {
			continue
		}
		key := "3scale-upgrade/" + base + "/" + target
		if !c.after(key, 20*time.Second, 90*time.Second) {
			continue
		}
		c.done(key)
		delete(c.st.Stages, upgradeKey(am, target))
		setAnnotation(am, threescaleAnn, target)
		setAnnotation(am, operatorAnn, op)
		if minorOf(target) == 15 {
			cm := c.requirementsConfigMap(sub)
			setAnnotation(am, "apps.3scale.net/apimanager-confirmed-requirements-version", str(cm, "metadata", "resourceVersion"))
		}
		setCondition(c, am, "Preflights", "True", "PreflightsPass", "All requirements for the current version are met")
		for _, cond := range list(am, "status", "conditions") {
			if str(cond, "type") == "Available" && str(cond, "reason") == "UpgradeFailed" {
				setCondition(c, am, "Available", "True", "", "")
			}
		}
		c.put(am)
		for _, d := range c.list(ns, "Deployment") {
			if !ownedBy(d, "APIManager", name) {
				continue
			}
			changed := false
			for _, ctr := range list(d, "spec", "template", "spec", "containers") {
				m := ctr.(map[string]any)
				if img := str(m, "image"); strings.Contains(img, "/3scale-amp2/") {
					m["image"] = pinned(repository(img) + ":3scale" + majorMinor(target))
					changed = true
				}
			}
			if changed {
				c.bumpGeneration(d)
				c.put(d)
			}
		}
		if minorOf(target) < 9 {
			upgradeImageStreams(c, am, majorMinor(target))
		}
	}
}

// requirementsConfigMap is the ConfigMap the 2.15 operator's Subscription
// controller keeps in its namespace with the CSV's requirements
// annotations (controllers/subscription of 3scale-2.15-stable), created
// when missing.
func (c *Cluster) requirementsConfigMap(sub Object) Object {
	ns := str(sub, "metadata", "namespace")
	const name = "3scale-api-management-operator-requirements"
	if cm := c.get(ns, "ConfigMap", name); cm != nil {
		return cm
	}
	cm := Object{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns, "ownerReferences": []any{ownerRef(sub)}},
		"data": map[string]any{"rht_mysql_requirements": "8.0.0", "rht_postgres_requirements": "10.0.0",
			"rht_backend_redis_requirements": "6.2.0", "rht_system_redis_requirements": "6.2.0"}}
	c.create(cm)
	return cm
}

// dcReplicas are the DeploymentConfigs whose replica count the 3scale
// operator before 2.15 keeps at the APIManager's (the
// DeploymentConfigReconcileReplicas calls of v0.5.0's apicast, backend,
// system and zync reconcilers), with the APIManager field that sets it,
// default 1 (APIManager.SetDefaults). system-sphinx, memcached, Redis and
// the databases keep the count set on them (their reconcilers compare
// resources only, or create only).
var dcReplicas = map[string][2]string{
	"apicast-staging": {"apicast", "stagingSpec"}, "apicast-production": {"apicast", "productionSpec"},
	"backend-listener": {"backend", "listenerSpec"}, "backend-worker": {"backend", "workerSpec"}, "backend-cron": {"backend", "cronSpec"},
	"system-app": {"system", "appSpec"}, "system-sidekiq": {"system", "sidekiqSpec"},
	"zync": {"zync", "appSpec"}, "zync-que": {"zync", "queSpec"},
}

// reconcileDCReplicas is what an operator before 2.15 does to the
// DeploymentConfigs it owns whose replicas the APIManager sets: some time
// after one is scaled by hand (oc scale), it is scaled back to the
// APIManager's count, so that only a change of the APIManager keeps
// system-app or zync stopped.
func reconcileDCReplicas(c *Cluster, am Object) {
	ns, name := str(am, "metadata", "namespace"), str(am, "metadata", "name")
	for _, dc := range c.list(ns, "DeploymentConfig") {
		dcName := str(dc, "metadata", "name")
		field, ok := dcReplicas[dcName]
		if !ok || !ownedBy(dc, "APIManager", name) {
			continue
		}
		want := int64(1)
		if nested(am, "spec", field[0], field[1], "replicas") != nil {
			want = num(am, "spec", field[0], field[1], "replicas")
		}
		if nested(dc, "spec", "replicas") != nil && num(dc, "spec", "replicas") == want {
			continue
		}
		key := fmt.Sprintf("3scale-dc-replicas/%s/%s/%d", ns, dcName, want)
		if c.after(key, 5*time.Second, 20*time.Second) {
			c.done(key)
			setNested(dc, want, "spec", "replicas")
			c.put(dc)
		}
	}
}

// ampImageStreams are the image streams the 3scale operator reconciles
// before 2.15, when it deployed DeploymentConfigs that follow them
// (pkg/3scale/amp/component/ampimages.go, redis.go,
// system_mysql_image.go and system_postgresql_image.go of
// 3scale/3scale-operator v0.5.0): the streams of the databases only while
// the APIManager runs them.
var ampImageStreams = []string{"amp-backend", "amp-zync", "amp-apicast", "amp-system", "zync-database-postgresql", "system-memcached",
	"backend-redis", "system-redis", "system-mysql", "system-postgresql"}

// upgradeImageStreams is what an operator of release (2.M, before 2.15)
// does to the image streams of the APIManager's project when it upgrades
// it (UpgradeApiManager.upgradeImages and ImageStreamGenericReconciler of
// v0.5.0): each stream gets a tag named after the release from the
// release's image, and its latest tag points at that tag, so that the
// DeploymentConfigs' ImageChange triggers on latest roll them out. The
// release's image is the 3scale-amp2 repository of the stream's current
// image at tag 3scalerelease; the databases' images (rhscl) stay.
func upgradeImageStreams(c *Cluster, am Object, release string) {
	ns := str(am, "metadata", "namespace")
	for _, name := range ampImageStreams {
		is := c.get(ns, "ImageStream", name)
		if is == nil || externalComponentDeployment(am, name) {
			continue
		}
		current := ""
		if latest := specTag(is, "latest"); latest != nil {
			switch str(latest, "from", "kind") {
			case "DockerImage":
				current = str(latest, "from", "name")
			case "ImageStreamTag":
				current = str(specTag(is, str(latest, "from", "name")), "from", "name")
			}
		}
		if current == "" {
			continue
		}
		image := current
		if strings.Contains(current, "/3scale-amp2/") {
			image = repository(current) + ":3scale" + release
		}
		next := clone(is)
		want := map[string]string{release: "DockerImage:" + image, "latest": "ImageStreamTag:" + release}
		var tags []any
		for _, t := range list(next, "spec", "tags") {
			tags = append(tags, t)
		}
		gen := num(is, "metadata", "generation") + 1
		changed := false
		for _, tagName := range []string{release, "latest"} {
			kind, from, _ := strings.Cut(want[tagName], ":")
			tag := specTag(next, tagName)
			if tag == nil {
				tag = map[string]any{"name": tagName, "importPolicy": map[string]any{}, "referencePolicy": map[string]any{"type": "Source"}}
				tags = append(tags, tag)
				setNested(next, tags, "spec", "tags")
			}
			if str(tag, "from", "kind") != kind || str(tag, "from", "name") != from {
				tag["from"] = map[string]any{"kind": kind, "name": from}
				tag["generation"] = gen
				changed = true
			}
		}
		if changed {
			setNested(next, gen, "metadata", "generation")
			c.put(next)
		}
	}
}

func externalComponentDeployment(am Object, d string) bool {
	ext := func(a, b string) bool { v, _ := nested(am, "spec", "externalComponents", a, b).(bool); return v }
	switch d {
	case "system-mysql", "system-postgresql":
		return ext("system", "database")
	case "system-redis":
		return ext("system", "redis")
	case "backend-redis":
		return ext("backend", "redis")
	case "zync-database":
		return ext("zync", "database")
	}
	return false
}

// apicastOperator moves each APIcast's operator-version annotation to the
// installed APIcast operator's version some time after it runs.
func apicastOperator(c *Cluster) {
	sub, running := c.operatorFor("apicast-operator")
	if sub == nil || !running {
		return
	}
	op := csvVersion(str(sub, "status", "installedCSV"))
	for _, a := range c.list("", "APIcast") {
		if annotation(a, apicastOperAnn) == op {
			continue
		}
		key := "apicast-upgrade/" + str(a, "metadata", "namespace") + "/" + str(a, "metadata", "name") + "/" + op
		if !c.after(key, 10*time.Second, 60*time.Second) {
			continue
		}
		c.done(key)
		setAnnotation(a, apicastOperAnn, op)
		c.put(a)
	}
}

// minorOf is the minor number of a 2.M release.
func minorOf(v string) int {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return 0
	}
	m, _ := strconv.Atoi(parts[1])
	return m
}
