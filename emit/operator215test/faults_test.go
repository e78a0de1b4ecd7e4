package operator215test

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// Crash at the calls of the 2.15 → 2.16 runbook: the property of
// emit/propertytest's fault sequences, for a site of TestVerifiesCanFail
// whose run moves data (verifySite.faults), sharing its run without faults.

// faultPlans are the fault sequences of s. By default there is one: each
// step that calls oc (bundletest.FaultedSteps) fails once, at a call and
// in a way chosen by its name, or at the call verifySite.faultAfter names.
// With AMPC_EXHAUSTIVE=1 there is one for each n and each way: every step
// with at least n calls fails at its nth, before, after or detached
// (faultAfter's calls are among them); with AMPC_DETACH_SWEEP=1, one for
// each n: every step with at least n oc exec calls has its nth detached.
// stopsOnceIn is left out: the run has failed it.
func faultPlans(s *preparedSite) []map[string]bundletest.CallFault {
	if testenv.DetachSweep() {
		perStep := maps.Clone(s.perStepExec)
		delete(perStep, s.stopsOnceIn)
		return bundletest.EveryExecPlans(perStep)
	}
	if testenv.Exhaustive() {
		perStep := maps.Clone(s.perStep)
		delete(perStep, s.stopsOnceIn)
		return bundletest.EveryCallPlans(perStep)
	}
	plan := map[string]bundletest.CallFault{}
	for step := range bundletest.FaultedSteps(s.perStep) {
		if step != s.stopsOnceIn {
			plan[step] = bundletest.DrawnFault(stepHash(step), s.perStep[step])
		}
	}
	for step, at := range s.faultAfter {
		plan[step] = bundletest.CallFault{At: at, Mode: ocsim.After}
	}
	return []map[string]bundletest.CallFault{plan}
}

// faultSequences runs each of s's fault sequences (faultPlans).
func faultSequences(t *testing.T, s *preparedSite) {
	t.Helper()
	plans := faultPlans(s)
	if len(plans) == 1 {
		faultSequence(t, s, plans[0], true)
		return
	}
	for i, plan := range plans {
		t.Run(fmt.Sprintf("sequence-%d", i+1), func(t *testing.T) {
			faultSequence(t, s, plan, false)
		})
	}
}

// faultSequence runs the site's runbook on a new cluster of the site with
// the faults of plan, re-running after each failure (the client sees an
// error both ways). The run that completes (or, for a site whose run
// stops at a step, stops there) must leave what the site's run without
// faults left: the objects as they are wanted (op215Desired, without the
// restart stamps of the logical clock), the data of every database
// workload, and the same backups. With allFire, every fault of plan must
// have fired (a plan drawn from the run's own counts); the exhaustive
// plans' nth call may not come in a run whose polls end sooner.
func faultSequence(t *testing.T, s *preparedSite, plan map[string]bundletest.CallFault, allFire bool) {
	t.Helper()
	c, work := s.cluster(t), t.TempDir()
	faults := bundletest.NewStepFaults(plan)
	c.Fault = faults.Fault
	var log strings.Builder
	waits := 0
	for run := 1; ; run++ {
		if run > len(plan)+2+waits {
			t.Fatalf("no complete run after %d runs:\n%s", run-1, log.String())
		}
		faults.Run()
		out, err := c.runEnv(t, s.bundle, work, s.fail, nil, s.acks...)
		fmt.Fprintf(&log, "--- run %d\n%s", run, bundletest.Tail(out, 25))
		started := bundletest.StartedSteps(out)
		if s.stopsAt == "" && err == nil {
			break
		}
		if s.stopsAt != "" && err != nil && len(started) > 0 && started[len(started)-1] == s.stopsAt {
			break
		}
		if err == nil {
			t.Fatalf("run %d completed; the run without faults stopped at %s:\n%s", run, s.stopsAt, log.String())
		}
		if !faults.Injected(out) {
			// A step that found the command of a detached exec still
			// running says to wait for it: the person does, then
			// re-runs.
			if c.Pending() > 0 && bundletest.AsksToWait(out) {
				waits++
				c.WaitDetached(t)
				continue
			}
			t.Fatalf("run %d failed, not at a step with an injected fault: %v\n%s", run, err, log.String())
		}
	}

	if missed := faults.Missed(); len(missed) > 0 {
		report := t.Logf
		if allFire {
			report = t.Errorf
		}
		report("the faults of %v never fired: the runs made fewer calls in those steps than the run without faults", missed)
	}
	// No double effect: each workload is at the generation the run without
	// faults left it at (a restart or a patch made twice moves it on).
	clean, faulted := s.ran.all(t), c.all(t)
	for key, obj := range clean {
		if obj["kind"] != "Deployment" && obj["kind"] != "DeploymentConfig" {
			continue
		}
		if a, b := bundletest.Get(obj, "metadata", "generation"), bundletest.Get(faulted[key], "metadata", "generation"); a != b {
			t.Errorf("%s is at generation %v, %v after the run without faults", key, b, a)
		}
	}
	want, got := steady(clean), steady(faulted)
	for key := range want {
		if !reflect.DeepEqual(want[key], got[key]) {
			a, _ := json.Marshal(want[key])
			b, _ := json.Marshal(got[key])
			t.Errorf("%s differs from the run without faults:\n%s\n%s", key, a, b)
		}
	}
	for key := range got {
		if want[key] == nil {
			t.Errorf("%s exists, not after the run without faults", key)
		}
	}
	// What detached commands are left end before the data is compared
	// (the objects are as the runs left them: time moves them on): one
	// that lands after the runs, a second import, shows then.
	c.WaitDetached(t)
	workloads := databaseWorkloads(s.ran.all(t))
	if len(workloads) == 0 {
		t.Error("the site runs no database workload to compare")
	}
	for _, w := range workloads {
		a, b := s.ran.Data(t, w[0], w[1]), c.Data(t, w[0], w[1])
		for _, d := range []*ocsim.Data{a, b} {
			for _, keys := range d.Redis {
				delete(keys, "liveness-probe")
			}
		}
		if !reflect.DeepEqual(a, b) {
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			t.Errorf("%s/%s holds other data than after the run without faults:\n%s\n%s", w[0], w[1], x, y)
		}
	}
	if a, b := backupNames(t, s.work), backupNames(t, work); !reflect.DeepEqual(a, b) {
		t.Errorf("backups %v, the run without faults wrote %v", b, a)
	}
	if t.Failed() {
		t.Logf("the runs:\n%s", log.String())
	}
}

// steady is op215Desired with each spec without its restart stamp
// (bundletest.WithoutRestartStamp), which the logical clock makes differ
// between runs.
func steady(objects map[string]map[string]any) map[string]any {
	out := op215Desired(objects)
	for _, v := range out {
		fields := v.([]any)
		fields[0] = bundletest.WithoutRestartStamp(fields[0])
	}
	return out
}

// databaseWorkloads are the namespace and workload of each Deployment that
// runs a database server (its image's name says which).
func databaseWorkloads(objects map[string]map[string]any) [][2]string {
	var out [][2]string
	for _, obj := range objects {
		if obj["kind"] != "Deployment" {
			continue
		}
		image, _ := bundletest.Get(obj, "spec", "template", "spec", "containers").([]any)
		if len(image) == 0 {
			continue
		}
		img, _ := bundletest.Get(image[0], "image").(string)
		if strings.Contains(img, "redis") || strings.Contains(img, "mysql") || strings.Contains(img, "postgresql") {
			ns, _ := bundletest.Get(obj, "metadata", "namespace").(string)
			out = append(out, [2]string{ns, "deployment/" + bundletest.Get(obj, "metadata", "name").(string)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0]+out[i][1] < out[j][0]+out[j][1] })
	return out
}

// backupNames lists the files a run wrote under work (its backups and
// markers), but its logs and state file, whose names hold the time.
func backupNames(t *testing.T, work string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.HasSuffix(name, ".log") || strings.HasSuffix(name, ".state") {
			return nil
		}
		rel, _ := filepath.Rel(work, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// stepHash is a step's name hashed (FNV-1a).
func stepHash(step string) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, step)
	return h.Sum64()
}
