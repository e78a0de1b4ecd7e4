package ocsim

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// exec runs a command in a running pod of the target: it waits (in logical
// time) up to a minute for one, as oc's --pod-running-timeout does, then
// runs the command in the pod's container (see session). With
// $OCSIM_EXEC_FALLBACK=1 it prints the target's ocsim.ampc.io/exec-output
// annotation or $FAKEOC_DIR/exec.out instead, whatever the command, as the
// test double this simulator replaced did.
func (r *run) exec(args []string) int {
	f := parseFlags(args, "-i", "--stdin", "-t", "--tty", "-it", "-ti", "-q", "--quiet")
	if len(f.pos) == 0 {
		return r.fail("error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'.")
	}
	ref := f.pos[0]
	command := f.tail
	if len(command) == 0 {
		command = f.pos[1:] // oc rsh POD COMMAND...
	}
	kindName, name, hasKind := strings.Cut(ref, "/")
	if !hasKind {
		kindName, name = "pod", ref
	}
	k := resolveResource(kindName, r.c.cfg.Knative)
	if k == nil {
		return r.fail("error: the server doesn't have a resource type %q", kindName)
	}
	target := r.lookup(k, name)
	if target == nil {
		return r.fail("%s", notFound(k, name))
	}
	for i := 0; i <= 60; i++ {
		if pod := r.c.runningPod(r.ns, k.Kind, name); pod != nil {
			if r.c.cfg.ExecFallback {
				if out, ok := mapAt(target, "metadata", "annotations")[execOutputAnn].(string); ok {
					_, _ = io.WriteString(r.out, out)
				} else if out, err := os.ReadFile(filepath.Join(r.c.cfg.Dir, "exec.out")); err == nil {
					_, _ = r.out.Write(out)
				}
				return 0
			}
			if len(command) == 0 {
				return r.fail("error: you must specify at least one command for the container")
			}
			v, err := r.c.view(pod, f.get("-c", "--container"))
			if err != nil {
				return r.fail("%v", err)
			}
			var input []byte
			if f.bool("-i", "--stdin", "-it", "-ti") {
				input = r.stdin
			}
			if r.c.detach && r.c.procs != nil {
				return r.execDetached(pod, v, f.get("-c", "--container"), command, input)
			}
			stdin := bytes.NewReader(input)
			code := (&session{c: r.c, v: v}).run(command, stdin, r.out, r.err)
			if code != 0 {
				// kubectl exec reports a command's failure so, and
				// exits with its code.
				fmt.Fprintf(r.err, "command terminated with exit code %d\n", code)
			}
			return code
		}
		r.c.advance(time.Second)
	}
	return r.fail("error: timed out waiting for the condition")
}

// session runs commands in a pod's container: a program with its
// arguments, or a bash -c (sh -c) script, which mvdan.cc/sh interprets with
// the commands below as the container's programs. Pipelines run their
// commands concurrently; mu serializes their access to the cluster.
type session struct {
	c  *Cluster
	v  *podView
	mu sync.Mutex
	// inShell is set while a bash -c script runs.
	inShell bool
	// proc is set for a command whose exec's connection dropped
	// (detach.go); killed once its pod died before it resumed.
	proc   *detachedProc
	killed bool
}

// program is a command of the container: it reads stdin, writes stdout
// and stderr and returns its exit code; env is the environment the shell
// passes it.
type program func(s *session, args []string, env map[string]string, stdio stdio) int

type stdio struct {
	in       io.Reader
	out, err io.Writer
	// dir is the shell's working directory, against which programs
	// resolve relative paths.
	dir string
}

// abs is a program's path argument as an absolute path.
func (std stdio) abs(p string) string {
	if path.IsAbs(p) || std.dir == "" {
		return path.Clean("/" + p)
	}
	return path.Join(std.dir, p)
}

// programs are the container commands the simulator runs; any other is
// reported as not simulated.
func programs(name string) program {
	switch name {
	case "cat":
		return catProgram
	case "gzip":
		return gzipProgram
	case "tail", "head":
		return headTailProgram
	case "grep":
		return grepProgram
	case "mv":
		return mvProgram
	case "rm":
		return rmProgram
	case "timeout":
		return timeoutProgram
	case "mysql":
		return mysqlProgram
	case "mysqldump":
		return mysqldumpProgram
	case "psql":
		return psqlProgram
	case "pg_dump":
		return pgDumpProgram
	case "pg_dumpall":
		return pgDumpallProgram
	case "pg_restore":
		return pgRestoreProgram
	case "redis-cli":
		return redisCLIProgram
	case "redis-server":
		return redisServerProgram
	case "bundle":
		return bundleProgram
	}
	return nil
}

// run runs a command line in the container and returns its exit code.
func (s *session) run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	base := path.Base(argv[0])
	if (base == "bash" || base == "sh") && len(argv) >= 3 && argv[1] == "-c" {
		// bash -c SCRIPT [NAME [ARG...]]: the ARGs are the script's
		// positional parameters ("$@"), NAME its $0.
		var params []string
		if len(argv) > 4 {
			params = argv[4:]
		}
		return s.script(argv[2], params, stdin, stdout, stderr)
	}
	env := map[string]string{}
	for k, val := range s.v.env {
		env[k] = val
	}
	if err := s.pauseDetached(argv[0]); err != nil {
		return 137
	}
	return s.program(argv, env, stdio{stdin, stdout, stderr, "/"})
}

// clientEngine is the engine whose image ships a program: the database
// clients are in their server's images only.
func clientEngine(name string) engine {
	switch name {
	case "mysql", "mysqldump":
		return mysqlEng
	case "psql", "pg_dump", "pg_dumpall", "pg_restore":
		return pgEng
	case "redis-cli", "redis-server":
		return redisEng
	}
	return noEngine
}

// program runs one of the container's programs (inShell: from a script,
// where bash reports a missing program).
func (s *session) program(argv []string, env map[string]string, std stdio) int {
	if e := clientEngine(path.Base(argv[0])); e != noEngine && s.v.engine() != e {
		if s.inShell {
			fmt.Fprintf(std.err, "bash: line 1: %s: command not found\n", argv[0])
			return 127
		}
		// As runc reports it through kubectl exec.
		fmt.Fprintf(std.err, "OCI runtime exec failed: exec failed: unable to start container process: exec: \"%s\": executable file not found in $PATH: unknown\n", argv[0])
		return 126
	}
	p := programs(path.Base(argv[0]))
	if p == nil {
		s.unsupported(fmt.Sprintf("command %q", strings.Join(argv, " ")))
		fmt.Fprintf(std.err, "ocsim: %s is not simulated in pod %s (see internal/ocsim/doc.go)\n", argv[0], s.v.name)
		return 127
	}
	return p(s, argv, env, std)
}

// unsupported records what a run asked of the simulator that it does not
// model, in $FAKEOC_DIR/ocsim-unsupported.log, so that a test can fail on
// it.
func (s *session) unsupported(what string) {
	_ = appendFile(filepath.Join(s.c.cfg.Dir, "ocsim-unsupported.log"), fmt.Sprintf("pod %s/%s: %s\n", s.v.ns, s.v.name, what))
}

// script interprets a bash -c script.
func (s *session) script(src string, params []string, stdin io.Reader, stdout, stderr io.Writer) int {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), "")
	if err != nil {
		fmt.Fprintf(stderr, "bash: -c: %v\n", err)
		return 2
	}
	var pairs []string
	for k, val := range s.v.env {
		pairs = append(pairs, k+"="+val)
	}
	// The script's standard input is a pipe fed from the call's input,
	// closed when the script ends, so that the feeding goroutine ends too
	// when the script did not read it all.
	pr, pw, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "ocsim: %v\n", err)
		return 1
	}
	defer pr.Close()
	go func() {
		_, _ = io.Copy(pw, stdin)
		pw.Close()
	}()
	runner, err := interp.New(
		interp.Params(append([]string{"--"}, params...)...),
		interp.Env(expand.ListEnviron(pairs...)),
		interp.Dir("/"),
		interp.StdIO(pr, stdout, stderr),
		interp.ExecHandlers(func(next interp.ExecHandlerFunc) interp.ExecHandlerFunc {
			return func(ctx context.Context, args []string) error {
				hc := interp.HandlerCtx(ctx)
				env := map[string]string{}
				hc.Env.Each(func(name string, vr expand.Variable) bool {
					if vr.Exported && vr.IsSet() {
						env[name] = vr.String()
					}
					return true
				})
				in := hc.Stdin
				if in == nil {
					in = bytes.NewReader(nil)
				}
				if err := s.pauseDetached(args[0]); err != nil {
					return err
				}
				if code := s.program(args, env, stdio{in, hc.Stdout, hc.Stderr, hc.Dir}); code != 0 {
					return interp.NewExitStatus(uint8(code))
				}
				return nil
			}
		}),
		interp.OpenHandler(s.open),
		interp.StatHandler(func(ctx context.Context, name string, _ bool) (fs.FileInfo, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.v.stat(name)
		}),
		interp.AccessHandler(func(ctx context.Context, name string, mode interp.AccessMode) error { return nil }),
		interp.ReadDirHandler2(func(ctx context.Context, dir string) ([]fs.DirEntry, error) {
			s.unsupported("globbing in " + dir)
			return nil, pathError("readdir", dir, errNotSimulated)
		}),
	)
	if err != nil {
		fmt.Fprintf(stderr, "ocsim: %v\n", err)
		return 1
	}
	s.inShell = true
	err = runner.Run(context.Background(), file)
	if code, ok := interp.IsExitStatus(err); ok {
		return int(code)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bash: %v\n", err)
		return 1
	}
	return 0
}

// open is the shell's redirections: /dev/null, and the container's files.
func (s *session) open(ctx context.Context, p string, flag int, _ os.FileMode) (io.ReadWriteCloser, error) {
	if !path.IsAbs(p) {
		p = path.Join(interp.HandlerCtx(ctx).Dir, p)
	}
	if p == "/dev/null" {
		return nullFile{}, nil
	}
	if s.isKilled() {
		return nil, errKilled
	}
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		s.mu.Lock()
		defer s.mu.Unlock()
		b, err := s.v.readFile(p)
		if err != nil {
			return nil, err
		}
		return &readFile{Reader: bytes.NewReader(b)}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := &fileWriter{s: s, path: p}
	if flag&os.O_APPEND != 0 {
		if b, err := s.v.readFile(p); err == nil {
			w.buf = b
		}
	}
	if err := s.v.writeFile(p, w.buf); err != nil {
		return nil, err
	}
	return w, nil
}

type nullFile struct{}

func (nullFile) Read([]byte) (int, error)    { return 0, io.EOF }
func (nullFile) Write(p []byte) (int, error) { return len(p), nil }
func (nullFile) Close() error                { return nil }

type readFile struct{ *bytes.Reader }

func (readFile) Write([]byte) (int, error) { return 0, syscall.EBADF }
func (readFile) Close() error              { return nil }

// fileWriter writes a container's file as a program writes it, failing
// with ENOSPC once its volume is full.
type fileWriter struct {
	s    *session
	path string
	buf  []byte
}

func (w *fileWriter) Read([]byte) (int, error) { return 0, syscall.EBADF }
func (w *fileWriter) Close() error             { return nil }
func (w *fileWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.buf = append(w.buf, p...)
	if err := w.s.v.writeFile(w.path, w.buf); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return 0, pe.Err
		}
		return 0, err
	}
	return len(p), nil
}

// errText is how coreutils print an error: strerror's text.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, syscall.ENOSPC):
		return "No space left on device"
	case errors.Is(err, syscall.EROFS):
		return "Read-only file system"
	case errors.Is(err, syscall.EISDIR):
		return "Is a directory"
	}
	return err.Error()
}

// readAll reads a program's standard input.
func readAll(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

// --- coreutils and friends ---

func catProgram(s *session, args []string, _ map[string]string, std stdio) int {
	files := args[1:]
	var out []byte
	code := 0
	if len(files) == 0 {
		out = readAll(std.in)
	}
	for _, f := range files {
		if f == "-" {
			out = append(out, readAll(std.in)...)
			continue
		}
		s.mu.Lock()
		b, err := s.v.readFile(std.abs(f))
		s.mu.Unlock()
		if err != nil {
			fmt.Fprintf(std.err, "cat: %s: %s\n", f, errText(err))
			code = 1
			continue
		}
		out = append(out, b...)
	}
	if _, err := std.out.Write(out); err != nil {
		fmt.Fprintf(std.err, "cat: write error: %s\n", errText(err))
		return 1
	}
	return code
}

// gzipProgram is gzip -c (compress standard input) and gzip -dc
// (decompress it), with gzip's messages for input that is not gzip's.
func gzipProgram(s *session, args []string, _ map[string]string, std stdio) int {
	decompress := false
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			s.unsupported("gzip of a file: " + strings.Join(args, " "))
			fmt.Fprintf(std.err, "ocsim: gzip of files is not simulated\n")
			return 127
		}
		if strings.Contains(a, "d") {
			decompress = true
		}
	}
	in := readAll(std.in)
	if decompress {
		zr, err := gzip.NewReader(bytes.NewReader(in))
		if err != nil {
			if len(in) == 0 {
				fmt.Fprintln(std.err, "gzip: stdin: unexpected end of file")
			} else {
				fmt.Fprintln(std.err, "gzip: stdin: not in gzip format")
			}
			return 1
		}
		out, err := io.ReadAll(zr)
		if _, werr := std.out.Write(out); werr != nil {
			return 1
		}
		if err != nil {
			fmt.Fprintln(std.err, "gzip: stdin: unexpected end of file")
			return 1
		}
		return 0
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(in)
	_ = zw.Close()
	if _, err := std.out.Write(buf.Bytes()); err != nil {
		fmt.Fprintf(std.err, "gzip: stdout: %s\n", errText(err))
		return 1
	}
	return 0
}

// headTailProgram is head and tail with -n N (lines) or -c N (bytes).
func headTailProgram(s *session, args []string, _ map[string]string, std stdio) int {
	n, bytesMode := 10, false
	var files []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-n" || a == "-c") && i+1 < len(args):
			bytesMode = a == "-c"
			n, _ = strconv.Atoi(strings.TrimPrefix(args[i+1], "+"))
			i++
		case strings.HasPrefix(a, "-n") || strings.HasPrefix(a, "-c"):
			bytesMode = strings.HasPrefix(a, "-c")
			n, _ = strconv.Atoi(a[2:])
		case strings.HasPrefix(a, "-") && len(a) > 1:
			n, _ = strconv.Atoi(a[1:])
		default:
			files = append(files, a)
		}
	}
	var in []byte
	if len(files) == 0 {
		in = readAll(std.in)
	}
	for _, f := range files {
		s.mu.Lock()
		b, err := s.v.readFile(std.abs(f))
		s.mu.Unlock()
		if err != nil {
			fmt.Fprintf(std.err, "%s: cannot open '%s' for reading: %s\n", args[0], f, errText(err))
			return 1
		}
		in = append(in, b...)
	}
	head := path.Base(args[0]) == "head"
	if bytesMode {
		if head {
			in = in[:min(n, len(in))]
		} else {
			in = in[max(0, len(in)-n):]
		}
		_, _ = std.out.Write(in)
		return 0
	}
	lines := strings.SplitAfter(string(in), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if head {
		lines = lines[:min(n, len(lines))]
	} else {
		lines = lines[max(0, len(lines)-n):]
	}
	_, _ = std.out.Write([]byte(strings.Join(lines, "")))
	return 0
}

// grepProgram is grep [-q] [-x] [-E] [-F] PATTERN on standard input; a
// pattern is a POSIX basic one unless -E or -F.
func grepProgram(s *session, args []string, _ map[string]string, std stdio) int {
	quiet, whole, extended, fixed := false, false, false, false
	var rest []string
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") && len(a) > 1 && len(rest) == 0 {
			for _, c := range a[1:] {
				switch c {
				case 'q':
					quiet = true
				case 'x':
					whole = true
				case 'E':
					extended = true
				case 'F':
					fixed = true
				default:
					s.unsupported("grep option -" + string(c))
					fmt.Fprintf(std.err, "ocsim: grep -%c is not simulated\n", c)
					return 2
				}
			}
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) != 1 {
		s.unsupported("grep " + strings.Join(args[1:], " "))
		fmt.Fprintln(std.err, "ocsim: grep of files is not simulated")
		return 2
	}
	expr := rest[0]
	switch {
	case fixed:
		expr = regexp.QuoteMeta(expr)
	case !extended:
		expr = bre(expr)
	}
	if whole {
		expr = "^(?:" + expr + ")$"
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		fmt.Fprintf(std.err, "grep: %v\n", err)
		return 2
	}
	found := false
	for _, line := range strings.Split(strings.TrimSuffix(string(readAll(std.in)), "\n"), "\n") {
		if re.MatchString(line) {
			found = true
			if !quiet {
				fmt.Fprintln(std.out, line)
			}
		}
	}
	if found {
		return 0
	}
	return 1
}

// bre turns a POSIX basic regular expression into Go's syntax.
func bre(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			switch n := p[i]; n {
			case '(', ')', '{', '}', '|', '+', '?':
				b.WriteByte(n)
			default:
				b.WriteByte('\\')
				b.WriteByte(n)
			}
		case strings.IndexByte("(){}|+?", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func mvProgram(s *session, args []string, _ map[string]string, std stdio) int {
	var ops []string
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	if len(ops) != 2 {
		fmt.Fprintln(std.err, "mv: missing destination file operand")
		return 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.v.rename(std.abs(ops[0]), std.abs(ops[1])); err != nil {
		fmt.Fprintf(std.err, "mv: cannot move '%s' to '%s': %s\n", ops[0], ops[1], errText(err))
		return 1
	}
	return 0
}

func rmProgram(s *session, args []string, _ map[string]string, std stdio) int {
	force := false
	code := 0
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			force = force || strings.Contains(a, "f")
			continue
		}
		s.mu.Lock()
		err := s.v.remove(std.abs(a))
		s.mu.Unlock()
		if err != nil && !(force && errors.Is(err, fs.ErrNotExist)) {
			fmt.Fprintf(std.err, "rm: cannot remove '%s': %s\n", a, errText(err))
			code = 1
		}
	}
	return code
}

// timeoutProgram is timeout DURATION COMMAND...: the simulated commands
// answer at once.
func timeoutProgram(s *session, args []string, env map[string]string, std stdio) int {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i++
	}
	if i+1 >= len(args) {
		fmt.Fprintln(std.err, "timeout: missing operand")
		return 125
	}
	return s.program(args[i+1:], env, std)
}

// bundleProgram is the system image's `bundle exec rake zync:resync:domains`,
// the only rake task the runbooks run; elsewhere bundle is not installed.
func bundleProgram(s *session, args []string, _ map[string]string, std stdio) int {
	if !strings.Contains(s.v.image(), "system") && !strings.HasPrefix(str(s.v.container, "name"), "system-") {
		fmt.Fprintln(std.err, "bash: bundle: command not found")
		return 127
	}
	if strings.Join(args[1:], " ") != "exec rake zync:resync:domains" {
		s.unsupported("bundle " + strings.Join(args[1:], " "))
		fmt.Fprintf(std.err, "ocsim: bundle %s is not simulated\n", strings.Join(args[1:], " "))
		return 127
	}
	return 0
}

// --- oc cp and oc rsync ---

// podPath splits POD:PATH (or NAMESPACE/POD:PATH); ok is false for a
// local path.
func podPath(arg string) (ns, pod, p string, ok bool) {
	i := strings.Index(arg, ":")
	if i <= 0 || strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", "", "", false
	}
	pod, p = arg[:i], arg[i+1:]
	if n, name, has := strings.Cut(pod, "/"); has {
		ns, pod = n, name
	}
	return ns, pod, p, true
}

// copyFiles is oc cp and oc rsync between the caller's files and a pod's:
// out of a pod (POD:PATH DEST; rsync copies the directory into DEST/its
// base name), or into it (SRC POD:PATH; rsync copies SRC/'s content into
// the directory). With $OCSIM_EXEC_FALLBACK=1 a copy out of a pod leaves
// a placeholder file instead.
func (r *run) copyFiles(cmd string, args []string) int {
	f := parseFlags(args, "--delete", "--progress", "-q", "--quiet", "--no-perms")
	if len(f.pos) != 2 {
		return r.fail("error: source and destination are required")
	}
	src, dst := f.pos[0], f.pos[1]
	sns, spod, spath, fromPod := podPath(src)
	dns, dpod, dpath, toPod := podPath(dst)
	if r.c.cfg.ExecFallback {
		if fromPod && !toPod {
			if err := placeholder(cmd, src, r.local(dst)); err != nil {
				return r.fail("error: %v", err)
			}
		}
		return 0
	}
	if fromPod == toPod {
		return r.fail("error: one of src or dest must be a local file specification")
	}
	ns, podName := sns, spod
	if toPod {
		ns, podName = dns, dpod
	}
	if ns == "" {
		ns = r.ns
	}
	pod := r.c.get(ns, "Pod", podName)
	if pod == nil {
		return r.fail("Error from server (NotFound): pods %q not found", podName)
	}
	if str(pod, "status", "phase") != "Running" {
		return r.fail("error: cannot exec into a container in a completed pod; current phase is %s", str(pod, "status", "phase"))
	}
	v, err := r.c.view(pod, f.get("-c", "--container"))
	if err != nil {
		return r.fail("%v", err)
	}
	if fromPod {
		return r.copyOut(cmd, v, spath, r.local(dst))
	}
	return r.copyIn(cmd, v, r.local(src), dpath, strings.HasSuffix(src, "/"))
}

func (r *run) copyOut(cmd string, v *podView, p, dst string) int {
	p = path.Clean("/" + p)
	if !v.isDir(p) {
		b, err := v.readFile(p)
		if err != nil {
			// The tar in the pod that oc cp runs (kubernetes/kubernetes#41609).
			fmt.Fprintf(r.err, "tar: Removing leading `/' from member names\ntar: %s: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n", p)
			return 1
		}
		if st, err := os.Stat(dst); err == nil && st.IsDir() {
			dst = filepath.Join(dst, path.Base(p))
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return r.fail("error: %v", err)
		}
		return 0
	}
	root := dst
	if cmd == "rsync" {
		root = filepath.Join(dst, path.Base(p))
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return r.fail("error: %v", err)
	}
	for _, file := range v.listFiles(p) {
		b, _ := v.readFile(file)
		out := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(file, p+"/")))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return r.fail("error: %v", err)
		}
		if err := os.WriteFile(out, b, 0o644); err != nil {
			return r.fail("error: %v", err)
		}
	}
	return 0
}

func (r *run) copyIn(cmd string, v *podView, src, p string, contents bool) int {
	p = path.Clean("/" + p)
	st, err := os.Stat(src)
	if err != nil {
		return r.fail("error: %s doesn't exist in local filesystem", src)
	}
	write := func(local, remote string) bool {
		b, err := os.ReadFile(local)
		if err != nil {
			r.fail("error: %v", err)
			return false
		}
		if err := v.write(remote, b, true); err != nil {
			fmt.Fprintf(r.err, "tar: %s: Cannot write: %s\ntar: Exiting with failure status due to previous errors\ncommand terminated with exit code 2\n", path.Base(remote), errText(err))
			return false
		}
		return true
	}
	if !st.IsDir() {
		if v.isDir(p) {
			p = path.Join(p, filepath.Base(src))
		}
		return boolCode(!write(src, p))
	}
	if cmd == "rsync" && !contents {
		p = path.Join(p, filepath.Base(src))
	}
	ok := true
	_ = filepath.WalkDir(src, func(local string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !ok {
			return err
		}
		rel, _ := filepath.Rel(src, local)
		ok = write(local, path.Join(p, filepath.ToSlash(rel)))
		return nil
	})
	return boolCode(!ok)
}
