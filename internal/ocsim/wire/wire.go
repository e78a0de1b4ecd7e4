// Package wire is what the simulated cluster's remote oc (the command
// internal/ocsim/ocremote) and its server (ocsim.Serve) say to each other
// over a Unix socket: one request, one response, JSON. It uses only the
// standard library so that the remote oc, started for every call a runbook
// makes, starts in a millisecond.
package wire

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// SocketEnv names the environment variable that holds the server's socket.
const SocketEnv = "OCSIM_SOCKET"

// Request is one oc (or sleep) call: its arguments with args[0] the
// program's name, the caller's environment and, for the commands that read
// it, its standard input.
type Request struct {
	Args []string `json:"args"`
	// Dir is the caller's working directory.
	Dir   string            `json:"dir"`
	Env   map[string]string `json:"env"`
	Stdin []byte            `json:"stdin,omitempty"`
}

// Response is what the call prints and its exit code.
type Response struct {
	Code   int    `json:"code"`
	Stdout []byte `json:"stdout,omitempty"`
	Stderr []byte `json:"stderr,omitempty"`
}

// NeedsStdin tells whether an oc command line (without the program's name)
// reads its standard input: -f - (create, apply, replace) and exec/rsh with
// -i.
func NeedsStdin(args []string) bool {
	verb := ""
	for i := 0; i < len(args) && verb == ""; i++ {
		switch a := args[i]; {
		case a == "-n" || a == "--namespace":
			i++
		case !strings.HasPrefix(a, "-"):
			verb = a
		}
	}
	for i, a := range args {
		if (a == "-f" || a == "--filename") && i+1 < len(args) && args[i+1] == "-" || a == "-f=-" || a == "--filename=-" {
			return true
		}
		if a == "--" {
			break
		}
		if (a == "-i" || a == "--stdin" || a == "-it" || a == "-ti") && (verb == "exec" || verb == "rsh") {
			return true
		}
	}
	return false
}

// Call sends a request to the server at socket and waits for its answer.
func Call(socket string, req Request) (Response, error) {
	var resp Response
	// The socket is made with syscall rather than package net: the client
	// is a process started for every oc call of a run, and net's
	// initialisation is a good part of its start-up.
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return resp, fmt.Errorf("the simulated cluster is not serving: %v", err)
	}
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: socket}); err != nil {
		syscall.Close(fd)
		return resp, fmt.Errorf("the simulated cluster is not serving: %v", err)
	}
	conn := os.NewFile(uintptr(fd), socket)
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return resp, err
	}
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return resp, fmt.Errorf("reading the simulated cluster's answer: %v", err)
	}
	return resp, nil
}
