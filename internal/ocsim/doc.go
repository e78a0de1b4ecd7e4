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
// catalog channels fail, $OCSIM_EVICT evicts a pod of a workload, and
// $OCSIM_KNATIVE=1 serves Knative eventing's Subscriptions, to which a bare
// "subscription" then resolves (see Config).
//
// It is not a server: there is no watch API, no admission, no quota, no
// RBAC, and only the controllers' behaviour the runbooks depend on.
package ocsim
