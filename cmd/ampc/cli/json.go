package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/ampc/ampc/ir"
)

// FormatVersion is the format_version of every JSON output of ampc
// (output.schema.json). Fields are only ever added; a field that changes
// meaning changes the major version.
const FormatVersion = "1.0"

// checkJSON is what validate --json and compile --json print: terraform
// validate -json's shape (valid, counts, diagnostics), and for a valid plan
// what it does.
type checkJSON struct {
	FormatVersion string            `json:"format_version"`
	Valid         bool              `json:"valid"`
	ErrorCount    int               `json:"error_count"`
	WarningCount  int               `json:"warning_count"`
	Diagnostics   []diagnosticJSON  `json:"diagnostics"`
	Plan          *planResultJSON   `json:"plan,omitempty"`
	Bundle        *bundleResultJSON `json:"bundle,omitempty"`
}

// planResultJSON is what a valid plan does; Summary is plan.json's.
type planResultJSON struct {
	Namespace  string        `json:"namespace"`
	Deployment string        `json:"deployment"`
	From       string        `json:"from"`
	To         string        `json:"to"`
	Summary    ir.SummaryDoc `json:"summary"`
}

// bundleResultJSON is the bundle compile wrote.
type bundleResultJSON struct {
	Dir   string `json:"dir"`
	Files int    `json:"files"`
}

// diagnosticJSON is one diagnostic, as terraform validate -json writes it.
type diagnosticJSON struct {
	Severity string     `json:"severity"` // "error" or "warning"
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *rangeJSON `json:"range,omitempty"`
}

// rangeJSON is where in which file a diagnostic points; lines and columns
// count from 1, bytes from 0.
type rangeJSON struct {
	Filename string  `json:"filename"`
	Start    posJSON `json:"start"`
	End      posJSON `json:"end"`
}

// posJSON is a position in a file, as hcl.Pos.
type posJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// add appends an hcl diagnostic and counts it.
func (c *checkJSON) add(d *hcl.Diagnostic) {
	j := diagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		j.Severity = "warning"
	}
	if r := d.Subject; r != nil {
		j.Range = &rangeJSON{Filename: r.Filename,
			Start: posJSON{r.Start.Line, r.Start.Column, r.Start.Byte},
			End:   posJSON{r.End.Line, r.End.Column, r.End.Byte}}
	}
	c.append(j)
}

// append adds a diagnostic and counts it.
func (c *checkJSON) append(d diagnosticJSON) {
	if d.Severity == "warning" {
		c.WarningCount++
	} else {
		c.ErrorCount++
	}
	c.Diagnostics = append(c.Diagnostics, d)
}

// lineRange is the range of a whole line of a file (line counts from 1),
// or of the file's start when line is 0 or the file cannot be read.
func lineRange(file string, line int) *rangeJSON {
	r := &rangeJSON{Filename: file, Start: posJSON{1, 1, 0}, End: posJSON{1, 1, 0}}
	if line < 1 {
		return r
	}
	r.Start.Line, r.End.Line = line, line
	data, err := os.ReadFile(file)
	if err != nil {
		return r
	}
	for n := 1; n < line; n++ {
		i := bytes.IndexByte(data[r.Start.Byte:], '\n')
		if i < 0 {
			return r
		}
		r.Start.Byte += i + 1
	}
	r.End.Byte = r.Start.Byte
	if i := bytes.IndexByte(data[r.Start.Byte:], '\n'); i >= 0 {
		r.End.Byte += i
	} else {
		r.End.Byte = len(data)
	}
	r.End.Column = 1 + len([]rune(string(data[r.Start.Byte:r.End.Byte])))
	return r
}

// hopsJSON is what hops --json prints.
type hopsJSON struct {
	FormatVersion string      `json:"format_version"`
	Hops          []ir.HopDoc `json:"hops"`
}

// verifyJSON is what verify --json prints: the problems as diagnostics,
// and what was checked.
type verifyJSON struct {
	checkJSON
	Dir    string `json:"dir"`
	Files  int    `json:"files"`
	Signed bool   `json:"signed"`
	Signer string `json:"signer,omitempty"`
}

// diffJSON is what diff --json prints.
type diffJSON struct {
	FormatVersion string         `json:"format_version"`
	Same          bool           `json:"same"`
	Steps         []stepDiffJSON `json:"steps"`
	Files         []fileDiffJSON `json:"files"`
}

// stepDiffJSON is a step added, removed or changed (inspect.StepChange).
type stepDiffJSON struct {
	ID      string   `json:"id"`
	Change  string   `json:"change"`
	Objects []string `json:"objects"`
}

// fileDiffJSON is a file that differs (inspect.FileChange); Unified is
// left out with --stat.
type fileDiffJSON struct {
	File    string `json:"file"`
	Change  string `json:"change"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Unified string `json:"unified,omitempty"`
}

// versionJSON is what version --json prints.
type versionJSON struct {
	Version string `json:"version"`
}

// writeJSON writes v as indented JSON and a newline. Like the text
// outputs, it does not report a failed write to stdout.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // only a failed write fails: every value is plain data
}
