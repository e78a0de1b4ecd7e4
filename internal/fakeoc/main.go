// Command fakeoc is a test double of the OpenShift CLI for runbook tests. It
// keeps a namespace's objects as JSON files in $FAKEOC_DIR, implements the
// subset of oc that ampc runbooks use (whoami, project, get, patch, create,
// apply, replace, delete, rollout, scale, set env, tag) and records every
// call, one per line, in $FAKEOC_DIR/calls.log. Commands that need a real
// cluster (rsh, exec, cp, rsync, start-build, new-app, new-project) are
// recorded and succeed; a cp or rsync from a pod leaves a placeholder where
// it copies to, and exec and rsh print $FAKEOC_DIR/exec.out when it exists.
// scale sets the replicas and the status of the object. Objects of another
// namespace than $FAKEOC_NAMESPACE are kept in a subdirectory of that name.
// whoami --show-server prints $FAKEOC_SERVER (a default when unset), so that
// a test can move the runbook to another cluster.
//
// A call whose command line contains $FAKEOC_FAIL fails once (exit 1): the
// marker file $FAKEOC_DIR/failed makes the next such call succeed.
//
// It is not part of ampc: tests build it into a directory on PATH as "oc".
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	"sigs.k8s.io/yaml"
)

var kinds = map[string]string{
	"dc": "DeploymentConfig", "deploymentconfig": "DeploymentConfig", "deploymentconfigs": "DeploymentConfig",
	"is": "ImageStream", "imagestream": "ImageStream", "imagestreams": "ImageStream",
	"cm": "ConfigMap", "configmap": "ConfigMap", "configmaps": "ConfigMap",
	"secret": "Secret", "secrets": "Secret",
	"bc": "BuildConfig", "buildconfig": "BuildConfig",
	"route": "Route", "routes": "Route",
	"svc": "Service", "service": "Service", "services": "Service",
	"sa": "ServiceAccount", "serviceaccount": "ServiceAccount", "serviceaccounts": "ServiceAccount",
	"role": "Role", "rolebinding": "RoleBinding", "rolebindings": "RoleBinding",
	"pvc": "PersistentVolumeClaim", "persistentvolumeclaim": "PersistentVolumeClaim",
	"deployment": "Deployment", "deployments": "Deployment",
	"apimanager": "APIManager", "apicast": "APIcast",
	"subscription": "Subscription", "installplan": "InstallPlan", "clusterversion": "ClusterVersion",
}

func main() {
	dir := os.Getenv("FAKEOC_DIR")
	if dir == "" {
		fatal("FAKEOC_DIR is not set")
	}
	args := os.Args[1:]
	ns := os.Getenv("FAKEOC_NAMESPACE")
	var rest []string
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--namespace="); ok {
			ns = v
			continue
		}
		rest = append(rest, a)
	}
	line := strings.Join(rest, " ")
	appendFile(filepath.Join(dir, "calls.log"), line+"\n")
	if fail := os.Getenv("FAKEOC_FAIL"); fail != "" && strings.Contains(line, fail) {
		marker := filepath.Join(dir, "failed")
		if _, err := os.Stat(marker); err != nil {
			_ = os.WriteFile(marker, nil, 0o644)
			fatal("injected failure: " + line)
		}
	}
	s := store{dir: filepath.Join(dir, "objects")}
	if ns != os.Getenv("FAKEOC_NAMESPACE") {
		// Objects of another namespace than $FAKEOC_NAMESPACE live in a
		// subdirectory named after it.
		s.dir = filepath.Join(s.dir, ns)
	}
	if len(rest) == 0 {
		fatal("no command")
	}
	switch rest[0] {
	case "whoami":
		if len(rest) > 1 && rest[1] == "--show-server" {
			server := os.Getenv("FAKEOC_SERVER")
			if server == "" {
				server = "https://api.fake.example.com:6443"
			}
			fmt.Println(server)
			return
		}
		fmt.Println("tester")
	case "project":
		fmt.Println(ns)
	case "get":
		s.get(rest[1:])
	case "patch":
		s.patch(rest[1:])
	case "create", "apply", "replace":
		s.create(rest[1:], rest[0] != "create")
	case "delete":
		s.delete(rest[1:])
	case "rollout":
		if len(rest) > 2 && (rest[1] == "status" || rest[1] == "latest") {
			if k, _, _ := strings.Cut(rest[2], "/"); resolveKind(k) == "DeploymentConfig" {
				s.resolveImages(rest[2])
			}
		}
	case "cp", "rsync":
		// Copying out of a pod (POD:PATH DEST) leaves a placeholder at DEST.
		if len(rest) > 2 && strings.Contains(rest[1], ":") && !strings.Contains(rest[2], ":") {
			placeholder(rest[0], rest[1], rest[2])
		}
	case "scale":
		s.scale(rest[1:])
	case "exec", "rsh":
		// What the command prints in the pod: $FAKEOC_DIR/exec.out, when
		// the test wrote one.
		if out, err := os.ReadFile(filepath.Join(dir, "exec.out")); err == nil {
			_, _ = os.Stdout.Write(out)
		}
	case "set", "tag", "start-build", "new-app", "new-project":
		// Recorded above; the objects do not change in ways the tests read.
	default:
		fatal("unsupported command " + rest[0])
	}
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "fakeoc: "+msg)
	os.Exit(1)
}

func appendFile(path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fatal(err.Error())
	}
	defer f.Close()
	_, _ = f.WriteString(text)
}

type store struct{ dir string }

func (s store) path(kind, name string) string { return filepath.Join(s.dir, kind+"."+name+".json") }

func (s store) read(kind, name string) (map[string]any, bool) {
	raw, err := os.ReadFile(s.path(kind, name))
	if err != nil {
		return nil, false
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		fatal(err.Error())
	}
	return obj, true
}

func (s store) write(obj map[string]any) {
	foldStringData(obj)
	meta, _ := obj["metadata"].(map[string]any)
	raw, _ := json.MarshalIndent(obj, "", "  ")
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		fatal(err.Error())
	}
	if err := os.WriteFile(s.path(obj["kind"].(string), meta["name"].(string)), raw, 0o644); err != nil {
		fatal(err.Error())
	}
}

// foldStringData does what the API server does with a Secret's stringData.
func foldStringData(obj map[string]any) {
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
		data[k] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))
	}
	obj["data"] = data
	delete(obj, "stringData")
}

// ref reads "kind/name" or "kind name" from the arguments.
func ref(args []string) (kind, name string, rest []string) {
	if len(args) == 0 {
		fatal("no object given")
	}
	k, n, found := strings.Cut(args[0], "/")
	if found {
		return resolveKind(k), n, args[1:]
	}
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		return resolveKind(k), args[1], args[2:]
	}
	return resolveKind(k), "", args[1:]
}

func resolveKind(k string) string {
	if kind, ok := kinds[strings.ToLower(k)]; ok {
		return kind
	}
	// Another kind, named as oc allows (clusterserviceversion,
	// packagemanifests): the kind of a stored object, in any namespace,
	// whose lower-case name, or plural, it is.
	objects := filepath.Join(os.Getenv("FAKEOC_DIR"), "objects")
	entries, _ := filepath.Glob(filepath.Join(objects, "*.json"))
	more, _ := filepath.Glob(filepath.Join(objects, "*", "*.json"))
	for _, e := range append(entries, more...) {
		stored, _, _ := strings.Cut(filepath.Base(e), ".")
		if l := strings.ToLower(stored); l == strings.ToLower(k) || l+"s" == strings.ToLower(k) {
			return stored
		}
	}
	return k
}

// placeholder stands for what cp or rsync copies out of a pod: rsync copies
// the directory POD:DIR into DEST/DIR's base name.
func placeholder(command, src, dest string) {
	if command == "rsync" {
		dest = filepath.Join(dest, filepath.Base(src[strings.Index(src, ":")+1:]))
		if err := os.MkdirAll(dest, 0o755); err != nil {
			fatal(err.Error())
		}
		dest = filepath.Join(dest, "fakeoc-placeholder")
	}
	if err := os.WriteFile(dest, []byte("copied by fakeoc\n"), 0o644); err != nil {
		fatal(err.Error())
	}
}

func flag(args []string, names ...string) string {
	for i, a := range args {
		for _, n := range names {
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v
			}
			if a == n && i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return ""
}

func (s store) get(args []string) {
	// Output flags may come first (oc get -o yaml dc NAME).
	var objArgs []string
	for i := 0; i < len(args); i++ {
		if args[i] == "-o" {
			i++
			continue
		}
		if !strings.HasPrefix(args[i], "-") {
			objArgs = append(objArgs, args[i])
		}
	}
	output := flag(args, "-o", "--output")
	kind, name, _ := ref(objArgs)
	if kind == "all" || name == "" {
		s.list(kind, output)
		return
	}
	obj, ok := s.read(kind, name)
	if !ok {
		fmt.Fprintf(os.Stderr, "Error from server (NotFound): %s %q not found\n", strings.ToLower(kind), name)
		os.Exit(1)
	}
	printObject(obj, output)
}

func (s store) list(kind, output string) {
	entries, _ := os.ReadDir(s.dir)
	var items []any
	for _, e := range entries {
		k, _, _ := strings.Cut(e.Name(), ".")
		if e.IsDir() || (kind != "all" && k != kind) {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(e.Name(), k+"."), ".json")
		obj, _ := s.read(k, name)
		items = append(items, obj)
	}
	printObject(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, output)
}

func printObject(obj map[string]any, output string) {
	switch {
	case output == "json":
		raw, _ := json.MarshalIndent(obj, "", "    ")
		fmt.Println(string(raw))
	case output == "yaml":
		raw, _ := yaml.Marshal(obj)
		fmt.Print(string(raw))
	case strings.HasPrefix(output, "jsonpath="):
		fmt.Print(jsonpath(obj, strings.TrimPrefix(output, "jsonpath=")))
	case output == "name":
		meta := obj["metadata"].(map[string]any)
		fmt.Printf("%s/%s\n", strings.ToLower(obj["kind"].(string)), meta["name"])
	default:
		meta, _ := obj["metadata"].(map[string]any)
		fmt.Println(meta["name"])
	}
}

// jsonpath handles the {.a.b.c} form the runbooks use.
func jsonpath(obj map[string]any, expr string) string {
	expr = strings.TrimSuffix(strings.TrimPrefix(expr, "{"), "}")
	var cur any = obj
	for _, part := range strings.Split(strings.TrimPrefix(expr, "."), ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[part]
	}
	if cur == nil {
		return ""
	}
	if s, ok := cur.(string); ok {
		return s
	}
	raw, _ := json.Marshal(cur)
	return string(raw)
}

func (s store) patch(args []string) {
	kind, name, rest := ref(args)
	obj, ok := s.read(kind, name)
	if !ok {
		fatal(fmt.Sprintf("%s %s not found", kind, name))
	}
	patchText := flag(rest, "-p", "--patch")
	typ := flag(rest, "--type")
	doc, _ := json.Marshal(obj)
	var out []byte
	var err error
	switch typ {
	case "json":
		var p jsonpatch.Patch
		if p, err = jsonpatch.DecodePatch([]byte(patchText)); err == nil {
			out, err = p.Apply(doc)
		}
	case "merge", "strategic", "":
		out, err = jsonpatch.MergePatch(doc, []byte(patchText))
	default:
		err = fmt.Errorf("unsupported patch type %s", typ)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "The request is invalid: %v\n", err)
		os.Exit(1)
	}
	var next map[string]any
	_ = json.Unmarshal(out, &next)
	s.write(next)
	fmt.Printf("%s/%s patched\n", strings.ToLower(kind), name)
}

func (s store) create(args []string, apply bool) {
	file := flag(args, "-f", "--filename")
	var raw []byte
	var err error
	if file == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(file)
	}
	if err != nil {
		fatal(err.Error())
	}
	var obj map[string]any
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		fatal(err.Error())
	}
	meta, _ := obj["metadata"].(map[string]any)
	kind, _ := obj["kind"].(string)
	name, _ := meta["name"].(string)
	if _, exists := s.read(kind, name); exists && !apply {
		fmt.Fprintf(os.Stderr, "Error from server (AlreadyExists): %s %q already exists\n", strings.ToLower(kind), name)
		os.Exit(1)
	}
	s.write(obj)
	fmt.Printf("%s/%s created\n", strings.ToLower(kind), name)
}

func (s store) delete(args []string) {
	kind, name, rest := ref(args)
	if err := os.Remove(s.path(kind, name)); err != nil {
		for _, a := range rest {
			if a == "--ignore-not-found" || a == "--ignore-not-found=true" {
				return
			}
		}
		fmt.Fprintf(os.Stderr, "Error from server (NotFound): %s %q not found\n", strings.ToLower(kind), name)
		os.Exit(1)
	}
	fmt.Printf("%s \"%s\" deleted\n", strings.ToLower(kind), name)
}

// scale sets a Deployment's (or DeploymentConfig's) replicas, and its
// status as if the rollout were done at once.
func (s store) scale(args []string) {
	kind, name, rest := ref(args)
	obj, ok := s.read(kind, name)
	if !ok {
		return // an object the test did not seed: the call is only recorded
	}
	n, err := strconv.Atoi(flag(rest, "--replicas"))
	if err != nil || n < 0 {
		fatal("scale needs --replicas=N")
	}
	spec, _ := obj["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
		obj["spec"] = spec
	}
	spec["replicas"] = n
	status, _ := obj["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
		obj["status"] = status
	}
	for _, field := range []string{"replicas", "readyReplicas", "availableReplicas", "updatedReplicas"} {
		status[field] = n
	}
	s.write(obj)
	fmt.Printf("%s/%s scaled\n", strings.ToLower(kind), name)
}

// resolveImages does what the image trigger controller does when a
// DeploymentConfig rolls out: each container named by an ImageChange trigger
// gets the image its ImageStreamTag points at, pinned by a (fake) digest.
func (s store) resolveImages(dcRef string) {
	_, name, _ := strings.Cut(dcRef, "/")
	dc, ok := s.read("DeploymentConfig", name)
	if !ok {
		fatal("deploymentconfig " + name + " not found")
	}
	spec, _ := dc["spec"].(map[string]any)
	triggers, _ := spec["triggers"].([]any)
	pod, _ := spec["template"].(map[string]any)["spec"].(map[string]any)
	for _, t := range triggers {
		params, _ := t.(map[string]any)["imageChangeParams"].(map[string]any)
		if params == nil {
			continue
		}
		from, _ := params["from"].(map[string]any)
		stream, tag, _ := strings.Cut(fmt.Sprint(from["name"]), ":")
		image := s.tagImage(stream, tag, 0)
		if image == "" {
			continue
		}
		sum := sha256.Sum256([]byte(image))
		repo := image
		if at := strings.LastIndex(image, ":"); at > strings.LastIndex(image, "/") {
			repo = image[:at] // drop the tag
		}
		pinned := repo + "@sha256:" + hex.EncodeToString(sum[:])
		names, _ := params["containerNames"].([]any)
		for _, field := range []string{"containers", "initContainers"} {
			cs, _ := pod[field].([]any)
			for _, c := range cs {
				cm := c.(map[string]any)
				for _, n := range names {
					if cm["name"] == n {
						cm["image"] = pinned
					}
				}
			}
		}
	}
	s.write(dc)
}

// tagImage follows an image stream tag to its DockerImage.
func (s store) tagImage(stream, tag string, depth int) string {
	is, ok := s.read("ImageStream", stream)
	if !ok || depth > 5 {
		return ""
	}
	tags, _ := is["spec"].(map[string]any)["tags"].([]any)
	for _, t := range tags {
		tm := t.(map[string]any)
		if tm["name"] != tag {
			continue
		}
		from, _ := tm["from"].(map[string]any)
		switch from["kind"] {
		case "DockerImage":
			return fmt.Sprint(from["name"])
		case "ImageStreamTag":
			name := fmt.Sprint(from["name"])
			if other, t2, found := strings.Cut(name, ":"); found {
				return s.tagImage(other, t2, depth+1)
			}
			return s.tagImage(stream, name, depth+1)
		}
	}
	return ""
}
