package operator215test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ampc/ampc/internal/bundletest"
	"github.com/ampc/ampc/internal/ocsim"
	"github.com/ampc/ampc/internal/testenv"
)

// A siteRollback is the rollback a site of TestVerifiesCanFail offers and
// what it gives back: the Secrets of 3scale's project and the APIManager's
// spec fields as they were before the run, and the data of the database
// workloads it points 3scale at again.
type siteRollback struct {
	id         string
	secrets    []string
	apimanager [][]string
	// data is what each workload (in 3scale) held before the run.
	data func() map[string]ocsim.Data
}

// defaultRollbackSite is the site whose rollback sweep runs by default.
const defaultRollbackSite = "postgresql"

// siteRollbacks are the rollbacks of the sites whose runs move data.
var siteRollbacks = map[string]siteRollback{
	"upgraded": {id: "2.15-2.16/redis", secrets: []string{"backend-redis", "system-redis"},
		apimanager: [][]string{{"externalComponents", "backend", "redis"}, {"externalComponents", "system", "redis"}},
		data: func() map[string]ocsim.Data {
			out := map[string]ocsim.Data{}
			for name, keys := range redis215Keys {
				out["deployment/"+name] = ocsim.Data{Redis: keys}
			}
			return out
		}},
	"postgresql": {id: "2.15-2.16/postgresql", secrets: []string{"system-database"},
		apimanager: [][]string{{"externalComponents", "system", "database"}, {"system", "database"}},
		data: func() map[string]ocsim.Data {
			return map[string]ocsim.Data{"deployment/system-postgresql": {PostgreSQL: pg215Rows()}}
		}},
}

// rollbackSweep stops the site's run in a step of its rollback's window
// (from the step it is offered from to the one before it is offered
// until), every call of the step failing, and runs the rollback there. It
// must apply and give back what it says: 3scale's Secrets and APIManager
// fields as before the run, the workloads of 3scale at their replicas, the
// databases it points 3scale at again holding what they held. Then a
// re-run (a plain ./runbook.sh, as the rollback says) must end as the run
// without a rollback did: the same data in every database workload and the
// same objects. By default it runs on one site (defaultRollbackSite) and
// stops in the last changing step of its window, the whole move made (the
// test budget); AMPC_EXHAUSTIVE=1 stops in each changing step of the
// window of every site.
func rollbackSweep(t *testing.T, s *preparedSite, rb siteRollback) {
	t.Helper()
	pf := bundletest.Op215ReadPlan(t, s.bundle)
	var ids []string
	kinds := map[string]string{}
	for _, st := range pf.Steps {
		ids = append(ids, st.ID)
		kinds[st.ID] = st.Kind
	}
	var plan struct {
		Rollbacks []struct {
			ID           string
			OfferedFrom  string `json:"offered_from"`
			OfferedUntil string `json:"offered_until"`
		}
	}
	raw, err := os.ReadFile(filepath.Join(s.bundle, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	var from, until int = -1, -1
	for _, r := range plan.Rollbacks {
		if r.ID == rb.id {
			from, until = slices.Index(ids, r.OfferedFrom), slices.Index(ids, r.OfferedUntil)
		}
	}
	if from < 0 || until <= from {
		t.Fatalf("plan.json offers no rollback %s with a window of steps", rb.id)
	}
	var points []string
	for _, id := range ids[from:until] {
		switch kinds[id] {
		case "verify", "wait", "manual":
			continue
		}
		if s.perStep[id] > 0 {
			points = append(points, id)
		}
	}
	if len(points) == 0 {
		t.Fatalf("no step of %s's window changes anything", rb.id)
	}
	if !testenv.Exhaustive() {
		// The last: the whole move made, 3scale pointed at the new
		// instances, everything to give back.
		points = points[len(points)-1:]
	}
	for _, point := range points {
		t.Run(strings.TrimPrefix(point, "2.15-2.16/"), func(t *testing.T) {
			rollbackAt(t, s, rb, point)
		})
	}
}

// rollbackAt is rollbackSweep's check at one step.
func rollbackAt(t *testing.T, s *preparedSite, rb siteRollback, point string) {
	c, work := s.cluster(t), t.TempDir()
	before := c.all(t)
	var log strings.Builder

	c.Fault = func(call ocsim.Call) ocsim.Fault {
		if call.Env["AMPC_STEP"] == point {
			return ocsim.Before
		}
		return ocsim.Pass
	}
	out, err := c.runEnv(t, s.bundle, work, "", nil, s.acks...)
	fmt.Fprintf(&log, "--- the run stopped in %s\n%s", point, bundletest.Tail(out, 20))
	if started := bundletest.StartedSteps(out); err == nil || len(started) == 0 || started[len(started)-1] != point {
		t.Fatalf("the run did not stop in %s: %v\n%s", point, err, log.String())
	}
	if !strings.Contains(out, "--rollback "+rb.id) {
		t.Errorf("the run that failed in %s does not offer the rollback %s:\n%s", point, rb.id, bundletest.Tail(out, 10))
	}
	c.Fault = nil
	out, err = c.runEnv(t, s.bundle, work, "", nil, "--rollback", rb.id)
	fmt.Fprintf(&log, "--- the rollback\n%s", bundletest.Tail(out, 20))
	if err != nil || !strings.Contains(out, "rollback "+rb.id+" done") {
		t.Fatalf("the rollback after a failure in %s: %v\n%s", point, err, log.String())
	}

	after := c.all(t)
	for _, name := range rb.secrets {
		key := "3scale/Secret/" + name
		if !reflect.DeepEqual(before[key]["data"], after[key]["data"]) {
			t.Errorf("the rollback did not give back %s as it was", key)
		}
	}
	amKey := "3scale/APIManager/apimanager-sample"
	for _, path := range rb.apimanager {
		p := []any{"spec"}
		for _, f := range path {
			p = append(p, f)
		}
		// An absent flag is false, as the operator reads it.
		a, b := bundletest.Get(before[amKey], p...), bundletest.Get(after[amKey], p...)
		if a == nil {
			a = false
		}
		if b == nil {
			b = false
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("the APIManager's spec.%s is %v after the rollback, %v before the run", strings.Join(path, "."), b, a)
		}
	}
	for key, obj := range before {
		if !strings.HasPrefix(key, "3scale/Deployment/") {
			continue
		}
		if a, b := bundletest.Get(obj, "spec", "replicas"), bundletest.Get(after[key], "spec", "replicas"); !reflect.DeepEqual(a, b) {
			t.Errorf("%s has %v replicas after the rollback, %v before the run", key, b, a)
		}
	}
	for w, want := range rb.data() {
		got := c.Data(t, "3scale", w)
		for n, keys := range want.Redis {
			for k, v := range keys {
				if got.Redis[n][k] != v {
					t.Errorf("%s db%d key %s is %q after the rollback, %q before the run", w, n, k, got.Redis[n][k], v)
				}
			}
		}
		for name, db := range want.PostgreSQL {
			if g := got.PostgreSQL[name]; g == nil || !reflect.DeepEqual(g.Tables, db.Tables) {
				b, _ := json.Marshal(g)
				t.Errorf("%s: database %s after the rollback: %s", w, name, b)
			}
		}
	}

	// The move again, to where the run without a rollback ended.
	for run := 1; ; run++ {
		if run > 4 {
			t.Fatalf("no run after the rollback ended as the run without it:\n%s", log.String())
		}
		out, err := c.runEnv(t, s.bundle, work, s.fail, nil, s.acks...)
		fmt.Fprintf(&log, "--- re-run %d\n%s", run, bundletest.Tail(out, 20))
		started := bundletest.StartedSteps(out)
		last := ""
		if len(started) > 0 {
			last = started[len(started)-1]
		}
		if s.stopsAt == "" && err == nil || s.stopsAt != "" && err != nil && last == s.stopsAt {
			break
		}
		if err != nil && last == "2.15-2.16/pg-restore" && strings.Contains(out, "holds tables already") {
			// The restore of the attempt the rollback ended is in
			// PostgreSQL 15, which the rollback kept: the person drops
			// and creates the database as the step says, and re-runs.
			cmd := "exec deployment/system-postgresql-external --namespace=3scale-db -- psql -U postgres -c"
			if !strings.Contains(out, "oc "+cmd+" 'DROP DATABASE system' -c 'CREATE DATABASE system OWNER <DB_USER>'") {
				t.Fatalf("the stop at pg-restore does not give the command that empties the database:\n%s", log.String())
			}
			args := append(strings.Fields(cmd), "DROP DATABASE system", "-c", "CREATE DATABASE system OWNER system")
			if out, err := c.OC(t, "", args...); err != nil {
				t.Fatalf("the person's %v: %v\n%s", args, err, out)
			}
			continue
		}
		if err == nil || last != s.stopsOnceIn {
			t.Fatalf("re-run %d after the rollback failed: %v\n%s", run, err, log.String())
		}
	}
	clean, redone := s.ran.all(t), c.all(t)
	for _, w := range databaseWorkloads(clean) {
		a, b := s.ran.Data(t, w[0], w[1]), c.Data(t, w[0], w[1])
		for _, d := range []*ocsim.Data{a, b} {
			for _, keys := range d.Redis {
				delete(keys, "liveness-probe")
			}
		}
		if !reflect.DeepEqual(a, b) {
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			t.Errorf("%s/%s holds other data after the rollback and the re-run than after the run without a rollback:\n%s\n%s", w[0], w[1], x, y)
		}
	}
	want, got := steady(clean), steady(redone)
	for key := range want {
		if !reflect.DeepEqual(want[key], got[key]) {
			a, _ := json.Marshal(want[key])
			b, _ := json.Marshal(got[key])
			t.Errorf("%s differs from the run without a rollback:\n%s\n%s", key, a, b)
		}
	}
	for key := range got {
		if want[key] == nil {
			t.Errorf("%s exists, not after the run without a rollback", key)
		}
	}
	if t.Failed() {
		t.Logf("the runs:\n%s", log.String())
	}
}
