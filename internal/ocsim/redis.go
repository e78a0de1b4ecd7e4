package ocsim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Redis: a server's memory (its keys), its persistence files and
// redis-cli. What the simulator follows (redis server.c, rdb.c, aof.c,
// redis-cli.c):
//   - at start the server loads the append-only file when appendonly is
//     yes, even when it is missing (then it starts empty: dump.rdb is not
//     read, redis issue 12098), else dump.rdb; a file that is not an RDB
//     file, or one of a newer RDB version, stops the server ("Wrong
//     signature trying to load DB from file", "Can't handle RDB format
//     version N");
//   - on SIGTERM it saves dump.rdb when the configuration has save
//     points (prepareForShutdown);
//   - SAVE writes dump.rdb and answers OK, or ERR when the write fails;
//     BGSAVE and BGREWRITEAOF answer at once and finish a few seconds
//     later, which INFO persistence shows (rdb_bgsave_in_progress,
//     aof_rewrite_in_progress, rdb_last_bgsave_status,
//     aof_last_bgrewrite_status);
//   - SET, DEL and FLUSHDB change the keys of the selected database (DEL
//     answers the number of keys it removed) and, with appendonly yes, the
//     append-only file;
//   - redis-cli without a terminal prints replies raw (OK, 5, a key per
//     line; INFO as the server sends it, with CRLF line ends) and exits 0
//     after an error reply (redis/redis#5458, #8127: only -e changes
//     that), 1 when it cannot connect ("Could not connect to Redis at
//     HOST:PORT: ...", #10438).
// dump.rdb is written as the RDB magic and version (REDIS0009) followed
// by the simulator's own encoding of the keys; the append-only file holds
// the keys as RESP commands (Redis 7: appendonlydir with a manifest and a
// base RDB file).

// redisMemory is a running Redis server.
type redisMemory struct {
	Version string                    `json:"version"`
	DBs     map[int]map[string]string `json:"dbs,omitempty"`
	// Config read from redis.conf at start.
	AppendOnly bool   `json:"appendOnly,omitempty"`
	SavePoints bool   `json:"savePoints,omitempty"`
	Dir        string `json:"dir,omitempty"`
	DBFile     string `json:"dbFile,omitempty"`
	AOFFile    string `json:"aofFile,omitempty"`
	// Persistence state; times are logical milliseconds.
	Dirty          int64 `json:"dirty,omitempty"`
	LastSave       int64 `json:"lastSave,omitempty"`
	BgsaveUntil    int64 `json:"bgsaveUntil,omitempty"`
	RewriteUntil   int64 `json:"rewriteUntil,omitempty"`
	BgsaveFailed   bool  `json:"bgsaveFailed,omitempty"`
	RewriteFailed  bool  `json:"rewriteFailed,omitempty"`
	AOFWriteFailed bool  `json:"aofWriteFailed,omitempty"`
}

// rdbVersion is the RDB format version a Redis release writes: 7 (3.2),
// 9 (5.0, 6.x), 10 (7.0), 11 (7.2).
func rdbVersion(version string) int {
	switch {
	case strings.HasPrefix(version, "3."):
		return 7
	case strings.HasPrefix(version, "4."):
		return 8
	case strings.HasPrefix(version, "5."), strings.HasPrefix(version, "6."):
		return 9
	case strings.HasPrefix(version, "7.0"):
		return 10
	}
	return 11
}

func encodeRDB(version string, dbs map[int]map[string]string) []byte {
	raw, _ := json.Marshal(dbs)
	return append([]byte(fmt.Sprintf("REDIS%04d", rdbVersion(version))), raw...)
}

// decodeRDB reads an RDB file as the server does at start.
func decodeRDB(version string, b []byte) (map[int]map[string]string, string) {
	if len(b) < 9 || !bytes.HasPrefix(b, []byte("REDIS")) {
		return nil, "Wrong signature trying to load DB from file"
	}
	v, err := strconv.Atoi(string(b[5:9]))
	if err != nil {
		return nil, "Wrong signature trying to load DB from file"
	}
	if v > rdbVersion(version) {
		return nil, fmt.Sprintf("Can't handle RDB format version %d", v)
	}
	dbs := map[int]map[string]string{}
	if err := json.Unmarshal(b[9:], &dbs); err != nil {
		return nil, "Short read or OOM loading DB. Unrecoverable error, aborting now."
	}
	return dbs, ""
}

// LoadRDB reads an RDB file written by the simulator's Redis (a dump.rdb,
// or what redis-cli --rdb saved) as a Redis server of version loads it:
// the keys of each database, or the server's error for a file it refuses.
// It is for what a person does outside the cluster with a dump the
// runbook wrote, such as seeding an ElastiCache instance from it
// (Seed.Host).
func LoadRDB(version string, b []byte) (map[int]map[string]string, error) {
	dbs, failure := decodeRDB(version, b)
	if failure != "" {
		return nil, errors.New(failure)
	}
	return dbs, nil
}

// encodeAOF writes the keys as the commands an AOF rewrite writes.
func encodeAOF(dbs map[int]map[string]string) []byte {
	var b bytes.Buffer
	cmd := func(args ...string) {
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	var idx []int
	for i := range dbs {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		cmd("SELECT", strconv.Itoa(i))
		for _, k := range sortedKeys(dbs[i]) {
			cmd("SET", k, dbs[i][k])
		}
	}
	return b.Bytes()
}

func decodeAOF(b []byte) (map[int]map[string]string, string) {
	dbs := map[int]map[string]string{}
	db := 0
	s := string(b)
	for len(s) > 0 {
		if s[0] != '*' {
			return nil, "Bad file format reading the append only file"
		}
		nl := strings.Index(s, "\r\n")
		n, err := strconv.Atoi(s[1:nl])
		if err != nil || nl < 0 {
			return nil, "Bad file format reading the append only file"
		}
		s = s[nl+2:]
		var args []string
		for i := 0; i < n; i++ {
			nl := strings.Index(s, "\r\n")
			if nl < 0 || s[0] != '$' {
				return nil, "Unexpected end of file reading the append only file"
			}
			l, _ := strconv.Atoi(s[1:nl])
			if len(s) < nl+2+l+2 {
				return nil, "Unexpected end of file reading the append only file"
			}
			args = append(args, s[nl+2:nl+2+l])
			s = s[nl+2+l+2:]
		}
		switch strings.ToUpper(args[0]) {
		case "SELECT":
			db, _ = strconv.Atoi(args[1])
		case "SET":
			if dbs[db] == nil {
				dbs[db] = map[string]string{}
			}
			dbs[db][args[1]] = args[2]
		}
	}
	return dbs, ""
}

// redisConfig reads the redis.conf a container starts with (a .conf path
// among its command and arguments, or $REDIS_CONF): appendonly, save
// points, dir, dbfilename, appendfilename. Without one: the image's
// defaults (save points, no append-only file, /var/lib/redis/data).
func redisConfig(v *podView, r *redisMemory) {
	r.SavePoints, r.AppendOnly, r.Dir, r.DBFile, r.AOFFile = true, false, redisDataDir, "dump.rdb", "appendonly.aof"
	conf := v.env["REDIS_CONF"]
	for _, x := range append(list(v.container, "command"), list(v.container, "args")...) {
		if a, _ := x.(string); strings.HasSuffix(a, ".conf") {
			conf = a
		}
	}
	if conf == "" {
		return
	}
	b, err := v.readFile(conf)
	if err != nil {
		return
	}
	sawSave := false
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		val := strings.Trim(f[1], `"`)
		switch strings.ToLower(f[0]) {
		case "appendonly":
			r.AppendOnly = strings.EqualFold(val, "yes")
		case "save":
			if !sawSave {
				r.SavePoints = false
				sawSave = true
			}
			if val != "" {
				r.SavePoints = true
			}
		case "dir":
			r.Dir = val
		case "dbfilename":
			r.DBFile = val
		case "appendfilename":
			r.AOFFile = val
		}
	}
}

func (r *redisMemory) rdbPath() string { return path.Join(r.Dir, r.DBFile) }

// aofFiles are the append-only file's files: one file before 7.0, from
// 7.0 the manifest and base file in appendonlydir.
func (r *redisMemory) aof7() bool {
	return !strings.HasPrefix(r.Version, "3.") && !strings.HasPrefix(r.Version, "4.") && !strings.HasPrefix(r.Version, "5.") && !strings.HasPrefix(r.Version, "6.")
}

// loadRedis starts a server: its configuration, then its data from the
// append-only file or dump.rdb; a failure text when it cannot start.
func loadRedis(v *podView, version string) (*redisMemory, string) {
	r := &redisMemory{Version: version, DBs: map[int]map[string]string{}}
	redisConfig(v, r)
	var dbs map[int]map[string]string
	var fail string
	switch {
	case r.AppendOnly && r.aof7():
		dir := path.Join(r.Dir, "appendonlydir")
		manifest, err := v.readFile(path.Join(dir, r.AOFFile+".manifest"))
		if err != nil {
			break
		}
		for _, line := range strings.Split(string(manifest), "\n") {
			f := strings.Fields(line)
			if len(f) < 6 || f[0] != "file" {
				continue
			}
			b, err := v.readFile(path.Join(dir, f[1]))
			if err != nil {
				return nil, fmt.Sprintf("The AOF file %s doesn't exist", f[1])
			}
			var part map[int]map[string]string
			if f[5] == "b" {
				part, fail = decodeRDB(version, b)
			} else {
				part, fail = decodeAOF(b)
			}
			if fail != "" {
				return nil, fail
			}
			for i, keys := range part {
				if dbs == nil {
					dbs = map[int]map[string]string{}
				}
				if dbs[i] == nil {
					dbs[i] = map[string]string{}
				}
				for k, val := range keys {
					dbs[i][k] = val
				}
			}
		}
	case r.AppendOnly:
		if b, err := v.readFile(path.Join(r.Dir, r.AOFFile)); err == nil && len(b) > 0 {
			if bytes.HasPrefix(b, []byte("REDIS")) {
				dbs, fail = decodeRDB(version, b) // the RDB preamble of a rewrite
			} else {
				dbs, fail = decodeAOF(b)
			}
		}
	default:
		if b, err := v.readFile(r.rdbPath()); err == nil {
			dbs, fail = decodeRDB(version, b)
		}
	}
	if fail != "" {
		return nil, fail
	}
	if dbs != nil {
		r.DBs = dbs
	}
	if r.AppendOnly {
		// Redis creates the append-only file when it starts without one.
		writeAOF(v, r)
	}
	return r, ""
}

// writeRDB saves the keys into dump.rdb; it reports whether the write
// succeeded.
func writeRDB(v *podView, r *redisMemory) bool {
	return v.writeFile(r.rdbPath(), encodeRDB(r.Version, r.DBs)) == nil
}

// writeAOF rewrites the append-only file from the keys.
func writeAOF(v *podView, r *redisMemory) bool {
	if !r.aof7() {
		return v.writeFile(path.Join(r.Dir, r.AOFFile), encodeAOF(r.DBs)) == nil
	}
	// Redis makes appendonlydir when it is missing.
	dir := path.Join(r.Dir, "appendonlydir")
	base := r.AOFFile + ".1.base.rdb"
	incr := r.AOFFile + ".1.incr.aof"
	ok := v.write(path.Join(dir, base), encodeRDB(r.Version, r.DBs), true) == nil
	ok = ok && v.write(path.Join(dir, incr), nil, true) == nil
	return ok && v.write(path.Join(dir, r.AOFFile+".manifest"), []byte(fmt.Sprintf("file %s seq 1 type b\nfile %s seq 1 type i\n", base, incr)), true) == nil
}

// redisPersistAll writes the files a settled server has: dump.rdb, and
// the append-only file when it is on (a seed's data).
func redisPersistAll(v *podView, r *redisMemory) {
	writeRDB(v, r)
	if r.AppendOnly {
		writeAOF(v, r)
	}
}

// redisShutdown is what the server does on SIGTERM.
func redisShutdown(v *podView, r *redisMemory) {
	if r.SavePoints {
		writeRDB(v, r)
	}
}

func redisServerProgram(s *session, args []string, _ map[string]string, std stdio) int {
	if len(args) == 2 && (args[1] == "--version" || args[1] == "-v") {
		fmt.Fprintf(std.out, "Redis server v=%s sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=%x\n", s.clientVersion(redisEng), oid(s.clientVersion(redisEng)))
		return 0
	}
	s.unsupported("redis-server " + strings.Join(args[1:], " "))
	fmt.Fprintln(std.err, "ocsim: redis-server is only simulated with --version")
	return 127
}

// redisCLIProgram is redis-cli [-h HOST] [-p PORT] [-n DB] [-a PASSWORD]
// COMMAND..., or --rdb FILE (a dump of the server's keys into a file of
// the container).
func redisCLIProgram(s *session, args []string, _ map[string]string, std stdio) int {
	host, port, db := "127.0.0.1", "6379", 0
	var cmd []string
	rdbFile := ""
	for i := 1; i < len(args); i++ {
		a := args[i]
		if len(cmd) > 0 {
			cmd = append(cmd, a)
			continue
		}
		switch {
		case (a == "-h" || a == "-p" || a == "-n" || a == "-a" || a == "--rdb" || a == "--user") && i+1 < len(args):
			i++
			switch a {
			case "-h":
				host = args[i]
			case "-p":
				port = args[i]
			case "-n":
				db, _ = strconv.Atoi(args[i])
			case "--rdb":
				rdbFile = args[i]
			}
		case a == "--raw" || a == "--no-raw" || a == "--no-auth-warning":
		case a == "-v" || a == "--version":
			fmt.Fprintf(std.out, "redis-cli %s\n", s.clientVersion(redisEng))
			return 0
		case strings.HasPrefix(a, "-"):
			s.unsupported("redis-cli option " + a)
			fmt.Fprintf(std.err, "ocsim: redis-cli option %s is not simulated\n", a)
			return 127
		default:
			cmd = append(cmd, a)
		}
	}
	var out, errOut bytes.Buffer
	code := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		ref, fail := s.connect(redisEng, host)
		if fail != connOK {
			why := "Connection refused"
			if fail == connUnknownHost {
				why = "Name or service not known"
			}
			fmt.Fprintf(&errOut, "Could not connect to Redis at %s:%s: %s\n", host, port, why)
			return 1
		}
		mem := s.c.vols().open(ref.key)
		r := mem.Redis
		if r == nil {
			fmt.Fprintf(&errOut, "Could not connect to Redis at %s:%s: Connection refused\n", host, port)
			return 1
		}
		view := ref.view
		if rdbFile != "" {
			if err := s.v.writeFile(std.abs(rdbFile), encodeRDB(r.Version, r.DBs)); err != nil {
				fmt.Fprintf(&errOut, "Error writing to the file: %s\n", errText(err))
				return 1
			}
			b, _ := s.v.readFile(std.abs(rdbFile))
			fmt.Fprintf(&errOut, "SYNC sent to master, writing %d bytes to '%s'\nTransfer finished with success.\n", len(b), rdbFile)
			return 0
		}
		if len(cmd) == 0 {
			s.unsupported("interactive redis-cli")
			fmt.Fprintln(&errOut, "ocsim: interactive redis-cli is not simulated")
			return 127
		}
		reply, unsupported := s.redisCommand(view, r, db, cmd)
		if unsupported {
			s.unsupported("redis command " + strings.Join(cmd, " "))
			fmt.Fprintf(&errOut, "ocsim: redis command %s is not simulated\n", strings.ToUpper(cmd[0]))
			return 127
		}
		out.WriteString(reply)
		return 0
	}()
	_, _ = std.out.Write(out.Bytes())
	_, _ = std.err.Write(errOut.Bytes())
	return code
}

// redisCommand runs a command and returns redis-cli's raw output.
func (s *session) redisCommand(view *podView, r *redisMemory, db int, cmd []string) (string, bool) {
	now := s.c.st.Now
	files := view
	if files == nil {
		files = s.v // an outside server: its files are out of reach; keep them in memory only
	}
	busy := func(until int64) bool { return until > now }
	settle := func() {
		if r.BgsaveUntil != 0 && !busy(r.BgsaveUntil) {
			r.BgsaveUntil = 0
		}
		if r.RewriteUntil != 0 && !busy(r.RewriteUntil) {
			r.RewriteUntil = 0
		}
	}
	settle()
	duration := func() int64 {
		var size int64
		for _, keys := range r.DBs {
			for k, v := range keys {
				size += int64(len(k)) + virtualSizeString(v)
			}
		}
		return (2*time.Second + time.Duration(size/(100<<20))*time.Second).Milliseconds()
	}
	switch strings.ToUpper(cmd[0]) {
	case "PING":
		return "PONG\n", false
	case "DBSIZE":
		return strconv.Itoa(len(r.DBs[db])) + "\n", false
	case "KEYS":
		if len(cmd) != 2 {
			return "ERR wrong number of arguments for 'keys' command\n\n", false
		}
		var keys []string
		for _, k := range sortedKeys(r.DBs[db]) {
			if ok, _ := path.Match(cmd[1], k); ok {
				keys = append(keys, k+"\n")
			}
		}
		return strings.Join(keys, ""), false
	case "GET":
		if len(cmd) != 2 {
			return "ERR wrong number of arguments for 'get' command\n\n", false
		}
		return r.DBs[db][cmd[1]] + "\n", false
	case "SET":
		if len(cmd) != 3 {
			return "ERR syntax error\n\n", false
		}
		if r.DBs[db] == nil {
			r.DBs[db] = map[string]string{}
		}
		r.DBs[db][cmd[1]] = cmd[2]
		r.Dirty++
		if r.AppendOnly && view != nil {
			r.AOFWriteFailed = !writeAOF(files, r)
		}
		return "OK\n", false
	case "DEL":
		if len(cmd) < 2 {
			return "ERR wrong number of arguments for 'del' command\n\n", false
		}
		n := 0
		for _, k := range cmd[1:] {
			if _, ok := r.DBs[db][k]; ok {
				delete(r.DBs[db], k)
				n++
			}
		}
		if n > 0 {
			r.Dirty += int64(n)
			if r.AppendOnly && view != nil {
				r.AOFWriteFailed = !writeAOF(files, r)
			}
		}
		return strconv.Itoa(n) + "\n", false
	case "FLUSHDB":
		if len(cmd) > 2 || len(cmd) == 2 && !strings.EqualFold(cmd[1], "SYNC") && !strings.EqualFold(cmd[1], "ASYNC") {
			return "ERR syntax error\n\n", false
		}
		r.Dirty += int64(len(r.DBs[db]))
		delete(r.DBs, db)
		if r.AppendOnly && view != nil {
			r.AOFWriteFailed = !writeAOF(files, r)
		}
		return "OK\n", false
	case "SAVE":
		if view == nil || !writeRDB(files, r) {
			return "ERR\n\n", false
		}
		r.Dirty, r.LastSave = 0, now
		return "OK\n", false
	case "BGSAVE":
		if busy(r.BgsaveUntil) {
			return "ERR Background save already in progress\n\n", false
		}
		r.BgsaveFailed = view == nil || !writeRDB(files, r)
		r.BgsaveUntil = now + duration()
		if !r.BgsaveFailed {
			r.Dirty, r.LastSave = 0, now
		}
		return "Background saving started\n", false
	case "BGREWRITEAOF":
		if busy(r.RewriteUntil) {
			return "ERR Background append only file rewriting already in progress\n\n", false
		}
		// BGREWRITEAOF writes the file whether appendonly is on or not.
		r.RewriteFailed = view == nil || !writeAOF(files, r)
		if busy(r.BgsaveUntil) {
			// Redis starts the rewrite once the snapshot is written: until
			// then INFO shows it scheduled, not in progress.
			r.RewriteUntil = r.BgsaveUntil + duration()
			return "Background append only file rewriting scheduled\n", false
		}
		r.RewriteUntil = now + duration()
		return "Background append only file rewriting started\n", false
	case "CONFIG":
		// CONFIG GET of the two settings the simulator keeps from
		// redis.conf, as redis-cli prints them outside a terminal: the
		// name, then the value. The save points are those of the
		// configuration, or Redis 3.2's and 5's defaults; the simulator
		// keeps only whether there are any.
		if len(cmd) != 3 || !strings.EqualFold(cmd[1], "GET") {
			return "", true
		}
		switch name := strings.ToLower(cmd[2]); name {
		case "save":
			value := ""
			if r.SavePoints {
				value = "900 1 300 10 60 10000"
			}
			return name + "\n" + value + "\n", false
		case "appendonly":
			value := "no"
			if r.AppendOnly {
				value = "yes"
			}
			return name + "\n" + value + "\n", false
		}
		return "", true
	case "INFO":
		section := "default"
		if len(cmd) > 1 {
			section = strings.ToLower(cmd[1])
		}
		return s.redisInfo(r, section, now), false
	}
	return "", true
}

// redisInfo is INFO's text for the server, clients, persistence and
// keyspace sections (INFO, INFO all and INFO default show these four).
func (s *session) redisInfo(r *redisMemory, section string, now int64) string {
	var b strings.Builder
	show := func(name string) bool {
		return section == name || section == "all" || section == "default" || section == "everything"
	}
	sep := func() {
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
	}
	line := func(k string, v any) { fmt.Fprintf(&b, "%s:%v\r\n", k, v) }
	flag := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	okErr := func(failed bool) string {
		if failed {
			return "err"
		}
		return "ok"
	}
	if show("server") {
		sep()
		b.WriteString("# Server\r\n")
		line("redis_version", r.Version)
		line("redis_git_sha1", "00000000")
		line("redis_git_dirty", 0)
		line("redis_mode", "standalone")
		line("os", "Linux 5.14.0-427.el9.x86_64 x86_64")
		line("arch_bits", 64)
		line("tcp_port", 6379)
		line("uptime_in_seconds", now/1000)
		line("executable", "/usr/bin/redis-server")
	}
	if show("clients") {
		sep()
		b.WriteString("# Clients\r\n")
		line("connected_clients", 1)
		line("blocked_clients", 0)
	}
	if show("persistence") {
		sep()
		b.WriteString("# Persistence\r\n")
		line("loading", 0)
		line("rdb_changes_since_last_save", r.Dirty)
		line("rdb_bgsave_in_progress", flag(r.BgsaveUntil > now))
		line("rdb_last_save_time", epoch.Unix()+r.LastSave/1000)
		line("rdb_last_bgsave_status", okErr(r.BgsaveFailed))
		line("rdb_last_bgsave_time_sec", -1)
		line("rdb_current_bgsave_time_sec", -1)
		line("rdb_last_cow_size", 0)
		line("aof_enabled", flag(r.AppendOnly))
		line("aof_rewrite_in_progress", flag(r.RewriteUntil > now && r.BgsaveUntil <= now))
		line("aof_rewrite_scheduled", flag(r.RewriteUntil > now && r.BgsaveUntil > now))
		line("aof_last_rewrite_time_sec", -1)
		line("aof_current_rewrite_time_sec", -1)
		line("aof_last_bgrewrite_status", okErr(r.RewriteFailed))
		line("aof_last_write_status", okErr(r.AOFWriteFailed))
		line("aof_last_cow_size", 0)
	}
	if show("keyspace") {
		sep()
		b.WriteString("# Keyspace\r\n")
		var idx []int
		for i := range r.DBs {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			if n := len(r.DBs[i]); n > 0 {
				fmt.Fprintf(&b, "db%d:keys=%d,expires=0,avg_ttl=0\r\n", i, n)
			}
		}
	}
	return b.String()
}

// redisProbe is the readiness probe of the 3scale Redis pods, `redis-cli
// set liveness-probe "`date`"`, run when the pod becomes ready.
func (c *Cluster) redisProbe(pod Object) {
	v := c.serverView(pod)
	if v == nil || v.engine() != redisEng {
		return
	}
	cmd := fmt.Sprint(nested(v.container, "readinessProbe", "exec", "command"))
	if !strings.Contains(cmd, "set liveness-probe") {
		return
	}
	mem := c.vols().get(memoryKey(v.ns, v.name))
	if mem == nil || mem.Redis == nil {
		return
	}
	mem = c.vols().open(memoryKey(v.ns, v.name))
	s := &session{c: c, v: v}
	s.redisCommand(v, mem.Redis, 0, []string{"SET", "liveness-probe", c.now().Format("Mon Jan  2 15:04:05 UTC 2006")})
}
