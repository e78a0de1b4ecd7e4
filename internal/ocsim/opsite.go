package ocsim

import (
	"fmt"
	"strconv"
)

// ThreescaleChannelCSVs lists the CSVs of a threescale-2.X channel of the
// built-in catalog's 3scale-operator package, in replaces order (the head
// last), nil for a channel it lacks.
func ThreescaleChannelCSVs(channel string) []string {
	for _, p := range builtinCatalog() {
		if p.name != "3scale-operator" {
			continue
		}
		for _, ch := range p.channels {
			if ch.name == channel {
				return append([]string(nil), ch.csvs...)
			}
		}
	}
	return nil
}

// ThreescaleOperatorDeployment is the name of the Deployment that OLM runs
// for a 3scale operator CSV (3scale-operator.v0.M.P): 3scale-operator up
// to 0.7, threescale-operator-controller-manager at 0.8,
// threescale-operator-controller-manager-v2 after.
func ThreescaleOperatorDeployment(csv string) string {
	return builtinCatalog()[0].deploymentOf(csvVersion(csv))
}

// UpgradeSite applies to the objects of one namespace of an
// operator-based site at release 2.from what the simulated 3scale
// operators of 2.(from+1) to 2.to change in it (2.9 to 2.14; see
// opupgrade.go), at once, and returns the objects: the seeds of sites at
// those releases are the 2.8 objects brought forward by the same code
// that moves a running site, so that a seeded 2.X site is what the
// simulator's own upgrade to 2.X leaves. The objects must hold the site's
// APIManager; its annotations are left to the caller.
func UpgradeSite(objects []map[string]any, from, to string) ([]map[string]any, error) {
	f, t := minorOf(from), minorOf(to)
	if f < 8 || t > 14 || f > t {
		return nil, fmt.Errorf("UpgradeSite %s to %s: want 2.8 <= from <= to <= 2.14", from, to)
	}
	c := &Cluster{cfg: Config{Namespace: "3scale", Seed: 1}, objs: map[objKey]Object{}, dirty: map[objKey]bool{},
		touched: map[string]bool{}, instant: true, st: State{Timers: map[string]int64{}, Stages: map[string]string{}}}
	var am Object
	for _, o := range objects {
		obj := clone(o)
		if str(obj, "metadata", "namespace") == "" {
			setNested(obj, "3scale", "metadata", "namespace")
		}
		if obj["kind"] == "APIManager" {
			am = obj
		}
		c.objs[keyOf(obj)] = obj
	}
	if am == nil {
		return nil, fmt.Errorf("UpgradeSite: no APIManager among the objects")
	}
	for _, st := range stagesFor(f, t) {
		if !st.run(c, am) {
			return nil, fmt.Errorf("UpgradeSite: stage %q of 2.%s did not finish at once", st.name, strconv.Itoa(t))
		}
	}
	out := make([]map[string]any, 0, len(c.objs))
	for _, obj := range c.list("", "") {
		out = append(out, obj)
	}
	return out, nil
}
