// Command ocremote is the simulated cluster's oc for a cluster served from
// memory (ocsim.Serve): it sends its arguments, environment and, when the
// command reads it, its standard input to the server named by
// $OCSIM_SOCKET and prints the answer. Tests build it into a directory on
// PATH as "oc", with a link named "sleep" beside it, as they do the
// self-contained internal/ocsim/oc. It imports only the standard library,
// so a call costs a process start and a round trip, not a reload of the
// cluster.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ampc/ampc/internal/ocsim/wire"
)

func main() {
	socket := os.Getenv(wire.SocketEnv)
	if socket == "" {
		fmt.Fprintf(os.Stderr, "%s: %s is not set\n", os.Args[0], wire.SocketEnv)
		os.Exit(1)
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	req := wire.Request{Args: os.Args, Dir: wd, Env: map[string]string{}}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			req.Env[k] = v
		}
	}
	if len(os.Args) > 1 && wire.NeedsStdin(os.Args[1:]) {
		in, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		req.Stdin = in
	}
	resp, err := wire.Call(socket, req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(resp.Stdout)
	os.Stderr.Write(resp.Stderr)
	os.Exit(resp.Code)
}
