package ocsim

import (
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
)

// connFailure is why a client could not reach a server.
type connFailure int

const (
	connOK connFailure = iota
	// connUnknownHost: no Service, pod or outside host of that name.
	connUnknownHost
	// connRefused: a Service with no ready pod, or a host with no server
	// of the client's kind.
	connRefused
	// connNoSocket: no server runs in the client's own pod.
	connNoSocket
	// connShuttingDown: the server's pod is terminating.
	connShuttingDown
	// connStartFailed: the server did not start (serverError).
	connStartFailed
)

// serverRef is the server a client reached: in a pod (view) or outside
// the cluster (an RDS or ElastiCache host, key).
type serverRef struct {
	view     *podView
	key      string // the data directory's volume (SQL) or _ext key
	capacity int64
	version  string
	detail   string // the start failure
}

// connect finds the server of kind e that a client in s's pod reaches at
// host: its own pod's (no host, localhost, 127.0.0.1), a Service's ready
// pod (NAME, NAME.NAMESPACE[.svc[.cluster.local]]) or a seeded outside
// host.
func (s *session) connect(e engine, host string) (serverRef, connFailure) {
	c := s.c
	switch host {
	case "", "localhost", "127.0.0.1", "::1":
		v := c.serverView(s.v.pod)
		if v == nil || v.engine() != e {
			if host == "" {
				return serverRef{}, connNoSocket
			}
			return serverRef{}, connRefused
		}
		return s.serverIn(v, e)
	}
	name, ns, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(host, ".cluster.local"), ".svc"), ".")
	if ns == "" {
		ns = s.v.ns
	}
	if svc := c.get(ns, "Service", name); svc != nil {
		pod := c.servicePod(ns, svc)
		if pod == nil {
			return serverRef{}, connRefused
		}
		v := c.serverView(pod)
		if v == nil || v.engine() != e {
			return serverRef{}, connRefused
		}
		return s.serverIn(v, e)
	}
	if vol := c.vols().get(externalKey(host)); vol != nil {
		ref := serverRef{key: externalKey(host)}
		switch {
		case e == mysqlEng && vol.MySQL != nil:
			ref.version = vol.MySQL.Version
		case e == pgEng && vol.Postgres != nil:
			ref.version = vol.Postgres.Version
		case e == redisEng && vol.Redis != nil:
			ref.version = vol.Redis.Version
		default:
			return serverRef{}, connRefused
		}
		return ref, connOK
	}
	return serverRef{}, connUnknownHost
}

func (s *session) serverIn(v *podView, e engine) (serverRef, connFailure) {
	if terminating(v.pod) {
		return serverRef{}, connShuttingDown
	}
	if msg := s.c.serverError(v.ns, v.name); msg != "" {
		return serverRef{detail: msg}, connStartFailed
	}
	ref := serverRef{view: v, version: serverVersion(v.image())}
	if ref.version == "" {
		ref.version = defaultVersion(e)
	}
	if e == redisEng {
		ref.key = memoryKey(v.ns, v.name)
		return ref, connOK
	}
	ref.key, ref.capacity = v.dataVolume(dataDir(e))
	return ref, connOK
}

// servicePod is a ready, running pod a Service selects (its endpoint), or
// nil.
func (c *Cluster) servicePod(ns string, svc Object) Object {
	sel := mapAt(svc, "spec", "selector")
	if len(sel) == 0 {
		return nil
	}
	for _, p := range c.list(ns, "Pod") {
		if str(p, "status", "phase") != "Running" || terminating(p) || !podReady(p) {
			continue
		}
		match := true
		for k, v := range sel {
			if labels(p)[k] != v {
				match = false
			}
		}
		if match {
			return p
		}
	}
	return nil
}

// servicesOf names the Services that select a pod.
func (c *Cluster) servicesOf(pod Object) []string {
	ns := str(pod, "metadata", "namespace")
	var out []string
	for _, svc := range c.list(ns, "Service") {
		sel := mapAt(svc, "spec", "selector")
		if len(sel) == 0 {
			continue
		}
		match := true
		for k, v := range sel {
			if labels(pod)[k] != v {
				match = false
			}
		}
		if match {
			out = append(out, str(svc, "metadata", "name"))
		}
	}
	return out
}

// sqlClients counts the pods connected to database db of the server in
// pod server: pods of the namespace (running or still terminating, the
// server's aside) whose environment holds a database URL naming one of the
// server's Services as host and db as path (postgresql://user:pw@HOST/DB,
// mysql2://...), as 3scale's system, zync and sidekiq keep connections
// open while they run.
func (c *Cluster) sqlClients(server Object, db string) int {
	if server == nil {
		return 0
	}
	ns := str(server, "metadata", "namespace")
	hosts := map[string]bool{}
	for _, s := range c.servicesOf(server) {
		hosts[s] = true
		hosts[s+"."+ns] = true
		hosts[s+"."+ns+".svc"] = true
		hosts[s+"."+ns+".svc.cluster.local"] = true
	}
	n := 0
	for _, p := range c.list(ns, "Pod") {
		if str(p, "metadata", "name") == str(server, "metadata", "name") || finished(p) || str(p, "status", "phase") != "Running" {
			continue
		}
		if labels(p)[labelDeployer] != nil {
			continue
		}
		connected := false
		for _, x := range list(p, "spec", "containers") {
			for _, val := range c.containerEnv(ns, p, x.(map[string]any)) {
				u, err := url.Parse(val)
				if err != nil || u.Host == "" {
					continue
				}
				if hosts[u.Hostname()] && strings.TrimPrefix(u.Path, "/") == db {
					connected = true
				}
			}
		}
		if connected {
			n++
		}
	}
	return n
}

// podIP is a pod's (made-up, stable) address, for messages.
func podIP(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	sum := h.Sum32()
	return fmt.Sprintf("10.128.%d.%d", sum%4, 2+sum/4%250)
}

// oid is a stable object number for a name, for messages that show one.
func oid(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 16384 + int(h.Sum32()%40000)
}
