package ocsim

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// vols is the cluster's volume store, loaded as calls need it.
func (c *Cluster) vols() *volumeStore {
	if c.volumes == nil {
		c.volumes = newVolumeStore(c.cfg.Dir)
	}
	return c.volumes
}

// serverView is the database server a pod runs, or nil: its first
// container whose image (or data directory) is MySQL's, PostgreSQL's or
// Redis's.
func (c *Cluster) serverView(pod Object) *podView {
	if labels(pod)[labelDeployer] != nil || labels(pod)[labelHookType] != nil {
		return nil
	}
	for _, x := range list(pod, "spec", "containers") {
		v, err := c.view(pod, str(x, "name"))
		if err == nil && v.engine() != noEngine {
			return v
		}
	}
	return nil
}

// dataDir is the data directory of an engine.
func dataDir(e engine) string {
	switch e {
	case mysqlEng:
		return mysqlDataDir
	case pgEng:
		return pgDataDir
	}
	return redisDataDir
}

// podStarted is the start of a pod's containers: a database image
// initializes an empty data directory as its entrypoint does (the sclorg
// images' run scripts: the MYSQL_* and POSTGRESQL_* user and database), a
// server refuses a data directory of another version it cannot read, and
// Redis loads its append-only file or dump.rdb. A server that cannot
// start leaves the pod never ready, as a crash-looping container does.
func (c *Cluster) podStarted(pod Object) {
	v := c.serverView(pod)
	if v == nil {
		return
	}
	version := serverVersion(v.image())
	if version == "" {
		version = defaultVersion(v.engine())
	}
	mem := c.vols().open(memoryKey(v.ns, v.name))
	mem.Files = nil
	key, _ := v.dataVolume(dataDir(v.engine()))
	var failure string
	switch v.engine() {
	case mysqlEng:
		vol := c.vols().open(key)
		if vol.MySQL == nil {
			vol.MySQL = newMySQLServer(version, v.env)
		}
		failure = mysqlStartError(vol.MySQL, version)
	case pgEng:
		vol := c.vols().open(key)
		if vol.Postgres == nil {
			vol.Postgres = newPGCluster(version, v.env)
		}
		failure = pgStartError(vol.Postgres, version)
	case redisEng:
		var r *redisMemory
		if failure = redisCommandError(v, version); failure == "" {
			r, failure = loadRedis(v, version)
		}
		mem.Redis = r
	}
	if failure != "" {
		mem.Redis = nil
		mem.Files = map[string][]byte{"server-error": []byte(failure)}
		c.st.Stages["pod/"+v.ns+"/"+v.name] = "never-ready"
	}
}

func defaultVersion(e engine) string {
	switch e {
	case mysqlEng:
		return serverVersions["mysql-8.0"]
	case pgEng:
		return serverVersions["postgresql-10"]
	}
	return serverVersions["redis-6"]
}

// serverError is why a pod's server did not start ("" when it runs).
func (c *Cluster) serverError(ns, pod string) string {
	if mem := c.vols().get(memoryKey(ns, pod)); mem != nil {
		return string(mem.Files["server-error"])
	}
	return ""
}

// podStopping is SIGTERM to a pod's containers: Redis saves on shutdown
// when its configuration has save points.
func (c *Cluster) podStopping(pod Object) {
	v := c.serverView(pod)
	if v == nil || v.engine() != redisEng {
		return
	}
	if mem := c.vols().get(memoryKey(v.ns, v.name)); mem != nil && mem.Redis != nil {
		redisShutdown(v, mem.Redis)
		c.vols().open(memoryKey(v.ns, v.name))
	}
}

// podGone drops what lives and dies with a pod: its emptyDirs, its
// containers' file systems, its servers' memory.
func (c *Cluster) podGone(ns, pod string) {
	for _, prefix := range []string{ns + "/pod/" + pod + "/", ns + "/ctr/" + pod + "/", memoryKey(ns, pod)} {
		c.vols().dropPrefix(prefix)
	}
}

// claimGone drops a deleted claim's volume (the Delete reclaim policy of a
// dynamically provisioned volume).
func (c *Cluster) claimGone(ns, claim string) { c.vols().drop(pvcKey(ns, claim)) }

// --- seeds ---

// Seed is data a test gives a database workload (or a server outside the
// cluster) before a run.
type Seed struct {
	// Namespace is the workload's namespace ("" for the default one).
	Namespace string `json:"namespace,omitempty"`
	// Workload is "dc/NAME" or "deployment/NAME".
	Workload string `json:"workload,omitempty"`
	// Host names a server outside the cluster instead (an RDS or
	// ElastiCache endpoint), of Kind mysql, postgresql or redis.
	Host string `json:"host,omitempty"`
	Kind string `json:"kind,omitempty"`
	// Data is what the server holds: its databases replace those of the
	// same name, its Redis keys the server's keys; Files are written.
	Data Data `json:"data"`
}

// SeedData writes a seed into the cluster in dir. The simulator applies it
// when a pod of the workload runs (at the first call when the workload
// runs then), as the data the site had all along: a Redis seed is in the
// server's memory and in its dump.rdb and append-only file.
func SeedData(dir string, s Seed) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	name := s.Namespace + "." + strings.ReplaceAll(s.Workload, "/", ".")
	if s.Host != "" {
		name = "_ext." + strings.ToLower(s.Host)
	}
	if err := os.MkdirAll(filepath.Join(dir, "seeds"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "seeds", name+".json"), raw, 0o644)
}

// applySeeds applies the pending seeds whose workload runs.
func (c *Cluster) applySeeds() {
	dir := filepath.Join(c.cfg.Dir, "seeds")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var s Seed
		if err := json.Unmarshal(raw, &s); err != nil {
			panic(fmt.Sprintf("ocsim: seed %s: %v", p, err))
		}
		if c.applySeed(s) {
			c.consumedSeeds = append(c.consumedSeeds, p)
		}
	}
}

func (c *Cluster) applySeed(s Seed) bool {
	if s.Host != "" {
		vol := c.vols().open(externalKey(s.Host))
		version := defaultVersion(engine(s.Kind))
		if s.Data.Version != "" {
			version = s.Data.Version
		}
		switch engine(s.Kind) {
		case mysqlEng:
			if vol.MySQL == nil {
				vol.MySQL = &sqlServer{Version: version, Users: map[string]string{}, Databases: map[string]*Database{}}
			}
			seedSQL(vol.MySQL, s.Data.MySQL, false)
		case pgEng:
			if vol.Postgres == nil {
				vol.Postgres = &sqlServer{Version: version, Users: map[string]string{"postgres": ""}, Databases: map[string]*Database{
					"postgres": {Owner: "postgres"}, "template1": {Owner: "postgres"}}}
			}
			seedSQL(vol.Postgres, s.Data.PostgreSQL, true)
		case redisEng:
			vol.Redis = &redisMemory{Version: version, DBs: cloneRedis(s.Data.Redis)}
		default:
			panic(fmt.Sprintf("ocsim: seed of host %s: kind %q is not mysql, postgresql or redis", s.Host, s.Kind))
		}
		return true
	}
	ns := s.Namespace
	if ns == "" {
		ns = c.cfg.Namespace
	}
	kindName, name, _ := strings.Cut(s.Workload, "/")
	k := resolveResource(kindName, false)
	if k == nil {
		panic(fmt.Sprintf("ocsim: seed of %q: not a workload", s.Workload))
	}
	pod := c.runningPod(ns, k.Kind, name)
	if pod == nil || terminating(pod) {
		return false
	}
	v := c.serverView(pod)
	if v == nil {
		v, _ = c.view(pod, "")
	}
	for p, content := range s.Data.Files {
		m, rel := v.resolve(p)
		if m.key == "" {
			panic(fmt.Sprintf("ocsim: seed of %s: %s is on a read-only volume", s.Workload, p))
		}
		c.vols().open(m.key).Files[rel] = []byte(content)
	}
	if v.engine() == noEngine {
		return true
	}
	key, _ := v.dataVolume(dataDir(v.engine()))
	switch v.engine() {
	case mysqlEng:
		if vol := c.vols().open(key); vol.MySQL != nil {
			seedSQL(vol.MySQL, s.Data.MySQL, false)
		}
	case pgEng:
		if vol := c.vols().open(key); vol.Postgres != nil {
			seedSQL(vol.Postgres, s.Data.PostgreSQL, true)
		}
	case redisEng:
		mem := c.vols().open(memoryKey(v.ns, v.name))
		if mem.Redis != nil {
			mem.Redis.DBs = cloneRedis(s.Data.Redis)
			redisPersistAll(v, mem.Redis)
			// A ready pod's readiness probe has run: the key it writes
			// is there, as on the site all along.
			if podReady(pod) {
				c.redisProbe(pod)
			}
		}
	}
	return true
}

func seedSQL(srv *sqlServer, dbs map[string]*Database, roles bool) {
	for name, d := range dbs {
		srv.Databases[name] = d.clone()
		if roles && d.Owner != "" {
			srv.Users[d.Owner] = ""
		}
	}
}

func cloneRedis(dbs map[int]map[string]string) map[int]map[string]string {
	out := map[int]map[string]string{}
	for i, keys := range dbs {
		if len(keys) == 0 {
			continue
		}
		out[i] = map[string]string{}
		for k, v := range keys {
			out[i][k] = v
		}
	}
	return out
}

// ReadData reads the data a workload's server holds now (namespace "" is
// the default one), or an external host's when workload is "host/NAME":
// the databases of its data directory, Redis's keys in memory (or, with no
// pod running, what it would load), and nothing of Files.
func ReadData(cfg Config, namespace, workload string) (*Data, error) {
	c, err := Open(cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if host, ok := strings.CutPrefix(workload, "host/"); ok {
		vol := c.vols().get(externalKey(host))
		if vol == nil {
			return nil, fmt.Errorf("no server at host %s", host)
		}
		return dataOf(vol.MySQL, vol.Postgres, vol.Redis), nil
	}
	ns := namespace
	if ns == "" {
		ns = c.cfg.Namespace
	}
	seed := filepath.Join(c.cfg.Dir, "seeds", namespace+"."+strings.ReplaceAll(workload, "/", ".")+".json")
	if _, err := os.Stat(seed); err == nil {
		return nil, fmt.Errorf("the seed of %s is not applied yet: no oc call found a running pod of it", workload)
	}
	kindName, name, _ := strings.Cut(workload, "/")
	k := resolveResource(kindName, false)
	if k == nil {
		return nil, fmt.Errorf("%q is not a workload", workload)
	}
	obj := c.get(ns, k.Kind, name)
	if obj == nil {
		return nil, fmt.Errorf("%s %s/%s not found", k.Kind, ns, name)
	}
	pod := c.runningPod(ns, k.Kind, name)
	var v *podView
	if pod != nil {
		v = c.serverView(pod)
	} else {
		// No pod: the pod template's volumes, as a new pod would see them.
		fake := Object{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "(none)", "namespace": ns},
			"spec": clone(mapAt(obj, "spec", "template", "spec"))}
		v = c.serverView(fake)
	}
	if v == nil {
		return nil, fmt.Errorf("%s runs no database server", workload)
	}
	key, _ := v.dataVolume(dataDir(v.engine()))
	vol := c.vols().get(key)
	if vol == nil {
		vol = &volume{}
	}
	switch v.engine() {
	case redisEng:
		if pod != nil {
			if mem := c.vols().get(memoryKey(ns, v.name)); mem != nil && mem.Redis != nil {
				return dataOf(nil, nil, mem.Redis), nil
			}
		}
		r, _ := loadRedis(v, defaultVersion(redisEng))
		return dataOf(nil, nil, r), nil
	}
	return dataOf(vol.MySQL, vol.Postgres, nil), nil
}

func dataOf(my, pg *sqlServer, r *redisMemory) *Data {
	d := &Data{}
	if my != nil {
		d.Version = my.Version
		d.MySQL = map[string]*Database{}
		for n, db := range my.Databases {
			d.MySQL[n] = db.clone()
		}
	}
	if pg != nil {
		d.Version = pg.Version
		d.PostgreSQL = map[string]*Database{}
		for n, db := range pg.Databases {
			d.PostgreSQL[n] = db.clone()
		}
	}
	if r != nil {
		d.Version = r.Version
		d.Redis = cloneRedis(r.DBs)
	}
	return d
}

// redisCommandError: the rhscl Redis images ship redis-server under their
// own software collection only (/opt/rh/rh-redis32 in redis-32-rhel7,
// /opt/rh/rh-redis5 in redis-5-rhel7), so that a container whose command
// names another collection's redis-server does not start (the 3scale
// templates give the command explicitly; the 2.10 → 2.11 template upgrade
// changes it with the image). A command outside /opt/rh, or none, runs.
func redisCommandError(v *podView, version string) string {
	cmd, _ := v.container["command"].([]any)
	if len(cmd) == 0 {
		return ""
	}
	path, _ := cmd[0].(string)
	m := rhRedisPath.FindStringSubmatch(path)
	if m == nil {
		return ""
	}
	major, minor, _ := strings.Cut(version, ".")
	if major != "3" && major != "5" {
		// Only the rhscl (RHEL 7) images are software collections; the
		// rhel8 and rhel9 images' command is not checked.
		return ""
	}
	want := "rh-redis" + major
	if major == "3" {
		want = "rh-redis3" + strings.SplitN(minor, ".", 2)[0]
	}
	if m[1] == want {
		return ""
	}
	return fmt.Sprintf("exec: %q: stat %s: no such file or directory", path, path)
}

var rhRedisPath = regexp.MustCompile(`^/opt/rh/(rh-redis[0-9]+)/`)
