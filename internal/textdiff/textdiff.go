// Package textdiff writes unified diffs of texts, line by line, with the
// fewest changed lines: the shortest edit script of Myers' algorithm
// (github.com/sergi/go-diff, without its time limit, which would trade
// minimality for speed), in the format of diff -u with three lines of
// context. PLAN.md's object diffs and ampc diff use it, so that a
// reviewer reads only the lines that do change.
package textdiff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// context is the number of unchanged lines around each change.
const context = 3

type line struct {
	op   byte // ' ', '-' or '+'
	text string
}

// Unified is the unified diff that turns a into b, labelled oldLabel and
// newLabel; nil when they are equal.
func Unified(oldLabel, newLabel string, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	ra, rb, lines := dmp.DiffLinesToRunes(string(a), string(b))
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(ra, rb, false), lines)
	var all []line
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, text := range strings.SplitAfter(d.Text, "\n") {
			if text != "" {
				all = append(all, line{op, text})
			}
		}
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldLabel, newLabel)
	for i := 0; i < len(all); {
		if all[i].op == ' ' {
			i++
			continue
		}
		// A hunk: from context lines before this change to context lines
		// after the last change that is at most 2*context lines away.
		start := max(0, i-context)
		end := i
		for j := i; j < len(all); j++ {
			if all[j].op != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		stop := min(len(all), end+context)
		oldStart, newStart := 1, 1
		for _, l := range all[:start] {
			if l.op != '+' {
				oldStart++
			}
			if l.op != '-' {
				newStart++
			}
		}
		oldN, newN := 0, 0
		for _, l := range all[start:stop] {
			if l.op != '+' {
				oldN++
			}
			if l.op != '-' {
				newN++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", span(oldStart, oldN), span(newStart, newN))
		for _, l := range all[start:stop] {
			out.WriteByte(l.op)
			out.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = stop
	}
	return out.Bytes()
}

// span is a hunk header's range: START,COUNT, with diff -u's conventions
// (START alone for one line, START-1,0 for none).
func span(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
