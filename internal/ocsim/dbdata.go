package ocsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Data is what a database workload holds: the databases of a MySQL server
// or of a PostgreSQL cluster, the keys of a Redis server, and plain files
// of its volumes. A test seeds it (SeedData) and reads it back (ReadData).
type Data struct {
	// Version is the server's version (read back only: a server's version
	// comes from its image, see serverVersion).
	Version string `json:"version,omitempty"`
	// MySQL holds a MySQL server's databases by name.
	MySQL map[string]*Database `json:"mysql,omitempty"`
	// PostgreSQL holds a PostgreSQL cluster's databases by name; the
	// owners are the cluster's roles.
	PostgreSQL map[string]*Database `json:"postgresql,omitempty"`
	// Redis holds a Redis server's keys (string values) by logical
	// database index.
	Redis map[int]map[string]string `json:"redis,omitempty"`
	// Files holds files of the workload's pods by their path in the pod
	// (for example /opt/system/public/system/x.png); they land in the
	// volume mounted there.
	Files map[string]string `json:"files,omitempty"`
}

// Database is a database of a MySQL server or PostgreSQL cluster.
type Database struct {
	// Owner is a PostgreSQL database's owner (a role).
	Owner string `json:"owner,omitempty"`
	// Tables holds the tables of the database (PostgreSQL: of schema
	// public) by name.
	Tables map[string]*Table `json:"tables,omitempty"`
	// NoPublicSchema records that schema public was dropped (PostgreSQL).
	NoPublicSchema bool `json:"noPublicSchema,omitempty"`
}

// Table is a table: its columns, its primary key column ("" for none) and
// its rows. Values are text; Null stands for SQL NULL.
type Table struct {
	Columns []string   `json:"columns"`
	Key     string     `json:"key,omitempty"`
	Rows    [][]string `json:"rows,omitempty"`
}

// Null is the value that stands for SQL NULL in a Table's rows.
const Null = "\x00NULL"

// blobPattern finds the values that stand for large ones: the text
// "ocsim-blob:N" counts as N bytes against a volume's size, so that a test
// can fill a volume without writing gigabytes.
var blobPattern = regexp.MustCompile(`ocsim-blob:([0-9]+)`)

// virtualSize is the size a text stands for: its length, with every
// "ocsim-blob:N" counted as N bytes.
func virtualSize(b []byte) int64 {
	n := int64(len(b))
	for _, m := range blobPattern.FindAllSubmatchIndex(b, -1) {
		v, err := strconv.ParseInt(string(b[m[2]:m[3]]), 10, 64)
		if err == nil {
			n += v - int64(m[1]-m[0])
		}
	}
	return n
}

func virtualSizeString(s string) int64 {
	if !strings.Contains(s, "ocsim-blob:") {
		return int64(len(s))
	}
	return virtualSize([]byte(s))
}

// rowSize is what a row takes on a volume: its values' sizes.
func rowSize(row []string) int64 {
	var n int64
	for _, v := range row {
		if v != Null {
			n += virtualSizeString(v)
		}
	}
	return n
}

func (d *Database) size() int64 {
	var n int64
	for _, t := range d.Tables {
		for _, r := range t.Rows {
			n += rowSize(r)
		}
	}
	return n
}

func (d *Database) clone() *Database {
	out := &Database{Owner: d.Owner, NoPublicSchema: d.NoPublicSchema, Tables: map[string]*Table{}}
	for n, t := range d.Tables {
		out.Tables[n] = t.clone()
	}
	return out
}

func (t *Table) clone() *Table {
	out := &Table{Columns: append([]string(nil), t.Columns...), Key: t.Key}
	for _, r := range t.Rows {
		out.Rows = append(out.Rows, append([]string(nil), r...))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// --- volumes ---

// volume is what a pod's storage holds: a PersistentVolumeClaim's, an
// emptyDir's, a container's own file system, or (for a Redis server) its
// memory. It is kept in a file of its own under $FAKEOC_DIR/volumes.
type volume struct {
	// Files are regular files by their path below the volume's root.
	Files map[string][]byte `json:"files,omitempty"`
	// MySQL and Postgres are the database server whose data directory is
	// the volume's root.
	MySQL    *sqlServer `json:"mysql,omitempty"`
	Postgres *sqlServer `json:"postgresql,omitempty"`
	// Redis is a Redis server's memory (memory volumes only).
	Redis *redisMemory `json:"redis,omitempty"`
}

// sqlServer is the data directory of a MySQL server or PostgreSQL cluster.
type sqlServer struct {
	// Version is the version the data directory was written by.
	Version string `json:"version"`
	// Users maps MySQL accounts to their passwords; for PostgreSQL, the
	// roles (no password is checked).
	Users     map[string]string    `json:"users,omitempty"`
	Databases map[string]*Database `json:"databases,omitempty"`
}

func (s *sqlServer) size() int64 {
	var n int64
	for _, d := range s.Databases {
		n += d.size()
	}
	return n
}

func (v *volume) size() int64 {
	var n int64
	for _, f := range v.Files {
		n += virtualSize(f)
	}
	if v.MySQL != nil {
		n += v.MySQL.size()
	}
	if v.Postgres != nil {
		n += v.Postgres.size()
	}
	return n
}

// volumeStore loads volumes from $FAKEOC_DIR/volumes as a call needs them
// and writes the changed ones when the cluster is saved.
type volumeStore struct {
	dir    string
	loaded map[string]*volume
	dirty  map[string]bool
	gone   map[string]bool
	// goneFiles are files of dropped volumes that were never loaded.
	goneFiles []string
}

func newVolumeStore(clusterDir string) *volumeStore {
	return &volumeStore{dir: filepath.Join(clusterDir, "volumes"), loaded: map[string]*volume{}, dirty: map[string]bool{}, gone: map[string]bool{}}
}

// fileOf is the file of a volume key: NAMESPACE/KIND/NAME... becomes
// volumes/NAMESPACE/KIND.NAME....json.
func (s *volumeStore) fileOf(key string) string {
	parts := strings.Split(key, "/")
	return filepath.Join(s.dir, parts[0], strings.Join(parts[1:], ".")+".json")
}

// get loads a volume (nil when it holds nothing yet).
func (s *volumeStore) get(key string) *volume {
	if v, ok := s.loaded[key]; ok {
		return v
	}
	var v *volume
	if raw, err := os.ReadFile(s.fileOf(key)); err == nil {
		v = &volume{}
		if err := json.Unmarshal(raw, v); err != nil {
			panic(fmt.Sprintf("ocsim: volume %s: %v", key, err))
		}
		for _, srv := range []*sqlServer{v.MySQL, v.Postgres} {
			if srv == nil {
				continue
			}
			if srv.Users == nil {
				srv.Users = map[string]string{}
			}
			if srv.Databases == nil {
				srv.Databases = map[string]*Database{}
			}
			for _, d := range srv.Databases {
				if d.Tables == nil {
					d.Tables = map[string]*Table{}
				}
			}
		}
		if v.Redis != nil && v.Redis.DBs == nil {
			v.Redis.DBs = map[int]map[string]string{}
		}
	}
	s.loaded[key] = v
	return v
}

// open loads a volume, making an empty one, and marks it changed.
func (s *volumeStore) open(key string) *volume {
	v := s.get(key)
	if v == nil {
		v = &volume{}
		s.loaded[key] = v
	}
	if v.Files == nil {
		v.Files = map[string][]byte{}
	}
	s.dirty[key] = true
	delete(s.gone, key)
	return v
}

// drop deletes a volume.
func (s *volumeStore) drop(key string) {
	s.loaded[key] = nil
	s.gone[key] = true
	delete(s.dirty, key)
}

// dropPrefix deletes every volume whose key starts with prefix (a pod's).
func (s *volumeStore) dropPrefix(prefix string) {
	parts := strings.Split(prefix, "/")
	dir := filepath.Join(s.dir, parts[0])
	head := strings.Join(parts[1:], ".")
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), head) {
			s.goneFiles = append(s.goneFiles, filepath.Join(dir, e.Name()))
		}
	}
	for key := range s.loaded {
		if strings.HasPrefix(key, prefix) {
			s.loaded[key] = nil
			s.gone[key] = true
			delete(s.dirty, key)
		}
	}
}

// save writes the changed volumes and removes the dropped ones.
func (s *volumeStore) save() error {
	for _, f := range s.goneFiles {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	for key := range s.gone {
		if err := os.Remove(s.fileOf(key)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	for key := range s.dirty {
		v := s.loaded[key]
		if v == nil {
			continue
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(s.fileOf(key)), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(s.fileOf(key), raw, 0o644); err != nil {
			return err
		}
	}
	return nil
}
