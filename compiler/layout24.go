package compiler

import "github.com/ampc/ampc/plan"

// fresh24 would build the model of a fresh 2.4 install; ampc has none yet,
// so plans from that version need --snapshot.
func fresh24(in plan.Install, version string) *model { return nil }
