package ocsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PostgreSQL: the cluster's data directory, psql, pg_dump, pg_dumpall and
// pg_restore. Formats and messages are PostgreSQL's (src/bin/psql,
// src/bin/pg_dump, the server's ereport texts): the plain dumps'
// "-- PostgreSQL database dump complete" and pg_dumpall's "-- PostgreSQL
// database cluster dump complete" trailers, the data loaded with COPY
// before the primary keys are added, psql's "psql:FILE:LINE: ERROR:  ..."
// and its exit status (0 after failed statements, 3 when ON_ERROR_STOP
// stopped a script, 1 when a -c command failed, 2 when it could not
// connect: psql's documentation, "Exit Status"), pg_restore's "errors
// ignored on restore: N" and exit status 1, in the wording of PostgreSQL
// 12 and later ("pg_restore: while PROCESSING TOC:", "pg_restore: error:
// could not execute query: ..."; as in zulip/zulip#20624) or of older
// releases ("pg_restore: [archiver (db)] ...", "WARNING: errors ignored on
// restore: N"; flynn/flynn#2606).

// newPGCluster is the data directory the sclorg PostgreSQL image's run
// script initializes: initdb (roles postgres, databases postgres and
// template1), then POSTGRESQL_USER and its database POSTGRESQL_DATABASE.
func newPGCluster(version string, env map[string]string) *sqlServer {
	srv := &sqlServer{Version: version, Users: map[string]string{"postgres": ""}, Databases: map[string]*Database{
		"postgres": {Owner: "postgres", Tables: map[string]*Table{}}, "template1": {Owner: "postgres", Tables: map[string]*Table{}}}}
	if u := env["POSTGRESQL_USER"]; u != "" {
		srv.Users[u] = ""
		if d := env["POSTGRESQL_DATABASE"]; d != "" {
			srv.Databases[d] = &Database{Owner: u, Tables: map[string]*Table{}}
		}
	}
	return srv
}

// pgMajor is a PostgreSQL version's major release: 9.5 for 9.5.25, 10 for
// 10.23.
func pgMajor(v string) string {
	p := strings.Split(v, ".")
	if n, _ := strconv.Atoi(p[0]); n >= 10 || len(p) < 2 {
		return p[0]
	}
	return p[0] + "." + p[1]
}

func pgMajorNum(v string) int {
	n, _ := strconv.Atoi(strings.Split(v, ".")[0])
	return n
}

// pgStartError: a server refuses a data directory of another major
// release (checkDataDir in the postmaster: "database files are
// incompatible with server").
func pgStartError(srv *sqlServer, version string) string {
	if pgMajor(srv.Version) != pgMajor(version) {
		return fmt.Sprintf("FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version %s, which is not compatible with this version %s.", pgMajor(srv.Version), version)
	}
	return ""
}

// pgError is a server error: its message and optional detail, hint and
// context lines.
type pgError struct {
	msg, detail, hint, context string
	severity                   string
}

func (e *pgError) Error() string { return e.text() }

func (e *pgError) text() string {
	sev := e.severity
	if sev == "" {
		sev = "ERROR"
	}
	s := fmt.Sprintf("%s:  %s\n", sev, e.msg)
	if e.detail != "" {
		s += "DETAIL:  " + e.detail + "\n"
	}
	if e.hint != "" {
		s += "HINT:  " + e.hint + "\n"
	}
	if e.context != "" {
		s += "CONTEXT:  " + e.context + "\n"
	}
	return s
}

// pgConn is a client's session with a PostgreSQL cluster.
type pgConn struct {
	c        *Cluster
	srv      *sqlServer
	db, user string
	version  string
	capacity int64
	dataSize func() int64
	server   Object // the server's pod (nil outside the cluster)
	notices  []string
}

// superuser is whether the session's role is a superuser: postgres on a
// server in a pod (the images' bootstrap user); no role of a server
// outside the cluster (a managed server's master user is not one).
func (c *pgConn) superuser() bool { return c.server != nil && c.user == "postgres" }

// pgClientArgs are the options of psql, pg_dump, pg_dumpall, pg_restore.
type pgClientArgs struct {
	host, port, user, db, file, format, output string
	commands                                   []string
	vars                                       map[string]string
	tuplesOnly, unaligned, quiet, version      bool
	clean, ifExists, verbose, exitOnError      bool
	single, create, noOwner                    bool
	rest                                       []string
}

// parsePGArgs reads short options, bundled (-tAc) or not, and long ones;
// withValue lists the short options that take a value.
func parsePGArgs(args []string, withValue string) (pgClientArgs, string) {
	a := pgClientArgs{vars: map[string]string{}}
	set := func(opt, v string) string {
		switch opt {
		case "h", "host":
			a.host = v
		case "p", "port":
			a.port = v
		case "U", "username":
			a.user = v
		case "d", "dbname":
			a.db = v
		case "c", "command":
			a.commands = append(a.commands, v)
		case "f", "file":
			a.file = v
		case "F", "format":
			a.format = v
		case "v", "set", "variable":
			k, val, _ := strings.Cut(v, "=")
			a.vars[strings.ToUpper(k)] = val
		default:
			return "-" + opt
		}
		return ""
	}
	flag := func(opt string) string {
		switch opt {
		case "t", "tuples-only":
			a.tuplesOnly = true
		case "A", "no-align":
			a.unaligned = true
		case "q", "quiet":
			a.quiet = true
		case "V", "version":
			a.version = true
		case "c", "clean":
			a.clean = true
		case "if-exists":
			a.ifExists = true
		case "v", "verbose":
			a.verbose = true
		case "e", "exit-on-error":
			a.exitOnError = true
		case "1", "single-transaction":
			a.single = true
		case "C", "create":
			a.create = true
		case "O", "no-owner":
			a.noOwner = true
		case "X", "no-psqlrc", "w", "no-password", "b", "blobs", "large-objects", "W", "password", "no-privileges", "x", "no-acl":
		default:
			return "-" + opt
		}
		return ""
	}
	for i := 1; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			a.rest = append(a.rest, args[i+1:]...)
			return a, ""
		case strings.HasPrefix(arg, "--"):
			name, v, has := strings.Cut(arg[2:], "=")
			if strings.Contains(" host port username dbname command file format set variable ", " "+name+" ") {
				if !has && i+1 < len(args) {
					i++
					v = args[i]
				}
				if bad := set(name, v); bad != "" {
					return a, bad
				}
				continue
			}
			if bad := flag(name); bad != "" {
				return a, "-" + bad
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			for j := 1; j < len(arg); j++ {
				opt := arg[j : j+1]
				if strings.Contains(withValue, opt) {
					v := arg[j+1:]
					if v == "" && i+1 < len(args) {
						i++
						v = args[i]
					}
					if bad := set(opt, v); bad != "" {
						return a, bad
					}
					break
				}
				if bad := flag(opt); bad != "" {
					return a, bad
				}
			}
		default:
			a.rest = append(a.rest, arg)
		}
	}
	return a, ""
}

// pgConnect connects a client program of the given name, or returns what
// it prints when it cannot (with its exit status, 2 for psql).
func (s *session) pgConnect(prog string, a pgClientArgs, env map[string]string, db string) (*pgConn, string) {
	user := a.user
	if user == "" {
		user = env["PGUSER"]
	}
	if user == "" {
		user = "postgres" // the images' OS user
	}
	if db == "" {
		db = env["PGDATABASE"]
	}
	if db == "" {
		db = user
	}
	host := a.host
	if host == "" {
		host = env["PGHOST"]
	}
	client := s.clientVersion(pgEng)
	ref, fail := s.connect(pgEng, host)
	if fail == connOK {
		vol := s.c.vols().open(ref.key)
		if vol.Postgres == nil {
			fail = connRefused
		} else {
			conn := &pgConn{c: s.c, srv: vol.Postgres, db: db, user: user, version: vol.Postgres.Version, capacity: ref.capacity, dataSize: vol.size}
			if ref.view != nil {
				conn.server = ref.view.pod
				conn.version = ref.version
			}
			if _, ok := conn.srv.Users[user]; !ok {
				if ref.view != nil {
					return nil, pgConnMessage(prog, client, host, db, fmt.Sprintf("FATAL:  role \"%s\" does not exist", user))
				}
				// A seeded outside server takes any account as its
				// master user.
				conn.srv.Users[user] = ""
			}
			if conn.srv.Databases[db] == nil {
				return nil, pgConnMessage(prog, client, host, db, fmt.Sprintf("FATAL:  database \"%s\" does not exist", db))
			}
			return conn, ""
		}
	}
	switch fail {
	case connShuttingDown:
		return nil, pgConnMessage(prog, client, host, db, "FATAL:  the database system is shutting down")
	case connStartFailed, connNoSocket:
		if host == "" {
			return nil, pgConnMessage(prog, client, host, db, "")
		}
		fallthrough
	case connRefused:
		return nil, pgConnMessage(prog, client, host, db, "refused")
	}
	return nil, pgConnMessage(prog, client, host, db, "unknown host")
}

// pgConnMessage is what a client prints when it cannot connect, in the
// wording of its release: up to 11 "psql: could not connect to server",
// 12 and 13 with "error: ", from 14 "connection to server ... failed".
func pgConnMessage(prog, client, host, db, why string) string {
	m := pgMajorNum(client)
	prefix := prog + ": "
	if m >= 12 {
		prefix += "error: "
	}
	ip := podIP(host)
	switch why {
	case "unknown host":
		return fmt.Sprintf("%scould not translate host name \"%s\" to address: Name or service not known\n", prefix, host)
	case "refused":
		if m >= 14 {
			return fmt.Sprintf("%sconnection to server at \"%s\" (%s), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n", prefix, host, ip)
		}
		return fmt.Sprintf("%scould not connect to server: Connection refused\n\tIs the server running on host \"%s\" (%s) and accepting\n\tTCP/IP connections on port 5432?\n", prefix, host, ip)
	case "":
		if m >= 14 {
			return prefix + "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n"
		}
		return prefix + "could not connect to server: No such file or directory\n\tIs the server running locally and accepting\n\tconnections on Unix domain socket \"/var/run/postgresql/.s.PGSQL.5432\"?\n"
	}
	if m >= 14 {
		where := "on socket \"/var/run/postgresql/.s.PGSQL.5432\""
		if host != "" {
			where = fmt.Sprintf("at \"%s\" (%s), port 5432", host, ip)
		}
		return fmt.Sprintf("%sconnection to server %s failed: %s\n", prefix, where, why)
	}
	if prog != "psql" {
		if m >= 12 {
			return fmt.Sprintf("%sconnection to database \"%s\" failed: %s\n", prefix, db, why)
		}
		return fmt.Sprintf("%s[archiver (db)] connection to database \"%s\" failed: %s\n", prefix, db, why)
	}
	return prefix + why + "\n"
}

var pgPlainIdent = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// pgIdent quotes an identifier as pg_dump's fmtId does when it needs it.
func pgIdent(name string) string {
	if pgPlainIdent.MatchString(name) && !pgReserved[name] {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

var pgReserved = map[string]bool{"user": true, "order": true, "group": true, "table": true, "select": true, "from": true, "where": true, "default": true, "check": true, "primary": true, "references": true, "limit": true, "offset": true, "end": true}

// --- statements ---

// exec runs one statement and returns its command tag or result.
func (c *pgConn) exec(st sqlStmt) (string, *resultSet, *pgError, error) {
	p, err := newParser(st.text, pgSQL)
	if err != nil {
		return "", nil, &pgError{msg: "unterminated quoted string"}, nil
	}
	db := c.srv.Databases[c.db]
	switch {
	case p.accept("SET"):
		return "SET", nil, nil, nil
	case p.accept("BEGIN"), p.accept("START", "TRANSACTION"):
		return "BEGIN", nil, nil, nil
	case p.accept("COMMIT"):
		return "COMMIT", nil, nil, nil
	case p.accept("COMMENT", "ON", "EXTENSION"):
		// The extensions (plpgsql) belong to the bootstrap superuser:
		// another role, as the master user of a managed server (RDS), may
		// not comment on them.
		name, _ := p.ident(pgSQL)
		if !c.superuser() {
			return "", nil, &pgError{msg: fmt.Sprintf("must be owner of extension %s", name)}, nil
		}
		return "COMMENT", nil, nil, nil
	case p.accept("COMMENT", "ON"):
		return "COMMENT", nil, nil, nil
	case p.accept("REVOKE"):
		return "REVOKE", nil, nil, nil
	case p.accept("GRANT"):
		return "GRANT", nil, nil, nil
	case p.accept("CREATE", "EXTENSION"):
		return "CREATE EXTENSION", nil, nil, nil
	case p.accept("CREATE", "ROLE"), p.accept("CREATE", "USER"):
		name, _ := p.ident(pgSQL)
		if _, ok := c.srv.Users[name]; ok {
			return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" already exists", name)}, nil
		}
		c.srv.Users[name] = ""
		return "CREATE ROLE", nil, nil, nil
	case p.accept("ALTER", "ROLE"), p.accept("ALTER", "USER"):
		name, _ := p.ident(pgSQL)
		if _, ok := c.srv.Users[name]; !ok {
			return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" does not exist", name)}, nil
		}
		return "ALTER ROLE", nil, nil, nil
	case p.accept("DROP", "ROLE"), p.accept("DROP", "USER"):
		ifExists := p.accept("IF", "EXISTS")
		name, _ := p.ident(pgSQL)
		if _, ok := c.srv.Users[name]; !ok {
			if ifExists {
				c.notices = append(c.notices, fmt.Sprintf("NOTICE:  role \"%s\" does not exist, skipping", name))
				return "DROP ROLE", nil, nil, nil
			}
			return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" does not exist", name)}, nil
		}
		if name == c.user {
			return "", nil, &pgError{msg: "current user cannot be dropped"}, nil
		}
		for _, dn := range sortedKeys(c.srv.Databases) {
			if c.srv.Databases[dn].Owner == name {
				return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" cannot be dropped because some objects depend on it", name), detail: "owner of database " + dn}, nil
			}
		}
		delete(c.srv.Users, name)
		return "DROP ROLE", nil, nil, nil
	case p.accept("CREATE", "DATABASE"):
		name, _ := p.ident(pgSQL)
		owner := c.user
		for !p.done() {
			if p.accept("OWNER") {
				p.accept("=")
				owner, _ = p.ident(pgSQL)
				continue
			}
			p.next()
		}
		if c.srv.Databases[name] != nil {
			return "", nil, &pgError{msg: fmt.Sprintf("database \"%s\" already exists", name)}, nil
		}
		if _, ok := c.srv.Users[owner]; !ok {
			return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" does not exist", owner)}, nil
		}
		c.srv.Databases[name] = &Database{Owner: owner, Tables: map[string]*Table{}}
		return "CREATE DATABASE", nil, nil, nil
	case p.accept("DROP", "DATABASE"):
		ifExists := p.accept("IF", "EXISTS")
		name, _ := p.ident(pgSQL)
		if c.srv.Databases[name] == nil {
			if ifExists {
				c.notices = append(c.notices, fmt.Sprintf("NOTICE:  database \"%s\" does not exist, skipping", name))
				return "DROP DATABASE", nil, nil, nil
			}
			return "", nil, &pgError{msg: fmt.Sprintf("database \"%s\" does not exist", name)}, nil
		}
		if name == c.db {
			return "", nil, &pgError{msg: "cannot drop the currently open database"}, nil
		}
		// dbcommands.c dropdb: errdetail_busy_db.
		if n := c.c.sqlClients(c.server, name); n > 0 {
			detail := "There is 1 other session using the database."
			if n > 1 {
				detail = fmt.Sprintf("There are %d other sessions using the database.", n)
			}
			return "", nil, &pgError{msg: fmt.Sprintf("database \"%s\" is being accessed by other users", name), detail: detail}, nil
		}
		delete(c.srv.Databases, name)
		return "DROP DATABASE", nil, nil, nil
	case p.accept("ALTER", "DATABASE"):
		name, _ := p.ident(pgSQL)
		if c.srv.Databases[name] == nil {
			return "", nil, &pgError{msg: fmt.Sprintf("database \"%s\" does not exist", name)}, nil
		}
		if p.accept("OWNER", "TO") {
			owner, _ := p.ident(pgSQL)
			if _, ok := c.srv.Users[owner]; !ok {
				return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" does not exist", owner)}, nil
			}
			c.srv.Databases[name].Owner = owner
		}
		return "ALTER DATABASE", nil, nil, nil
	case p.accept("SELECT"):
		rs, perr := c.query(p, st.text)
		if u, ok := perr.(errUnsupported); ok {
			return "", nil, nil, u
		}
		if perr != nil {
			return "", nil, perr.(*pgError), nil
		}
		return "", rs, nil, nil
	}
	switch {
	case p.accept("CREATE", "SCHEMA"):
		ifNot := p.accept("IF", "NOT", "EXISTS")
		name, _ := p.ident(pgSQL)
		if name != "public" {
			return "", nil, nil, errUnsupported{st.text}
		}
		if !db.NoPublicSchema {
			if ifNot {
				return "CREATE SCHEMA", nil, nil, nil
			}
			return "", nil, &pgError{msg: "schema \"public\" already exists"}, nil
		}
		db.NoPublicSchema = false
		return "CREATE SCHEMA", nil, nil, nil
	case p.accept("ALTER", "SCHEMA"):
		return "ALTER SCHEMA", nil, nil, nil
	case p.accept("CREATE", "TABLE"):
		ifNot := p.accept("IF", "NOT", "EXISTS")
		schema, name, _ := p.qualified(pgSQL)
		if err := c.schemaOK(db, schema); err != nil {
			return "", nil, err, nil
		}
		if db.Tables[name] != nil {
			if ifNot {
				return "CREATE TABLE", nil, nil, nil
			}
			return "", nil, &pgError{msg: fmt.Sprintf("relation \"%s\" already exists", name)}, nil
		}
		t, err := parseColumns(p, pgSQL)
		if err != nil {
			return "", nil, nil, err
		}
		db.Tables[name] = t
		return "CREATE TABLE", nil, nil, nil
	case p.accept("DROP", "TABLE"):
		ifExists := p.accept("IF", "EXISTS")
		_, name, _ := p.qualified(pgSQL)
		if db.Tables[name] == nil {
			if ifExists {
				c.notices = append(c.notices, fmt.Sprintf("NOTICE:  table \"%s\" does not exist, skipping", name))
				return "DROP TABLE", nil, nil, nil
			}
			return "", nil, &pgError{msg: fmt.Sprintf("table \"%s\" does not exist", name)}, nil
		}
		delete(db.Tables, name)
		return "DROP TABLE", nil, nil, nil
	case p.accept("ALTER", "TABLE"):
		ifExists := p.accept("IF", "EXISTS")
		p.accept("ONLY")
		_, name, _ := p.qualified(pgSQL)
		t := db.Tables[name]
		if t == nil {
			if ifExists {
				c.notices = append(c.notices, fmt.Sprintf("NOTICE:  relation \"%s\" does not exist, skipping", name))
				return "ALTER TABLE", nil, nil, nil
			}
			return "", nil, &pgError{msg: fmt.Sprintf("relation \"%s\" does not exist", name)}, nil
		}
		switch {
		case p.accept("OWNER", "TO"):
			role, _ := p.ident(pgSQL)
			if _, ok := c.srv.Users[role]; !ok {
				return "", nil, &pgError{msg: fmt.Sprintf("role \"%s\" does not exist", role)}, nil
			}
			return "ALTER TABLE", nil, nil, nil
		case p.accept("ALTER", "COLUMN"):
			return "ALTER TABLE", nil, nil, nil
		case p.accept("ADD", "CONSTRAINT"):
			cname, _ := p.ident(pgSQL)
			if !p.accept("PRIMARY", "KEY", "(") {
				return "", nil, nil, errUnsupported{st.text}
			}
			col, _ := p.ident(pgSQL)
			if t.Key != "" {
				return "", nil, &pgError{msg: fmt.Sprintf("multiple primary keys for table \"%s\" are not allowed", name)}, nil
			}
			probe := &Table{Columns: t.Columns, Key: col}
			if i := probe.duplicate(t.Rows); i >= 0 {
				return "", nil, &pgError{msg: fmt.Sprintf("could not create unique index \"%s\"", cname),
					detail: fmt.Sprintf("Key (%s)=(%s) is duplicated.", col, t.Rows[i][probe.keyIndex()])}, nil
			}
			t.Key = col
			return "ALTER TABLE", nil, nil, nil
		case p.accept("DROP", "CONSTRAINT"):
			p.accept("IF", "EXISTS")
			t.Key = ""
			return "ALTER TABLE", nil, nil, nil
		}
		return "", nil, nil, errUnsupported{st.text}
	case p.accept("COPY"):
		schema, name, _ := p.qualified(pgSQL)
		if err := c.schemaOK(db, schema); err != nil {
			return "", nil, err, nil
		}
		t := db.Tables[name]
		if t == nil {
			return "", nil, &pgError{msg: fmt.Sprintf("relation \"%s\" does not exist", name)}, nil
		}
		var cols []int
		if p.accept("(") {
			for {
				col, _ := p.ident(pgSQL)
				i := -1
				for j, tc := range t.Columns {
					if tc == col {
						i = j
					}
				}
				if i < 0 {
					return "", nil, &pgError{msg: fmt.Sprintf("column \"%s\" of relation \"%s\" does not exist", col, name)}, nil
				}
				cols = append(cols, i)
				if !p.accept(",") {
					break
				}
			}
			p.accept(")")
		} else {
			for i := range t.Columns {
				cols = append(cols, i)
			}
		}
		var rows [][]string
		for n, line := range st.copyData {
			fields := strings.Split(line, "\t")
			if len(fields) < len(cols) {
				return "", nil, &pgError{msg: fmt.Sprintf("missing data for column \"%s\"", t.Columns[cols[len(fields)]]), context: fmt.Sprintf("COPY %s, line %d: \"%s\"", name, n+1, line)}, nil
			}
			if len(fields) > len(cols) {
				return "", nil, &pgError{msg: "extra data after last expected column", context: fmt.Sprintf("COPY %s, line %d: \"%s\"", name, n+1, line)}, nil
			}
			row := make([]string, len(t.Columns))
			for i := range row {
				row[i] = Null
			}
			for i, ci := range cols {
				row[ci] = copyUnescape(fields[i])
			}
			rows = append(rows, row)
		}
		if i := t.duplicate(rows); i >= 0 {
			k := t.keyIndex()
			return "", nil, &pgError{msg: fmt.Sprintf("duplicate key value violates unique constraint \"%s_pkey\"", name),
				detail:  fmt.Sprintf("Key (%s)=(%s) already exists.", t.Key, rows[i][k]),
				context: fmt.Sprintf("COPY %s, line %d", name, i+1)}, nil
		}
		if perr := c.fits(name, rows, func(i int) string { return fmt.Sprintf("COPY %s, line %d", name, i+1) }); perr != nil {
			return "", nil, perr, nil
		}
		t.Rows = append(t.Rows, rows...)
		return fmt.Sprintf("COPY %d", len(rows)), nil, nil, nil
	case p.accept("INSERT", "INTO"):
		_, name, _ := p.qualified(pgSQL)
		t := db.Tables[name]
		if t == nil {
			return "", nil, &pgError{msg: fmt.Sprintf("relation \"%s\" does not exist", name)}, nil
		}
		rows, err := parseValues(p, t, pgSQL)
		if err != nil {
			if u, ok := err.(errUnsupported); ok {
				return "", nil, nil, u
			}
			return "", nil, &pgError{msg: "INSERT has more expressions than target columns"}, nil
		}
		if i := t.duplicate(rows); i >= 0 {
			return "", nil, &pgError{msg: fmt.Sprintf("duplicate key value violates unique constraint \"%s_pkey\"", name),
				detail: fmt.Sprintf("Key (%s)=(%s) already exists.", t.Key, rows[i][t.keyIndex()])}, nil
		}
		if perr := c.fits(name, rows, nil); perr != nil {
			return "", nil, perr, nil
		}
		t.Rows = append(t.Rows, rows...)
		return fmt.Sprintf("INSERT 0 %d", len(rows)), nil, nil, nil
	}
	return "", nil, nil, errUnsupported{st.text}
}

// fits fails with PostgreSQL's disk-full error (md.c mdextend) when rows
// do not fit on the data directory's volume.
func (c *pgConn) fits(table string, rows [][]string, context func(int) string) *pgError {
	if c.capacity == 0 {
		return nil
	}
	used := c.dataSize()
	for i, r := range rows {
		used += rowSize(r)
		if used > c.capacity {
			e := &pgError{msg: fmt.Sprintf("could not extend file \"base/%d/%d\": No space left on device", oid(c.db), oid(c.db+"."+table)), hint: "Check free disk space."}
			if context != nil {
				e.context = context(i)
			}
			return e
		}
	}
	return nil
}

func (c *pgConn) schemaOK(db *Database, schema string) *pgError {
	if schema != "" && schema != "public" || db.NoPublicSchema {
		if schema == "" {
			return &pgError{msg: "no schema has been selected to create in"}
		}
		return &pgError{msg: fmt.Sprintf("schema \"%s\" does not exist", schema)}
	}
	return nil
}

var toRegclass = regexp.MustCompile(`(?i)^select\s+to_regclass\('([^']*)'\)(\s+is\s+not\s+null)?\s*$`)

// query evaluates SELECT: pg_catalog.set_config and setval (as dumps call
// them), to_regclass, version(), literals, and parseSelect's form on a
// table, information_schema.tables, pg_database or pg_roles.
func (c *pgConn) query(p *parser, text string) (*resultSet, error) {
	db := c.srv.Databases[c.db]
	if m := toRegclass.FindStringSubmatch(strings.TrimSpace(text)); m != nil {
		name := m[1]
		if i := strings.LastIndex(name, "."); i >= 0 {
			if name[:i] != "public" {
				name = ""
			} else {
				name = name[i+1:]
			}
		}
		exists := db.Tables[name] != nil
		if m[2] != "" {
			return &resultSet{columns: []string{"?column?"}, rows: [][]string{{map[bool]string{true: "t", false: "f"}[exists]}}, numeric: []bool{false}}, nil
		}
		v := Null
		if exists {
			v = m[1]
		}
		return &resultSet{columns: []string{"to_regclass"}, rows: [][]string{{v}}, numeric: []bool{false}}, nil
	}
	switch {
	case p.accept("pg_catalog", ".", "set_config"):
		return &resultSet{columns: []string{"set_config"}, rows: [][]string{{""}}, numeric: []bool{false}}, nil
	case p.accept("pg_catalog", ".", "setval", "("):
		p.next()
		p.accept(",")
		v := p.next().text
		return &resultSet{columns: []string{"setval"}, rows: [][]string{{v}}, numeric: []bool{true}}, nil
	case p.accept("version", "(", ")"):
		return &resultSet{columns: []string{"version"}, rows: [][]string{{fmt.Sprintf("PostgreSQL %s on x86_64-redhat-linux-gnu, compiled by gcc, 64-bit", c.version)}}, numeric: []bool{false}}, nil
	case p.peek().kind == 'n' && len(p.toks) == p.pos+1:
		v := p.next().text
		return &resultSet{columns: []string{"?column?"}, rows: [][]string{{v}}, numeric: []bool{true}}, nil
	}
	q, err := parseSelect(p, pgSQL)
	if err != nil {
		return nil, err
	}
	var cols []string
	var rows [][]string
	switch {
	case q.schema == "information_schema" && q.table == "tables":
		cols = []string{"table_catalog", "table_schema", "table_name", "table_type"}
		for _, tn := range sortedKeys(db.Tables) {
			rows = append(rows, []string{c.db, "public", tn, "BASE TABLE"})
		}
	case (q.schema == "pg_catalog" || q.schema == "") && q.table == "pg_database":
		cols = []string{"datname"}
		for _, dn := range sortedKeys(c.srv.Databases) {
			rows = append(rows, []string{dn})
		}
		rows = append(rows, []string{"template0"})
	case (q.schema == "pg_catalog" || q.schema == "") && q.table == "pg_roles":
		cols = []string{"rolname"}
		for _, rn := range sortedKeys(c.srv.Users) {
			rows = append(rows, []string{rn})
		}
	default:
		if err := c.schemaOK(db, q.schema); err != nil {
			return nil, &pgError{msg: fmt.Sprintf("relation \"%s\" does not exist", q.table)}
		}
		t := db.Tables[q.table]
		if t == nil {
			return nil, &pgError{msg: fmt.Sprintf("relation \"%s\" does not exist", q.table)}
		}
		cols, rows = t.Columns, t.Rows
	}
	rs, err := evalSelect(q, cols, rows)
	if err != nil {
		return nil, &pgError{msg: fmt.Sprintf("column \"%s\" does not exist", strings.TrimPrefix(err.Error(), "column "))}
	}
	return rs, nil
}

func copyUnescape(s string) string {
	if s == `\N` {
		return Null
	}
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func copyEscape(v string) string {
	if v == Null {
		return `\N`
	}
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(v)
}

// --- psql ---

// psqlProgram is psql: -c commands, or a script (-f FILE, -f - or
// standard input) of SQL and backslash commands (\connect, \set).
func psqlProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parsePGArgs(args, "cdfhpUvPFoLT")
	if bad != "" {
		s.unsupported("psql option " + bad)
		fmt.Fprintf(std.err, "ocsim: psql option %s is not simulated\n", bad)
		return 127
	}
	if a.version {
		fmt.Fprintf(std.out, "psql (PostgreSQL) %s\n", s.clientVersion(pgEng))
		return 0
	}
	db := a.db
	if db == "" && len(a.rest) > 0 {
		db = a.rest[0]
	}
	if a.user == "" && len(a.rest) > 1 {
		a.user = a.rest[1]
	}
	var script string
	fileName := ""
	switch {
	case len(a.commands) > 0:
	case a.file == "-" || a.file == "":
		script, fileName = string(readAll(std.in)), "<stdin>"
	default:
		s.mu.Lock()
		b, err := s.v.readFile(std.abs(a.file))
		s.mu.Unlock()
		if err != nil {
			fmt.Fprintf(std.err, "psql: error: %s: %s\n", a.file, errText(err))
			return 1
		}
		script, fileName = string(b), a.file
	}
	var out, errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		conn, msg := s.pgConnect("psql", a, env, db)
		if conn == nil {
			errOut.WriteString(msg)
			return 2
		}
		stopOnError := truthy(a.vars["ON_ERROR_STOP"])
		var snapshot map[string]*Database
		var users map[string]string
		if a.single {
			snapshot, users = cloneDatabases(conn.srv.Databases), cloneUsers(conn.srv.Users)
		}
		fail := func(code int) int {
			if a.single && snapshot != nil {
				conn.srv.Databases, conn.srv.Users = snapshot, users
			}
			return code
		}
		if len(a.commands) > 0 {
			for _, cmd := range a.commands {
				for _, st := range splitSQL(cmd, pgSQL) {
					if st.meta {
						s.unsupported("psql -c backslash command " + st.text)
						fmt.Fprintf(&errOut, "ocsim: psql -c \\%s is not simulated\n", st.text)
						return 127
					}
					ok, unsupported := s.pgRun(conn, st, a, "", &out, &errOut)
					if unsupported {
						return 127
					}
					if !ok {
						return fail(1)
					}
				}
			}
			return 0
		}
		for _, st := range splitSQL(script, pgSQL) {
			if st.meta {
				word, rest, _ := strings.Cut(st.text, " ")
				switch word {
				case "connect", "c":
					target := pgConnectTarget(rest)
					if conn.srv.Databases[target] == nil {
						fmt.Fprintf(&errOut, "psql:%s:%d: \\connect: FATAL:  database \"%s\" does not exist\n", fileName, st.line, target)
						return fail(2)
					}
					conn.db = target
					if !a.quiet {
						fmt.Fprintf(&out, "You are now connected to database \"%s\" as user \"%s\".\n", target, conn.user)
					}
				case "set":
					k, v, _ := strings.Cut(strings.TrimSpace(rest), " ")
					if strings.EqualFold(k, "ON_ERROR_STOP") {
						stopOnError = truthy(v)
					}
				case "restrict", "unrestrict":
				default:
					s.unsupported("psql \\" + st.text)
					fmt.Fprintf(&errOut, "ocsim: psql \\%s is not simulated\n", word)
					return 127
				}
				continue
			}
			ok, unsupported := s.pgRun(conn, st, a, fmt.Sprintf("psql:%s:%d: ", fileName, st.line), &out, &errOut)
			if unsupported {
				return 127
			}
			if !ok && (stopOnError || a.single) {
				return fail(3)
			}
		}
		return 0
	}()
	_, _ = std.out.Write(out.Bytes())
	_, _ = std.err.Write(errOut.Bytes())
	return code
}

func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "1", "on", "true", "yes", "":
		return v != ""
	}
	return false
}

// pgConnectTarget reads \connect's database: NAME, "NAME", or
// -reuse-previous=on "dbname='NAME'".
func pgConnectTarget(rest string) string {
	rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), "-reuse-previous=on"))
	rest = strings.Trim(strings.TrimSpace(rest), `"`)
	if v, ok := strings.CutPrefix(rest, "dbname="); ok {
		return strings.Trim(v, "'")
	}
	return strings.Fields(rest + " ")[0]
}

// pgRun runs a statement for psql and prints its tag or result, or its
// error with prefix; it reports whether it succeeded and whether it was
// not simulated.
func (s *session) pgRun(conn *pgConn, st sqlStmt, a pgClientArgs, prefix string, out, errOut *bytes.Buffer) (ok, unsupported bool) {
	tag, rs, perr, err := conn.exec(st)
	for _, n := range conn.notices {
		fmt.Fprintf(errOut, "%s%s\n", prefix, n)
	}
	conn.notices = nil
	if err != nil {
		s.unsupported("PostgreSQL statement: " + st.text)
		fmt.Fprintf(errOut, "ocsim: PostgreSQL statement not simulated: %s\n", st.text)
		return false, true
	}
	if perr != nil {
		fmt.Fprintf(errOut, "%s%s", prefix, perr.text())
		return false, false
	}
	if rs != nil {
		writePsql(out, rs, a)
	} else if !a.quiet && tag != "" {
		fmt.Fprintln(out, tag)
	}
	return true, false
}

// writePsql prints a result as psql does: aligned with a header and a
// row count, or unaligned (-A, |-separated), without header and footer
// with -t.
func writePsql(w io.Writer, rs *resultSet, a pgClientArgs) {
	show := func(v string) string {
		if v == Null {
			return ""
		}
		return v
	}
	if a.unaligned {
		if !a.tuplesOnly {
			fmt.Fprintln(w, strings.Join(rs.columns, "|"))
		}
		for _, r := range rs.rows {
			var vals []string
			for _, v := range r {
				vals = append(vals, show(v))
			}
			fmt.Fprintln(w, strings.Join(vals, "|"))
		}
		if !a.tuplesOnly {
			fmt.Fprintf(w, "(%d %s)\n", len(rs.rows), plural(len(rs.rows)))
		}
		return
	}
	width := make([]int, len(rs.columns))
	for i, c := range rs.columns {
		width[i] = utf8.RuneCountInString(c)
		for _, r := range rs.rows {
			width[i] = max(width[i], utf8.RuneCountInString(show(r[i])))
		}
	}
	last := len(rs.columns) - 1
	if !a.tuplesOnly {
		var head, sep []string
		for i, c := range rs.columns {
			pad := width[i] - utf8.RuneCountInString(c)
			head = append(head, " "+strings.Repeat(" ", pad/2)+c+strings.Repeat(" ", pad-pad/2)+" ")
			sep = append(sep, strings.Repeat("-", width[i]+2))
		}
		fmt.Fprintln(w, strings.Join(head, "|"))
		fmt.Fprintln(w, strings.Join(sep, "+"))
	}
	for _, r := range rs.rows {
		var line strings.Builder
		for i, v := range r {
			v = show(v)
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(v))
			if i > 0 {
				line.WriteString("|")
			}
			switch {
			case rs.numeric[i]:
				v = pad + v
			case i < last:
				v += pad
			}
			line.WriteString(" " + v)
			if i < last {
				line.WriteString(" ")
			}
		}
		fmt.Fprintln(w, line.String())
	}
	if !a.tuplesOnly {
		fmt.Fprintf(w, "(%d %s)\n\n", len(rs.rows), plural(len(rs.rows)))
	}
}

func plural(n int) string {
	if n == 1 {
		return "row"
	}
	return "rows"
}

func cloneDatabases(dbs map[string]*Database) map[string]*Database {
	out := map[string]*Database{}
	for n, d := range dbs {
		out[n] = d.clone()
	}
	return out
}

func cloneUsers(u map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range u {
		out[k] = v
	}
	return out
}

// --- pg_dump, pg_dumpall ---

// pgDumpText writes a database as pg_dump's plain format: the header, with
// -c the DROP statements (IF EXISTS with --if-exists), the tables, their
// data (COPY), their primary keys, and the "dump complete" trailer.
func pgDumpText(w *bytes.Buffer, srv *sqlServer, name string, clean, ifExists, noOwner bool, create, client string) {
	db := srv.Databases[name]
	m := pgMajorNum(srv.Version)
	w.WriteString("--\n-- PostgreSQL database dump\n--\n\n")
	fmt.Fprintf(w, "-- Dumped from database version %s\n-- Dumped by pg_dump version %s\n\n", srv.Version, client)
	w.WriteString("SET statement_timeout = 0;\nSET lock_timeout = 0;\n")
	if m >= 10 || strings.HasPrefix(srv.Version, "9.6") {
		w.WriteString("SET idle_in_transaction_session_timeout = 0;\n")
	}
	w.WriteString("SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\nSET check_function_bodies = false;\nSET client_min_messages = warning;\nSET row_security = off;\n\n")
	w.WriteString(create)
	ie := ""
	if ifExists {
		ie = "IF EXISTS "
	}
	owner := func(t string) string {
		if db.Owner == "" {
			return "postgres"
		}
		return db.Owner
	}
	tables := sortedKeys(db.Tables)
	if clean {
		for i := len(tables) - 1; i >= 0; i-- {
			t := db.Tables[tables[i]]
			if t.Key != "" {
				fmt.Fprintf(w, "ALTER TABLE %sONLY public.%s DROP CONSTRAINT %s%s;\n", ie, pgIdent(tables[i]), ie, pgIdent(tables[i]+"_pkey"))
			}
		}
		for i := len(tables) - 1; i >= 0; i-- {
			fmt.Fprintf(w, "DROP TABLE %spublic.%s;\n", ie, pgIdent(tables[i]))
		}
		w.WriteString("\n")
	}
	if m <= 10 {
		w.WriteString("--\n-- Name: plpgsql; Type: EXTENSION; Schema: -; Owner: \n--\n\nCREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;\n\n\n")
		w.WriteString("--\n-- Name: EXTENSION plpgsql; Type: COMMENT; Schema: -; Owner: \n--\n\nCOMMENT ON EXTENSION plpgsql IS 'PL/pgSQL procedural language';\n\n\n")
	}
	w.WriteString("SET default_tablespace = '';\n\n")
	if m <= 11 {
		w.WriteString("SET default_with_oids = false;\n\n")
	}
	for _, tn := range tables {
		t := db.Tables[tn]
		fmt.Fprintf(w, "--\n-- Name: %s; Type: TABLE; Schema: public; Owner: %s\n--\n\nCREATE TABLE public.%s (\n", tn, owner(tn), pgIdent(tn))
		var defs []string
		for _, c := range t.Columns {
			def := "    " + pgIdent(c) + " text"
			if c == t.Key {
				def += " NOT NULL"
			}
			defs = append(defs, def)
		}
		fmt.Fprintf(w, "%s\n);\n\n\n", strings.Join(defs, ",\n"))
		if !noOwner {
			fmt.Fprintf(w, "ALTER TABLE public.%s OWNER TO %s;\n\n", pgIdent(tn), pgIdent(owner(tn)))
		}
	}
	for _, tn := range tables {
		t := db.Tables[tn]
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, pgIdent(c))
		}
		fmt.Fprintf(w, "--\n-- Data for Name: %s; Type: TABLE DATA; Schema: public; Owner: %s\n--\n\nCOPY public.%s (%s) FROM stdin;\n", tn, owner(tn), pgIdent(tn), strings.Join(cols, ", "))
		for _, r := range t.Rows {
			var vals []string
			for _, v := range r {
				vals = append(vals, copyEscape(v))
			}
			w.WriteString(strings.Join(vals, "\t") + "\n")
		}
		w.WriteString("\\.\n\n\n")
	}
	for _, tn := range tables {
		t := db.Tables[tn]
		if t.Key == "" {
			continue
		}
		fmt.Fprintf(w, "--\n-- Name: %s %s_pkey; Type: CONSTRAINT; Schema: public; Owner: %s\n--\n\nALTER TABLE ONLY public.%s\n    ADD CONSTRAINT %s PRIMARY KEY (%s);\n\n\n", tn, tn, owner(tn), pgIdent(tn), pgIdent(tn+"_pkey"), pgIdent(t.Key))
	}
	w.WriteString("--\n-- PostgreSQL database dump complete\n--\n\n")
}

// pgDumpProgram is pg_dump [-c [--if-exists]] [-F p|c] [-f FILE] [-v]
// DATABASE: the plain format on standard output or into FILE, or the
// custom format (PGDMP, then the simulator's own encoding of the archive)
// that pg_restore reads.
func pgDumpProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parsePGArgs(args, "dfhpUFnNtTEZ")
	if bad != "" {
		s.unsupported("pg_dump option " + bad)
		fmt.Fprintf(std.err, "ocsim: pg_dump option %s is not simulated\n", bad)
		return 127
	}
	if a.version {
		fmt.Fprintf(std.out, "pg_dump (PostgreSQL) %s\n", s.clientVersion(pgEng))
		return 0
	}
	db := a.db
	if db == "" && len(a.rest) > 0 {
		db = a.rest[0]
	}
	format := strings.ToLower(a.format)
	if format != "" && format != "p" && format != "plain" && format != "c" && format != "custom" {
		s.unsupported("pg_dump format " + a.format)
		fmt.Fprintf(std.err, "ocsim: pg_dump format %s is not simulated\n", a.format)
		return 127
	}
	var out, errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		conn, msg := s.pgConnect("pg_dump", a, env, db)
		if conn == nil {
			errOut.WriteString(msg)
			return 1
		}
		client := s.clientVersion(pgEng)
		if pgMajorNum(client) < pgMajorNum(conn.version) && pgMajor(client) != pgMajor(conn.version) {
			fmt.Fprintf(&errOut, "pg_dump: error: server version: %s; pg_dump version: %s\npg_dump: error: aborting because of server version mismatch\n", conn.version, client)
			return 1
		}
		d := conn.srv.Databases[conn.db]
		if a.verbose {
			for _, tn := range sortedKeys(d.Tables) {
				fmt.Fprintf(&errOut, "pg_dump: dumping contents of table \"public.%s\"\n", tn)
			}
		}
		if format == "c" || format == "custom" {
			raw, _ := json.Marshal(pgArchive{Server: conn.version, Client: client, Database: conn.db, Owner: d.Owner, PublicSchema: pgMajorNum(conn.version) <= 10, Tables: d.clone().Tables})
			out.WriteString("PGDMP")
			out.Write(raw)
		} else {
			pgDumpText(&out, conn.srv, conn.db, a.clean, a.ifExists, a.noOwner, "", client)
		}
		if a.file != "" {
			if err := s.v.writeFile(std.abs(a.file), out.Bytes()); err != nil {
				fmt.Fprintf(&errOut, "pg_dump: error: could not write to output file: %s\n", errText(err))
				return 1
			}
			out.Reset()
		}
		return 0
	}()
	if _, err := std.out.Write(out.Bytes()); err != nil && code == 0 {
		fmt.Fprintf(&errOut, "pg_dump: error: could not write to output file: %s\n", errText(err))
		code = 1
	}
	_, _ = std.err.Write(errOut.Bytes())
	return code
}

// pgArchive is a custom-format archive as the simulator encodes it after
// the PGDMP magic: the database's tables, and whether pg_dump (10 and
// older) put schema public's creation into it.
type pgArchive struct {
	Server, Client, Database, Owner string
	PublicSchema                    bool
	Tables                          map[string]*Table
}

// pgDumpallProgram is pg_dumpall [-c [--if-exists]]: the roles, then every
// database but template0, ending "-- PostgreSQL database cluster dump
// complete". Up to 10 it writes the databases' creation first, then each
// database after \connect; from 11 each database's section creates it
// (pg_dump --create), as pg_dumpall.c does.
func pgDumpallProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parsePGArgs(args, "dfhpUl")
	if bad != "" || a.file != "" {
		s.unsupported("pg_dumpall " + strings.Join(args[1:], " "))
		fmt.Fprintf(std.err, "ocsim: pg_dumpall %s is not simulated\n", strings.Join(args[1:], " "))
		return 127
	}
	if a.version {
		fmt.Fprintf(std.out, "pg_dumpall (PostgreSQL) %s\n", s.clientVersion(pgEng))
		return 0
	}
	var out, errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		conn, msg := s.pgConnect("pg_dumpall", a, env, "template1")
		if conn == nil {
			errOut.WriteString(msg)
			return 1
		}
		client := s.clientVersion(pgEng)
		srv := conn.srv
		ie := ""
		if a.ifExists {
			ie = "IF EXISTS "
		}
		var dbs []string
		for _, n := range sortedKeys(srv.Databases) {
			if n != "postgres" && n != "template1" {
				dbs = append(dbs, n)
			}
		}
		old := pgMajorNum(srv.Version) <= 10
		out.WriteString("--\n-- PostgreSQL database cluster dump\n--\n\nSET default_transaction_read_only = off;\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n")
		if a.clean {
			if old {
				out.WriteString("--\n-- Drop databases\n--\n\n")
			} else {
				out.WriteString("--\n-- Drop databases (except postgres and template1)\n--\n\n")
			}
			for _, n := range dbs {
				fmt.Fprintf(&out, "DROP DATABASE %s%s;\n", ie, pgIdent(n))
			}
			out.WriteString("\n\n\n\n--\n-- Drop roles\n--\n\n")
			for _, r := range sortedKeys(srv.Users) {
				fmt.Fprintf(&out, "DROP ROLE %s%s;\n", ie, pgIdent(r))
			}
			out.WriteString("\n\n")
		}
		out.WriteString("--\n-- Roles\n--\n\n")
		for _, r := range sortedKeys(srv.Users) {
			attrs := "NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS"
			if r == "postgres" {
				attrs = "SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS"
			}
			fmt.Fprintf(&out, "CREATE ROLE %s;\nALTER ROLE %s WITH %s;\n", pgIdent(r), pgIdent(r), attrs)
		}
		out.WriteString("\n\n\n\n\n\n")
		if old {
			out.WriteString("--\n-- Database creation\n--\n\n")
			for _, n := range dbs {
				fmt.Fprintf(&out, "CREATE DATABASE %s WITH TEMPLATE = template0 OWNER = %s;\n", pgIdent(n), pgIdent(srv.Databases[n].Owner))
			}
			out.WriteString("\n\n")
			for _, n := range append([]string{"postgres", "template1"}, dbs...) {
				if srv.Databases[n] == nil {
					continue
				}
				fmt.Fprintf(&out, "\\connect %s\n\n", pgIdent(n))
				pgDumpText(&out, srv, n, false, false, false, "", client)
			}
		} else {
			out.WriteString("--\n-- Databases\n--\n\n")
			for _, n := range append([]string{"template1", "postgres"}, dbs...) {
				if srv.Databases[n] == nil {
					continue
				}
				fmt.Fprintf(&out, "--\n-- Database \"%s\" dump\n--\n\n", n)
				create := ""
				if n != "template1" && n != "postgres" {
					owner := srv.Databases[n].Owner
					create = fmt.Sprintf("--\n-- Name: %s; Type: DATABASE; Schema: -; Owner: %s\n--\n\nCREATE DATABASE %s WITH TEMPLATE = template0 ENCODING = 'UTF8';\n\n\nALTER DATABASE %s OWNER TO %s;\n\n\\connect %s\n\n", n, owner, pgIdent(n), pgIdent(n), pgIdent(owner), pgIdent(n))
				} else {
					fmt.Fprintf(&out, "\\connect %s\n\n", n)
				}
				pgDumpText(&out, srv, n, false, false, false, create, client)
			}
		}
		out.WriteString("--\n-- PostgreSQL database cluster dump complete\n--\n\n")
		return 0
	}()
	if _, err := std.out.Write(out.Bytes()); err != nil && code == 0 {
		fmt.Fprintf(&errOut, "pg_dumpall: error: could not write to output file: %s\n", errText(err))
		code = 1
	}
	_, _ = std.err.Write(errOut.Bytes())
	return code
}

// --- pg_restore ---

// pgRestoreProgram is pg_restore -d DATABASE [-c [--if-exists]] [-e]
// [-1] [-O] [-v] FILE: the archive's entries run in order (schema public
// from a pg_dump of 10 or older, each table, its data, its primary key);
// a failed entry is reported and skipped, and pg_restore ends with
// "errors ignored on restore: N" and status 1 (-e: stops at the first,
// -1: and rolls back).
func pgRestoreProgram(s *session, args []string, env map[string]string, std stdio) int {
	a, bad := parsePGArgs(args, "dfhpUFInLPTS")
	if bad != "" || a.db == "" || a.create {
		s.unsupported("pg_restore " + strings.Join(args[1:], " "))
		fmt.Fprintf(std.err, "ocsim: pg_restore %s is not simulated (only into a database, -d)\n", strings.Join(args[1:], " "))
		return 127
	}
	if a.version {
		fmt.Fprintf(std.out, "pg_restore (PostgreSQL) %s\n", s.clientVersion(pgEng))
		return 0
	}
	var raw []byte
	if len(a.rest) == 0 {
		raw = readAll(std.in)
	}
	var errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		if len(a.rest) > 0 {
			b, err := s.v.readFile(std.abs(a.rest[0]))
			if err != nil {
				fmt.Fprintf(&errOut, "pg_restore: error: could not open input file \"%s\": %s\n", a.rest[0], errText(err))
				return 1
			}
			raw = b
		}
		client := s.clientVersion(pgEng)
		modern := pgMajorNum(client) >= 12
		if !bytes.HasPrefix(raw, []byte("PGDMP")) {
			if modern {
				errOut.WriteString("pg_restore: error: input file does not appear to be a valid archive\n")
			} else {
				errOut.WriteString("pg_restore: [archiver] input file does not appear to be a valid archive\n")
			}
			return 1
		}
		var arc pgArchive
		if err := json.Unmarshal(raw[5:], &arc); err != nil {
			errOut.WriteString("pg_restore: error: could not read input file: end of file\n")
			return 1
		}
		conn, msg := s.pgConnect("pg_restore", a, env, a.db)
		if conn == nil {
			errOut.WriteString(msg)
			return 1
		}
		if a.verbose {
			errOut.WriteString("pg_restore: connecting to database for restore\n")
		}
		snapshot, users := cloneDatabases(conn.srv.Databases), cloneUsers(conn.srv.Users)
		type entry struct {
			id          int
			desc, label string
			sql         sqlStmt
		}
		var entries []entry
		id := 3
		add := func(desc, label, sql string, data []string) {
			entries = append(entries, entry{id, desc, label, sqlStmt{text: sql, line: 1, copyData: data}})
			id++
		}
		tables := sortedKeys(arc.Tables)
		ie := ""
		if a.ifExists {
			ie = "IF EXISTS "
		}
		if a.clean {
			for i := len(tables) - 1; i >= 0; i-- {
				if arc.Tables[tables[i]].Key != "" {
					add("DROP CONSTRAINT", "public."+tables[i]+" "+tables[i]+"_pkey", fmt.Sprintf("ALTER TABLE %sONLY public.%s DROP CONSTRAINT %s%s", ie, pgIdent(tables[i]), ie, pgIdent(tables[i]+"_pkey")), nil)
				}
			}
			for i := len(tables) - 1; i >= 0; i-- {
				add("DROP TABLE", "public."+tables[i], fmt.Sprintf("DROP TABLE %spublic.%s", ie, pgIdent(tables[i])), nil)
			}
		}
		if arc.PublicSchema {
			add("SCHEMA", "public", "CREATE SCHEMA public", nil)
		}
		for _, tn := range tables {
			t := arc.Tables[tn]
			var defs []string
			for _, c := range t.Columns {
				defs = append(defs, pgIdent(c)+" text")
			}
			add("TABLE", "public."+tn, fmt.Sprintf("CREATE TABLE public.%s (%s)", pgIdent(tn), strings.Join(defs, ", ")), nil)
			if !a.noOwner && arc.Owner != "" {
				add("OWNER", "public."+tn, fmt.Sprintf("ALTER TABLE public.%s OWNER TO %s", pgIdent(tn), pgIdent(arc.Owner)), nil)
			}
		}
		for _, tn := range tables {
			t := arc.Tables[tn]
			var data []string
			for _, r := range t.Rows {
				var vals []string
				for _, v := range r {
					vals = append(vals, copyEscape(v))
				}
				data = append(data, strings.Join(vals, "\t"))
			}
			add("TABLE DATA", "public."+tn, fmt.Sprintf("COPY public.%s FROM stdin", pgIdent(tn)), data)
		}
		for _, tn := range tables {
			if k := arc.Tables[tn].Key; k != "" {
				add("CONSTRAINT", "public."+tn+" "+tn+"_pkey", fmt.Sprintf("ALTER TABLE ONLY public.%s ADD CONSTRAINT %s PRIMARY KEY (%s)", pgIdent(tn), pgIdent(tn+"_pkey"), pgIdent(k)), nil)
			}
		}
		failures := 0
		processing := false
		for _, e := range entries {
			if a.verbose {
				switch e.desc {
				case "TABLE DATA":
					fmt.Fprintf(&errOut, "pg_restore: processing data for table \"%s\"\n", e.label)
				case "OWNER":
				default:
					fmt.Fprintf(&errOut, "pg_restore: creating %s \"%s\"\n", e.desc, e.label)
				}
			}
			_, _, perr, err := conn.exec(e.sql)
			conn.notices = nil
			if err != nil {
				s.unsupported("pg_restore entry: " + e.sql.text)
				fmt.Fprintf(&errOut, "ocsim: pg_restore entry not simulated: %s\n", e.sql.text)
				return 127
			}
			if perr == nil {
				continue
			}
			failures++
			msg := strings.TrimSuffix(strings.ReplaceAll(perr.text(), "\n", "\n"), "\n")
			if modern {
				if !processing {
					errOut.WriteString("pg_restore: while PROCESSING TOC:\n")
					processing = true
				}
				fmt.Fprintf(&errOut, "pg_restore: from TOC entry %d; 0 0 %s %s %s\n", e.id, e.desc, e.label, arc.Owner)
				fmt.Fprintf(&errOut, "pg_restore: error: could not execute query: %s\nCommand was: %s;\n", msg, e.sql.text)
			} else {
				if !processing {
					errOut.WriteString("pg_restore: [archiver (db)] Error while PROCESSING TOC:\n")
					processing = true
				}
				fmt.Fprintf(&errOut, "pg_restore: [archiver (db)] Error from TOC entry %d; 0 0 %s %s %s\n", e.id, e.desc, e.label, arc.Owner)
				fmt.Fprintf(&errOut, "pg_restore: [archiver (db)] could not execute query: %s\n    Command was: %s;\n\n", msg, e.sql.text)
			}
			if a.exitOnError || a.single {
				if a.single {
					conn.srv.Databases, conn.srv.Users = snapshot, users
				}
				return 1
			}
		}
		if failures > 0 {
			if modern {
				fmt.Fprintf(&errOut, "pg_restore: warning: errors ignored on restore: %d\n", failures)
			} else {
				fmt.Fprintf(&errOut, "WARNING: errors ignored on restore: %d\n", failures)
			}
			return 1
		}
		return 0
	}()
	_, _ = std.err.Write(errOut.Bytes())
	return code
}
