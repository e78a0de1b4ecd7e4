// Command ampc compiles a 3scale upgrade plan into a bundle of JSON patches,
// kustomizations, a runbook and a review, without contacting a cluster.
//
//	ampc compile PLAN.hcl -o OUTDIR [--snapshot PATH]
//	ampc validate PLAN.hcl [--snapshot PATH] [--json] [--strict]
//	ampc hops
//
// ampc help lists every command; ampc help COMMAND shows its flags.
package main

import (
	"os"

	"github.com/ampc/ampc/cmd/ampc/cli"
)

func main() {
	os.Exit(cli.Main())
}
