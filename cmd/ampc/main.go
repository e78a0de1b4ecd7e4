// Command ampc compiles a 3scale upgrade plan into a bundle of JSON patches,
// kustomizations, a runbook and a review, without contacting a cluster.
//
//	ampc compile PLAN.hcl -o OUTDIR [--snapshot PATH]
//	ampc validate PLAN.hcl [--snapshot PATH]
//	ampc hops
package main

import (
	"os"

	"github.com/ampc/ampc/cmd/ampc/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
