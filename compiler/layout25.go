package compiler

import "github.com/ampc/ampc/plan"

// fresh25 would build the model of a fresh 2.5 install; ampc has none yet,
// so plans from that version need --snapshot.
func fresh25(in plan.Install, version string) *model { return nil }
