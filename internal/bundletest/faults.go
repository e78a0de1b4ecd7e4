package bundletest

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
