package ocsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// epoch is the wall-clock time of logical time zero.
var epoch = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// Config is what the environment tells the simulator: where the cluster
// lives and which faults to inject.
type Config struct {
	// Dir holds the cluster ($FAKEOC_DIR).
	Dir string
	// WorkDir is the caller's working directory, against which the paths
	// of local files (-f, --from-file, cp's destination) are resolved;
	// empty for this process's ($OCSIM_WORKDIR, set by Serve).
	WorkDir string
	// Namespace is the default namespace ($FAKEOC_NAMESPACE); its objects
	// live at the top of Dir/objects, other namespaces' in subdirectories.
	Namespace string
	// Server is what whoami --show-server prints ($FAKEOC_SERVER).
	Server string
	// Fail makes the first call whose command line contains it fail before
	// it reaches the cluster ($FAKEOC_FAIL); FailAfter makes it fail after
	// the cluster applied it ($FAKEOC_FAIL_AFTER). Each fails once.
	Fail, FailAfter string
	// CrashAt is the number of the call (counted from the cluster's first
	// call) that fails, before the cluster sees it or, with CrashAfter,
	// after it applied it ($FAKEOC_CRASH_AT=N or N:after).
	CrashAt    int
	CrashAfter bool
	// Seed seeds every randomised delay and name ($OCSIM_SEED, default 1).
	Seed uint64
	// Step is the logical time each oc call takes ($OCSIM_STEP, default 1s).
	Step time.Duration
	// ImportFail lists substrings of image references whose import fails
	// ($OCSIM_IMPORT_FAIL, comma-separated).
	ImportFail []string
	// DeployFail lists DeploymentConfigs and Deployments whose rollouts fail
	// ($OCSIM_DEPLOY_FAIL, comma-separated names).
	DeployFail []string
	// CatalogDrop lists PACKAGE:CHANNEL pairs the built-in catalog lacks
	// ($OCSIM_CATALOG_DROP, comma-separated).
	CatalogDrop []string
	// Knative makes the cluster serve Knative eventing's Subscriptions
	// (subscriptions.messaging.knative.dev) beside OLM's, as one running
	// OpenShift Serverless does: the bare "subscription" then names
	// Knative's ($OCSIM_KNATIVE=1).
	Knative bool
	// Evict lists DeploymentConfigs and Deployments one of whose running
	// pods is evicted, once, a little after it is ready ($OCSIM_EVICT,
	// comma-separated names).
	Evict []string
	// FullPasses makes reconcile run every controller on every call, even
	// when the cluster settled and no timer fired since
	// ($OCSIM_FULL_PASSES=1): what the skip is compared with.
	FullPasses bool
	// ExecFallback makes oc exec print $FAKEOC_DIR/exec.out whatever the
	// command, and oc cp and oc rsync out of a pod leave a placeholder
	// file, as the synchronous test double did; a test opts into it with
	// $OCSIM_EXEC_FALLBACK=1. Without it, commands run in the simulated
	// containers (podexec.go).
	ExecFallback bool
	// OpenShift is the cluster's OpenShift release, 4.M.P
	// ($OCSIM_OPENSHIFT): what ClusterVersion version answers and what
	// OLM checks the CSVs' requirements against. Empty: a seeded
	// ClusterVersion's, else DefaultOpenShift. Set on a cluster with a
	// stored ClusterVersion, it moves it there (an OpenShift update).
	OpenShift string
	// OperatorFail lists 3scale releases (2.M) whose 3scale operator
	// stops half way through upgrading an APIManager, with an Upgrade
	// condition saying where ($OCSIM_OPERATOR_FAIL, comma-separated).
	OperatorFail []string
}

// ConfigFromEnv reads the configuration from environment variables.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Dir:       getenv("FAKEOC_DIR"),
		WorkDir:   getenv("OCSIM_WORKDIR"),
		Namespace: getenv("FAKEOC_NAMESPACE"),
		Server:    getenv("FAKEOC_SERVER"),
		Fail:      getenv("FAKEOC_FAIL"),
		FailAfter: getenv("FAKEOC_FAIL_AFTER"),
		Seed:      1,
		Step:      time.Second,
	}
	if c.Namespace == "" {
		c.Namespace = "default"
	}
	if c.Server == "" {
		c.Server = "https://api.fake.example.com:6443"
	}
	if v := getenv("FAKEOC_CRASH_AT"); v != "" {
		n, mode, _ := strings.Cut(v, ":")
		i, err := strconv.Atoi(n)
		if err != nil || (mode != "" && mode != "after" && mode != "before") {
			return c, fmt.Errorf("FAKEOC_CRASH_AT=%q: want N, N:before or N:after", v)
		}
		c.CrashAt, c.CrashAfter = i, mode == "after"
	}
	if v := getenv("OCSIM_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("OCSIM_SEED=%q: %v", v, err)
		}
		c.Seed = s
	}
	if v := getenv("OCSIM_STEP"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("OCSIM_STEP=%q: %v", v, err)
		}
		c.Step = d
	}
	c.ImportFail = splitList(getenv("OCSIM_IMPORT_FAIL"))
	c.DeployFail = splitList(getenv("OCSIM_DEPLOY_FAIL"))
	c.CatalogDrop = splitList(getenv("OCSIM_CATALOG_DROP"))
	c.Evict = splitList(getenv("OCSIM_EVICT"))
	c.Knative = getenv("OCSIM_KNATIVE") == "1"
	c.FullPasses = getenv("OCSIM_FULL_PASSES") == "1"
	c.ExecFallback = getenv("OCSIM_EXEC_FALLBACK") == "1"
	c.OperatorFail = splitList(getenv("OCSIM_OPERATOR_FAIL"))
	if v := getenv("OCSIM_OPENSHIFT"); v != "" {
		if err := validOpenShift(v); err != nil {
			return c, fmt.Errorf("OCSIM_OPENSHIFT=%q: %v", v, err)
		}
		c.OpenShift = v
	}
	return c, nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// State is what the simulator keeps beside the objects: the logical clock,
// the pending timers of the controllers and the counters.
type State struct {
	// Now is the logical time in milliseconds since epoch.
	Now int64 `json:"now"`
	// Draws counts the random numbers drawn so far.
	Draws uint64 `json:"draws"`
	// Calls counts the oc calls the cluster has seen.
	Calls int `json:"calls"`
	// RV is the last resourceVersion given out.
	RV int64 `json:"resourceVersion"`
	// Timers maps a controller's pending action to the time it fires.
	Timers map[string]int64 `json:"timers"`
	// Stages maps a rollout (NAMESPACE/RC) to the deployer's stage.
	Stages map[string]string `json:"stages"`
	// Namespaces lists the projects that exist.
	Namespaces []string `json:"namespaces"`
	// Bootstrapped is set once the seeded objects were brought to a
	// settled, running state.
	Bootstrapped bool `json:"bootstrapped"`
	// Settled, when set, says that a pass of every controller at time
	// SettledAt changed nothing and nothing changed since, under the
	// configuration it fingerprints: until a timer set after SettledAt
	// fires or an object changes, another pass would change nothing
	// either, and reconcile skips it.
	Settled   string `json:"settled,omitempty"`
	SettledAt int64  `json:"settledAt,omitempty"`
}

type objKey struct{ NS, Kind, Name string }

func (k objKey) String() string { return k.NS + "/" + k.Kind + "/" + k.Name }

// Cluster is the simulated cluster while one command holds it.
type Cluster struct {
	cfg  Config
	st   State
	objs map[objKey]Object
	// borrowed, when set, holds the keys whose object in objs is still
	// the server's copy (Serve): get and list clone one before handing it
	// out, so that a call that fails leaves the server's objects as they
	// were, without cloning every object on every call.
	borrowed map[objKey]bool
	// byKind indexes the keys of objs by kind for list: built by its
	// first call, then kept by put and remove (the controllers list the
	// pods of each ReplicationController, and a call reconciles many
	// times; objs holds every kind).
	byKind  map[string]map[objKey]struct{}
	dirty   map[objKey]bool
	lock    *os.File
	touched map[string]bool
	// instant makes every delay zero and disables faults (bootstrap).
	instant bool
	changed bool
	// saved, when set, is told that Save wrote the cluster (Serve keeps
	// the saved cluster in memory).
	saved func()
	// volumes holds the volumes the call loaded (dbdata.go);
	// consumedSeeds the seed files it applied, removed when it saves.
	volumes       *volumeStore
	consumedSeeds []string
	// procs, when set (Serve), holds the commands that run on in pods
	// after their exec's connection dropped; detach makes this call's exec
	// one of them (detach.go).
	procs  *Processes
	detach bool
}

// Open locks the cluster's directory and loads its state and objects.
func Open(cfg Config) (*Cluster, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("FAKEOC_DIR is not set")
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "objects"), 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(cfg.Dir, "ocsim.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		return nil, err
	}
	c := &Cluster{cfg: cfg, objs: map[objKey]Object{}, dirty: map[objKey]bool{}, lock: lock, touched: map[string]bool{}}
	if raw, err := os.ReadFile(c.statePath()); err == nil {
		if err := json.Unmarshal(raw, &c.st); err != nil {
			c.Close()
			return nil, fmt.Errorf("%s: %v", c.statePath(), err)
		}
	}
	if c.st.Timers == nil {
		c.st.Timers = map[string]int64{}
	}
	if c.st.Stages == nil {
		c.st.Stages = map[string]string{}
	}
	if err := c.load(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) statePath() string { return filepath.Join(c.cfg.Dir, "ocsim-state.json") }

// Close releases the lock without saving.
func (c *Cluster) Close() {
	if c.lock != nil {
		_ = syscall.Flock(int(c.lock.Fd()), syscall.LOCK_UN)
		c.lock.Close()
		c.lock = nil
	}
}

func (c *Cluster) objectsDir(ns string) string {
	if ns == c.cfg.Namespace {
		return filepath.Join(c.cfg.Dir, "objects")
	}
	return filepath.Join(c.cfg.Dir, "objects", ns)
}

func (c *Cluster) path(k objKey) string {
	return filepath.Join(c.objectsDir(k.NS), k.Kind+"."+k.Name+".json")
}

// load reads every object file: those at the top of objects/ belong to the
// default namespace, those in a subdirectory to the namespace it names.
func (c *Cluster) load() error {
	root := filepath.Join(c.cfg.Dir, "objects")
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && filepath.Dir(p) != root {
				return filepath.SkipDir
			}
			if p != root {
				c.addNamespace(d.Name())
			}
			return nil
		}
		if !strings.HasSuffix(p, ".json") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		obj, err := decodeObject(raw)
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		ns := c.cfg.Namespace
		if filepath.Dir(p) != root {
			ns = filepath.Base(filepath.Dir(p))
		}
		kind, _ := obj["kind"].(string)
		name, _ := nested(obj, "metadata", "name").(string)
		if kind == "" || name == "" {
			return fmt.Errorf("%s: no kind or metadata.name", p)
		}
		setNested(obj, ns, "metadata", "namespace")
		c.objs[objKey{ns, kind, name}] = obj
		return nil
	})
}

// Save writes the changed objects and the state, then releases the lock.
func (c *Cluster) Save() error {
	defer c.Close()
	for k := range c.dirty {
		obj, ok := c.objs[k]
		if !ok {
			if err := os.Remove(c.path(k)); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		if err := os.MkdirAll(c.objectsDir(k.NS), 0o755); err != nil {
			return err
		}
		raw, err := json.MarshalIndent(obj, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.path(k), raw, 0o644); err != nil {
			return err
		}
	}
	if c.volumes != nil {
		if err := c.volumes.save(); err != nil {
			return err
		}
	}
	for _, p := range c.consumedSeeds {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	raw, err := json.MarshalIndent(c.st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.statePath(), raw, 0o644); err != nil {
		return err
	}
	if c.saved != nil {
		c.saved()
	}
	return nil
}

func (c *Cluster) addNamespace(ns string) {
	for _, n := range c.st.Namespaces {
		if n == ns {
			return
		}
	}
	c.st.Namespaces = append(c.st.Namespaces, ns)
	sort.Strings(c.st.Namespaces)
}

func (c *Cluster) hasNamespace(ns string) bool {
	if ns == c.cfg.Namespace {
		return true
	}
	for _, n := range c.st.Namespaces {
		if n == ns {
			return true
		}
	}
	return false
}

// get returns the stored object, or nil.
func (c *Cluster) get(ns, kind, name string) Object {
	return c.own(objKey{ns, kind, name})
}

// own returns the object of k, cloned first if it is the server's.
func (c *Cluster) own(k objKey) Object {
	o := c.objs[k]
	if o != nil && c.borrowed[k] {
		o = clone(o)
		c.objs[k] = o
		delete(c.borrowed, k)
	}
	return o
}

// list returns the objects of a kind in a namespace ("" for all), sorted by
// name.
func (c *Cluster) list(ns, kind string) []Object { return c.listWhere(ns, kind, nil) }

// listWhere returns the objects of list that keep (nil for all) accepts.
// keep reads the object as stored, and must not change it: only the
// objects it keeps are owned (copied when borrowed) and sorted, so that a
// controller looking for a few pods among many copies none of the others.
func (c *Cluster) listWhere(ns, kind string, keep func(Object) bool) []Object {
	var keys []objKey
	add := func(k objKey) {
		if (ns == "" || k.NS == ns) && (keep == nil || keep(c.objs[k])) {
			keys = append(keys, k)
		}
	}
	if kind == "" {
		for k := range c.objs {
			add(k)
		}
	} else {
		if c.byKind == nil {
			c.byKind = map[string]map[objKey]struct{}{}
			for k := range c.objs {
				c.indexKey(k)
			}
		}
		for k := range c.byKind[kind] {
			add(k)
		}
	}
	slices.SortFunc(keys, func(a, b objKey) int {
		return cmp.Or(cmp.Compare(a.NS, b.NS), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name))
	})
	out := make([]Object, len(keys))
	for i, k := range keys {
		out[i] = c.own(k)
	}
	return out
}

// indexKey adds a key to byKind.
func (c *Cluster) indexKey(k objKey) {
	set := c.byKind[k.Kind]
	if set == nil {
		set = map[objKey]struct{}{}
		c.byKind[k.Kind] = set
	}
	set[k] = struct{}{}
}

func keyOf(obj Object) objKey {
	ns, _ := nested(obj, "metadata", "namespace").(string)
	return objKey{ns, obj["kind"].(string), nested(obj, "metadata", "name").(string)}
}

// put stores an object the controllers changed: a new resourceVersion, the
// object validated against its type (a failure is a bug in the simulator).
func (c *Cluster) put(obj Object) {
	k := keyOf(obj)
	if kd := kindByName(k.Kind); kd != nil {
		if err := validate(kd, obj); err != nil {
			panic(fmt.Sprintf("ocsim wrote an invalid %s: %v", k, err))
		}
	}
	c.st.RV++
	setNested(obj, strconv.FormatInt(c.st.RV, 10), "metadata", "resourceVersion")
	c.objs[k] = obj
	if c.byKind != nil {
		c.indexKey(k)
	}
	delete(c.borrowed, k)
	c.dirty[k] = true
	c.changed = true
	c.st.Settled = ""
}

// remove deletes an object at once; a pod's emptyDirs and memory go
// with it, a claim's volume with the claim.
func (c *Cluster) remove(k objKey) {
	if _, ok := c.objs[k]; ok {
		delete(c.objs, k)
		if c.byKind != nil {
			delete(c.byKind[k.Kind], k)
		}
		delete(c.borrowed, k)
		c.dirty[k] = true
		c.changed = true
		c.st.Settled = ""
		switch k.Kind {
		case "Pod":
			c.podGone(k.NS, k.Name)
		case "PersistentVolumeClaim":
			c.claimGone(k.NS, k.Name)
		}
	}
}

// create stores a new object with the metadata the server sets.
func (c *Cluster) create(obj Object) {
	meta := obj["metadata"].(map[string]any)
	meta["uid"] = c.uid()
	meta["creationTimestamp"] = c.timestamp()
	if hasGeneration(obj["kind"].(string)) {
		meta["generation"] = int64(1)
	}
	c.addNamespace(meta["namespace"].(string))
	c.put(obj)
}

// hasGeneration tells whether the server counts a kind's spec changes.
func hasGeneration(kind string) bool {
	switch kind {
	case "Deployment", "DeploymentConfig", "ImageStream", "Route", "BuildConfig", "Job", "ReplicationController":
		return true
	}
	k := kindByName(kind)
	return k != nil && k.Custom
}

// hasStatus tells whether a kind has a status the clients cannot write.
func hasStatus(kind string) bool {
	switch kind {
	case "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "PackageManifest":
		return false
	}
	return true
}

// now is the logical time.
func (c *Cluster) now() time.Time { return epoch.Add(time.Duration(c.st.Now) * time.Millisecond) }

func (c *Cluster) timestamp() string { return c.now().UTC().Format(time.RFC3339) }

// rng gives the next random source, seeded by the seed and the number of
// draws so far, so that a run is the same for a seed.
func (c *Cluster) rng() *rand.Rand {
	c.st.Draws++
	return rand.New(rand.NewPCG(c.cfg.Seed, c.st.Draws))
}

// between draws a duration in [lo, hi].
func (c *Cluster) between(lo, hi time.Duration) int64 {
	if hi <= lo {
		return lo.Milliseconds()
	}
	return lo.Milliseconds() + c.rng().Int64N(hi.Milliseconds()-lo.Milliseconds()+1)
}

const alnum = "bcdfghjklmnpqrstvwxz2456789"

// suffix draws a random name suffix as the server's generateName does.
func (c *Cluster) suffix(n int) string {
	r := c.rng()
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func (c *Cluster) uid() string {
	r := c.rng()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint32()&0xffff, r.Uint64()&0xffffffffffff)
}

// after is how a controller waits: the first time it asks for key, a timer
// is set lo..hi from now; after reports whether the timer has fired. A timer
// nobody asks for during a pass is dropped.
func (c *Cluster) after(key string, lo, hi time.Duration) bool {
	c.touched[key] = true
	if c.instant {
		return true
	}
	due, ok := c.st.Timers[key]
	if !ok {
		due = c.st.Now + c.between(lo, hi)
		c.st.Timers[key] = due
	}
	return c.st.Now >= due
}

// done drops a timer once its action happened.
func (c *Cluster) done(key string) { delete(c.st.Timers, key) }

// reconcile runs every controller until nothing changes at this instant.
// A cluster that settled (State.Settled) and has no timer fired since is
// left as it is: the controllers read only the objects, the timers and the
// configuration, so their pass would do nothing (the ocsim tests' served
// twin runs with FullPasses and must answer and leave files alike).
func (c *Cluster) reconcile() {
	fp := c.fingerprint()
	if !c.cfg.FullPasses && !c.instant && c.st.Settled == fp && !c.firedSince(c.st.SettledAt) {
		c.changed = false
		return
	}
	for i := 0; i < 50; i++ {
		c.changed = false
		c.touched = map[string]bool{}
		for _, ctl := range controllers {
			ctl(c)
		}
		for k := range c.st.Timers {
			if !c.touched[k] {
				delete(c.st.Timers, k)
			}
		}
		// A pass that moved only a deployer's stage is not a fixed point:
		// the next one reads the stage.
		after := c.fingerprint()
		if !c.changed {
			if !c.instant && after == fp {
				c.st.Settled, c.st.SettledAt = fp, c.st.Now
			}
			return
		}
		fp = after
	}
}

// firedSince tells whether a timer is due in (at, now].
func (c *Cluster) firedSince(at int64) bool {
	for _, due := range c.st.Timers {
		if due > at && due <= c.st.Now {
			return true
		}
	}
	return false
}

// fingerprint is what the controllers read beside the objects and the
// timers: the configuration (but the caller's working directory, which
// only commands read) and the deployers' stages, which commands and
// controllers change without changing an object.
func (c *Cluster) fingerprint() string {
	cfg := c.cfg
	cfg.WorkDir = ""
	return fmt.Sprintf("%+v %v", cfg, c.st.Stages)
}

// advance moves the clock forward by d, firing every timer on the way at
// its time.
func (c *Cluster) advance(d time.Duration) {
	target := c.st.Now + d.Milliseconds()
	c.reconcile()
	for i := 0; i < 100000; i++ {
		next := int64(-1)
		for _, due := range c.st.Timers {
			if due > c.st.Now && (next < 0 || due < next) {
				next = due
			}
		}
		if next < 0 || next > target {
			break
		}
		c.st.Now = next
		c.reconcile()
	}
	c.st.Now = target
	c.reconcile()
	c.runDetached()
}

// bootstrap brings seeded objects to the settled state a running site has:
// tags imported, DeploymentConfigs deployed, pods running, operators
// installed. It runs once, on the first call.
func (c *Cluster) bootstrap() {
	if c.st.Bootstrapped {
		return
	}
	c.st.Bootstrapped = true
	c.addNamespace(c.cfg.Namespace)
	c.instant = true
	for i := 0; i < 20; i++ {
		c.reconcile()
		if !c.changed {
			break
		}
	}
	c.instant = false
	c.st.Timers = map[string]int64{}
}

// nested reads a value at a path of map keys.
func nested(obj any, path ...string) any {
	cur := obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// setNested sets a value at a path of map keys, making maps on the way.
func setNested(obj map[string]any, v any, path ...string) {
	cur := obj
	for _, p := range path[:len(path)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = v
}

func str(obj any, path ...string) string {
	s, _ := nested(obj, path...).(string)
	return s
}

func num(obj any, path ...string) int64 {
	switch x := nested(obj, path...).(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case int:
		return int64(x)
	}
	return 0
}

func list(obj any, path ...string) []any {
	l, _ := nested(obj, path...).([]any)
	return l
}

func mapAt(obj any, path ...string) map[string]any {
	m, _ := nested(obj, path...).(map[string]any)
	return m
}

func annotation(obj Object, key string) string {
	return str(obj, "metadata", "annotations", key)
}

func setAnnotation(obj Object, key, value string) {
	setNested(obj, value, "metadata", "annotations", key)
}

func labels(obj Object) map[string]any { return mapAt(obj, "metadata", "labels") }
