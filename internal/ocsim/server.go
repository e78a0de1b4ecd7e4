package ocsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/ampc/ampc/internal/ocsim/wire"
)

// Server serves one cluster directory's oc and sleep calls from memory, for
// the remote oc (internal/ocsim/ocremote). A call through it behaves as a
// call of the self-contained oc (Main) does: the objects and state it
// starts from are those the previous call saved, it writes what it changed
// to the directory, and what it changed without saving is lost. Only the
// decoding of every object file on every call is gone. The directory must
// not be written by anything else while the server runs; tests seed and
// read it between runs.
type Server struct {
	dir    string
	socket string
	ln     net.Listener
	mu     sync.Mutex
	wg     sync.WaitGroup
	// objs and st are the cluster as the last call saved it; loaded is
	// false until the first call.
	objs   map[objKey]Object
	st     State
	loaded bool
	// fault, when set, decides for each oc call whether it fails;
	// interrupt, for each sleep, whether it is interrupted.
	fault     func(Call) Fault
	interrupt func(Call) bool
	calls     int
	// procs are the commands running on in pods after their exec's
	// connection dropped; detach is set during a call that Detach fails.
	procs    *Processes
	ownProcs bool
	detach   bool
}

// Call is an oc call as a fault function sees it: N counts the oc calls
// the server has served (from 1; sleeps are not counted), Args are the
// command line without the program's name, and Env the caller's
// environment.
type Call struct {
	N    int
	Args []string
	Env  map[string]string
}

// Fault is what happens to a call.
type Fault int

const (
	// Pass lets the call through.
	Pass Fault = iota
	// Before fails the call before it reaches the cluster, as a lost
	// connection does: the cluster never sees it.
	Before
	// After fails the call after the cluster applied it: the client sees
	// an error (a timed-out response) although the change was made.
	After
	// Detach drops the connection of an oc exec while its command runs:
	// the client sees an error; a command fed from the call's input runs
	// with half of it, any other goes on in the pod after the call
	// (detach.go). Any other call fails as After.
	Detach
)

// SetFault makes f decide the fate of every oc call from now on (nil: every
// call passes). f runs on the server's goroutine, one call at a time.
func (s *Server) SetFault(f func(Call) Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// SetSleepInterrupt makes f decide, for every sleep from now on (nil:
// none), whether it is interrupted, as a person's Ctrl-C does: it exits
// 130 and the clock does not move. f sees the sleep's arguments and its
// caller's environment (N is 0); it runs on the server's goroutine, one
// call at a time.
func (s *Server) SetSleepInterrupt(f func(Call) bool) {
	s.mu.Lock()
	s.interrupt = f
	s.mu.Unlock()
}

// Serve starts serving the cluster in dir on a new Unix socket (in a
// directory of its own under the system's temporary directory, since a
// socket's path is limited to about a hundred bytes). Close stops it.
func Serve(dir string) (*Server, error) {
	sockDir, err := os.MkdirTemp("", "ocsim")
	if err != nil {
		return nil, err
	}
	socket := filepath.Join(sockDir, "oc.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		os.RemoveAll(sockDir)
		return nil, err
	}
	s := &Server{dir: dir, socket: socket, ln: ln, procs: &Processes{}, ownProcs: true}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Socket is the path to give the remote oc as $OCSIM_SOCKET.
func (s *Server) Socket() string { return s.socket }

// Close stops serving, waits for the call in progress and ends the
// commands left running in pods.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	if s.ownProcs {
		s.procs.Kill()
	}
	os.RemoveAll(filepath.Dir(s.socket))
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.serve(conn)
		}()
	}
}

func (s *Server) serve(conn net.Conn) {
	var req wire.Request
	if err := json.NewDecoder(conn).Decode(&req); err != nil || len(req.Args) == 0 {
		_ = json.NewEncoder(conn).Encode(wire.Response{Code: 1, Stderr: []byte(fmt.Sprintf("ocsim: bad request: %v\n", err))})
		return
	}
	var out, errOut bytes.Buffer
	s.mu.Lock()
	getenv := func(k string) string {
		if k == "OCSIM_WORKDIR" {
			return req.Dir
		}
		return req.Env[k]
	}
	fault, interrupted := Pass, false
	if filepath.Base(req.Args[0]) != "sleep" {
		s.calls++
		if s.fault != nil {
			fault = s.fault(Call{N: s.calls, Args: req.Args[1:], Env: req.Env})
		}
	} else if s.interrupt != nil {
		interrupted = s.interrupt(Call{Args: req.Args[1:], Env: req.Env})
	}
	code := 1
	if fault != Before && !interrupted {
		s.detach = fault == Detach
		code = mainWith(s.open, req.Args, getenv, bytes.NewReader(req.Stdin), &out, &errOut)
		s.detach = false
	}
	s.mu.Unlock()
	switch {
	case interrupted:
		errOut.WriteString("sleep: interrupted (injected)\n")
		code = 130
	case fault == Before:
		out.Reset()
		errOut.Reset()
		errOut.WriteString("Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout (injected before the call)\n")
	case fault == After || fault == Detach:
		code = 1
		out.Reset()
		errOut.Reset()
		if s.procs.detached {
			s.procs.detached = false
			errOut.WriteString("error: lost connection to pod (injected: the command goes on in the pod)\n")
		} else {
			errOut.WriteString("Unable to connect to the server: net/http: TLS handshake timeout (injected after the cluster applied the call)\n")
		}
	}
	_ = json.NewEncoder(conn).Encode(wire.Response{Code: code, Stdout: out.Bytes(), Stderr: errOut.Bytes()})
}

// open gives the call a cluster holding copies of the saved objects and
// state; its Save writes the changed objects to the directory and makes
// them the saved ones.
func (s *Server) open(cfg Config) (*Cluster, error) {
	if filepath.Clean(cfg.Dir) != filepath.Clean(s.dir) {
		return nil, fmt.Errorf("this simulated cluster serves %s, not FAKEOC_DIR=%s", s.dir, cfg.Dir)
	}
	if !s.loaded {
		c, err := Open(cfg)
		if err != nil {
			return nil, err
		}
		c.Close()
		s.objs, s.st, s.loaded = c.objs, c.st, true
	}
	c := &Cluster{cfg: cfg, objs: make(map[objKey]Object, len(s.objs)), borrowed: make(map[objKey]bool, len(s.objs)), dirty: map[objKey]bool{}, touched: map[string]bool{}, procs: s.procs, detach: s.detach}
	for k, o := range s.objs {
		c.objs[k] = o
		c.borrowed[k] = true
	}
	c.st = copyState(s.st)
	c.saved = func() {
		for k := range c.dirty {
			if o, ok := c.objs[k]; ok {
				s.objs[k] = clone(o)
			} else {
				delete(s.objs, k)
			}
		}
		s.st = copyState(c.st)
	}
	return c, nil
}

func copyState(st State) State {
	out := st
	out.Timers = make(map[string]int64, len(st.Timers))
	for k, v := range st.Timers {
		out.Timers[k] = v
	}
	out.Stages = make(map[string]string, len(st.Stages))
	for k, v := range st.Stages {
		out.Stages[k] = v
	}
	out.Namespaces = append([]string(nil), st.Namespaces...)
	return out
}
