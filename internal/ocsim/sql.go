package ocsim

import (
	"fmt"
	"strconv"
	"strings"
)

// The SQL the simulated clients read: the statements of the dumps the
// simulated dump tools write, and the queries the runbooks run. Anything
// else is reported as not simulated (errUnsupported), never as done.

// dialect is MySQL's or PostgreSQL's lexical rules.
type dialect int

const (
	mysqlSQL dialect = iota
	pgSQL
)

// sqlStmt is one statement of a script.
type sqlStmt struct {
	text string // without its terminating semicolon
	line int    // the line it ends on
	// meta is a psql backslash command (\connect DB), text without the
	// backslash.
	meta bool
	// copyData holds the lines of a COPY ... FROM stdin, up to \.
	copyData []string
}

// splitSQL splits a script into statements as the mysql client and psql
// do: on semicolons outside quotes and comments; psql's backslash commands
// end at the end of their line, and COPY FROM stdin reads the lines after
// it up to \. . MySQL's executable comments /*!NNNNN ... */ are kept as
// statement text.
func splitSQL(src string, d dialect) []sqlStmt {
	var out []sqlStmt
	var cur strings.Builder
	line := 1
	flush := func() {
		text := strings.TrimSpace(cur.String())
		cur.Reset()
		if text != "" {
			out = append(out, sqlStmt{text: text, line: line})
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '\n':
			line++
			cur.WriteByte(c)
			continue
		case d == pgSQL && c == '\\' && strings.TrimSpace(cur.String()) == "":
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			cur.Reset()
			out = append(out, sqlStmt{text: strings.TrimSpace(src[i+1 : i+end]), line: line, meta: true})
			i += end - 1
			continue
		case c == '-' && i+1 < len(src) && src[i+1] == '-' && (d == pgSQL || i+2 >= len(src) || src[i+2] == ' ' || src[i+2] == '\t' || src[i+2] == '\n'),
			d == mysqlSQL && c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				end = len(src) - i - 2
			}
			body := src[i+2 : i+2+end]
			line += strings.Count(body, "\n")
			if d == mysqlSQL && strings.HasPrefix(body, "!") {
				// /*!40101 SET ... */: MySQL runs it.
				j := 1
				for j < len(body) && body[j] >= '0' && body[j] <= '9' {
					j++
				}
				cur.WriteString(body[j:])
			}
			i += end + 3
			continue
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(src) {
				if src[j] == '\\' && (d == mysqlSQL || c == '\'' && i > 0 && (src[i-1] == 'E' || src[i-1] == 'e')) {
					j += 2
					continue
				}
				if src[j] == c {
					if j+1 < len(src) && src[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(src) {
				j = len(src) - 1
			}
			line += strings.Count(src[i:j+1], "\n")
			cur.WriteString(src[i : j+1])
			i = j
			continue
		case d == pgSQL && c == '$':
			if m := dollarTag(src[i:]); m != "" {
				end := strings.Index(src[i+len(m):], m)
				if end < 0 {
					end = len(src) - i - len(m)
				}
				body := src[i:min(len(src), i+len(m)+end+len(m))]
				line += strings.Count(body, "\n")
				cur.WriteString(body)
				i += len(body) - 1
				continue
			}
		case c == ';':
			text := strings.TrimSpace(cur.String())
			cur.Reset()
			if text == "" {
				continue
			}
			st := sqlStmt{text: text, line: line}
			if d == pgSQL && isCopyFromStdin(text) {
				// The data start on the next line.
				nl := strings.IndexByte(src[i:], '\n')
				if nl < 0 {
					out = append(out, st)
					i = len(src)
					continue
				}
				i += nl + 1
				line++
				for i < len(src) {
					end := strings.IndexByte(src[i:], '\n')
					if end < 0 {
						end = len(src) - i
					}
					row := src[i : i+end]
					i += end + 1
					line++
					if row == `\.` {
						break
					}
					st.copyData = append(st.copyData, row)
				}
				i--
				out = append(out, st)
				continue
			}
			out = append(out, st)
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return out
}

func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return ""
}

func isCopyFromStdin(text string) bool {
	up := strings.ToUpper(strings.Join(strings.Fields(text), " "))
	return strings.HasPrefix(up, "COPY ") && strings.HasSuffix(up, " FROM STDIN")
}

// token is a lexical token: a word (keyword or bare identifier), a quoted
// identifier, a string, a number or punctuation.
type token struct {
	kind byte // 'w' word, 'q' quoted identifier, 's' string, 'n' number, 'p' punctuation
	text string
}

func (t token) is(words ...string) bool {
	if t.kind != 'w' {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

// tokenize lexes a statement.
func tokenize(s string, d dialect) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && d == pgSQL:
			escapes := d == mysqlSQL
			if c != '\'' {
				escapes = true
				i++
			}
			v, n, err := quoted(s[i:], '\'', escapes)
			if err != nil {
				return nil, err
			}
			out = append(out, token{'s', v})
			i += n
		case c == '"' && d == mysqlSQL:
			v, n, err := quoted(s[i:], '"', true)
			if err != nil {
				return nil, err
			}
			out = append(out, token{'s', v})
			i += n
		case c == '"' || c == '`':
			v, n, err := quoted(s[i:], c, false)
			if err != nil {
				return nil, err
			}
			out = append(out, token{'q', v})
			i += n
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' && (len(out) == 0 || out[len(out)-1].kind == 'p'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
				j++
			}
			out = append(out, token{'n', s[i:j]})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '@' || c >= 0x80:
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] == '@' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] >= 0x80) {
				j++
			}
			out = append(out, token{'w', s[i:j]})
			i = j
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			out = append(out, token{'p', "::"})
			i += 2
		case c == '<' && i+1 < len(s) && (s[i+1] == '>' || s[i+1] == '='), c == '>' && i+1 < len(s) && s[i+1] == '=', c == '!' && i+1 < len(s) && s[i+1] == '=':
			out = append(out, token{'p', s[i : i+2]})
			i += 2
		default:
			out = append(out, token{'p', string(c)})
			i++
		}
	}
	return out, nil
}

// quoted reads a quoted string or identifier starting at s[0], with
// doubled quotes and, where escapes, backslash escapes.
func quoted(s string, q byte, escapes bool) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if escapes && c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'Z':
				b.WriteByte(26)
			case 'b':
				b.WriteByte('\b')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		if c == q {
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i++
				continue
			}
			return b.String(), i + 1, nil
		}
		b.WriteByte(c)
	}
	return "", 0, fmt.Errorf("unterminated quoted string")
}

// parser walks a statement's tokens.
type parser struct {
	toks []token
	pos  int
}

func newParser(text string, d dialect) (*parser, error) {
	toks, err := tokenize(text, d)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

func (p *parser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{}
}

func (p *parser) next() token {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *parser) done() bool { return p.pos >= len(p.toks) }

// accept consumes a sequence of words (case-insensitive) or punctuation if
// they come next.
func (p *parser) accept(words ...string) bool {
	for i, w := range words {
		if p.pos+i >= len(p.toks) {
			return false
		}
		t := p.toks[p.pos+i]
		if !(t.is(w) || t.kind == 'p' && t.text == w) {
			return false
		}
	}
	p.pos += len(words)
	return true
}

// ident reads an identifier, bare or quoted; bare ones are folded to lower
// case in PostgreSQL.
func (p *parser) ident(d dialect) (string, bool) {
	t := p.peek()
	switch t.kind {
	case 'q':
		p.pos++
		return t.text, true
	case 'w':
		p.pos++
		if d == pgSQL {
			return strings.ToLower(t.text), true
		}
		return t.text, true
	}
	return "", false
}

// qualified reads [SCHEMA.]NAME and returns both.
func (p *parser) qualified(d dialect) (schema, name string, ok bool) {
	name, ok = p.ident(d)
	if !ok {
		return "", "", false
	}
	if p.accept(".") {
		schema = name
		name, ok = p.ident(d)
	}
	return schema, name, ok
}

// rest is the text of the remaining tokens, for messages.
func (p *parser) rest() string {
	var parts []string
	for _, t := range p.toks[p.pos:] {
		parts = append(parts, t.text)
	}
	return strings.Join(parts, " ")
}

// skipParens skips a parenthesized group starting at the current "(".
func (p *parser) skipParens() {
	depth := 0
	for !p.done() {
		t := p.next()
		if t.kind == 'p' && t.text == "(" {
			depth++
		}
		if t.kind == 'p' && t.text == ")" {
			depth--
			if depth == 0 {
				return
			}
		}
	}
}

// value reads a literal: a string, a number, NULL, TRUE/FALSE, with a
// PostgreSQL cast (::type) dropped.
func (p *parser) value() (string, bool) {
	t := p.next()
	var v string
	switch {
	case t.kind == 's' || t.kind == 'n':
		v = t.text
	case t.is("NULL"):
		v = Null
	case t.is("TRUE"):
		v = "1"
	case t.is("FALSE"):
		v = "0"
	case t.is("_binary", "_utf8mb4", "_utf8"):
		return p.value()
	default:
		return "", false
	}
	for p.accept("::") {
		p.next()
	}
	return v, true
}

// errUnsupported is a statement the simulator does not model.
type errUnsupported struct{ text string }

func (e errUnsupported) Error() string { return "not simulated: " + e.text }

// resultSet is what a query returns.
type resultSet struct {
	columns []string
	rows    [][]string
	numeric []bool // right-aligned columns (psql)
}

// selectQuery is the one form of SELECT the simulator evaluates:
// SELECT items FROM [schema.]table [WHERE col = 'x' [AND ...]]
// [ORDER BY col] [LIMIT n]; items are *, columns, count(*); with no FROM,
// expressions the engine evaluates (fn).
type selectQuery struct {
	items []string // "*", "count(*)", column names
	// countLabel is count(*) as the query spelt it (MySQL's column name).
	countLabel string
	schema     string
	table      string
	where      [][2]string
	orderBy    string
	limit      int
}

func parseSelect(p *parser, d dialect) (*selectQuery, error) {
	q := &selectQuery{limit: -1}
	for {
		switch {
		case p.accept("*"):
			q.items = append(q.items, "*")
		case p.peek().is("count") && p.pos+3 < len(p.toks) && p.toks[p.pos+1].text == "(" && p.toks[p.pos+2].text == "*":
			q.countLabel = p.peek().text + "(*)"
			p.accept("count", "(", "*", ")")
			q.items = append(q.items, "count(*)")
		default:
			name, ok := p.ident(d)
			if !ok {
				return nil, errUnsupported{p.rest()}
			}
			q.items = append(q.items, name)
		}
		if !p.accept(",") {
			break
		}
	}
	if !p.accept("FROM") {
		return nil, errUnsupported{"SELECT without FROM"}
	}
	schema, table, ok := p.qualified(d)
	if !ok {
		return nil, errUnsupported{p.rest()}
	}
	q.schema, q.table = schema, table
	if p.accept("WHERE") {
		for {
			col, ok := p.ident(d)
			if !ok || !p.accept("=") {
				return nil, errUnsupported{"WHERE " + p.rest()}
			}
			v, ok := p.value()
			if !ok {
				return nil, errUnsupported{"WHERE " + p.rest()}
			}
			q.where = append(q.where, [2]string{strings.ToLower(col), v})
			if !p.accept("AND") {
				break
			}
		}
	}
	if p.accept("ORDER", "BY") {
		col, ok := p.ident(d)
		if !ok {
			return nil, errUnsupported{"ORDER BY " + p.rest()}
		}
		q.orderBy = col
	}
	if p.accept("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if err != nil {
			return nil, errUnsupported{"LIMIT " + t.text}
		}
		q.limit = n
	}
	if !p.done() {
		return nil, errUnsupported{p.rest()}
	}
	return q, nil
}

// evalSelect evaluates a query on a table's columns and rows.
func evalSelect(q *selectQuery, columns []string, rows [][]string) (*resultSet, error) {
	index := map[string]int{}
	for i, c := range columns {
		index[strings.ToLower(c)] = i
	}
	var kept [][]string
	for _, r := range rows {
		ok := true
		for _, w := range q.where {
			i, has := index[w[0]]
			if !has {
				return nil, fmt.Errorf("column %s", w[0])
			}
			if r[i] != w[1] {
				ok = false
			}
		}
		if ok {
			kept = append(kept, r)
		}
	}
	if q.orderBy != "" {
		i, has := index[strings.ToLower(q.orderBy)]
		if !has {
			return nil, fmt.Errorf("column %s", q.orderBy)
		}
		sortRows(kept, i)
	}
	if len(q.items) == 1 && q.items[0] == "count(*)" {
		return &resultSet{columns: []string{"count"}, rows: [][]string{{strconv.Itoa(len(kept))}}, numeric: []bool{true}}, nil
	}
	if q.limit >= 0 && len(kept) > q.limit {
		kept = kept[:q.limit]
	}
	var cols []int
	for _, it := range q.items {
		if it == "*" {
			for i := range columns {
				cols = append(cols, i)
			}
			continue
		}
		i, has := index[strings.ToLower(it)]
		if !has {
			return nil, fmt.Errorf("column %s", it)
		}
		cols = append(cols, i)
	}
	rs := &resultSet{}
	for _, i := range cols {
		rs.columns = append(rs.columns, columns[i])
		rs.numeric = append(rs.numeric, false)
	}
	for _, r := range kept {
		var out []string
		for _, i := range cols {
			out = append(out, r[i])
		}
		rs.rows = append(rs.rows, out)
	}
	return rs, nil
}

func sortRows(rows [][]string, col int) {
	less := func(a, b string) bool {
		x, errX := strconv.ParseFloat(a, 64)
		y, errY := strconv.ParseFloat(b, 64)
		if errX == nil && errY == nil {
			return x < y
		}
		return a < b
	}
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && less(rows[j][col], rows[j-1][col]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// keyIndex is the index of a table's primary key column, or -1.
func (t *Table) keyIndex() int {
	for i, c := range t.Columns {
		if t.Key != "" && strings.EqualFold(c, t.Key) {
			return i
		}
	}
	return -1
}

// duplicate finds a row of rows whose key a table already holds (or that
// repeats one of rows), or -1.
func (t *Table) duplicate(rows [][]string) int {
	k := t.keyIndex()
	if k < 0 {
		return -1
	}
	seen := map[string]bool{}
	for _, r := range t.Rows {
		seen[r[k]] = true
	}
	for i, r := range rows {
		if seen[r[k]] {
			return i
		}
		seen[r[k]] = true
	}
	return -1
}
