package ocsim

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Paths of the database images' data directories (the sclorg / Red Hat
// images the templates and the operator run).
const (
	mysqlDataDir = "/var/lib/mysql/data"
	pgDataDir    = "/var/lib/pgsql/data"
	redisDataDir = "/var/lib/redis/data"
)

// engine names the database server a container runs.
type engine string

const (
	noEngine engine = ""
	mysqlEng engine = "mysql"
	pgEng    engine = "postgresql"
	redisEng engine = "redis"
)

// mount is a volume as a container sees it.
type mount struct {
	path     string
	key      string // the volume's key; "" for a ConfigMap or Secret volume
	readOnly bool
	capacity int64             // bytes; 0 for no limit
	files    map[string][]byte // a ConfigMap's or Secret's files
}

// podView is one container of a pod, where the simulator runs commands:
// its mounts, its environment, the database server its image runs.
type podView struct {
	c         *Cluster
	pod       Object
	ns, name  string
	container map[string]any
	mounts    []mount
	env       map[string]string
}

// volumeKeys: NAMESPACE/pvc/CLAIM for a claim, NAMESPACE/pod/POD/VOLUME for
// an emptyDir, NAMESPACE/ctr/POD/CONTAINER for a container's own file
// system, NAMESPACE/mem/POD for a Redis server's memory and _ext/HOST for a
// server outside the cluster (RDS, ElastiCache).
func pvcKey(ns, claim string) string          { return ns + "/pvc/" + claim }
func emptyDirKey(ns, pod, vol string) string  { return ns + "/pod/" + pod + "/" + vol }
func containerKey(ns, pod, ctr string) string { return ns + "/ctr/" + pod + "/" + ctr }
func memoryKey(ns, pod string) string         { return ns + "/mem/" + pod }
func externalKey(host string) string          { return "_ext/" + strings.ToLower(host) }

// view is a pod's container (the named one, or the first) as commands see
// it.
func (c *Cluster) view(pod Object, container string) (*podView, error) {
	ns, name := str(pod, "metadata", "namespace"), str(pod, "metadata", "name")
	var ctr map[string]any
	for _, x := range list(pod, "spec", "containers") {
		m, _ := x.(map[string]any)
		if container == "" || str(m, "name") == container {
			ctr = m
			break
		}
	}
	if ctr == nil {
		return nil, fmt.Errorf("error: container %s is not valid for pod %s", container, name)
	}
	v := &podView{c: c, pod: pod, ns: ns, name: name, container: ctr, env: c.containerEnv(ns, pod, ctr)}
	vols := map[string]map[string]any{}
	for _, x := range list(pod, "spec", "volumes") {
		m, _ := x.(map[string]any)
		vols[str(m, "name")] = m
	}
	for _, x := range list(ctr, "volumeMounts") {
		vm, _ := x.(map[string]any)
		vol := vols[str(vm, "name")]
		m := mount{path: path.Clean(str(vm, "mountPath")), readOnly: nested(vm, "readOnly") == true}
		switch {
		case mapAt(vol, "persistentVolumeClaim") != nil:
			claim := str(vol, "persistentVolumeClaim", "claimName")
			m.key = pvcKey(ns, claim)
			if pvc := c.get(ns, "PersistentVolumeClaim", claim); pvc != nil {
				m.capacity = quantity(str(pvc, "spec", "resources", "requests", "storage"))
			}
		case mapAt(vol, "emptyDir") != nil:
			m.key = emptyDirKey(ns, name, str(vol, "name"))
			m.capacity = quantity(str(vol, "emptyDir", "sizeLimit"))
		case mapAt(vol, "configMap") != nil:
			m.readOnly = true
			m.files = c.projected(ns, "ConfigMap", str(vol, "configMap", "name"), list(vol, "configMap", "items"))
		case mapAt(vol, "secret") != nil:
			m.readOnly = true
			m.files = c.projected(ns, "Secret", str(vol, "secret", "secretName"), list(vol, "secret", "items"))
		default:
			m.key = emptyDirKey(ns, name, str(vol, "name"))
		}
		v.mounts = append(v.mounts, m)
	}
	sort.Slice(v.mounts, func(i, j int) bool { return len(v.mounts[i].path) > len(v.mounts[j].path) })
	return v, nil
}

// quantity is a resource quantity in bytes (0 when empty or invalid).
func quantity(s string) int64 {
	if s == "" {
		return 0
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return 0
	}
	return q.Value()
}

// projected gives the files a ConfigMap or Secret volume shows: every key,
// or the listed items at their paths.
func (c *Cluster) projected(ns, kind, name string, items []any) map[string][]byte {
	obj := c.get(ns, kind, name)
	data := map[string][]byte{}
	for k, x := range mapAt(obj, "data") {
		s, _ := x.(string)
		if kind == "Secret" {
			raw, _ := base64.StdEncoding.DecodeString(s)
			data[k] = raw
			continue
		}
		data[k] = []byte(s)
	}
	if len(items) == 0 {
		return data
	}
	out := map[string][]byte{}
	for _, it := range items {
		if b, ok := data[str(it, "key")]; ok {
			out[str(it, "path")] = b
		}
	}
	return out
}

// containerEnv is a container's environment as the kubelet builds it:
// envFrom, then env (values, ConfigMap and Secret keys, field paths), with
// the image's HOME and PATH.
func (c *Cluster) containerEnv(ns string, pod Object, ctr map[string]any) map[string]string {
	env := map[string]string{"HOME": "/", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOSTNAME": str(pod, "metadata", "name")}
	decode := func(kind, name, key string) (string, bool) {
		obj := c.get(ns, kind, name)
		s, ok := mapAt(obj, "data")[key].(string)
		if !ok {
			return "", false
		}
		if kind == "Secret" {
			raw, _ := base64.StdEncoding.DecodeString(s)
			return string(raw), true
		}
		return s, true
	}
	for _, x := range list(ctr, "envFrom") {
		for kind, field := range map[string]string{"ConfigMap": "configMapRef", "Secret": "secretRef"} {
			if ref := mapAt(x, field); ref != nil {
				for k := range mapAt(c.get(ns, kind, str(ref, "name")), "data") {
					env[str(x, "prefix")+k], _ = decode(kind, str(ref, "name"), k)
				}
			}
		}
	}
	for _, x := range list(ctr, "env") {
		name := str(x, "name")
		switch {
		case mapAt(x, "valueFrom", "secretKeyRef") != nil:
			ref := mapAt(x, "valueFrom", "secretKeyRef")
			if v, ok := decode("Secret", str(ref, "name"), str(ref, "key")); ok {
				env[name] = v
			}
		case mapAt(x, "valueFrom", "configMapKeyRef") != nil:
			ref := mapAt(x, "valueFrom", "configMapKeyRef")
			if v, ok := decode("ConfigMap", str(ref, "name"), str(ref, "key")); ok {
				env[name] = v
			}
		case mapAt(x, "valueFrom", "fieldRef") != nil:
			switch str(x, "valueFrom", "fieldRef", "fieldPath") {
			case "metadata.name":
				env[name] = str(pod, "metadata", "name")
			case "metadata.namespace":
				env[name] = ns
			}
		default:
			env[name] = str(x, "value")
		}
	}
	return env
}

// image is the container's image.
func (v *podView) image() string { return str(v.container, "image") }

// engine tells the database server the container runs: by its image's
// name, else by the data directory it mounts.
func (v *podView) engine() engine {
	if e := imageEngine(v.image()); e != noEngine {
		return e
	}
	for _, m := range v.mounts {
		switch m.path {
		case mysqlDataDir:
			return mysqlEng
		case pgDataDir:
			return pgEng
		case redisDataDir:
			return redisEng
		}
	}
	return noEngine
}

var imageVersionPattern = regexp.MustCompile(`(mysql|postgresql|postgres|redis)[-_]?([0-9]+)`)

func imageEngine(image string) engine {
	base := repository(image)
	if i := strings.LastIndex(base, "/"); i >= 0 {
		base = base[i+1:]
	}
	switch {
	case strings.Contains(base, "mysql"):
		return mysqlEng
	case strings.Contains(base, "postgres"):
		return pgEng
	case strings.Contains(base, "redis"):
		return redisEng
	}
	return noEngine
}

// serverVersions are the releases the simulator gives each line of the
// database images (the image name carries the line: rhscl/mysql-57-rhel7,
// rhel8/mysql-80, rhscl/postgresql-95-rhel7, rhel9/postgresql-15,
// rhscl/redis-32-rhel7, rhel8/redis-6, rhel9/redis-7). The patch release
// is a representative one of the line; the runbooks read major.minor.
var serverVersions = map[string]string{
	"mysql-5.7": "5.7.44", "mysql-8.0": "8.0.36", "mysql-8.4": "8.4.3",
	"postgresql-9.5": "9.5.25", "postgresql-9.6": "9.6.24", "postgresql-10": "10.23",
	"postgresql-12": "12.22", "postgresql-13": "13.16", "postgresql-15": "15.10", "postgresql-16": "16.6",
	"redis-3.2": "3.2.13", "redis-5": "5.0.14", "redis-6": "6.2.7", "redis-7": "7.2.4",
}

// serverVersion is the version of the server an image runs: its line from
// the image's name (mysql-57, postgresql-10, redis-6) or tag
// (postgresql:9.5), "" when it names none.
func serverVersion(image string) string {
	e := imageEngine(image)
	if e == noEngine {
		return ""
	}
	repo := repository(image)
	base := repo[strings.LastIndex(repo, "/")+1:]
	line := ""
	if m := imageVersionPattern.FindStringSubmatch(base); m != nil {
		line = m[2]
	} else if tag := strings.TrimPrefix(image, repo); strings.HasPrefix(tag, ":") {
		line = strings.ReplaceAll(strings.TrimPrefix(tag, ":"), ".", "")
	}
	if line == "" {
		return ""
	}
	var key string
	switch {
	case e == pgEng && len(line) == 2 && line[0] == '9':
		key = "postgresql-9." + line[1:]
	case e == pgEng:
		key = "postgresql-" + line
	case e == mysqlEng && len(line) >= 2:
		key = "mysql-" + line[:1] + "." + line[1:2]
	case e == redisEng && len(line) == 2:
		key = "redis-" + line[:1] + "." + line[1:]
	default:
		key = string(e) + "-" + line[:1]
	}
	if v, ok := serverVersions[key]; ok {
		return v
	}
	if e == redisEng {
		if v, ok := serverVersions["redis-"+line[:1]]; ok {
			return v
		}
	}
	return ""
}

// --- files ---

// resolve finds the mount that holds p and p's path inside it.
func (v *podView) resolve(p string) (mount, string) {
	p = path.Clean("/" + p)
	for _, m := range v.mounts {
		if p == m.path {
			return m, ""
		}
		if rel, ok := strings.CutPrefix(p, m.path+"/"); ok {
			return m, rel
		}
	}
	return mount{path: "/", key: containerKey(v.ns, v.name, str(v.container, "name"))}, strings.TrimPrefix(p, "/")
}

func pathError(op, p string, err error) error { return &fs.PathError{Op: op, Path: p, Err: err} }

// readFile reads a file of the container.
func (v *podView) readFile(p string) ([]byte, error) {
	m, rel := v.resolve(p)
	if m.key == "" {
		if b, ok := m.files[rel]; ok {
			return b, nil
		}
		return nil, pathError("open", p, fs.ErrNotExist)
	}
	vol := v.c.vols().get(m.key)
	if vol != nil {
		if b, ok := vol.Files[rel]; ok {
			return b, nil
		}
	}
	if v.isDir(p) {
		return nil, pathError("read", p, syscall.EISDIR)
	}
	return nil, pathError("open", p, fs.ErrNotExist)
}

// errNoSpace is ENOSPC, as a write to a full volume fails.
var errNoSpace = syscall.ENOSPC

// writeFile writes a file of the container. On a volume too small for it,
// it writes what fits and fails with ENOSPC, as a write to a full file
// system does.
func (v *podView) writeFile(p string, data []byte) error { return v.write(p, data, false) }

// write writes a file, with mkdirs its missing directories too (as tar
// does for oc cp and oc rsync).
func (v *podView) write(p string, data []byte, mkdirs bool) error {
	m, rel := v.resolve(p)
	if m.key == "" || m.readOnly {
		return pathError("open", p, syscall.EROFS)
	}
	if rel == "" || v.isDir(p) {
		return pathError("open", p, syscall.EISDIR)
	}
	if !mkdirs && !v.isDir(path.Dir(path.Clean("/"+p))) {
		return pathError("open", p, fs.ErrNotExist)
	}
	vol := v.c.vols().open(m.key)
	old := vol.Files[rel]
	if m.capacity > 0 {
		free := m.capacity - (vol.size() - virtualSize(old))
		if need := virtualSize(data); need > free {
			keep := int64(len(data)) * max(free, 0) / max(need, 1)
			vol.Files[rel] = append([]byte(nil), data[:keep]...)
			return pathError("write", p, errNoSpace)
		}
	}
	vol.Files[rel] = append([]byte(nil), data...)
	return nil
}

// remove removes a file of the container.
func (v *podView) remove(p string) error {
	m, rel := v.resolve(p)
	if m.key == "" || m.readOnly {
		return pathError("remove", p, syscall.EROFS)
	}
	vol := v.c.vols().get(m.key)
	if vol == nil || vol.Files[rel] == nil {
		return pathError("remove", p, fs.ErrNotExist)
	}
	vol = v.c.vols().open(m.key)
	delete(vol.Files, rel)
	return nil
}

// rename moves a file, across volumes too (as mv copies then removes).
func (v *podView) rename(from, to string) error {
	if v.isDir(to) {
		to = path.Join(to, path.Base(from))
	}
	b, err := v.readFile(from)
	if err != nil {
		return err
	}
	if err := v.writeFile(to, b); err != nil {
		return err
	}
	return v.remove(from)
}

// isDir tells whether a directory exists: the root, /tmp, a mount point or
// a directory above one, or a directory that holds a file.
func (v *podView) isDir(p string) bool {
	p = path.Clean("/" + p)
	if p == "/" || p == "/tmp" {
		return true
	}
	for _, m := range v.mounts {
		if m.path == p || strings.HasPrefix(m.path, p+"/") {
			return true
		}
	}
	return len(v.listFiles(p)) > 0
}

// listFiles lists the files below a directory (paths in the container).
func (v *podView) listFiles(dir string) []string {
	dir = path.Clean("/" + dir)
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/") && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, m := range v.mounts {
		if m.key == "" {
			for rel := range m.files {
				add(path.Join(m.path, rel))
			}
			continue
		}
		if vol := v.c.vols().get(m.key); vol != nil {
			for rel := range vol.Files {
				add(path.Join(m.path, rel))
			}
		}
	}
	if vol := v.c.vols().get(containerKey(v.ns, v.name, str(v.container, "name"))); vol != nil {
		for rel := range vol.Files {
			p := "/" + rel
			if m, _ := v.resolve(p); m.path == "/" {
				add(p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// stat is a file's or directory's information.
func (v *podView) stat(p string) (fs.FileInfo, error) {
	if v.isDir(p) {
		return fileInfo{name: path.Base(p), dir: true}, nil
	}
	b, err := v.readFile(p)
	if err != nil {
		return nil, pathError("stat", p, fs.ErrNotExist)
	}
	return fileInfo{name: path.Base(p), size: int64(len(b))}, nil
}

// fileInfo is a simulated file's fs.FileInfo.
type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (f fileInfo) Name() string { return f.name }
func (f fileInfo) Size() int64  { return f.size }
func (f fileInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (f fileInfo) ModTime() time.Time { return epoch }
func (f fileInfo) IsDir() bool        { return f.dir }
func (f fileInfo) Sys() any           { return nil }

// dataVolume is the key and capacity of the volume holding a path (a data
// directory).
func (v *podView) dataVolume(dir string) (string, int64) {
	m, _ := v.resolve(dir)
	return m.key, m.capacity
}

// errNotSimulated marks what the simulator does not model.
var errNotSimulated = errors.New("not simulated")
