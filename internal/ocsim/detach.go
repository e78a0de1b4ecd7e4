package ocsim

import (
	"bytes"
	"errors"
	"io"
	"path"
	"sync"
	"time"
)

// A connection to oc exec that drops while the command runs does not stop
// the command: the container runtime keeps running it in the pod, whose
// standard input ends where the client's input stopped arriving. The
// client sees an error and cannot tell how far the command got; a re-run
// may start a second copy while the first still runs, or find its work
// half done. The simulator expresses this with the fault Detach (served
// calls only, since the command outlives the call):
//
//   - A command fed from the call's input (oc exec -i with input) reads
//     its first half and runs to its end at once: what it read it had
//     mostly processed as it arrived, and the end of its input ends it
//     soon after the connection dropped (an import cut short).
//   - Any other command runs at once up to its first long program (the
//     database clients and tools, which run for minutes on a real site),
//     and the rest when its timer fires, a seeded delay later, in whatever
//     call the clock reaches it. If by then its pod is gone, being deleted
//     or replaced, the command died with it and nothing more of it runs.
//
// The client gets none of what the command printed.

// longPrograms are the programs a detached command pauses before: those
// that run long on a real site.
var longPrograms = map[string]bool{
	"mysql": true, "mysqldump": true, "psql": true, "pg_dump": true,
	"pg_dumpall": true, "pg_restore": true, "redis-cli": true, "bundle": true,
}

// errKilled ends a detached command whose pod died before it resumed: the
// interpreter stops at once, as the process tree does.
var errKilled = errors.New("killed with its pod")

// Processes holds the commands that run on in pods after their exec's
// connection dropped. A Server keeps its own across its calls; one set with
// SetProcesses outlives the server (a test's cluster, served anew for each
// run, whose pods keep running between runs), and its owner ends them with
// Kill.
type Processes struct {
	mu    sync.Mutex
	procs []*detachedProc
	// detached is set by a call whose exec was detached, for the message
	// its client sees.
	detached bool
}

// detachedProc is a command running in a pod with no client.
type detachedProc struct {
	ns, pod, uid, container string
	// due is the logical time (ms) at which the rest runs.
	due int64
	// paused is closed when the command reaches its first long program,
	// resume then gives it the cluster of the call it resumes in (nil: its
	// pod died), and done is closed when it ended.
	paused chan struct{}
	resume chan *Cluster
	done   chan struct{}
	// started is set once the command paused (it pauses once).
	started bool
}

// add registers a paused command.
func (t *Processes) add(p *detachedProc) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.procs = append(t.procs, p)
}

// take removes and returns the commands due at now, in the order they
// paused.
func (t *Processes) take(now int64) []*detachedProc {
	t.mu.Lock()
	defer t.mu.Unlock()
	var due, left []*detachedProc
	for _, p := range t.procs {
		if p.due <= now {
			due = append(due, p)
		} else {
			left = append(left, p)
		}
	}
	t.procs = left
	return due
}

// Kill ends every paused command, as stopping the cluster does.
func (t *Processes) Kill() {
	for _, p := range t.take(1<<62 - 1) {
		p.resume <- nil
		<-p.done
	}
}

// Pending is the number of commands that run on in pods after their exec's
// connection dropped, not yet resumed or killed.
func (t *Processes) Pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.procs)
}

// Pending is the number of the server's commands that run on in pods
// (Processes.Pending).
func (s *Server) Pending() int { return s.procs.Pending() }

// SetProcesses makes the server keep its detached commands in p, from its
// next call on: Close then leaves them running.
func (s *Server) SetProcesses(p *Processes) {
	s.mu.Lock()
	s.procs, s.ownProcs = p, false
	s.mu.Unlock()
}

// execDetached runs command in pod as an exec whose connection drops: see
// the top of this file. It returns the exit code the client sees.
func (r *run) execDetached(pod Object, v *podView, container string, command []string, input []byte) int {
	p := &detachedProc{
		ns: v.ns, pod: v.name, uid: str(pod, "metadata", "uid"), container: container,
		paused: make(chan struct{}), resume: make(chan *Cluster), done: make(chan struct{}),
	}
	s := &session{c: r.c, v: v}
	if len(input) == 0 {
		s.proc = p
	}
	// The client got half its input through; what the command prints
	// has no reader.
	in := bytes.NewReader(input[:len(input)/2])
	go func() {
		defer close(p.done)
		s.run(command, in, io.Discard, io.Discard)
	}()
	select {
	case <-p.done:
		// It ended before any long program.
	case <-p.paused:
		p.due = r.c.st.Now + r.c.between(5*time.Second, 10*time.Minute)
		r.c.procs.add(p)
	}
	r.c.procs.detached = true
	return 1
}

// pauseDetached is called before a session runs a program: a detached
// command's first long program waits for its timer. It returns errKilled
// when the pod died in the meantime; else the session now works on the
// cluster of the call it resumed in.
func (s *session) pauseDetached(name string) error {
	p := s.proc
	if p == nil {
		return nil
	}
	s.mu.Lock()
	pause := !s.killed && !p.started && longPrograms[path.Base(name)]
	if pause {
		p.started = true
	}
	s.mu.Unlock()
	if pause {
		close(p.paused)
		c := <-p.resume
		var v *podView
		if c != nil {
			v, _ = c.view(c.get(p.ns, "Pod", p.pod), p.container)
		}
		s.mu.Lock()
		if v == nil {
			s.killed = true
		} else {
			s.c, s.v = c, v
		}
		s.mu.Unlock()
	}
	if s.isKilled() {
		return errKilled
	}
	return nil
}

// isKilled tells whether the session's pod died under its detached
// command: nothing more of it runs.
func (s *session) isKilled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.killed
}

// runDetached resumes the detached commands whose time came, each to its
// end, or kills those whose pod is gone, being deleted or replaced.
func (c *Cluster) runDetached() {
	if c.procs == nil {
		return
	}
	due := c.procs.take(c.st.Now)
	for _, p := range due {
		pod := c.get(p.ns, "Pod", p.pod)
		alive := pod != nil && str(pod, "metadata", "uid") == p.uid &&
			nested(pod, "metadata", "deletionTimestamp") == nil && str(pod, "status", "phase") == "Running"
		if alive {
			p.resume <- c
		} else {
			p.resume <- nil
		}
		<-p.done
	}
	if len(due) > 0 {
		c.reconcile()
	}
}
