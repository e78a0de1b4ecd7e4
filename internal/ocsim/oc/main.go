// Command oc is the simulated cluster's OpenShift CLI (package ocsim).
// Tests build it into a directory on PATH as "oc", with a link to it named
// "sleep" beside it so that the runbooks' polling sleeps advance the
// logical clock instead of waiting.
package main

import (
	"os"

	"github.com/ampc/ampc/internal/ocsim"
)

func main() {
	os.Exit(ocsim.Main(os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
