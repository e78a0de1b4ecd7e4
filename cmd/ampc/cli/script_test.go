package cli_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ampc/ampc/cmd/ampc/cli"
	"github.com/ampc/ampc/internal/testenv"
)

// update rewrites the golden files held in the scripts' archives (the
// second argument of a failing cmp) instead of failing:
//
//	go test ./cmd/ampc/cli -run TestScripts -update
var update = flag.Bool("update", false, "update golden files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ampc": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script. Besides
// testscript's own commands, the scripts may use:
//
//	exitcode N PROG [ARGS...]  run PROG and require exit status N; its stdout
//	                           and stderr are then checked with stdout/stderr
//	unhex IN OUT               copy IN to OUT, turning each \xHH into that byte
//	                           (for files that are not UTF-8 text)
//	dirsum DIR                 print mode, size, mtime and SHA-256 of everything
//	                           under DIR, to compare a directory before and after
//	nomatch GLOB...            fail if any GLOB matches a file
//	checksums DIR              check that DIR/SHA256SUMS lists every other file
//	                           of DIR with its right SHA-256 (sha256sum -c)
//	jsonschema DEF FILE        check that FILE is valid JSON of the definition
//	                           DEF of output.schema.json (validate, verify,
//	                           diff, hops, version); ! jsonschema: it is not
//
// and the condition [tool:NAME]: NAME is on PATH, or CI=true, where a
// missing tool then fails the script instead of skipping it (testenv.Tool).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		UpdateScripts:       *update,
		RequireExplicitExec: false,
		RequireUniqueNames:  true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":   cmdExitcode,
			"unhex":      cmdUnhex,
			"dirsum":     cmdDirsum,
			"nomatch":    cmdNomatch,
			"checksums":  cmdChecksums,
			"jsonschema": cmdJSONSchema,
		},
		Condition: func(cond string) (bool, error) {
			name, ok := strings.CutPrefix(cond, "tool:")
			if !ok {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := exec.LookPath(name)
			return err == nil || testenv.CI(), nil
		},
	})
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode (give the expected status instead)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want < 0 {
		ts.Fatalf("exitcode: %q is not an exit status", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: running %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

func cmdUnhex(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unhex IN OUT")
	}
	in := ts.ReadFile(args[0])
	var out []byte
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' && i+3 < len(in) && in[i+1] == 'x' {
			if b, err := hex.DecodeString(in[i+2 : i+4]); err == nil {
				out = append(out, b[0])
				i += 3
				continue
			}
		}
		out = append(out, in[i])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), out, 0o644))
}

func cmdDirsum(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dirsum DIR")
	}
	root := ts.MkAbs(args[0])
	var lines []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		sum := "-"
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			sum = hex.EncodeToString(h[:])
		}
		lines = append(lines, fmt.Sprintf("%v %d %d %s %s", info.Mode(), info.Size(), info.ModTime().UnixNano(), sum, filepath.ToSlash(rel)))
		return nil
	})
	ts.Check(err)
	sort.Strings(lines)
	fmt.Fprint(ts.Stdout(), strings.Join(lines, "\n")+"\n")
}

func cmdNomatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: nomatch GLOB...")
	}
	for _, g := range args {
		m, err := filepath.Glob(ts.MkAbs(g))
		ts.Check(err)
		if len(m) > 0 {
			ts.Fatalf("%s matches %s", g, strings.Join(m, ", "))
		}
	}
}

func cmdChecksums(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: checksums DIR")
	}
	dir := ts.MkAbs(args[0])
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	ts.Check(err)
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			ts.Fatalf("SHA256SUMS: malformed line %q", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		ts.Check(err)
		h := sha256.Sum256(data)
		if got := hex.EncodeToString(h[:]); got != sum {
			ts.Fatalf("SHA256SUMS: %s: listed %s, file has %s", name, sum, got)
		}
		listed[name] = true
	}
	ts.Check(sc.Err())
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "SHA256SUMS" && !listed[rel] {
			return fmt.Errorf("SHA256SUMS does not list %s", rel)
		}
		return nil
	})
	ts.Check(err)
}

// outputSchema compiles the definition def of output.schema.json, with
// plan.schema.json, which it refers to.
func outputSchema(def string) (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	for _, file := range []string{filepath.Join(testenv.Root(), "emit", "plan.schema.json"), "output.schema.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if err := c.AddResource(id, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile("https://github.com/ampc/ampc/cmd/ampc/cli/output.schema.json#/$defs/" + def)
}

func cmdJSONSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonschema DEF FILE")
	}
	schema, err := outputSchema(args[0])
	ts.Check(err)
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(ts.ReadFile(args[1])))
	if err == nil {
		err = schema.Validate(inst)
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", args[1], err)
	case err == nil && neg:
		ts.Fatalf("%s is valid %s output", args[1], args[0])
	}
}
