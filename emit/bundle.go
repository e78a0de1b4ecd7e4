package emit

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ampc/ampc/ir"
)

// Files renders every file of the bundle, keyed by slash-separated path.
func Files(b *ir.Bundle) (map[string][]byte, error) {
	// The kustomizations are proven by building them with krusty, the
	// largest cost of rendering; it reads the bundle only, so it runs beside
	// the other files.
	type built struct {
		files map[string][]byte
		err   error
	}
	kc := make(chan built, 1)
	go func() {
		kust, err := kustomizeFiles(b)
		kc <- built{kust, err}
	}()
	files := map[string][]byte{}
	names := patchFileNames(b)
	for _, s := range b.Steps {
		for i, p := range s.Patches {
			files[names[s.ID][i]] = jsonBytes(p.Ops)
			files[checkFile(names[s.ID][i])] = jsonBytes(checksDoc(p.Checks))
		}
		for _, m := range s.Creates {
			files[manifestFile(m.Target)] = jsonBytes(m.Object)
		}
	}
	files["plan.json"] = planJSON(b, names)
	files["images.txt"] = images(b)
	files["runbook.sh"] = runbook(b, names)
	files["PLAN.md"] = review(b, names)
	kust := <-kc
	if kust.err != nil {
		return nil, kust.err
	}
	for name, data := range kust.files {
		files[name] = data
	}
	if err := checkSensitive(b, files); err != nil {
		return nil, err
	}
	files["SHA256SUMS"] = checksums(files)
	return files, nil
}

// SecretInOutputError is returned when a Secret value of the snapshot would
// appear in an emitted file. Value is for the caller to locate the Secret;
// it must never be printed.
type SecretInOutputError struct {
	File  string
	Value string
}

func (e *SecretInOutputError) Error() string {
	return fmt.Sprintf("a Secret value of the snapshot would appear in the bundle (in %s); no bundle was written", e.File)
}

func checkSensitive(b *ir.Bundle, files map[string][]byte) error {
	if len(b.Sensitive) == 0 {
		return nil
	}
	pairs := make([]string, 0, 2*len(b.Sensitive))
	for _, v := range b.Sensitive {
		pairs = append(pairs, v, "")
	}
	r := strings.NewReplacer(pairs...)
	for _, name := range sortedKeys(files) {
		s := string(files[name])
		if r.Replace(s) == s {
			continue
		}
		for _, v := range b.Sensitive {
			if strings.Contains(s, v) {
				return &SecretInOutputError{File: name, Value: v}
			}
		}
	}
	return nil
}

func checksums(files map[string][]byte) []byte {
	var buf bytes.Buffer
	for _, name := range sortedKeys(files) {
		fmt.Fprintf(&buf, "%x  %s\n", sha256.Sum256(files[name]), name)
	}
	return buf.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonBytes(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("this is a bug in ampc: %v", err))
	}
	return buf.Bytes()
}

// ErrNotBundle is returned when the output directory exists, is not empty
// and does not hold an ampc bundle: ampc never replaces other files.
var ErrNotBundle = errors.New("exists and is not an ampc bundle")

// ErrForeignFiles is returned when the output directory holds an earlier
// bundle and files that bundle did not have: what a runbook run from there
// wrote (its state file, log, backups) or a person put there. ampc never
// deletes them.
var ErrForeignFiles = errors.New("holds files that are not the bundle's")

// Write puts the files into dir atomically: they are written to a new
// directory beside dir, which then takes dir's place. On any error dir is
// left as it was. An existing dir is replaced only when it is empty or holds
// an earlier bundle (plan.json and SHA256SUMS) and nothing else: a file its
// SHA256SUMS does not list (a runbook's state, log or backups) makes Write
// refuse, so that a recompile never deletes what a run left.
func Write(dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	if info, statErr := os.Stat(dir); statErr == nil {
		if !info.IsDir() {
			return fmt.Errorf("%s %w", dir, ErrNotBundle)
		}
		entries, rerr := os.ReadDir(dir)
		if rerr != nil {
			return rerr
		}
		if len(entries) > 0 && !isBundle(dir) {
			return fmt.Errorf("%s %w; give a new or empty directory", dir, ErrNotBundle)
		}
		if len(entries) > 0 {
			foreign, ferr := foreignFiles(dir)
			if ferr != nil {
				return ferr
			}
			if len(foreign) > 0 {
				return fmt.Errorf("%s %w: %s; a runbook run from there writes its state file, log and backups beside it, and ampc never deletes them: move them out of %s (and run the runbook from another directory), or give a new directory", dir, ErrForeignFiles, listSome(foreign, 5), dir)
			}
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".ampc-new-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, name := range sortedKeys(files) {
		path := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if err := os.WriteFile(path, files[name], mode); err != nil {
			return err
		}
	}
	if _, statErr := os.Stat(dir); errors.Is(statErr, os.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return fmt.Errorf("%v; and restoring %s failed: %v (the old bundle is in %s)", err, dir, rerr, old)
		}
		return err
	}
	return os.RemoveAll(old)
}

// foreignFiles lists the files (and other non-directories) under dir that
// the SHA256SUMS of the bundle in dir does not list, as slash paths
// relative to dir.
func foreignFiles(dir string) ([]string, error) {
	sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{"SHA256SUMS": true}
	for _, line := range strings.Split(string(sums), "\n") {
		if _, name, ok := strings.Cut(line, "  "); ok {
			listed[name] = true
		}
	}
	var foreign []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); !listed[rel] {
			foreign = append(foreign, rel)
		}
		return nil
	})
	return foreign, err
}

// listSome names the first n of names and says how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

func isBundle(dir string) bool {
	for _, f := range []string{"plan.json", "SHA256SUMS"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// patchFileNames names each step's patch files, in plan order, after the
// step and the object: patches/HOP/STEP/KIND-NAME.json, with -2, -3, ...
// for the second and later patches of the same object in one step. A name
// never depends on the steps before it, so that two compiles that differ
// in one step differ in that step's files only (ampc diff).
func patchFileNames(b *ir.Bundle) map[string][]string {
	out := map[string][]string{}
	for _, s := range b.Steps {
		seen := map[string]int{}
		for _, p := range s.Patches {
			base := fmt.Sprintf("patches/%s/%s/%s-%s", s.Hop, stepName(s), lowerKind(p.Target.Kind), p.Target.Name)
			if p.Target.Namespace != "" && p.Target.Namespace != b.Namespace {
				base += "." + p.Target.Namespace
			}
			seen[base]++
			name := base + ".json"
			if n := seen[base]; n > 1 {
				name = fmt.Sprintf("%s-%d.json", base, n)
			}
			out[s.ID] = append(out[s.ID], name)
		}
	}
	return out
}

// checkFile names the file that describes a patch once applied.
func checkFile(patchFile string) string {
	return "checks/" + strings.TrimPrefix(patchFile, "patches/")
}

func checksDoc(c ir.Checks) ir.Checks {
	if c.Present == nil {
		c.Present = []ir.PathValue{}
	}
	if c.Absent == nil {
		c.Absent = [][]any{}
	}
	return c
}

// stepName is the step's ID without its hop.
func stepName(s ir.Step) string {
	return strings.TrimPrefix(s.ID, s.Hop+"/")
}
