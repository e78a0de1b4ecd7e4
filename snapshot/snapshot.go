package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	yaml "go.yaml.in/yaml/v3"
)

// MaxFile is the largest snapshot file Read accepts.
const MaxFile = 512 << 20

// minSensitive is the shortest Secret value treated as sensitive text: a
// shorter one ("", "admin", "6379") cannot be told apart from ordinary words.
const minSensitive = 8

// Snapshot is a namespace export read from disk: the objects, with Secret
// values stripped, and the decoded Secret values kept apart so that the
// emitted files can be checked against them.
type Snapshot struct {
	// Path is the file or directory the snapshot was read from.
	Path string
	// Files holds each file read, for printing diagnostics with snippets.
	Files map[string]*hcl.File

	objects   []Object
	sensitive map[string]origin // each value with the Secret it came from
	// secretKeys holds every Secret key read, with its decoded value, until
	// Read replaces the values with their tokens (maskSecrets).
	secretKeys []secretKey
	// schemes holds the scheme of each Secret value that is a URL
	// (mysql2, postgresql, oracle-enhanced), by namespace, name and key.
	schemes map[key]map[string]string

	// nodes holds the YAML nodes of the objects of each file FieldRange
	// read again, by position; nodesMu guards it, as concurrent compiles
	// share a snapshot.
	nodesMu sync.Mutex
	nodes   map[string]map[hcl.Pos]*yaml.Node
}

// secretKey is one key of a Secret, with its value, waiting for its token.
type secretKey struct {
	data            map[string]any
	ns, name, field string
	key, value      string
}

// Object is one object of a snapshot, with its Secret values blanked.
type Object struct {
	// Doc is the object as encoding/json would decode it.
	Doc map[string]any
	// At is where the object starts in its file.
	At hcl.Range
}

// origin names where a sensitive value was read.
type origin struct {
	at   hcl.Range
	what string // "Secret NAME key KEY"
}

// Read reads a file, or every .yaml, .yml and .json file under a
// directory, holding `oc get -o yaml|json` exports: Lists, single objects or
// multi-document streams. Objects without a namespace are placed in
// defaultNamespace.
func Read(path, defaultNamespace string) (*Snapshot, hcl.Diagnostics) {
	s := &Snapshot{Path: path, Files: map[string]*hcl.File{}, sensitive: map[string]origin{}}
	files, err := snapshotFiles(path)
	if err != nil {
		return nil, hcl.Diagnostics{fileDiag(path, "Cannot read snapshot", err.Error()+". Give --snapshot a file or a directory of YAML or JSON exports.")}
	}
	var diags hcl.Diagnostics
	seen := map[key]hcl.Range{}
	for _, f := range files {
		diags = append(diags, s.readFile(f, defaultNamespace, seen)...)
	}
	s.maskSecrets()
	if !diags.HasErrors() && len(s.objects) == 0 {
		diags = append(diags, fileDiag(path, "Empty snapshot", "The snapshot holds no objects. Export the namespace with `oc get -o yaml` of every kind the upgrade touches (see the README) and give that file."))
	}
	return s, diags
}

func snapshotFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("the directory holds no .yaml, .yml or .json file")
	}
	sort.Strings(files)
	return files, nil
}

func fileDiag(path, summary, detail string) *hcl.Diagnostic {
	start := hcl.Pos{Line: 1, Column: 1}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail,
		Subject: &hcl.Range{Filename: path, Start: start, End: start}}
}

// source is one snapshot file, for turning YAML lines and columns into
// ranges with byte offsets (which the diagnostic printer needs for snippets).
type source struct {
	path   string
	starts []int // byte offset of each line
}

func newSource(path string, src []byte) *source {
	s := &source{path: path, starts: []int{0}}
	for i, b := range src {
		if b == '\n' {
			s.starts = append(s.starts, i+1)
		}
	}
	return s
}

func (s *source) rangeAt(line, col int) hcl.Range {
	if line < 1 {
		line = 1
	}
	if line > len(s.starts) {
		line = len(s.starts)
	}
	if col < 1 {
		col = 1
	}
	off := s.starts[line-1] + col - 1
	start := hcl.Pos{Line: line, Column: col, Byte: off}
	return hcl.Range{Filename: s.path, Start: start, End: hcl.Pos{Line: line, Column: col + 1, Byte: off + 1}}
}

func (s *source) node(n *yaml.Node) hcl.Range { return s.rangeAt(n.Line, n.Column) }

func (s *Snapshot) readFile(path, defaultNamespace string, seen map[key]hcl.Range) hcl.Diagnostics {
	info, err := os.Stat(path)
	if err != nil {
		return hcl.Diagnostics{fileDiag(path, "Cannot read snapshot", err.Error())}
	}
	if info.Size() > MaxFile {
		return hcl.Diagnostics{fileDiag(path, "Snapshot file too large", fmt.Sprintf("%s is %d bytes; a snapshot file is at most %d bytes. Split the export into several files in one directory.", path, info.Size(), MaxFile))}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{fileDiag(path, "Cannot read snapshot", err.Error())}
	}
	s.Files[path] = &hcl.File{Bytes: src}
	at := newSource(path, src)
	var diags hcl.Diagnostics
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for doc := 1; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			d := fileDiag(path, "Snapshot is not YAML", fmt.Sprintf("Document %d of %s does not parse: %v. Give the output of `oc get -o yaml` or `-o json` unchanged.", doc, path, err))
			if line := yamlErrorLine(err); line > 0 {
				d.Subject = rangePtr(at.rangeAt(line, 1))
			}
			return append(diags, d)
		}
		if len(n.Content) == 0 {
			continue // an empty document
		}
		root := n.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		v, err := nodeValue(root)
		if err != nil {
			bad := root
			var ne nodeError
			if errors.As(err, &ne) {
				bad = ne.node
			}
			return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid snapshot document",
				Detail:  fmt.Sprintf("Document %d of %s: %v. Give the output of `oc get -o yaml` or `-o json` unchanged.", doc, path, err),
				Subject: rangePtr(at.node(bad))})
		}
		obj, ok := v.(map[string]any)
		if !ok {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Snapshot document is not an object",
				Detail:  fmt.Sprintf("Document %d of %s is a %s; a snapshot document is a Kubernetes object or a List of objects.", doc, path, kindName(root)),
				Subject: rangePtr(at.node(root))})
			continue
		}
		if kind, _ := obj["kind"].(string); strings.HasSuffix(kind, "List") {
			items, ok := obj["items"].([]any)
			if !ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "List without items",
					Detail:  fmt.Sprintf("Document %d of %s is a %s without an items array. Export with `oc get -o yaml KIND ...` and give its output unchanged.", doc, path, kind),
					Subject: rangePtr(at.node(root))})
				continue
			}
			itemNodes := mappingValue(root, "items")
			for i, it := range items {
				r := at.node(root)
				if itemNodes != nil && i < len(itemNodes.Content) {
					r = at.node(itemNodes.Content[i])
				}
				diags = append(diags, s.add(it, r, doc, defaultNamespace, seen)...)
			}
			continue
		}
		diags = append(diags, s.add(obj, at.node(root), doc, defaultNamespace, seen)...)
	}
	return diags
}

func rangePtr(r hcl.Range) *hcl.Range { return &r }

func (s *Snapshot) add(v any, at hcl.Range, doc int, defaultNamespace string, seen map[key]hcl.Range) hcl.Diagnostics {
	bad := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary,
			Detail: fmt.Sprintf("Document %d of %s: %s", doc, at.Filename, detail), Subject: &at}}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return bad("Snapshot item is not an object", "a List item must be a Kubernetes object.")
	}
	kind, _ := obj["kind"].(string)
	api, _ := obj["apiVersion"].(string)
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	switch {
	case kind == "":
		return bad("Object without kind", "the object has no kind. Export with `oc get -o yaml`, which writes kind and apiVersion on every object.")
	case api == "":
		return bad("Object without apiVersion", fmt.Sprintf("the %s has no apiVersion. Export with `oc get -o yaml`, which writes it on every object.", kind))
	case name == "":
		return bad("Object without name", fmt.Sprintf("the %s has no metadata.name.", kind))
	}
	if ns, _ := meta["namespace"].(string); ns == "" {
		meta["namespace"] = defaultNamespace
	}
	k := keyOf(obj)
	if first, dup := seen[k]; dup {
		return bad("Duplicate object", fmt.Sprintf("%s appears twice; the first is at %s. Export each object once.", k, first))
	}
	seen[k] = at
	if kind == "Secret" {
		if err := s.stripSecret(obj, at); err != nil {
			return bad("Undecodable Secret data", fmt.Sprintf("Secret %s: %v. Give the Secret as `oc get -o yaml` writes it.", name, err))
		}
	} else {
		s.rememberLiteralCredentials(obj, fmt.Sprintf("%s %s", kind, name), at)
	}
	s.objects = append(s.objects, Object{Doc: obj, At: at})
	return nil
}

// credentialName matches the names of env vars and command-line assignments
// that hold credentials.
var credentialName = regexp.MustCompile(`^[A-Za-z0-9_]*(?i:PASSWORD|PASSWD|TOKEN|SECRET)[A-Za-z0-9_]*$`)

// credentialAssignment finds NAME=VALUE assignments in a command line, such
// as the 2.4 pre-hook's MASTER_ACCESS_TOKEN="...".
var credentialAssignment = regexp.MustCompile(`([A-Za-z0-9_]+)=(?:"([^"]*)"|'([^']*)'|([^\s"';&|]+))`)

// rememberLiteralCredentials remembers, as sensitive text, credentials that
// an object other than a Secret holds in clear: the literal value of an env
// var whose name says it is a password, token or secret (the 2.4 templates
// write MYSQL_PASSWORD into dc/system-mysql), and such assignments in
// commands (the 2.4 system-app pre-hook embeds MASTER_ACCESS_TOKEN). They
// become Secret values during an upgrade, so they never reach the bundle.
func (s *Snapshot) rememberLiteralCredentials(v any, what string, at hcl.Range) {
	remember := func(value, name string) {
		if value = strings.TrimSpace(value); len(value) >= minSensitive {
			if _, seen := s.sensitive[value]; !seen {
				s.sensitive[value] = origin{at: at, what: fmt.Sprintf("the literal %s of %s", name, what)}
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		name, _ := x["name"].(string)
		if value, ok := x["value"].(string); ok && credentialName.MatchString(name) {
			remember(value, name)
		}
		for _, field := range []string{"command", "args"} {
			if words, ok := x[field].([]any); ok {
				for _, w := range words {
					line, _ := w.(string)
					for _, m := range credentialAssignment.FindAllStringSubmatch(line, -1) {
						if credentialName.MatchString(m[1]) {
							remember(m[2]+m[3]+m[4], m[1])
						}
					}
				}
			}
		}
		for _, e := range x {
			s.rememberLiteralCredentials(e, what, at)
		}
	case []any:
		for _, e := range x {
			s.rememberLiteralCredentials(e, what, at)
		}
	}
}

// maskSecrets replaces each Secret value by a token, "(redacted #N)", the
// same N for the same value wherever it is, so that a reviewer sees in
// PLAN.md whether a value changed or is shared, never the value (as kapp
// shows Secrets). N numbers the distinct values in the order of the
// Secrets' namespaces, names and keys, so that it does not depend on the
// files' order or form; an empty value stays empty.
func (s *Snapshot) maskSecrets() {
	sort.SliceStable(s.secretKeys, func(i, j int) bool {
		a, b := s.secretKeys[i], s.secretKeys[j]
		if a.ns != b.ns {
			return a.ns < b.ns
		}
		if a.name != b.name {
			return a.name < b.name
		}
		if a.field != b.field {
			return a.field < b.field
		}
		return a.key < b.key
	})
	index := map[string]int{}
	for _, k := range s.secretKeys {
		if k.value == "" {
			k.data[k.key] = ""
			continue
		}
		n, ok := index[k.value]
		if !ok {
			n = len(index) + 1
			index[k.value] = n
		}
		k.data[k.key] = fmt.Sprintf("(redacted #%d)", n)
	}
	s.secretKeys = nil
}

// stripSecret keeps a Secret's keys and drops its values (maskSecrets
// gives them their tokens), remembering the decoded values as sensitive
// text.
// publicSecretKey tells the keys of a Secret that the 3scale templates fill
// with the addresses of a Service or a Route, which the rules write
// literally: backend-listener's service_endpoint
// (http://backend-listener:3000) and route_endpoint (the backend route's
// URL). The 2.11 templates give BACKEND_ROUTE the literal
// http://backend-listener:3000/internal/ instead of reading route_endpoint,
// and the 2.10 → 2.11 template hop writes it (guides/template-after-2.10.md
// 2.2.3): the address is no credential, and taking it for one refuses every
// real site's bundle. A password in such a URL is still secret.
func publicSecretKey(secret, key string) bool {
	return secret == "backend-listener" && (key == "service_endpoint" || key == "route_endpoint")
}

func (s *Snapshot) stripSecret(obj map[string]any, at hcl.Range) error {
	name, _ := obj["metadata"].(map[string]any)["name"].(string)
	ns, _ := obj["metadata"].(map[string]any)["namespace"].(string)
	remember := func(v, key string) {
		for _, line := range append([]string{v}, strings.Split(v, "\n")...) {
			line = strings.TrimSpace(line)
			candidates := []string{line}
			// The password of a URL is a secret of its own: the 2.5 and 2.6
			// templates write system-database's root password, which its URL
			// holds, as a literal into dc/system-mysql.
			if u, err := url.Parse(line); err == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok {
					candidates = append(candidates, pw)
				}
			}
			if publicSecretKey(name, key) {
				// The value is a public address; only a password in it is
				// secret.
				candidates = candidates[1:]
			}
			for _, c := range candidates {
				if len(c) >= minSensitive {
					if _, seen := s.sensitive[c]; !seen {
						s.sensitive[c] = origin{at: at, what: fmt.Sprintf("Secret %s key %s", name, key)}
					}
				}
			}
		}
	}
	if data, ok := obj["data"].(map[string]any); ok {
		for k, v := range data {
			str, _ := v.(string)
			dec, err := base64.StdEncoding.DecodeString(str)
			if err != nil {
				return fmt.Errorf("the value of key %q is not base64", k)
			}
			remember(string(dec), k)
			s.rememberScheme(ns, name, k, string(dec))
			data[k] = ""
			s.secretKeys = append(s.secretKeys, secretKey{data: data, ns: ns, name: name, field: "data", key: k, value: string(dec)})
		}
	}
	if data, ok := obj["stringData"].(map[string]any); ok {
		for k, v := range data {
			str, _ := v.(string)
			remember(str, k)
			s.rememberScheme(ns, name, k, str)
			data[k] = ""
			s.secretKeys = append(s.secretKeys, secretKey{data: data, ns: ns, name: name, field: "stringData", key: k, value: str})
		}
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		if ann, ok := meta["annotations"].(map[string]any); ok {
			if last, ok := ann["kubectl.kubernetes.io/last-applied-configuration"].(string); ok {
				remember(last, "(last-applied-configuration)")
				delete(ann, "kubectl.kubernetes.io/last-applied-configuration")
			}
		}
	}
	return nil
}

// schemePattern is the scheme of a URL (RFC 3986), followed by "://".
var schemePattern = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// rememberScheme keeps the scheme of a Secret value that is a URL: which
// database a site's system-database Secret points at (mysql2://,
// postgresql://, oracle-enhanced://) is a fact of the site, not a secret.
func (s *Snapshot) rememberScheme(ns, name, k, value string) {
	m := schemePattern.FindStringSubmatch(strings.TrimSpace(value))
	if m == nil {
		return
	}
	if s.schemes == nil {
		s.schemes = map[key]map[string]string{}
	}
	id := key{"Secret", ns, name}
	if s.schemes[id] == nil {
		s.schemes[id] = map[string]string{}
	}
	s.schemes[id][k] = strings.ToLower(m[1])
}

// URLScheme returns the scheme of the URL a Secret's key holds, in lower
// case and without "://" ("mysql2", "postgresql", "oracle-enhanced"), or
// "" when the key does not hold a URL. The rest of the value stays secret.
func (s *Snapshot) URLScheme(namespace, name, dataKey string) string {
	return s.schemes[key{"Secret", namespace, name}][dataKey]
}

// Sensitive returns the snapshot's Secret values, sorted.
func (s *Snapshot) Sensitive() []string {
	out := make([]string, 0, len(s.sensitive))
	for v := range s.sensitive {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Origin tells which Secret a sensitive value came from, and where it is.
func (s *Snapshot) Origin(value string) (hcl.Range, string, bool) {
	o, ok := s.sensitive[value]
	return o.at, o.what, ok
}

// Len is the number of objects in the snapshot.
func (s *Snapshot) Len() int { return len(s.objects) }

// Objects returns the snapshot's objects in the order they were read. The
// slice and the documents are the snapshot's own: a caller reads them and
// never changes them, so that one snapshot can serve several compiles.
func (s *Snapshot) Objects() []Object { return s.objects }

// key names one object of a snapshot.
type key struct{ kind, namespace, name string }

func (k key) String() string { return k.kind + "/" + k.name + " in " + k.namespace }

func keyOf(doc map[string]any) key {
	meta, _ := doc["metadata"].(map[string]any)
	kind, _ := doc["kind"].(string)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	return key{kind, ns, name}
}

func mappingValue(n *yaml.Node, k string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return n.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "mapping"
}

// nodeValue turns a YAML node into the value encoding/json would decode from
// the same object: maps with string keys, []any, string, float64, bool, nil.
// Timestamps and other tags stay strings, as the API server sends them.
func nodeValue(n *yaml.Node) (any, error) {
	return nodeValueDepth(n, 0)
}

func nodeValueDepth(n *yaml.Node, depth int) (any, error) {
	if depth > 100 {
		return nil, nodeError{n, "nested more than 100 levels deep"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValueDepth(n.Content[0], depth+1)
	case yaml.AliasNode:
		return nil, nodeError{n, "YAML aliases are not used by oc exports"}
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			if kn.Kind != yaml.ScalarNode {
				return nil, nodeError{kn, "a mapping key must be a string"}
			}
			if kn.Tag == "!!merge" {
				return nil, nodeError{kn, "YAML merge keys are not used by oc exports"}
			}
			if _, dup := out[kn.Value]; dup {
				return nil, nodeError{kn, fmt.Sprintf("key %q appears twice in one mapping", kn.Value)}
			}
			v, err := nodeValueDepth(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			out[kn.Value] = v
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeValueDepth(c, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, nodeError{n, err.Error()}
		}
		return b, nil
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil {
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, nodeError{n, fmt.Sprintf("%q is not a number", n.Value)}
			}
			f = float64(i)
		}
		return f, nil
	}
	return n.Value, nil
}

// nodeError is a value oc would never write, at a node.
type nodeError struct {
	node *yaml.Node
	msg  string
}

func (e nodeError) Error() string { return fmt.Sprintf("line %d: %s", e.node.Line, e.msg) }

func yamlErrorLine(err error) int {
	msg := err.Error()
	i := strings.Index(msg, "line ")
	if i < 0 {
		return 0
	}
	j := i + 5
	for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
		j++
	}
	n, _ := strconv.Atoi(msg[i+5 : j])
	return n
}

// Digest identifies the snapshot's content, whatever its form (a List, a
// multi-document file, a directory, JSON or YAML, a live export): "sha256:"
// over the sorted canonical JSON of its objects, Secret values blanked and
// without the fields a server adds on every write (managedFields, kubectl's
// last-applied-configuration annotation). PLAN.md names it, so that a
// reviewer can tell which export a bundle was compiled against.
func (s *Snapshot) Digest() string {
	var docs []string
	for _, o := range s.objects {
		doc := make(map[string]any, len(o.Doc))
		for k, v := range o.Doc {
			doc[k] = v
		}
		if meta, ok := o.Doc["metadata"].(map[string]any); ok {
			m := make(map[string]any, len(meta))
			for k, v := range meta {
				if k != "managedFields" {
					m[k] = v
				}
			}
			if ann, ok := meta["annotations"].(map[string]any); ok {
				a := make(map[string]any, len(ann))
				for k, v := range ann {
					if k != "kubectl.kubernetes.io/last-applied-configuration" {
						a[k] = v
					}
				}
				if len(a) > 0 {
					m["annotations"] = a
				} else {
					delete(m, "annotations")
				}
			}
			doc["metadata"] = m
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			panic("this is a bug in ampc: a snapshot object does not encode: " + err.Error())
		}
		docs = append(docs, string(raw))
	}
	sort.Strings(docs)
	sum := sha256.Sum256([]byte(strings.Join(docs, "\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FieldRange tells where a field of an object stands in its file, for a
// diagnostic that points at what the export shows: the value at path, whose
// segments are mapping keys, array indexes, or name=NAME for the element of
// an array whose name is NAME (a container, an env var). ok is false when
// the path is not all there; the range is then that of the deepest part
// found, the object's start at worst. The file is parsed again, once per
// snapshot, on the first call: positions below the object's start are kept
// only for the few fields a diagnostic names, not for every object read.
func (s *Snapshot) FieldRange(o Object, path ...string) (r hcl.Range, ok bool) {
	n := s.objectNode(o)
	if n == nil {
		return o.At, len(path) == 0 && o.At.Filename != ""
	}
	at := newSource(o.At.Filename, s.Files[o.At.Filename].Bytes)
	// A mapping or a sequence is shown at its key ("data:"), which is where
	// a reader looks for it; a scalar at its value.
	shown := n
	for _, seg := range path {
		key, next := childNode(n, seg)
		if next == nil {
			return at.node(shown), false
		}
		n, shown = next, next
		if key != nil && next.Kind != yaml.ScalarNode {
			shown = key
		}
	}
	r = at.node(shown)
	if n.Kind == yaml.ScalarNode {
		// The whole scalar as written, for the snippet's underline.
		end := r.Start.Column + len(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			end += 2
		}
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && !strings.Contains(n.Value, "\n") {
			r.End = hcl.Pos{Line: r.Start.Line, Column: end, Byte: r.Start.Byte + end - r.Start.Column}
		}
	}
	return r, true
}

// objectNode finds the YAML node of an object in its file.
func (s *Snapshot) objectNode(o Object) *yaml.Node {
	s.nodesMu.Lock()
	defer s.nodesMu.Unlock()
	if s.nodes == nil {
		s.nodes = map[string]map[hcl.Pos]*yaml.Node{}
	}
	byPos, done := s.nodes[o.At.Filename]
	if !done {
		byPos = map[hcl.Pos]*yaml.Node{}
		s.nodes[o.At.Filename] = byPos
		f := s.Files[o.At.Filename]
		if f == nil {
			return nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(f.Bytes))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				break // the end, or an error Read reported already
			}
			if len(doc.Content) == 0 {
				continue
			}
			root := doc.Content[0]
			put := func(n *yaml.Node) { byPos[hcl.Pos{Line: n.Line, Column: n.Column}] = n }
			put(root)
			if items := mappingValue(root, "items"); items != nil && items.Kind == yaml.SequenceNode {
				for _, it := range items.Content {
					put(it)
				}
			}
		}
	}
	return byPos[hcl.Pos{Line: o.At.Start.Line, Column: o.At.Start.Column}]
}

// childNode is one step of FieldRange's path: the value, with its key in
// a mapping (nil in a sequence).
func childNode(n *yaml.Node, seg string) (key, value *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i], n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if name, named := strings.CutPrefix(seg, "name="); named {
			for _, e := range n.Content {
				if v := mappingValue(e, "name"); v != nil && v.Value == name {
					return nil, e
				}
			}
			return nil, nil
		}
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
			return nil, n.Content[i]
		}
	}
	return nil, nil
}
