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
//
// OpenShift and OLM (openshift.go, olm.go). ClusterVersion version
// answers the cluster's release: a seeded one, else a view at
// $OCSIM_OPENSHIFT or DefaultOpenShift (4.12.45), written nowhere;
// $OCSIM_OPENSHIFT set on a cluster with a stored one updates it (desired
// version, a new history entry), as an administrator's OpenShift update
// between two runs. The built-in catalog's channels hold the 3scale
// operator's z-streams (threescale-2.11: 0.8.0, 0.8.1; 2.13: 0.10.0,
// 0.10.1; 2.14: 0.11.0, 0.11.3; 2.15: 0.12.1 to 0.12.5; the package
// manifest lists them as entries) and OLM follows the replaces chain one
// CSV per InstallPlan, each approved at once (Automatic) or waiting for
// spec.approved (Manual); a channel change installs the new channel's
// first CSV, then its successors. A CSV whose requirements the cluster
// does not meet stays Pending, RequirementsNotMet, with a
// requirementStatus message, and its operator does not run, until the
// release changes: minKubeVersion 1.25 (OpenShift 4.12) for 2.14 and
// later, and 2.11 replacing 2.10 only before OpenShift 4.9 (v1beta1 CRDs).
// olm.maxOpenShiftVersion is carried in the CSV's olm.properties
// annotation only (on a real cluster it blocks OpenShift updates, not
// installs; see csvRequirementsOf). OLM moves the operator to the
// Deployment name of its version (3scale-operator up to 0.7,
// threescale-operator-controller-manager at 0.8, -v2 after).
//
// The 3scale operator (olm.go, opupgrade.go) moves an APIManager to its
// release in stages, each some seconds after the one before, and writes
// the annotations last: 2.8 by pointing the image streams' latest tags at
// the release; 2.9 to 2.14 by a release tag on every stream and the
// ImageChange triggers moved to it (2.9 also deletes latest, removes
// BASE_URL from system-master-apicast and labels zync), Redis 5 at 2.11,
// MySQL 8.0, its authentication plugin setting and no AMP_RELEASE at
// 2.12, system-sphinx replaced by system-searchd (DeploymentConfig,
// Service 9306, claim) and Redis 6 at 2.14; 2.15 refuses an APIManager not
// at 2.14 (Preflights False, nothing changed), then turns each
// DeploymentConfig into a Deployment of its name (the databases' at once,
// the others' once available), deletes the image streams, replaces
// system-app's hooks with Jobs system-app-pre and system-app-post and
// searchd's claim with system-searchd-manticore and a reindex Job, and
// creates ConfigMap 3scale-api-management-operator-requirements; 2.16
// refuses internal databases. $OCSIM_OPERATOR_FAIL=2.M stops release
// 2.M's upgrade half way with condition Available False, UpgradeFailed.
// The databases' data are in their claims' volumes and survive every
// step. UpgradeSite applies the same stages at once to seed objects
// (bundletest.OpSeed).
// On the first call the seeded objects are brought at once to the settled
// state of a running site. There are no databases: oc exec prints
// $FAKEOC_DIR/exec.out whatever the command, or the ocsim.ampc.io/exec-output
// annotation of the workload it names.
//
// Faults: $FAKEOC_FAIL fails the first call containing it before the cluster
// sees it, $FAKEOC_FAIL_AFTER after the cluster applied it,
// $FAKEOC_CRASH_AT=N[:after] the Nth call; $OCSIM_IMPORT_FAIL,
// $OCSIM_DEPLOY_FAIL and $OCSIM_CATALOG_DROP make imports, rollouts and
// catalog channels fail, $OCSIM_OPERATOR_FAIL the 3scale operator's
// upgrade to a release, $OCSIM_OPENSHIFT sets the OpenShift release, $OCSIM_EVICT evicts a pod of a workload,
// $OCSIM_KNATIVE=1 serves Knative eventing's Subscriptions, to which a bare
// "subscription" then resolves, and $OCSIM_EXEC_FALLBACK=1 replaces the
// databases below with exec.out (see Config). A Server's fault function
// fails calls before or after the cluster applied them, or detaches an oc
// exec: its connection drops while the command goes on in the pod, with
// half its input, paused before its first long program (a database client)
// until a timer fires, and dying with its pod (detach.go).
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
// 3scale Redis pods sets key liveness-probe (a seed given to a ready pod
// holds it too: the probe has run there all along). A server's version is its
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
