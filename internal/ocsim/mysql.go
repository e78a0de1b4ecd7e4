package ocsim

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MySQL: the server's data directory (sqlServer), the mysql client and
// mysqldump. The formats and messages are those of the MySQL 5.7 and 8.0
// clients: mysqldump's header and its "-- Dump completed on" trailer
// (client/mysqldump.cc, get_date's "%04d-%02d-%02d %2d:%02d:%02d"), the
// mysql client's batch output (tab-separated, a header line unless -N)
// and its "ERROR CODE (STATE) at line N: message", after which it stops
// and exits 1 unless --force; mysqldump exits 2 (EX_MYSQLERR) when it
// cannot connect or select the database. InnoDB reports a full disk as
// ERROR 1114 "The table 'T' is full".

// newMySQLServer is the data directory the sclorg MySQL image's run script
// initializes: root's password from MYSQL_ROOT_PASSWORD, MYSQL_USER with
// MYSQL_PASSWORD, and the empty database MYSQL_DATABASE.
func newMySQLServer(version string, env map[string]string) *sqlServer {
	srv := &sqlServer{Version: version, Users: map[string]string{"root": env["MYSQL_ROOT_PASSWORD"]}, Databases: map[string]*Database{}}
	if u := env["MYSQL_USER"]; u != "" {
		srv.Users[u] = env["MYSQL_PASSWORD"]
	}
	if d := env["MYSQL_DATABASE"]; d != "" {
		srv.Databases[d] = &Database{Tables: map[string]*Table{}}
	}
	return srv
}

// mysqlStartError: MySQL 8.0 upgrades a 5.7 data directory when it
// starts; an older server refuses a newer one's.
func mysqlStartError(srv *sqlServer, version string) string {
	if versionLess(version, srv.Version) && mysqlLine(version) != mysqlLine(srv.Version) {
		return fmt.Sprintf("[ERROR] [MY-013171] [InnoDB] Cannot boot server version %s on data directory built by version %s. Downgrade is not supported", version, srv.Version)
	}
	srv.Version = version
	return ""
}

func mysqlLine(v string) string {
	p := strings.Split(v, ".")
	if len(p) < 2 {
		return v
	}
	return p[0] + "." + p[1]
}

// versionLess compares dotted versions numerically.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// mysqlError is a server error as the client prints it.
type mysqlError struct {
	code  int
	state string
	msg   string
}

func (e *mysqlError) Error() string { return fmt.Sprintf("ERROR %d (%s): %s", e.code, e.state, e.msg) }

// mysqlConn is a client's session with a MySQL server.
type mysqlConn struct {
	srv      *sqlServer
	db       string
	version  string
	capacity int64
	dataSize func() int64
}

// mysqlClientArgs are the connection options of mysql and mysqldump.
type mysqlClientArgs struct {
	host, user, password, port string
	hasPassword                bool
	execute                    []string
	skipNames, force, version  bool
	rest                       []string
	single                     bool
}

func parseMySQLArgs(args []string, env map[string]string) (mysqlClientArgs, string) {
	a := mysqlClientArgs{user: "mysql"}
	if pw, ok := env["MYSQL_PWD"]; ok {
		a.password, a.hasPassword = pw, true
	}
	value := func(i *int, arg, short, long string) (string, bool) {
		switch {
		case arg == short || arg == long:
			if *i+1 < len(args) {
				*i++
				return args[*i], true
			}
		case strings.HasPrefix(arg, long+"="):
			return arg[len(long)+1:], true
		case short != "" && strings.HasPrefix(arg, short) && len(arg) > len(short) && !strings.HasPrefix(arg, "--"):
			return arg[len(short):], true
		}
		return "", false
	}
	for i := 1; i < len(args); i++ {
		arg := args[i]
		if v, ok := value(&i, arg, "-h", "--host"); ok {
			a.host = v
			continue
		}
		if v, ok := value(&i, arg, "-u", "--user"); ok {
			a.user = v
			continue
		}
		if v, ok := value(&i, arg, "-P", "--port"); ok {
			a.port = v
			continue
		}
		if v, ok := value(&i, arg, "-e", "--execute"); ok {
			a.execute = append(a.execute, v)
			continue
		}
		if v, ok := value(&i, arg, "-D", "--database"); ok {
			a.rest = append([]string{v}, a.rest...)
			continue
		}
		switch {
		case strings.HasPrefix(arg, "-p") && !strings.HasPrefix(arg, "--") && len(arg) > 2:
			a.password, a.hasPassword = arg[2:], true
		case strings.HasPrefix(arg, "--password="):
			a.password, a.hasPassword = strings.TrimPrefix(arg, "--password="), true
		case arg == "-N" || arg == "--skip-column-names":
			a.skipNames = true
		case arg == "-f" || arg == "--force":
			a.force = true
		case arg == "-V" || arg == "--version":
			a.version = true
		case arg == "--single-transaction", arg == "-B", arg == "--batch", arg == "--quick", arg == "--no-tablespaces", arg == "--routines", arg == "--triggers", arg == "--set-gtid-purged=OFF":
			a.single = a.single || arg == "--single-transaction"
		case strings.HasPrefix(arg, "-"):
			return a, arg
		default:
			a.rest = append(a.rest, arg)
		}
	}
	return a, ""
}

// mysqlConnect connects a client: the server, the account's password
// checked for a TCP connection (root's MYSQL_ROOT_PASSWORD, MYSQL_USER's
// MYSQL_PASSWORD; a seeded outside server accepts any account), or the
// client's connection error.
func (s *session) mysqlConnect(a mysqlClientArgs) (*mysqlConn, *mysqlError) {
	ref, fail := s.connect(mysqlEng, a.host)
	hostPort := a.host
	port := a.port
	if port == "" {
		port = "3306"
	}
	switch fail {
	case connUnknownHost:
		return nil, &mysqlError{2005, "HY000", fmt.Sprintf("Unknown MySQL server host '%s' (-2)", a.host)}
	case connRefused, connShuttingDown, connStartFailed:
		if a.host == "" || a.host == "localhost" {
			return nil, &mysqlError{2002, "HY000", "Can't connect to local MySQL server through socket '/var/lib/mysql/mysql.sock' (2)"}
		}
		if strings.HasPrefix(mysqlLine(serverVersion(s.v.image())), "8") {
			hostPort += ":" + port
		}
		return nil, &mysqlError{2003, "HY000", fmt.Sprintf("Can't connect to MySQL server on '%s' (111)", hostPort)}
	case connNoSocket:
		return nil, &mysqlError{2002, "HY000", "Can't connect to local MySQL server through socket '/var/lib/mysql/mysql.sock' (2)"}
	}
	vol := s.c.vols().open(ref.key)
	srv := vol.MySQL
	if srv == nil {
		return nil, &mysqlError{2002, "HY000", "Can't connect to local MySQL server through socket '/var/lib/mysql/mysql.sock' (2)"}
	}
	tcp := a.host != "" && a.host != "localhost"
	if want, known := srv.Users[a.user]; tcp && ref.view != nil && (!known || want != a.password || !a.hasPassword && want != "") {
		using := "NO"
		if a.hasPassword {
			using = "YES"
		}
		return nil, &mysqlError{1045, "28000", fmt.Sprintf("Access denied for user '%s'@'%s' (using password: %s)", a.user, podIP(s.v.name), using)}
	}
	return &mysqlConn{srv: srv, version: srv.Version, capacity: ref.capacity, dataSize: vol.size}, nil
}

// mysqlVersionLine is what mysql --version prints: 8.0's form, or 5.7's
// (whose Distrib the runbooks read).
func mysqlVersionLine(prog, version string) string {
	if strings.HasPrefix(version, "5.") {
		ver := "14.14"
		if prog == "mysqldump" {
			ver = "10.13"
		}
		return fmt.Sprintf("%s  Ver %s Distrib %s, for Linux (x86_64) using  EditLine wrapper", prog, ver, version)
	}
	return fmt.Sprintf("%s  Ver %s for Linux on x86_64 (Source distribution)", prog, version)
}

func mysqlProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parseMySQLArgs(args, env)
	if bad != "" {
		s.unsupported("mysql option " + bad)
		fmt.Fprintf(std.err, "ocsim: mysql option %s is not simulated\n", bad)
		return 127
	}
	if a.version {
		fmt.Fprintln(std.out, mysqlVersionLine("mysql", s.clientVersion(mysqlEng)))
		return 0
	}
	var script string
	if len(a.execute) > 0 {
		script = strings.Join(a.execute, ";\n")
	} else {
		script = string(readAll(std.in))
	}
	var out, errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		conn, err := s.mysqlConnect(a)
		if err != nil {
			fmt.Fprintln(&errOut, err.Error())
			return 1
		}
		if len(a.rest) > 0 {
			if conn.srv.Databases[a.rest[0]] == nil {
				fmt.Fprintln(&errOut, (&mysqlError{1049, "42000", fmt.Sprintf("Unknown database '%s'", a.rest[0])}).Error())
				return 1
			}
			conn.db = a.rest[0]
		}
		code := 0
		for _, st := range splitSQL(script, mysqlSQL) {
			rs, err := conn.exec(st.text)
			if u, ok := err.(errUnsupported); ok {
				s.unsupported("MySQL statement: " + u.text)
				fmt.Fprintf(&errOut, "ocsim: MySQL statement not simulated: %s\n", u.text)
				return 127
			}
			if me, ok := err.(*mysqlError); ok {
				fmt.Fprintf(&errOut, "ERROR %d (%s) at line %d: %s\n", me.code, me.state, st.line, me.msg)
				code = 1
				if !a.force {
					return 1
				}
				continue
			}
			if rs != nil {
				writeMySQLBatch(&out, rs, a.skipNames)
			}
		}
		return code
	}()
	_, _ = std.out.Write(out.Bytes())
	_, _ = std.err.Write(errOut.Bytes())
	return code
}

// writeMySQLBatch prints a result as the mysql client does in batch mode:
// tab-separated, special characters escaped, NULL as NULL.
func writeMySQLBatch(w io.Writer, rs *resultSet, skipNames bool) {
	esc := strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\n", "\\n", "\x00", "\\0")
	if !skipNames {
		fmt.Fprintln(w, strings.Join(rs.columns, "\t"))
	}
	for _, r := range rs.rows {
		var vals []string
		for _, v := range r {
			if v == Null {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, esc.Replace(v))
			}
		}
		fmt.Fprintln(w, strings.Join(vals, "\t"))
	}
}

// exec runs one statement.
func (c *mysqlConn) exec(text string) (*resultSet, error) {
	p, err := newParser(text, mysqlSQL)
	if err != nil {
		return nil, &mysqlError{1064, "42000", "You have an error in your SQL syntax"}
	}
	switch {
	case p.accept("SET"), p.accept("LOCK", "TABLES"), p.accept("UNLOCK", "TABLES"),
		p.accept("START", "TRANSACTION"), p.accept("BEGIN"), p.accept("COMMIT"), p.accept("ROLLBACK"):
		return nil, nil
	case p.accept("USE"):
		name, _ := p.ident(mysqlSQL)
		if c.srv.Databases[name] == nil {
			return nil, &mysqlError{1049, "42000", fmt.Sprintf("Unknown database '%s'", name)}
		}
		c.db = name
		return nil, nil
	case p.accept("CREATE", "DATABASE"), p.accept("CREATE", "SCHEMA"):
		ifNot := p.accept("IF", "NOT", "EXISTS")
		name, _ := p.ident(mysqlSQL)
		if c.srv.Databases[name] != nil {
			if ifNot {
				return nil, nil
			}
			return nil, &mysqlError{1007, "HY000", fmt.Sprintf("Can't create database '%s'; database exists", name)}
		}
		c.srv.Databases[name] = &Database{Tables: map[string]*Table{}}
		return nil, nil
	case p.accept("DROP", "DATABASE"), p.accept("DROP", "SCHEMA"):
		ifExists := p.accept("IF", "EXISTS")
		name, _ := p.ident(mysqlSQL)
		if c.srv.Databases[name] == nil {
			if ifExists {
				return nil, nil
			}
			return nil, &mysqlError{1008, "HY000", fmt.Sprintf("Can't drop database '%s'; database doesn't exist", name)}
		}
		delete(c.srv.Databases, name)
		if c.db == name {
			c.db = ""
		}
		return nil, nil
	case p.accept("SHOW", "DATABASES"):
		rs := &resultSet{columns: []string{"Database"}}
		for _, n := range append([]string{"information_schema"}, sortedKeys(c.srv.Databases)...) {
			rs.rows = append(rs.rows, []string{n})
		}
		return rs, nil
	case p.accept("SELECT"):
		return c.query(p)
	}
	db := c.srv.Databases[c.db]
	need := func() *mysqlError {
		if db == nil {
			return &mysqlError{1046, "3D000", "No database selected"}
		}
		return nil
	}
	switch {
	case p.accept("SHOW", "TABLES"):
		if err := need(); err != nil {
			return nil, err
		}
		rs := &resultSet{columns: []string{"Tables_in_" + c.db}}
		for _, n := range sortedKeys(db.Tables) {
			rs.rows = append(rs.rows, []string{n})
		}
		return rs, nil
	case p.accept("DROP", "TABLE"):
		if err := need(); err != nil {
			return nil, err
		}
		ifExists := p.accept("IF", "EXISTS")
		var missing []string
		for {
			_, name, _ := p.qualified(mysqlSQL)
			if db.Tables[name] == nil {
				missing = append(missing, c.db+"."+name)
			}
			delete(db.Tables, name)
			if !p.accept(",") {
				break
			}
		}
		if len(missing) > 0 && !ifExists {
			return nil, &mysqlError{1051, "42S02", fmt.Sprintf("Unknown table '%s'", strings.Join(missing, ","))}
		}
		return nil, nil
	case p.accept("CREATE", "TABLE"):
		if err := need(); err != nil {
			return nil, err
		}
		ifNot := p.accept("IF", "NOT", "EXISTS")
		_, name, _ := p.qualified(mysqlSQL)
		if db.Tables[name] != nil {
			if ifNot {
				return nil, nil
			}
			return nil, &mysqlError{1050, "42S01", fmt.Sprintf("Table '%s' already exists", name)}
		}
		t, err := parseColumns(p, mysqlSQL)
		if err != nil {
			return nil, err
		}
		db.Tables[name] = t
		return nil, nil
	case p.accept("ALTER", "TABLE"):
		if err := need(); err != nil {
			return nil, err
		}
		_, name, _ := p.qualified(mysqlSQL)
		if db.Tables[name] == nil {
			return nil, &mysqlError{1146, "42S02", fmt.Sprintf("Table '%s.%s' doesn't exist", c.db, name)}
		}
		if p.accept("DISABLE", "KEYS") || p.accept("ENABLE", "KEYS") {
			return nil, nil
		}
		return nil, errUnsupported{text}
	case p.accept("INSERT", "INTO"):
		if err := need(); err != nil {
			return nil, err
		}
		_, name, _ := p.qualified(mysqlSQL)
		t := db.Tables[name]
		if t == nil {
			return nil, &mysqlError{1146, "42S02", fmt.Sprintf("Table '%s.%s' doesn't exist", c.db, name)}
		}
		rows, err := parseValues(p, t, mysqlSQL)
		if err != nil {
			if _, ok := err.(errUnsupported); ok {
				return nil, err
			}
			return nil, &mysqlError{1136, "21S01", "Column count doesn't match value count at row 1"}
		}
		if i := t.duplicate(rows); i >= 0 {
			key := "PRIMARY"
			if !strings.HasPrefix(c.version, "5.") {
				key = name + ".PRIMARY"
			}
			return nil, &mysqlError{1062, "23000", fmt.Sprintf("Duplicate entry '%s' for key '%s'", rows[i][t.keyIndex()], key)}
		}
		var size int64
		for _, r := range rows {
			size += rowSize(r)
		}
		if c.capacity > 0 && c.dataSize()+size > c.capacity {
			return nil, &mysqlError{1114, "HY000", fmt.Sprintf("The table '%s' is full", name)}
		}
		t.Rows = append(t.Rows, rows...)
		return nil, nil
	}
	return nil, errUnsupported{text}
}

// query evaluates SELECT: count(*) and columns of a table (of the current
// database, or DB.TABLE), information_schema.tables, and the constants
// 1, VERSION() and DATABASE().
func (c *mysqlConn) query(p *parser) (*resultSet, error) {
	switch {
	case p.accept("VERSION", "(", ")"):
		return &resultSet{columns: []string{"VERSION()"}, rows: [][]string{{c.version}}}, nil
	case p.accept("DATABASE", "(", ")"):
		db := c.db
		if db == "" {
			db = Null
		}
		return &resultSet{columns: []string{"DATABASE()"}, rows: [][]string{{db}}}, nil
	case p.peek().kind == 'n' && len(p.toks) == p.pos+1:
		v := p.next().text
		return &resultSet{columns: []string{v}, rows: [][]string{{v}}}, nil
	}
	q, err := parseSelect(p, mysqlSQL)
	if err != nil {
		return nil, err
	}
	schema := q.schema
	if schema == "" {
		schema = c.db
	}
	if strings.EqualFold(schema, "information_schema") && strings.EqualFold(q.table, "tables") {
		cols := []string{"table_schema", "table_name", "table_type", "table_rows"}
		var rows [][]string
		for _, dn := range sortedKeys(c.srv.Databases) {
			for _, tn := range sortedKeys(c.srv.Databases[dn].Tables) {
				rows = append(rows, []string{dn, tn, "BASE TABLE", strconv.Itoa(len(c.srv.Databases[dn].Tables[tn].Rows))})
			}
		}
		return evalSelect(q, cols, rows)
	}
	db := c.srv.Databases[schema]
	if db == nil {
		if schema == "" {
			return nil, &mysqlError{1046, "3D000", "No database selected"}
		}
		return nil, &mysqlError{1146, "42S02", fmt.Sprintf("Table '%s.%s' doesn't exist", schema, q.table)}
	}
	t := db.Tables[q.table]
	if t == nil {
		return nil, &mysqlError{1146, "42S02", fmt.Sprintf("Table '%s.%s' doesn't exist", schema, q.table)}
	}
	rs, err := evalSelect(q, t.Columns, t.Rows)
	if err != nil {
		return nil, &mysqlError{1054, "42S22", fmt.Sprintf("Unknown column '%s' in 'field list'", strings.TrimPrefix(err.Error(), "column "))}
	}
	if len(q.items) == 1 && q.items[0] == "count(*)" {
		rs.columns = []string{q.countLabel}
	}
	return rs, nil
}

// parseColumns reads a CREATE TABLE's column list: the first word of each
// element is a column, unless the element is a key or constraint;
// PRIMARY KEY (col) or a column's PRIMARY KEY sets the key.
func parseColumns(p *parser, d dialect) (*Table, error) {
	if !p.accept("(") {
		return nil, errUnsupported{"CREATE TABLE " + p.rest()}
	}
	t := &Table{}
	for !p.done() {
		switch {
		case p.accept("PRIMARY", "KEY"):
			if p.peek().kind == 'p' && p.peek().text == "(" {
				at := p.pos
				p.next()
				t.Key, _ = p.ident(d)
				p.pos = at
				p.skipParens()
			}
		case p.peek().is("KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FOREIGN", "CHECK", "FULLTEXT"):
			// skipped up to the element's end below
		default:
			col, ok := p.ident(d)
			if !ok {
				return nil, errUnsupported{"CREATE TABLE " + p.rest()}
			}
			t.Columns = append(t.Columns, col)
		}
		// The rest of the element, up to a comma at depth 0 or the
		// closing parenthesis.
		depth := 0
		for !p.done() {
			tk := p.peek()
			if tk.kind == 'p' && tk.text == "(" {
				depth++
			}
			if tk.kind == 'p' && tk.text == ")" {
				if depth == 0 {
					break
				}
				depth--
			}
			if tk.kind == 'p' && tk.text == "," && depth == 0 {
				break
			}
			if depth == 0 && p.accept("PRIMARY", "KEY") {
				t.Key = t.Columns[len(t.Columns)-1]
				continue
			}
			p.next()
		}
		if p.accept(")") {
			break
		}
		p.accept(",")
	}
	return t, nil
}

// parseValues reads INSERT's [(columns)] VALUES (...), (...) into rows in
// the table's column order.
func parseValues(p *parser, t *Table, d dialect) ([][]string, error) {
	var cols []int
	if p.accept("(") {
		for {
			name, _ := p.ident(d)
			i := -1
			for j, c := range t.Columns {
				if strings.EqualFold(c, name) {
					i = j
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("unknown column %s", name)
			}
			cols = append(cols, i)
			if !p.accept(",") {
				break
			}
		}
		p.accept(")")
	}
	if !p.accept("VALUES") {
		return nil, errUnsupported{"INSERT " + p.rest()}
	}
	var rows [][]string
	for {
		if !p.accept("(") {
			return nil, errUnsupported{"INSERT " + p.rest()}
		}
		var vals []string
		for {
			v, ok := p.value()
			if !ok {
				return nil, errUnsupported{"INSERT value " + p.rest()}
			}
			vals = append(vals, v)
			if !p.accept(",") {
				break
			}
		}
		p.accept(")")
		row := vals
		if cols != nil {
			if len(vals) != len(cols) {
				return nil, fmt.Errorf("count")
			}
			row = make([]string, len(t.Columns))
			for i := range row {
				row[i] = Null
			}
			for i, ci := range cols {
				row[ci] = vals[i]
			}
		} else if len(vals) != len(t.Columns) {
			return nil, fmt.Errorf("count")
		}
		rows = append(rows, row)
		if !p.accept(",") {
			break
		}
	}
	return rows, nil
}

// mysqlQuote quotes a value as mysqldump does (mysql_real_escape_string).
func mysqlQuote(v string) string {
	if v == Null {
		return "NULL"
	}
	r := strings.NewReplacer("\\", "\\\\", "'", "\\'", "\"", "\\\"", "\n", "\\n", "\r", "\\r", "\x00", "\\0", "\x1a", "\\Z")
	return "'" + r.Replace(v) + "'"
}

// mysqldumpProgram is mysqldump [options] DATABASE: a dump that the mysql
// client reads back, each table dropped (DROP TABLE IF EXISTS) and
// recreated, ending with "-- Dump completed on DATE".
func mysqldumpProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parseMySQLArgs(args, env)
	if bad != "" || len(a.rest) > 1 {
		s.unsupported("mysqldump " + strings.Join(args[1:], " "))
		fmt.Fprintf(std.err, "ocsim: mysqldump %s is not simulated\n", strings.Join(args[1:], " "))
		return 127
	}
	if a.version {
		fmt.Fprintln(std.out, mysqlVersionLine("mysqldump", s.clientVersion(mysqlEng)))
		return 0
	}
	if len(a.rest) == 0 {
		fmt.Fprintln(std.err, "Usage: mysqldump [OPTIONS] database [tables]")
		return 1
	}
	var out bytes.Buffer
	var errText string
	func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		conn, err := s.mysqlConnect(a)
		if err != nil {
			errText = fmt.Sprintf("mysqldump: Got error: %d: %s when trying to connect\n", err.code, err.msg)
			return
		}
		name := a.rest[0]
		db := conn.srv.Databases[name]
		if db == nil {
			errText = fmt.Sprintf("mysqldump: Got error: 1049: Unknown database '%s' when selecting the database\n", name)
			return
		}
		host := a.host
		if host == "" {
			host = "localhost"
		}
		writeMySQLDump(&out, s.clientVersion(mysqlEng), conn.version, host, name, db, s.c.now())
	}()
	if errText != "" {
		fmt.Fprint(std.err, errText)
		return 2
	}
	if _, err := std.out.Write(out.Bytes()); err != nil {
		fmt.Fprintf(std.err, "mysqldump: Got errno 32 on write\n")
		return 5
	}
	return 0
}

func writeMySQLDump(w *bytes.Buffer, client, server, host, name string, db *Database, now time.Time) {
	distrib := fmt.Sprintf("-- MySQL dump 10.13  Distrib %s, for Linux (x86_64)", client)
	charset := "utf8mb4"
	setNames := "/*!50503 SET NAMES utf8mb4 */;"
	if strings.HasPrefix(server, "5.") {
		charset = "utf8"
		setNames = "/*!40101 SET NAMES utf8 */;"
	}
	fmt.Fprintf(w, "%s\n--\n-- Host: %s    Database: %s\n-- ------------------------------------------------------\n-- Server version\t%s\n\n", distrib, host, name, server)
	w.WriteString("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;\n/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;\n")
	w.WriteString(setNames + "\n")
	w.WriteString("/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;\n/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;\n/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;\n")
	for _, tn := range sortedKeys(db.Tables) {
		t := db.Tables[tn]
		fmt.Fprintf(w, "\n--\n-- Table structure for table `%s`\n--\n\nDROP TABLE IF EXISTS `%s`;\n", tn, tn)
		fmt.Fprintf(w, "/*!40101 SET @saved_cs_client     = @@character_set_client */;\n/*!50503 SET character_set_client = %s */;\nCREATE TABLE `%s` (\n", charset, tn)
		var defs []string
		for _, c := range t.Columns {
			def := "longtext"
			if strings.EqualFold(c, t.Key) {
				def = "varchar(255) NOT NULL"
			}
			defs = append(defs, fmt.Sprintf("  `%s` %s", c, def))
		}
		if t.Key != "" {
			defs = append(defs, fmt.Sprintf("  PRIMARY KEY (`%s`)", t.Key))
		}
		fmt.Fprintf(w, "%s\n) ENGINE=InnoDB DEFAULT CHARSET=%s;\n/*!40101 SET character_set_client = @saved_cs_client */;\n", strings.Join(defs, ",\n"), charset)
		fmt.Fprintf(w, "\n--\n-- Dumping data for table `%s`\n--\n\nLOCK TABLES `%s` WRITE;\n/*!40000 ALTER TABLE `%s` DISABLE KEYS */;\n", tn, tn, tn)
		if len(t.Rows) > 0 {
			var tuples []string
			for _, r := range t.Rows {
				var vals []string
				for _, v := range r {
					vals = append(vals, mysqlQuote(v))
				}
				tuples = append(tuples, "("+strings.Join(vals, ",")+")")
			}
			fmt.Fprintf(w, "INSERT INTO `%s` VALUES %s;\n", tn, strings.Join(tuples, ","))
		}
		fmt.Fprintf(w, "/*!40000 ALTER TABLE `%s` ENABLE KEYS */;\nUNLOCK TABLES;\n", tn)
	}
	w.WriteString("/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;\n\n/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;\n/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;\n/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;\n/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;\n/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n\n")
	fmt.Fprintf(w, "-- Dump completed on %04d-%02d-%02d %2d:%02d:%02d\n", now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second())
}

// clientVersion is the version of an engine's client programs in the
// container: its image's, or the engine's default.
func (s *session) clientVersion(e engine) string {
	if v := serverVersion(s.v.image()); v != "" && imageEngine(s.v.image()) == e {
		return v
	}
	return defaultVersion(e)
}
