// Package ocsim is a simulated OpenShift cluster for runbook tests, driven
// through the same oc command line the runbooks use (Main, built as the
// command internal/ocsim/oc).
//
// The cluster keeps a namespace's objects as JSON files, in the layout of
// the synchronous test double it replaced (fakeoc): $FAKEOC_DIR/objects/KIND.NAME.json
// for the default namespace ($FAKEOC_NAMESPACE) and objects/NS/KIND.NAME.json
// for the others, so that a test can seed and read them directly. Beside
// them, ocsim-state.json holds the logical clock, the controllers' pending
// timers and the counters; calls.log records every call.
//
// Every object a client writes is decoded strictly into its real API type
// (k8s.io/api, github.com/openshift/api, github.com/operator-framework/api)
// with sigs.k8s.io/json, so an unknown field or a value of the wrong type is
// refused as the API server refuses it. The 3scale APIManager and APIcast,
// OLM's PackageManifest and OperatorGroup have no small Go module: this
// package defines local types for them (threescale.go) with the fields of
// the CRDs that the runbooks and fixtures use, and decodes them as strictly.
// Patches are apimachinery's: JSON patch and merge patch with the
// evanphx/json-patch it uses, strategic merge patch with the type's patch
// metadata; a strategic merge patch of a custom resource is refused as the
// server refuses it. oc apply computes kubectl's three-way patch.
//
// Time is logical. Each oc call advances the clock by a step ($OCSIM_STEP,
// one second), and the fake sleep (the same binary named sleep) by what it
// is asked; oc rollout status --watch and oc exec's wait for a pod advance
// it too. Controllers act later, after delays drawn from $OCSIM_SEED: image
// import of ImageStream tags, ImageChange and ConfigChange triggers, the
// DeploymentConfig deployer (ReplicationControllers NAME-N with their phase,
// deployer and hook pods, rollback to the last complete RC when a rollout
// fails), Deployments, pods (pending, running, ready, terminating for a
// grace period; a pod whose env names a missing ConfigMap, Secret or key
// waits with CreateContainerConfigError, as the kubelet leaves it), OLM (InstallPlans under Automatic or Manual approval, CSVs
// replaced, the catalog's channels) and the 3scale and APIcast operators.
// On the first call the seeded objects are brought at once to the settled
// state of a running site. There are no databases: oc exec prints
// $FAKEOC_DIR/exec.out whatever the command, or the ocsim.ampc.io/exec-output
// annotation of the workload it names.
//
// Faults: $FAKEOC_FAIL fails the first call containing it before the cluster
// sees it, $FAKEOC_FAIL_AFTER after the cluster applied it,
// $FAKEOC_CRASH_AT=N[:after] the Nth call; $OCSIM_IMPORT_FAIL,
// $OCSIM_DEPLOY_FAIL and $OCSIM_CATALOG_DROP make imports, rollouts and
// catalog channels fail, $OCSIM_EVICT evicts a pod of a workload,
// $OCSIM_KNATIVE=1 serves Knative eventing's Subscriptions, to which a bare
// "subscription" then resolves, and $OCSIM_EXEC_FALLBACK=1 replaces the
// databases below with exec.out (see Config).
//
// Speed: a call runs the controllers until nothing changes. A cluster where
// that pass changed nothing, and where no object, deployer stage or
// setting changed and no timer fired since, is left as it is (State.Settled);
// $OCSIM_FULL_PASSES=1 runs every pass anyway, which the tests' served twin
// does to show that the skip changes nothing.
//
// Databases. The pods of MySQL, PostgreSQL and Redis images (by the image's
// name, else by the data directory they mount) run simulated servers whose
// data live in volumes, kept in $FAKEOC_DIR/volumes: a claim's volume (its
// size the claim's resources.requests.storage) outlives pods and goes with
// the claim; an emptyDir, a container's own files (/tmp) and a server's
// memory go with the pod. A server starting on an empty data directory
// initializes it as the sclorg images do (MYSQL_* and POSTGRESQL_* user and
// database); PostgreSQL refuses a data directory of another major release,
// MySQL one of a newer release, Redis an RDB file of a newer format or a
// file that is not one: the pod stays not ready, as a crash-looping one
// does. Redis loads its append-only file (Redis 7: appendonlydir) when
// appendonly is yes, even when it is missing (dump.rdb is then not read),
// else dump.rdb, and saves dump.rdb on shutdown when redis.conf has save
// points; the readiness probe of the
// 3scale Redis pods sets key liveness-probe. A server's version is its
// image's line (postgresql-95 is 9.5, mysql-80 8.0, redis-6 6.2) at a
// representative patch release. Tests seed data with SeedData (a
// workload's databases, keys and files, or a server outside the cluster
// reached by host name: RDS, ElastiCache) and read them with ReadData. A
// value "ocsim-blob:N" counts as N bytes on a volume, so that a test can
// fill one without writing gigabytes.
//
// oc exec (and oc rsh) runs its command in the pod's container: a program,
// or a bash -c / sh -c script, interpreted by mvdan.cc/sh with these
// programs: mysql, mysqldump, psql, pg_dump, pg_dumpall, pg_restore,
// redis-cli, redis-server --version (each only in its engine's image),
// cat, gzip -c / -dc, head, tail, grep, mv, rm, timeout, and bundle exec
// rake zync:resync:domains (system images); and the shell's builtins,
// redirections to the container's files and pipelines. The clients speak
// the statements of the simulated dumps and the runbooks' queries (SELECT
// count(*), columns, LIMIT, information_schema.tables, to_regclass, ...),
// with the real tools' output formats, messages and exit codes (see
// mysql.go, pg.go, redis.go): the dump trailers, psql's exit 0 after a
// failed statement and 3 with ON_ERROR_STOP, pg_restore's "errors ignored
// on restore", PostgreSQL's DROP DATABASE refused while other pods are
// connected (pods whose environment holds a URL naming the server's
// Service and the database; MySQL drops a database its idle clients use,
// as it does), "already exists" and duplicate keys on a restore into a
// non-empty database, the disk-full errors of a volume too small for the
// data, connection errors when no ready pod serves a host. oc cp and oc
// rsync copy files out of and into a pod's volumes. Everything else is
// refused loudly: exit status 127 with "not simulated", recorded in
// $FAKEOC_DIR/ocsim-unsupported.log. Not modelled: writes by the site's
// own pods (a connected client writes nothing), authentication beyond
// MySQL passwords over TCP, SQL beyond the forms above, Redis types other
// than strings, the binary formats of RDB files and custom-format dumps
// (the simulator's own encodings after the real magic: REDIS00NN with the
// release's RDB version, PGDMP).
// A test that does not model data opts into the fallback
// ($OCSIM_EXEC_FALLBACK=1, bundletest's Cluster.ExecOut): oc exec prints
// $FAKEOC_DIR/exec.out, whatever the command, and a copy out of a pod
// leaves a placeholder file (a dump.rdb's starts with the RDB magic).
//
// It is not a server: there is no watch API, no admission, no quota, no
// RBAC, and only the controllers' behaviour the runbooks depend on.
package ocsim
