package ocsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/fields"
	klabels "k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/jsonpath"
	"sigs.k8s.io/yaml"

	"github.com/ampc/ampc/internal/ocsim/wire"
)

// Main is the oc command line: args[0] is the program's name ("oc", or
// "sleep" for the fake sleep that advances the logical clock). It returns
// the exit code.
func Main(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainWith(Open, args, getenv, stdin, stdout, stderr)
}

// mainWith is Main with the cluster opened by open: from its files (Open)
// or from a server's memory (Serve).
func mainWith(open func(Config) (*Cluster, error), args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if filepath.Base(args[0]) == "sleep" {
		return sleepMain(open, args[1:], getenv, stderr)
	}
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "fakeoc: "+err.Error())
		return 1
	}
	if cfg.Dir == "" {
		fmt.Fprintln(stderr, "fakeoc: FAKEOC_DIR is not set")
		return 1
	}
	ns := cfg.Namespace
	var rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			// What follows is the command of oc exec or oc rsh, whose own
			// flags (redis-cli -n DB) are not oc's.
			rest = append(rest, args[i:]...)
			break
		}
		if v, ok := strings.CutPrefix(a, "--namespace="); ok {
			ns = v
			continue
		}
		if (a == "-n" || a == "--namespace") && i+1 < len(args) {
			ns = args[i+1]
			i++
			continue
		}
		rest = append(rest, a)
	}
	line := strings.Join(rest, " ")
	if err := appendFile(filepath.Join(cfg.Dir, "calls.log"), line+"\n"); err != nil {
		fmt.Fprintln(stderr, "fakeoc: "+err.Error())
		return 1
	}
	// Standard input is read before the cluster is locked: in
	// `oc get ... | oc replace -f -` the writer needs the lock first.
	var input []byte
	if wire.NeedsStdin(rest) && stdin != nil {
		input, _ = io.ReadAll(stdin)
	}
	if cfg.Fail != "" && strings.Contains(line, cfg.Fail) && once(cfg.Dir, "failed") {
		fmt.Fprintln(stderr, "fakeoc: injected failure: "+line)
		return 1
	}
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "fakeoc: no command")
		return 1
	}
	c, err := open(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "fakeoc: "+err.Error())
		return 1
	}
	c.st.Calls++
	if cfg.CrashAt == c.st.Calls && !cfg.CrashAfter {
		_ = c.Save()
		fmt.Fprintln(stderr, "Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout (injected before call "+strconv.Itoa(c.st.Calls)+")")
		return 1
	}
	c.bootstrap()
	c.advance(cfg.Step)
	c.applySeeds()
	var out, errOut bytes.Buffer
	r := &run{c: c, ns: ns, stdin: input, out: &out, err: &errOut}
	code := r.dispatch(rest)
	c.reconcile()
	if err := c.Save(); err != nil {
		fmt.Fprintln(stderr, "fakeoc: "+err.Error())
		return 1
	}
	if cfg.CrashAt == c.st.Calls && cfg.CrashAfter {
		fmt.Fprintln(stderr, "Unable to connect to the server: net/http: TLS handshake timeout (injected after call "+strconv.Itoa(c.st.Calls)+")")
		return 1
	}
	if cfg.FailAfter != "" && strings.Contains(line, cfg.FailAfter) && once(cfg.Dir, "failed-after") {
		fmt.Fprintln(stderr, "Unable to connect to the server: net/http: TLS handshake timeout (injected after: "+line+")")
		return 1
	}
	_, _ = stdout.Write(out.Bytes())
	_, _ = stderr.Write(errOut.Bytes())
	return code
}

// once creates a marker file and reports whether it was not there before.
func once(dir, name string) bool {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return false
	}
	_ = os.WriteFile(p, nil, 0o644)
	return true
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(text)
	return err
}

// sleepMain is the fake sleep: it advances the logical clock instead of
// waiting.
func sleepMain(open func(Config) (*Cluster, error), args []string, getenv func(string) string, stderr io.Writer) int {
	var total time.Duration
	for _, a := range args {
		unit := time.Second
		switch {
		case strings.HasSuffix(a, "s"):
			a = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			a, unit = strings.TrimSuffix(a, "m"), time.Minute
		case strings.HasSuffix(a, "h"):
			a, unit = strings.TrimSuffix(a, "h"), time.Hour
		case strings.HasSuffix(a, "d"):
			a, unit = strings.TrimSuffix(a, "d"), 24*time.Hour
		}
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			fmt.Fprintf(stderr, "sleep: invalid time interval '%s'\n", a)
			return 1
		}
		total += time.Duration(f * float64(unit))
	}
	cfg, err := ConfigFromEnv(getenv)
	if err != nil || cfg.Dir == "" {
		time.Sleep(total)
		return 0
	}
	c, err := open(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "sleep: "+err.Error())
		return 1
	}
	c.bootstrap()
	c.advance(total)
	c.applySeeds()
	if err := c.Save(); err != nil {
		fmt.Fprintln(stderr, "sleep: "+err.Error())
		return 1
	}
	return 0
}

// run is one oc command against the locked cluster.
type run struct {
	c        *Cluster
	ns       string
	stdin    []byte
	out, err io.Writer
}

// local is a path of the caller's file system, relative to the caller's
// working directory.
func (r *run) local(path string) string {
	if r.c.cfg.WorkDir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(r.c.cfg.WorkDir, path)
}

func (r *run) fail(format string, a ...any) int {
	fmt.Fprintf(r.err, format+"\n", a...)
	return 1
}

// flags splits arguments into positional ones and flag values; boolean
// flags are listed in bools.
type flags struct {
	pos  []string
	vals map[string][]string
	tail []string // after --
}

func parseFlags(args []string, bools ...string) flags {
	f := flags{vals: map[string][]string{}}
	isBool := map[string]bool{}
	for _, b := range bools {
		isBool[b] = true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			f.tail = args[i+1:]
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			f.pos = append(f.pos, a)
			continue
		}
		name, val, has := strings.Cut(a, "=")
		if !has {
			if isBool[name] || i+1 >= len(args) {
				val = "true"
			} else {
				val = args[i+1]
				i++
			}
		}
		f.vals[name] = append(f.vals[name], val)
	}
	return f
}

func (f flags) get(names ...string) string {
	for _, n := range names {
		if v := f.vals[n]; len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

func (f flags) bool(names ...string) bool {
	v := f.get(names...)
	return v == "true" || v == "1"
}

func (f flags) has(name string) bool { return len(f.vals[name]) > 0 }

func (r *run) dispatch(args []string) int {
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "whoami":
		f := parseFlags(rest, "--show-server", "-t", "--show-token", "--show-context")
		switch {
		case f.bool("--show-server"):
			fmt.Fprintln(r.out, r.c.cfg.Server)
		case f.bool("-t", "--show-token"):
			fmt.Fprintln(r.out, "sha256~ocsim-token")
		default:
			fmt.Fprintln(r.out, "tester")
		}
		return 0
	case "project":
		f := parseFlags(rest, "-q", "--short")
		if len(f.pos) > 0 {
			if !r.c.hasNamespace(f.pos[0]) {
				return r.fail("error: A project named %q does not exist on %q.", f.pos[0], r.c.cfg.Server)
			}
			fmt.Fprintf(r.out, "Now using project %q on server %q.\n", f.pos[0], r.c.cfg.Server)
			return 0
		}
		if f.bool("-q", "--short") {
			fmt.Fprintln(r.out, r.ns)
			return 0
		}
		fmt.Fprintf(r.out, "Using project %q on server %q.\n", r.ns, r.c.cfg.Server)
		return 0
	case "version":
		fmt.Fprintln(r.out, "Client Version: 4.16.0\nKustomize Version: v5.0.4\nServer Version: 4.16.12\nKubernetes Version: v1.29.7")
		return 0
	case "auth":
		fmt.Fprintln(r.out, "yes")
		return 0
	case "get":
		return r.get(rest)
	case "describe":
		return r.get(append(rest, "-o", "yaml"))
	case "patch":
		return r.patch(rest)
	case "create":
		if len(rest) > 0 && (rest[0] == "secret" || rest[0] == "configmap" || rest[0] == "cm") {
			return r.createGeneric(rest)
		}
		return r.applyFiles("create", rest)
	case "apply", "replace":
		return r.applyFiles(cmd, rest)
	case "delete":
		return r.delete(rest)
	case "scale":
		return r.scale(rest)
	case "label", "annotate":
		return r.label(cmd, rest)
	case "set":
		return r.set(rest)
	case "rollout":
		return r.rollout(rest)
	case "tag":
		return r.tag(rest)
	case "exec", "rsh":
		return r.exec(rest)
	case "cp", "rsync":
		return r.copyFiles(cmd, rest)
	case "logs":
		return 0
	case "start-build":
		return r.startBuild(rest)
	case "new-project":
		f := parseFlags(rest, "--skip-config-write")
		if len(f.pos) == 0 {
			return r.fail("error: must have exactly one argument")
		}
		if r.c.hasNamespace(f.pos[0]) {
			return r.fail("Error from server (AlreadyExists): project.project.openshift.io %q already exists", f.pos[0])
		}
		r.c.addNamespace(f.pos[0])
		if !f.bool("--skip-config-write") {
			fmt.Fprintf(r.out, "Now using project %q on server %q.\n", f.pos[0], r.c.cfg.Server)
		}
		return 0
	case "new-app", "secrets", "image", "adm", "policy", "import-image":
		// Recorded in calls.log; not modelled.
		return 0
	}
	return r.fail("error: unknown command %q for \"oc\"", cmd)
}

// target is one object an argument names.
type target struct {
	kind *Kind
	name string
}

// targets reads "TYPE NAME...", "TYPE/NAME..." or "TYPE" (all of a kind)
// from positional arguments.
func (r *run) targets(pos []string) ([]target, error) {
	if len(pos) == 0 {
		return nil, fmt.Errorf("error: you must specify the type of resource to get")
	}
	if strings.Contains(pos[0], "/") {
		var out []target
		for _, p := range pos {
			t, n, ok := strings.Cut(p, "/")
			if !ok {
				return nil, fmt.Errorf("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
			}
			k := resolveResource(t, r.c.cfg.Knative)
			if k == nil {
				return nil, fmt.Errorf("error: the server doesn't have a resource type %q", t)
			}
			out = append(out, target{k, n})
		}
		return out, nil
	}
	var out []target
	for _, t := range strings.Split(pos[0], ",") {
		if t == "all" {
			for _, name := range []string{"Pod", "Service", "ReplicationController", "Deployment", "Job", "DeploymentConfig", "BuildConfig", "Build", "ImageStream", "Route"} {
				out = append(out, target{kindByName(name), ""})
			}
			continue
		}
		k := resolveResource(t, r.c.cfg.Knative)
		if k == nil {
			return nil, fmt.Errorf("error: the server doesn't have a resource type %q", t)
		}
		if len(pos) == 1 {
			out = append(out, target{k, ""})
		}
		for _, n := range pos[1:] {
			out = append(out, target{k, n})
		}
	}
	return out, nil
}

// lookup finds an object the way the server does: in the namespace, or
// anywhere for a cluster-scoped kind.
func (r *run) lookup(k *Kind, name string) Object {
	if k == knativeSubscription {
		return nil // the simulator holds none
	}
	if k.Kind == "ImageStreamTag" {
		return r.c.imageStreamTag(r.ns, name)
	}
	if obj := r.c.get(r.ns, k.Kind, name); obj != nil {
		return obj
	}
	if (k.Kind == "Project" || k.Kind == "Namespace") && r.c.hasNamespace(name) {
		return namespaceView(k, name)
	}
	if !k.Namespaced {
		for _, obj := range r.c.list("", k.Kind) {
			if str(obj, "metadata", "name") == name {
				return obj
			}
		}
	}
	if k.Kind == "ClusterVersion" && name == "version" {
		return r.c.clusterVersionView()
	}
	return nil
}

func (r *run) listKind(k *Kind, allNS bool) []Object {
	if k == knativeSubscription {
		return nil
	}
	ns := r.ns
	if allNS || !k.Namespaced {
		ns = ""
	}
	if k.Kind == "ImageStreamTag" {
		var out []Object
		for _, is := range r.c.list(ns, "ImageStream") {
			for _, st := range list(is, "status", "tags") {
				if t := r.c.imageStreamTag(str(is, "metadata", "namespace"), str(is, "metadata", "name")+":"+str(st, "tag")); t != nil {
					out = append(out, t)
				}
			}
		}
		return out
	}
	objs := r.c.list(ns, k.Kind)
	if k.Kind == "ClusterVersion" && r.c.storedClusterVersion() == nil {
		objs = append(objs, r.c.clusterVersionView())
	}
	if k.Kind == "Project" || k.Kind == "Namespace" {
		stored := map[string]bool{}
		for _, o := range objs {
			stored[str(o, "metadata", "name")] = true
		}
		names := append([]string{r.c.cfg.Namespace}, r.c.st.Namespaces...)
		sort.Strings(names)
		for i, n := range names {
			if !stored[n] && (i == 0 || names[i-1] != n) {
				objs = append(objs, namespaceView(k, n))
			}
		}
	}
	return objs
}

// namespaceView is the Namespace, or the Project, that the cluster answers
// for a namespace it holds objects in or created (oc new-project) and has
// no stored object of.
func namespaceView(k *Kind, name string) Object {
	return Object{"apiVersion": k.APIVersion(), "kind": k.Kind,
		"metadata": map[string]any{"name": name},
		"status":   map[string]any{"phase": "Active"}}
}

func notFound(k *Kind, name string) string {
	return fmt.Sprintf("Error from server (NotFound): %s %q not found", k.qualified(), name)
}

func (r *run) get(args []string) int {
	f := parseFlags(args, "--ignore-not-found", "-A", "--all-namespaces", "--no-headers", "--show-labels", "-w", "--watch")
	if f.has("--export") {
		return r.fail("error: unknown flag: --export\nSee 'oc get --help' for usage.")
	}
	ts, err := r.targets(f.pos)
	if err != nil {
		return r.fail("%v", err)
	}
	sel, err := klabels.Parse(f.get("-l", "--selector"))
	if err != nil {
		return r.fail("error: %v", err)
	}
	fsel, err := fields.ParseSelector(f.get("--field-selector"))
	if err != nil {
		return r.fail("error: %v", err)
	}
	allNS := f.bool("-A", "--all-namespaces")
	var objs []Object
	code := 0
	single := len(ts) == 1 && ts[0].name != ""
	for _, t := range ts {
		if t.name == "" {
			for _, obj := range r.listKind(t.kind, allNS) {
				if matchSelectors(obj, sel, fsel) {
					objs = append(objs, obj)
				}
			}
			continue
		}
		obj := r.lookup(t.kind, t.name)
		if obj == nil {
			if !f.bool("--ignore-not-found") {
				fmt.Fprintln(r.err, notFound(t.kind, t.name))
				code = 1
			}
			continue
		}
		objs = append(objs, obj)
	}
	output := f.get("-o", "--output")
	if len(objs) == 0 && !single && (output == "" || output == "wide") && code == 0 {
		if !f.bool("--ignore-not-found") {
			fmt.Fprintf(r.err, "No resources found in %s namespace.\n", r.ns)
		}
		return 0
	}
	if single && len(objs) == 0 {
		return code
	}
	if err := r.print(objs, single, output, f.bool("--no-headers")); err != nil {
		return r.fail("%v", err)
	}
	return code
}

func matchSelectors(obj Object, sel klabels.Selector, fsel fields.Selector) bool {
	set := klabels.Set{}
	for k, v := range labels(obj) {
		set[k], _ = v.(string)
	}
	if !sel.Matches(set) {
		return false
	}
	fs := fields.Set{"metadata.name": str(obj, "metadata", "name"), "metadata.namespace": str(obj, "metadata", "namespace")}
	if obj["kind"] == "Pod" {
		fs["status.phase"] = str(obj, "status", "phase")
		fs["spec.nodeName"] = str(obj, "spec", "nodeName")
	}
	return fsel.Matches(fs)
}

func asList(objs []Object) Object {
	items := make([]any, len(objs))
	for i, o := range objs {
		items[i] = o
	}
	return Object{"apiVersion": "v1", "kind": "List", "items": items, "metadata": map[string]any{"resourceVersion": ""}}
}

// print writes objects as oc get -o OUTPUT does.
func (r *run) print(objs []Object, single bool, output string, noHeaders bool) error {
	var doc any = asList(objs)
	if single {
		doc = objs[0]
	}
	switch {
	case output == "json":
		raw, err := json.MarshalIndent(doc, "", "    ")
		if err != nil {
			return err
		}
		fmt.Fprintln(r.out, string(raw))
	case output == "yaml":
		raw, err := yaml.Marshal(doc)
		if err != nil {
			return err
		}
		fmt.Fprint(r.out, string(raw))
	case output == "name":
		for _, o := range objs {
			k := kindByName(o["kind"].(string))
			fmt.Fprintf(r.out, "%s/%s\n", k.nameForm(), str(o, "metadata", "name"))
		}
	case strings.HasPrefix(output, "jsonpath="), strings.HasPrefix(output, "jsonpath-as-json="):
		expr := output[strings.Index(output, "=")+1:]
		jp := jsonpath.New("out").AllowMissingKeys(true)
		if strings.HasPrefix(output, "jsonpath-as-json=") {
			jp.EnableJSONOutput(true)
		}
		if err := jp.Parse(expr); err != nil {
			return fmt.Errorf("error: error parsing jsonpath %s, %v", expr, err)
		}
		var data any
		if err := json.Unmarshal(marshal(doc), &data); err != nil {
			return err
		}
		if err := jp.Execute(r.out, data); err != nil {
			return fmt.Errorf("error: %v", err)
		}
	case output == "" || output == "wide":
		r.table(objs, noHeaders)
	default:
		return fmt.Errorf("error: unable to match a printer suitable for the output format %q", output)
	}
	return nil
}

func (r *run) table(objs []Object, noHeaders bool) {
	lastKind := ""
	for _, o := range objs {
		kind := o["kind"].(string)
		if kind != lastKind && !noHeaders {
			switch kind {
			case "Pod":
				fmt.Fprintln(r.out, "NAME\tREADY\tSTATUS\tRESTARTS\tAGE")
			case "Deployment":
				fmt.Fprintln(r.out, "NAME\tREADY\tUP-TO-DATE\tAVAILABLE\tAGE")
			case "DeploymentConfig":
				fmt.Fprintln(r.out, "NAME\tREVISION\tDESIRED\tCURRENT\tTRIGGERED BY")
			default:
				fmt.Fprintln(r.out, "NAME\tAGE")
			}
		}
		lastKind = kind
		name := str(o, "metadata", "name")
		switch kind {
		case "Pod":
			// As kubectl's printer: the pod's reason (Evicted), else a
			// container's waiting reason (CreateContainerConfigError),
			// else the phase.
			status := str(o, "status", "phase")
			if r := str(o, "status", "reason"); r != "" {
				status = r
			}
			for _, cs := range list(o, "status", "containerStatuses") {
				if r := str(cs, "state", "waiting", "reason"); r != "" {
					status = r
				}
			}
			if terminating(o) {
				status = "Terminating"
			}
			ready := 0
			if podReady(o) {
				ready = len(list(o, "spec", "containers"))
			}
			fmt.Fprintf(r.out, "%s\t%d/%d\t%s\t0\t1m\n", name, ready, len(list(o, "spec", "containers")), status)
		case "Deployment":
			fmt.Fprintf(r.out, "%s\t%d/%d\t%d\t%d\t1m\n", name, num(o, "status", "readyReplicas"), num(o, "spec", "replicas"), num(o, "status", "updatedReplicas"), num(o, "status", "availableReplicas"))
		case "DeploymentConfig":
			fmt.Fprintf(r.out, "%s\t%d\t%d\t%d\tconfig\n", name, num(o, "status", "latestVersion"), num(o, "spec", "replicas"), num(o, "status", "replicas"))
		default:
			fmt.Fprintf(r.out, "%s\t1m\n", name)
		}
	}
}

// --- writes ---

// specOf is everything of an object but its metadata and status: what the
// server compares to count generations.
func specOf(obj Object) map[string]any {
	out := map[string]any{}
	for k, v := range obj {
		if k != "metadata" && k != "status" && k != "apiVersion" && k != "kind" {
			out[k] = v
		}
	}
	return out
}

// foldStringData does what the API server does with a Secret's stringData.
func foldStringData(obj Object) {
	if obj["kind"] != "Secret" {
		return
	}
	sd, ok := obj["stringData"].(map[string]any)
	if !ok {
		return
	}
	data, _ := obj["data"].(map[string]any)
	if data == nil {
		data = map[string]any{}
	}
	for k, v := range sd {
		data[k] = b64(fmt.Sprint(v))
	}
	obj["data"] = data
	delete(obj, "stringData")
}

// update stores a client's new version of an existing object as the server
// does: it validates it strictly, keeps the server-owned metadata and the
// status, and counts a spec change in the generation. It reports whether
// anything changed.
func (r *run) update(k *Kind, cur, next Object) (bool, error) {
	foldStringData(next)
	next["apiVersion"], next["kind"] = k.APIVersion(), k.Kind
	meta := mapAt(next, "metadata")
	if meta == nil {
		meta = map[string]any{}
		next["metadata"] = meta
	}
	for _, f := range []string{"name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp"} {
		if v, ok := mapAt(cur, "metadata")[f]; ok {
			meta[f] = v
		} else {
			delete(meta, f)
		}
	}
	if hasStatus(k.Kind) {
		if st, ok := cur["status"]; ok {
			next["status"] = st
		} else {
			delete(next, "status")
		}
	}
	if err := validate(k, next); err != nil {
		return false, err
	}
	if equalJSON(cur, next) {
		return false, nil
	}
	if hasGeneration(k.Kind) && !equalJSON(specOf(cur), specOf(next)) {
		gen := num(cur, "metadata", "generation") + 1
		meta["generation"] = gen
		if k.Kind == "ImageStream" {
			for _, t := range list(next, "spec", "tags") {
				tag := t.(map[string]any)
				old := specTag(cur, str(tag, "name"))
				cmp := func(m map[string]any) map[string]any {
					m = clone(m)
					delete(m, "generation")
					return m
				}
				if old == nil || !equalJSON(cmp(old), cmp(tag)) {
					tag["generation"] = gen
				}
			}
		}
	}
	r.c.put(next)
	return true, nil
}

func (r *run) patch(args []string) int {
	f := parseFlags(args, "--local", "--dry-run")
	ts, err := r.targets(f.pos)
	if err != nil {
		return r.fail("%v", err)
	}
	if len(ts) != 1 || ts[0].name == "" {
		return r.fail("error: resource(s) were provided, but no name was specified")
	}
	t := ts[0]
	patch := f.get("-p", "--patch")
	if file := f.get("--patch-file"); file != "" {
		raw, err := os.ReadFile(r.local(file))
		if err != nil {
			return r.fail("error: %v", err)
		}
		patch = string(raw)
	}
	if patch == "" {
		return r.fail("error: must specify -p to patch")
	}
	if j, err := yaml.YAMLToJSON([]byte(patch)); err == nil {
		patch = string(j)
	}
	typ := PatchType(f.get("--type"))
	if typ == "" {
		typ = PatchStrategic
	}
	cur := r.lookup(t.kind, t.name)
	if cur == nil {
		return r.fail("%s", notFound(t.kind, t.name))
	}
	raw, err := applyPatch(t.kind, marshal(cur), typ, []byte(patch))
	if err != nil {
		if err == errUnsupportedMediaType {
			return r.fail("Error from server (UnsupportedMediaType): %v", err)
		}
		if typ == PatchJSON {
			return r.fail("The request is invalid: the server rejected our request due to an error in our request")
		}
		return r.fail("Error from server (BadRequest): %v", err)
	}
	next, err := decodeObject(raw)
	if err != nil {
		return r.fail("Error from server (BadRequest): %v", err)
	}
	changed, err := r.update(t.kind, cur, next)
	if err != nil {
		return r.fail("Error from server (BadRequest): %v", err)
	}
	suffix := ""
	if !changed {
		suffix = " (no change)"
	}
	fmt.Fprintf(r.out, "%s/%s patched%s\n", t.kind.nameForm(), t.name, suffix)
	return 0
}

// readManifests reads the objects of a file (or - for standard input):
// YAML or JSON, several documents, or a List.
func (r *run) readManifests(file string) ([]Object, error) {
	var raw []byte
	var err error
	if file == "-" {
		raw = r.stdin
	} else {
		raw, err = os.ReadFile(r.local(file))
		if err != nil {
			return nil, fmt.Errorf("error: the path %q does not exist", file)
		}
	}
	var out []Object
	for _, doc := range splitYAML(raw) {
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("error: error parsing %s: %v", file, err)
		}
		if strings.TrimSpace(string(j)) == "null" {
			continue
		}
		obj, err := decodeObject(j)
		if err != nil {
			return nil, fmt.Errorf("error: error parsing %s: %v", file, err)
		}
		if obj["kind"] == "List" || strings.HasSuffix(str(obj, "kind"), "List") && obj["items"] != nil {
			for _, it := range list(obj, "items") {
				if m, ok := it.(map[string]any); ok {
					out = append(out, m)
				}
			}
			continue
		}
		out = append(out, obj)
	}
	return out, nil
}

func splitYAML(raw []byte) [][]byte {
	var docs [][]byte
	var cur []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.TrimRight(line, " \r") == "---" {
			docs = append(docs, []byte(strings.Join(cur, "\n")))
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	docs = append(docs, []byte(strings.Join(cur, "\n")))
	var out [][]byte
	for _, d := range docs {
		if strings.TrimSpace(string(d)) != "" {
			out = append(out, d)
		}
	}
	return out
}

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func (r *run) applyFiles(verb string, args []string) int {
	f := parseFlags(args, "--force", "--overwrite", "--save-config", "--server-side")
	files := f.vals["-f"]
	files = append(files, f.vals["--filename"]...)
	if len(files) == 0 {
		return r.fail("error: must specify one of -f and -k")
	}
	label := map[string]string{"create": "creating", "apply": "applying patch", "replace": "replacing"}[verb]
	code := 0
	for _, file := range files {
		objs, err := r.readManifests(file)
		if err != nil {
			return r.fail("%v", err)
		}
		if len(objs) == 0 {
			return r.fail("error: no objects passed to %s", verb)
		}
		src := file
		if file == "-" {
			src = "STDIN"
		}
		for _, obj := range objs {
			if c := r.applyOne(verb, label, src, obj, f.bool("--force")); c != 0 {
				code = c
			}
		}
	}
	return code
}

func (r *run) applyOne(verb, label, src string, obj Object, force bool) int {
	kindName, _ := obj["kind"].(string)
	apiVersion, _ := obj["apiVersion"].(string)
	k := kindByName(kindName)
	name := str(obj, "metadata", "name")
	if k == nil || k.APIVersion() != apiVersion {
		return r.fail("error: resource mapping not found for name: %q namespace: %q from %q: no matches for kind %q in version %q\nensure CRDs are installed first", name, str(obj, "metadata", "namespace"), src, kindName, apiVersion)
	}
	ns := r.ns
	if objNS := str(obj, "metadata", "namespace"); objNS != "" && k.Namespaced {
		if objNS != r.ns {
			return r.fail("error: the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation.", objNS, r.ns, objNS)
		}
	}
	if !r.c.hasNamespace(ns) {
		return r.fail("Error from server (NotFound): error when %s %q: namespaces %q not found", label, src, ns)
	}
	setNested(obj, ns, "metadata", "namespace")
	cur := r.c.get(ns, k.Kind, name)
	switch verb {
	case "create":
		if cur != nil {
			return r.fail("Error from server (AlreadyExists): error when creating %q: %s %q already exists", src, k.qualified(), name)
		}
	case "replace":
		if cur == nil {
			return r.fail("Error from server (NotFound): error when replacing %q: %s %q not found", src, k.qualified(), name)
		}
		if rv := str(obj, "metadata", "resourceVersion"); rv != "" && rv != str(cur, "metadata", "resourceVersion") && !force {
			return r.fail("Error from server (Conflict): error when replacing %q: Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again", src, k.qualified(), name)
		}
	}
	if cur == nil {
		if verb == "apply" {
			modified := clone(obj)
			delete(mapAt(modified, "metadata"), "resourceVersion")
			setAnnotation(obj, lastApplied, string(marshal(modified))+"\n")
		}
		foldStringData(obj)
		if err := validate(k, obj); err != nil {
			return r.fail("Error from server (BadRequest): error when %s %q: %v", label, src, err)
		}
		meta := mapAt(obj, "metadata")
		for _, f := range []string{"uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp"} {
			delete(meta, f)
		}
		if hasStatus(k.Kind) {
			delete(obj, "status")
		}
		r.c.create(obj)
		fmt.Fprintf(r.out, "%s/%s created\n", k.nameForm(), name)
		return 0
	}
	next := obj
	if verb == "apply" {
		modified := clone(obj)
		delete(mapAt(modified, "metadata"), "resourceVersion")
		if a := mapAt(modified, "metadata", "annotations"); a != nil {
			delete(a, lastApplied)
		}
		original := []byte(annotation(cur, lastApplied))
		if len(original) == 0 {
			original = []byte("{}")
		}
		withAnn := clone(modified)
		setAnnotation(withAnn, lastApplied, string(marshal(modified))+"\n")
		raw, err := threeWayApply(k, original, marshal(withAnn), marshal(cur))
		if err != nil {
			return r.fail("error: error when applying patch to %q: %v", src, err)
		}
		next, err = decodeObject(raw)
		if err != nil {
			return r.fail("error: %v", err)
		}
	}
	changed, err := r.update(k, cur, next)
	if err != nil {
		return r.fail("Error from server (BadRequest): error when %s %q: %v", label, src, err)
	}
	switch {
	case verb == "replace":
		fmt.Fprintf(r.out, "%s/%s replaced\n", k.nameForm(), name)
	case changed:
		fmt.Fprintf(r.out, "%s/%s configured\n", k.nameForm(), name)
	default:
		fmt.Fprintf(r.out, "%s/%s unchanged\n", k.nameForm(), name)
	}
	return 0
}

// createGeneric is oc create secret generic / configmap NAME with
// --from-literal, --from-file and --type, optionally only printed with
// --dry-run=client -o yaml|json.
func (r *run) createGeneric(args []string) int {
	f := parseFlags(args[1:])
	kindName := "ConfigMap"
	pos := f.pos
	if args[0] == "secret" {
		kindName = "Secret"
		if len(pos) > 0 && (pos[0] == "generic" || pos[0] == "docker-registry" || pos[0] == "tls") {
			pos = pos[1:]
		}
	}
	if len(pos) == 0 {
		return r.fail("error: NAME is required")
	}
	data := map[string]any{}
	for _, lit := range f.vals["--from-literal"] {
		k, v, _ := strings.Cut(lit, "=")
		data[k] = v
	}
	for _, file := range f.vals["--from-file"] {
		key, path, ok := strings.Cut(file, "=")
		if !ok {
			key, path = filepath.Base(file), file
		}
		raw, err := os.ReadFile(r.local(path))
		if err != nil {
			return r.fail("error: error reading %s: no such file or directory", path)
		}
		data[key] = string(raw)
	}
	obj := Object{"apiVersion": "v1", "kind": kindName, "metadata": map[string]any{"name": pos[0], "namespace": r.ns}}
	if kindName == "Secret" {
		enc := map[string]any{}
		for k, v := range data {
			enc[k] = b64(v.(string))
		}
		obj["data"] = enc
		obj["type"] = "Opaque"
		if t := f.get("--type"); t != "" {
			obj["type"] = t
		}
	} else {
		obj["data"] = data
	}
	if strings.HasPrefix(f.get("--dry-run"), "client") || f.get("--dry-run") == "true" {
		return boolCode(r.print([]Object{obj}, true, f.get("-o", "--output"), false) != nil)
	}
	return r.applyOne("create", "creating", "STDIN", obj, false)
}

func boolCode(failed bool) int {
	if failed {
		return 1
	}
	return 0
}

func (r *run) delete(args []string) int {
	f := parseFlags(args, "--ignore-not-found", "--all", "--now", "--force")
	var ts []target
	if files := append(f.vals["-f"], f.vals["--filename"]...); len(files) > 0 {
		for _, file := range files {
			objs, err := r.readManifests(file)
			if err != nil {
				return r.fail("%v", err)
			}
			for _, o := range objs {
				if k := kindByName(str(o, "kind")); k != nil {
					ts = append(ts, target{k, str(o, "metadata", "name")})
				}
			}
		}
	} else {
		var err error
		ts, err = r.targets(f.pos)
		if err != nil {
			return r.fail("%v", err)
		}
	}
	sel, err := klabels.Parse(f.get("-l", "--selector"))
	if err != nil {
		return r.fail("error: %v", err)
	}
	code := 0
	var gone []Object
	for _, t := range ts {
		if t.name == "" {
			if !f.has("-l") && !f.has("--selector") && !f.bool("--all") {
				return r.fail("error: resource(s) were provided, but no name was specified")
			}
			for _, o := range r.listKind(t.kind, false) {
				if matchSelectors(o, sel, fields.Everything()) {
					gone = append(gone, o)
				}
			}
			continue
		}
		o := r.lookup(t.kind, t.name)
		if o == nil {
			if !f.bool("--ignore-not-found") {
				fmt.Fprintln(r.err, notFound(t.kind, t.name))
				code = 1
			}
			continue
		}
		gone = append(gone, o)
	}
	wait := f.get("--wait") != "false"
	for _, o := range gone {
		k := kindByName(o["kind"].(string))
		r.c.deleteObject(o, wait)
		fmt.Fprintf(r.out, "%s %q deleted\n", strings.ToLower(k.Kind), str(o, "metadata", "name"))
	}
	return code
}

// deleteObject deletes as the server and the garbage collector do: pods
// terminate gracefully (and oc waits for them unless --wait=false), a
// workload's pods and ReplicationControllers go with it.
func (c *Cluster) deleteObject(o Object, wait bool) {
	ns, name := str(o, "metadata", "namespace"), str(o, "metadata", "name")
	switch o["kind"] {
	case "Pod":
		c.terminate(o)
		if wait {
			for i := 0; i < 120 && c.get(ns, "Pod", name) != nil; i++ {
				c.advance(time.Second)
			}
		}
		return
	case "DeploymentConfig":
		for _, rc := range dcRCs(c, ns, name) {
			c.deleteObject(rc, false)
		}
	case "ReplicationController":
		for _, p := range c.list(ns, "Pod") {
			if ownedBy(p, "ReplicationController", name) {
				if labels(p)[labelDeployer] != nil || labels(p)[labelHookType] != nil {
					c.remove(keyOf(p))
				} else {
					c.terminate(p)
				}
			}
		}
	case "Deployment":
		for _, p := range c.list(ns, "Pod") {
			if ownedByDeployment(p, name) {
				c.terminate(p)
			}
		}
	}
	c.remove(keyOf(o))
}

func (r *run) one(pos []string) (target, Object, int) {
	ts, err := r.targets(pos)
	if err != nil {
		return target{}, nil, r.fail("%v", err)
	}
	if len(ts) != 1 || ts[0].name == "" {
		return target{}, nil, r.fail("error: resource(s) were provided, but no name was specified")
	}
	obj := r.lookup(ts[0].kind, ts[0].name)
	if obj == nil {
		return ts[0], nil, r.fail("%s", notFound(ts[0].kind, ts[0].name))
	}
	return ts[0], obj, 0
}

func (r *run) scale(args []string) int {
	f := parseFlags(args)
	t, obj, code := r.one(f.pos)
	if obj == nil {
		return code
	}
	n, err := strconv.ParseInt(f.get("--replicas"), 10, 64)
	if err != nil || n < 0 {
		return r.fail("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
	}
	switch t.kind.Kind {
	case "Deployment", "DeploymentConfig", "ReplicationController":
	default:
		return r.fail("error: no scaler has been implemented for %s", t.kind.Kind)
	}
	next := clone(obj)
	setNested(next, n, "spec", "replicas")
	if _, err := r.update(t.kind, obj, next); err != nil {
		return r.fail("Error from server (BadRequest): %v", err)
	}
	fmt.Fprintf(r.out, "%s/%s scaled\n", t.kind.nameForm(), t.name)
	return 0
}

func (r *run) label(cmd string, args []string) int {
	f := parseFlags(args, "--overwrite", "--all")
	var objArgs, pairs []string
	for _, p := range f.pos {
		if strings.Contains(p, "=") || strings.HasSuffix(p, "-") {
			pairs = append(pairs, p)
		} else {
			objArgs = append(objArgs, p)
		}
	}
	t, obj, code := r.one(objArgs)
	if obj == nil {
		return code
	}
	field := "labels"
	if cmd == "annotate" {
		field = "annotations"
	}
	next := clone(obj)
	m := mapAt(next, "metadata", field)
	if m == nil {
		m = map[string]any{}
		setNested(next, m, "metadata", field)
	}
	for _, p := range pairs {
		if k, ok := strings.CutSuffix(p, "-"); ok && !strings.Contains(p, "=") {
			delete(m, k)
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if old, ok := m[k]; ok && old != v && !f.bool("--overwrite") {
			return r.fail("error: '%s' already has a value (%v), and --overwrite is false", k, old)
		}
		m[k] = v
	}
	if _, err := r.update(t.kind, obj, next); err != nil {
		return r.fail("Error from server (BadRequest): %v", err)
	}
	verb := map[string]string{"label": "labeled", "annotate": "annotated"}[cmd]
	fmt.Fprintf(r.out, "%s/%s %s\n", t.kind.nameForm(), t.name, verb)
	return 0
}

func podSpecPath(kind string) []string {
	return []string{"spec", "template", "spec"}
}

func (r *run) set(args []string) int {
	if len(args) == 0 {
		return r.fail("error: set needs a subcommand")
	}
	switch args[0] {
	case "env":
		f := parseFlags(args[1:], "--list", "--overwrite", "--all")
		var objArgs, pairs []string
		for _, p := range f.pos {
			if strings.Contains(p, "=") || strings.HasSuffix(p, "-") && !strings.Contains(p, "/") {
				pairs = append(pairs, p)
			} else {
				objArgs = append(objArgs, p)
			}
		}
		t, obj, code := r.one(objArgs)
		if obj == nil {
			return code
		}
		container := f.get("-c", "--containers")
		next := clone(obj)
		for _, ctr := range list(next, append(podSpecPath(t.kind.Kind), "containers")...) {
			cm := ctr.(map[string]any)
			if container != "" && container != "*" && str(cm, "name") != container {
				continue
			}
			if f.bool("--list") {
				fmt.Fprintf(r.out, "# %s/%s, container %s\n", t.kind.Resource, t.name, str(cm, "name"))
				for _, e := range list(cm, "env") {
					if from := mapAt(e, "valueFrom"); from != nil {
						if ref := mapAt(from, "configMapKeyRef"); ref != nil {
							fmt.Fprintf(r.out, "# %s from configmap %s, key %s\n", str(e, "name"), str(ref, "name"), str(ref, "key"))
						} else if ref := mapAt(from, "secretKeyRef"); ref != nil {
							fmt.Fprintf(r.out, "# %s from secret %s, key %s\n", str(e, "name"), str(ref, "name"), str(ref, "key"))
						} else {
							fmt.Fprintf(r.out, "# %s from field path\n", str(e, "name"))
						}
						continue
					}
					fmt.Fprintf(r.out, "%s=%s\n", str(e, "name"), str(e, "value"))
				}
				continue
			}
			env := list(cm, "env")
			for _, p := range pairs {
				if k, ok := strings.CutSuffix(p, "-"); ok && !strings.Contains(p, "=") {
					var kept []any
					for _, e := range env {
						if str(e, "name") != k {
							kept = append(kept, e)
						}
					}
					env = kept
					continue
				}
				k, v, _ := strings.Cut(p, "=")
				found := false
				for i, e := range env {
					if str(e, "name") == k {
						env[i] = map[string]any{"name": k, "value": v}
						found = true
					}
				}
				if !found {
					env = append(env, map[string]any{"name": k, "value": v})
				}
			}
			if len(env) == 0 {
				delete(cm, "env")
			} else {
				cm["env"] = env
			}
		}
		if f.bool("--list") {
			return 0
		}
		changed, err := r.update(t.kind, obj, next)
		if err != nil {
			return r.fail("Error from server (BadRequest): %v", err)
		}
		if changed {
			fmt.Fprintf(r.out, "%s/%s updated\n", t.kind.nameForm(), t.name)
		}
		return 0
	case "triggers":
		f := parseFlags(args[1:], "--remove-all", "--auto", "--manual", "--from-config")
		t, obj, code := r.one(f.pos)
		if obj == nil {
			return code
		}
		next := clone(obj)
		switch t.kind.Kind {
		case "DeploymentConfig":
			if f.bool("--remove-all") {
				delete(mapAt(next, "spec"), "triggers")
			}
			for _, tr := range list(next, "spec", "triggers") {
				if p := mapAt(tr, "imageChangeParams"); p != nil && (f.bool("--auto") || f.bool("--manual")) {
					p["automatic"] = f.bool("--auto")
				}
			}
		default:
			if a := mapAt(next, "metadata", "annotations"); a != nil && f.bool("--remove-all") {
				delete(a, "image.openshift.io/triggers")
			}
		}
		if _, err := r.update(t.kind, obj, next); err != nil {
			return r.fail("Error from server (BadRequest): %v", err)
		}
		fmt.Fprintf(r.out, "%s/%s triggers updated\n", t.kind.nameForm(), t.name)
		return 0
	}
	return r.fail("error: unknown command %q for \"oc set\"", args[0])
}

func (r *run) startBuild(args []string) int {
	f := parseFlags(args, "--follow", "-F", "--wait", "-w")
	if len(f.pos) == 0 {
		return r.fail("error: must provide a name")
	}
	name := strings.TrimPrefix(f.pos[0], "bc/")
	name = strings.TrimPrefix(name, "buildconfig/")
	bc := r.c.get(r.ns, "BuildConfig", name)
	if bc == nil {
		return r.fail("Error from server (NotFound): buildconfigs.build.openshift.io %q not found", name)
	}
	n := num(bc, "status", "lastVersion") + 1
	setNested(bc, n, "status", "lastVersion")
	r.c.put(bc)
	fmt.Fprintf(r.out, "build.build.openshift.io/%s-%d started\n", name, n)
	return 0
}

// execOutputAnn, on the object an oc exec names (a pod, Deployment or
// DeploymentConfig), is what every command run in its pods prints under
// the exec fallback ($OCSIM_EXEC_FALLBACK), instead of exec.out: what the
// programs of one workload answer (a database's version, a Redis's keys)
// when a test needs it to differ from the others'.
const execOutputAnn = "ocsim.ampc.io/exec-output"

// runningPod is a running pod of a pod, Deployment or DeploymentConfig.
func (c *Cluster) runningPod(ns, kind, name string) Object {
	// kubectl picks the most active of the object's pods
	// (sort.Reverse(podutils.ActivePods)): a ready pod before one that is
	// not, and a pod being deleted, whose containers are stopping, is not
	// ready.
	var fallback Object
	for _, p := range c.ownRunningPods(ns, kind, name) {
		if nested(p, "metadata", "deletionTimestamp") == nil {
			return p
		}
		if fallback == nil {
			fallback = p
		}
	}
	return fallback
}

// ownRunningPods are the running pods of an object (a pod, a Deployment,
// a DeploymentConfig, a ReplicationController), deployer and hook pods
// left out, in the order the cluster lists them.
func (c *Cluster) ownRunningPods(ns, kind, name string) []Object {
	return c.listWhere(ns, "Pod", func(p Object) bool {
		if str(p, "status", "phase") != "Running" || labels(p)[labelDeployer] != nil || labels(p)[labelHookType] != nil {
			return false
		}
		switch kind {
		case "Pod":
			return str(p, "metadata", "name") == name
		case "Deployment":
			return ownedByDeployment(p, name)
		case "DeploymentConfig":
			return str(p, "metadata", "labels", "deploymentconfig") == name
		case "ReplicationController":
			return ownedBy(p, "ReplicationController", name)
		}
		return false
	})
}

// placeholder stands for what cp or rsync copies out of a pod: rsync copies
// the directory POD:DIR into DEST/DIR's base name.
func placeholder(command, src, dest string) error {
	if command == "rsync" {
		dest = filepath.Join(dest, filepath.Base(src[strings.Index(src, ":")+1:]))
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		dest = filepath.Join(dest, "fakeoc-placeholder")
	}
	text := "copied by fakeoc\n"
	if strings.HasSuffix(src, ".rdb") {
		// A Redis dump file starts with its magic, which the runbooks check.
		text = "REDIS0009 copied by fakeoc\n"
	}
	return os.WriteFile(dest, []byte(text), 0o644)
}
