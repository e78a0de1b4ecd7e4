package bundletest

import (
	"slices"
	"strings"

	"github.com/ampc/ampc/internal/ocsim"
)

// FaultedSteps chooses the steps a fault sequence fails (the runbook
// properties', the 2.15 hop's and the migration's): every step that made a
// call in the run without faults (perStep, by id), of every kind. A step
// that only reads (verify, wait) fails too: its re-run must find the
// cluster as the step left it and go on, and the issue asks for every step
// at least once. Each fails at one of its calls; the exhaustive sweep
// fails each at every call number.
func FaultedSteps(perStep map[string]int) map[string]bool {
	out := map[string]bool{}
	for step, n := range perStep {
		if n > 0 {
			out[step] = true
		}
	}
	return out
}

// CallFault is where a step of a fault sequence fails: at the Nth call the
// step makes in a run (from 1), or, when At is set, at the first call
// whose arguments hold At; Before the call reaches the cluster, or After
// the cluster applied it, or Detach, with the call's command going on in
// its pod. The client sees an error each way. With Exec, Nth counts the
// step's oc exec calls only.
type CallFault struct {
	Nth  int
	At   string
	Mode ocsim.Fault
	Exec bool
}

// IsExec tells whether an oc call's arguments (without the program's
// name) run a command in a pod: oc exec or oc rsh.
func IsExec(args []string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a == "exec" || a == "rsh"
		}
	}
	return false
}

// EveryExecPlans are the fault sequences of a sweep of the oc exec calls
// of the steps of perStepExec (step → the exec calls it made in the run
// without faults): one for each n, in which every step with at least n
// exec calls has its nth detached (ocsim.Detach: the client loses the
// connection, the command goes on in the pod with half its input).
func EveryExecPlans(perStepExec map[string]int) []map[string]CallFault {
	most := 0
	for _, n := range perStepExec {
		most = max(most, n)
	}
	var plans []map[string]CallFault
	for nth := 1; nth <= most; nth++ {
		plan := map[string]CallFault{}
		for step, n := range perStepExec {
			if nth <= n {
				plan[step] = CallFault{Nth: nth, Mode: ocsim.Detach, Exec: true}
			}
		}
		plans = append(plans, plan)
	}
	return plans
}

// DrawnFault is the fault a step that makes n calls draws from h, a hash
// of its name (and of a seed): its low bit the way, the rest the call.
// Half the faults after the call are Detach (bit 32), which on an oc exec
// leaves its command running on in the pod, and on any other call is
// After.
func DrawnFault(h uint64, n int) CallFault {
	mode := ocsim.Before
	if h%2 == 1 {
		mode = ocsim.After
		if h>>32%2 == 1 {
			mode = ocsim.Detach
		}
	}
	return CallFault{Nth: 1 + int(h/2%uint64(n)), Mode: mode}
}

// EveryCallPlans are the fault sequences of an exhaustive sweep of the
// steps of perStep (step → the calls it made in the run without faults):
// one for each n and each way, in which every step with at least n calls
// fails at its nth call, before, after, or detached (an oc exec's command
// going on in the pod; After on other calls).
func EveryCallPlans(perStep map[string]int) []map[string]CallFault {
	most := 0
	for _, n := range perStep {
		most = max(most, n)
	}
	var plans []map[string]CallFault
	for nth := 1; nth <= most; nth++ {
		for _, mode := range []ocsim.Fault{ocsim.Before, ocsim.After, ocsim.Detach} {
			plan := map[string]CallFault{}
			for step, n := range perStep {
				if nth <= n {
					plan[step] = CallFault{Nth: nth, Mode: mode}
				}
			}
			plans = append(plans, plan)
		}
	}
	return plans
}

// StepFaults injects a fault sequence into the oc calls of a runbook's
// runs: its Fault method is a Cluster's Fault (of each cluster the runs
// use). Each step of Plan fails once over the runs, at its CallFault; the
// calls of a step count from its start in each run. Call Run before each
// run, and re-run a failed run only when Injected says it stopped in the
// step whose fault fired in it: any other failure is the runbook's.
type StepFaults struct {
	Plan map[string]CallFault
	// Fired holds the steps whose fault fired, over the runs.
	Fired map[string]bool
	// PerStep counts the calls each step made, over the runs (a run
	// without faults records them for the plans), PerStepExec its oc exec
	// calls.
	PerStep, PerStepExec map[string]int
	// current is the step the run's calls come from, seen the calls it
	// made in this run and seenExec its exec calls; firedNow the step
	// whose fault fired in this run.
	current, firedNow string
	seen, seenExec    int
}

// NewStepFaults injects plan (nil for a run without faults that counts
// the calls).
func NewStepFaults(plan map[string]CallFault) *StepFaults {
	return &StepFaults{Plan: plan, Fired: map[string]bool{}, PerStep: map[string]int{}, PerStepExec: map[string]int{}}
}

// Fault decides the fate of a call; calls outside a step pass.
func (f *StepFaults) Fault(call ocsim.Call) ocsim.Fault {
	step := call.Env["AMPC_STEP"]
	if step == "" {
		return ocsim.Pass
	}
	f.PerStep[step]++
	if step != f.current {
		f.current, f.seen, f.seenExec = step, 0, 0
	}
	f.seen++
	exec := IsExec(call.Args)
	if exec {
		f.PerStepExec[step]++
		f.seenExec++
	}
	fault, ok := f.Plan[step]
	if !ok || f.Fired[step] {
		return ocsim.Pass
	}
	switch {
	case fault.At != "":
		if !strings.Contains(strings.Join(call.Args, " "), fault.At) {
			return ocsim.Pass
		}
	case fault.Exec:
		if !exec || f.seenExec != fault.Nth {
			return ocsim.Pass
		}
	case f.seen != fault.Nth:
		return ocsim.Pass
	}
	f.Fired[step], f.firedNow = true, step
	return fault.Mode
}

// Run starts a run: the calls of its steps count from their start.
func (f *StepFaults) Run() { f.current, f.firedNow = "", "" }

// Injected reports whether out, the output of a failed run, stopped in
// the step whose fault fired in that run: the last step it started.
func (f *StepFaults) Injected(out string) bool {
	started := StartedSteps(out)
	return f.firedNow != "" && len(started) > 0 && started[len(started)-1] == f.firedNow
}

// Missed is, sorted, the steps of the plan whose fault never fired.
func (f *StepFaults) Missed() []string {
	var missed []string
	for step := range f.Plan {
		if !f.Fired[step] {
			missed = append(missed, step)
		}
	}
	slices.Sort(missed)
	return missed
}
