package bundletest

import (
	"slices"
	"testing"

	"github.com/ampc/ampc/internal/ocsim"
)

// TestStepFaults: a step's fault fires at its nth call of a run (counted
// from the step's start in each run), or at the call that holds its At,
// once over the runs; calls outside a step pass; Injected holds only for
// a run that stopped in the step whose fault fired in that run.
func TestStepFaults(t *testing.T) {
	call := func(step string, args ...string) ocsim.Call {
		return ocsim.Call{Args: args, Env: map[string]string{"AMPC_STEP": step}}
	}
	f := NewStepFaults(map[string]CallFault{
		"hop/a": {Nth: 2, Mode: ocsim.Before},
		"hop/b": {At: "rollout latest", Mode: ocsim.After},
	})
	out := func(steps ...string) string {
		var s string
		for i, step := range steps {
			s += "==> [" + string(rune('1'+i)) + "/9] " + step + " [change] title\n"
		}
		return s
	}
	f.Run()
	if got := []ocsim.Fault{f.Fault(call("", "get")), f.Fault(call("hop/a", "get")), f.Fault(call("hop/a", "patch"))}; !slices.Equal(got, []ocsim.Fault{ocsim.Pass, ocsim.Pass, ocsim.Before}) {
		t.Errorf("the first run's calls: %v, want the second of hop/a failed before", got)
	}
	if !f.Injected(out("hop/a")) || f.Injected(out("hop/a", "hop/b")) {
		t.Error("Injected: a run stopped in hop/a, whose fault fired in it, is the fault's; one stopped in hop/b is not")
	}
	f.Run()
	if got := []ocsim.Fault{f.Fault(call("hop/a", "get")), f.Fault(call("hop/a", "patch")), f.Fault(call("hop/b", "get")), f.Fault(call("hop/b", "rollout", "latest", "dc/x"))}; !slices.Equal(got, []ocsim.Fault{ocsim.Pass, ocsim.Pass, ocsim.Pass, ocsim.After}) {
		t.Errorf("the second run's calls: %v, want hop/a's passing (its fault fired) and hop/b's rollout failed after", got)
	}
	if f.Injected(out("hop/a")) || !f.Injected(out("hop/a", "hop/b")) {
		t.Error("Injected: after hop/b's fault fired, a run stopped in hop/a is not the fault's")
	}
	f.Run()
	if f.Injected(out("hop/a", "hop/b")) {
		t.Error("Injected: a run in which no fault fired failed for another reason")
	}
	if f.PerStep["hop/a"] != 4 || f.PerStep["hop/b"] != 2 || len(f.Missed()) != 0 {
		t.Errorf("PerStep %v, missed %v", f.PerStep, f.Missed())
	}
	g := NewStepFaults(map[string]CallFault{"hop/a": {Nth: 3, Mode: ocsim.Before}})
	g.Run()
	g.Fault(call("hop/a", "get"))
	g.Fault(call("hop/b", "get"))
	g.Fault(call("hop/a", "get")) // a step started again counts from 1
	if missed := g.Missed(); !slices.Equal(missed, []string{"hop/a"}) {
		t.Errorf("missed %v, want hop/a", missed)
	}
}

// TestFaultPlans: the sweep fails every call of every step, each way; a
// drawn fault is a call the step makes, half of those after the call
// detached.
func TestFaultPlans(t *testing.T) {
	plans := EveryCallPlans(map[string]int{"hop/a": 2, "hop/b": 1})
	if len(plans) != 6 {
		t.Fatalf("%d plans, want 6", len(plans))
	}
	if len(plans[0]) != 2 || plans[0]["hop/a"] != (CallFault{Nth: 1, Mode: ocsim.Before}) || plans[1]["hop/b"] != (CallFault{Nth: 1, Mode: ocsim.After}) || plans[2]["hop/b"] != (CallFault{Nth: 1, Mode: ocsim.Detach}) {
		t.Errorf("plans 1 to 3: %v %v %v", plans[0], plans[1], plans[2])
	}
	if len(plans[5]) != 1 || plans[5]["hop/a"] != (CallFault{Nth: 2, Mode: ocsim.Detach}) {
		t.Errorf("plan 6: %v", plans[5])
	}
	modes := map[ocsim.Fault]int{}
	for h := uint64(0); h < 64; h++ {
		for _, hi := range []uint64{0, 1 << 32} {
			f := DrawnFault(h|hi, 3)
			modes[f.Mode]++
			if f.Nth < 1 || f.Nth > 3 || (f.Mode == ocsim.Before) != (h%2 == 0) {
				t.Errorf("DrawnFault(%d, 3) = %v", h|hi, f)
			}
		}
	}
	if modes[ocsim.Before] != 64 || modes[ocsim.After] != 32 || modes[ocsim.Detach] != 32 {
		t.Errorf("modes drawn: %v", modes)
	}
}

// TestExecFaults: a fault with Exec counts the step's oc exec (and rsh)
// calls only, whatever flags come first; PerStepExec counts them; the
// exec sweep detaches each step's nth exec call, for every n.
func TestExecFaults(t *testing.T) {
	call := func(step string, args ...string) ocsim.Call {
		return ocsim.Call{Args: args, Env: map[string]string{"AMPC_STEP": step}}
	}
	f := NewStepFaults(map[string]CallFault{"hop/a": {Nth: 2, Exec: true, Mode: ocsim.Detach}})
	f.Run()
	got := []ocsim.Fault{
		f.Fault(call("hop/a", "exec", "dc/x", "--", "true")),
		f.Fault(call("hop/a", "get", "pods")),
		f.Fault(call("hop/a", "get", "pods", "-o", "name")),
		f.Fault(call("hop/a", "--namespace=y", "exec", "-i", "dc/x", "--", "cat")),
		f.Fault(call("hop/a", "rsh", "dc/x", "true")),
	}
	if !slices.Equal(got, []ocsim.Fault{ocsim.Pass, ocsim.Pass, ocsim.Pass, ocsim.Detach, ocsim.Pass}) {
		t.Errorf("faults %v, want the second exec call detached", got)
	}
	if f.PerStepExec["hop/a"] != 3 || f.PerStep["hop/a"] != 5 {
		t.Errorf("PerStepExec %v PerStep %v", f.PerStepExec, f.PerStep)
	}
	plans := EveryExecPlans(map[string]int{"hop/a": 2, "hop/b": 1})
	if len(plans) != 2 || len(plans[0]) != 2 || plans[0]["hop/b"] != (CallFault{Nth: 1, Exec: true, Mode: ocsim.Detach}) ||
		len(plans[1]) != 1 || plans[1]["hop/a"] != (CallFault{Nth: 2, Exec: true, Mode: ocsim.Detach}) {
		t.Errorf("exec plans %v", plans)
	}
}
