package compiler

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/ampc/ampc/internal/testenv"
)

// TestShellLibraryShellcheck checks the shell library (rules/lib) as the
// files it is, and the installed_version of each hop as the function the
// runbook defines, with bash -n and shellcheck.
func TestShellLibraryShellcheck(t *testing.T) {
	bash := testenv.Tool(t, "bash")
	shellcheck := testenv.Tool(t, "shellcheck")
	files, err := filepath.Glob(filepath.Join("rules", "lib", "*.sh"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no library files: %v", err)
	}
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, m := range r.mods {
		path := filepath.Join(dir, m.hop.Name()+"-"+m.hop.Deployment+"-installed-version.sh")
		body := "installed_version() {\n" + m.hop.InstalledVersion + "}\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	for _, f := range files {
		if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", f, err, out)
		}
	}
	if out, err := exec.Command(shellcheck, append([]string{"-s", "bash"}, files...)...).CombinedOutput(); err != nil {
		t.Errorf("shellcheck: %v\n%s", err, out)
	}
	// Every function is defined once.
	seen := map[string]bool{}
	for _, line := range strings.Split(r.library, "\n") {
		if name, ok := strings.CutSuffix(line, "() {"); ok {
			if seen[name] {
				t.Errorf("%s is defined twice in the library", name)
			}
			seen[name] = true
		}
	}
}

// libraryRun runs script in bash after the library, with the runbook's
// fail, a stub oc (the script defines it) and sleep that returns at once.
func libraryRun(t *testing.T, script string) (string, error) {
	t.Helper()
	bash := testenv.Tool(t, "bash")
	testenv.Tool(t, "jq")
	lib, err := loadLibrary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	prelude := "set -euo pipefail\nshopt -s inherit_errexit\nNAMESPACE=3scale\nfail() { printf 'ampc: %s\\n' \"$*\" >&2; exit 1; }\nsleep() { :; }\n"
	path := filepath.Join(dir, "test.sh")
	if err := os.WriteFile(path, []byte(prelude+lib+"\n"+script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, path)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestShellLibraryVersions(t *testing.T) {
	out, err := libraryRun(t, `
for c in "2.16 2.16" "2.16.1 2.16" "4.14.3 4.12" "10 8.0" "8.0.36 8.0"; do
  at_least ${c% *} ${c#* } && echo "yes $c"
done
for c in "2.15 2.16" "4.11 4.12" "7.0 7.2" "x 1"; do
  at_least ${c% *} ${c#* } || echo "no $c"
done
oc_name zync
oc_name deployment/system-app
`)
	want := "yes 2.16 2.16\nyes 2.16.1 2.16\nyes 4.14.3 4.12\nyes 10 8.0\nyes 8.0.36 8.0\nno 2.15 2.16\nno 4.11 4.12\nno 7.0 7.2\nno x 1\ndc/zync\ndeployment/system-app\n"
	if err != nil || out != want {
		t.Errorf("%v\n%s\nwant:\n%s", err, out, want)
	}
}

// TestShellLibraryQuantities: Kubernetes quantities in bytes, binary and
// decimal suffixes, fractions rounded up; a size it cannot read stops.
func TestShellLibraryQuantities(t *testing.T) {
	out, err := libraryRun(t, `
for q in 1Gi 100Mi 500M 1.5Gi 2000000 20Gi 1Ti 0.5k; do
  echo "$q $(quantity_bytes "$q")"
done
quantity_bytes 1GB
`)
	want := "1Gi 1073741824\n100Mi 104857600\n500M 500000000\n1.5Gi 1610612736\n2000000 2000000\n20Gi 21474836480\n1Ti 1099511627776\n0.5k 500\n" +
		"ampc: cannot read the size '1GB' (a Kubernetes quantity such as 1Gi or 500M)\n"
	if err == nil || out != want {
		t.Errorf("%v\n%s\nwant:\n%s", err, out, want)
	}
}

// TestShellLibraryReplicas: counts are saved once, scaled back from the
// file, and a missing count stops with the way to write it by hand.
func TestShellLibraryReplicas(t *testing.T) {
	out, err := libraryRun(t, `
declare -A replicas=([dc/zync]=2 [deployment/system-app]=3)
oc() {
  case "$1 $2" in
    "get dc/zync" | "get deployment/system-app")
      [ "$3 $4" = "-o jsonpath={.spec.replicas}" ] || { echo "unexpected oc $*" >&2; return 1; }
      printf '%s' "${replicas[$2]}" ;;
    "scale "*) echo "oc $*" ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
save_replicas counts/replicas.json zync deployment/system-app
replicas[dc/zync]=0
save_replicas counts/replicas.json zync
restore_replicas counts/replicas.json deployment/system-app zync
saved_replicas counts/replicas.json zync-que
`)
	want := `replica counts saved in counts/replicas.json: {"zync":2,"system-app":3}
replica counts saved in counts/replicas.json: {"zync":2,"system-app":3}
oc scale deployment/system-app --replicas=3
oc scale dc/zync --replicas=2
ampc: counts/replicas.json has no replica count for zync-que: write it there by hand ({"zync-que": N, ...}), then re-run
`
	if err == nil || out != want {
		t.Errorf("%v\n%s\nwant:\n%s", err, out, want)
	}
}

// TestShellLibraryWaitGone: only pods the workload's selector matches
// count, finished ones do not, terminating ones do: the wait goes on until
// they are gone.
func TestShellLibraryWaitGone(t *testing.T) {
	pods := func(items ...string) string {
		script := `
polls=0
oc() {
  case "$1 $2" in
    "get deployment/zync") echo '{"spec": {"selector": {"matchLabels": {"deployment": "zync"}}}}' ;;
    "get dc/zync") echo '{"spec": {"selector": {"deploymentConfig": "zync"}}}' ;;
    "get pods")
      echo "poll" >> polls
      case $(wc -l < polls) in
`
		for i, it := range items {
			script += fmt.Sprintf("        %d) echo '{\"items\": [%s]}' ;;\n", i+1, it)
		}
		return script + `        *) echo '{"items": []}' ;;
      esac
      ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
`
	}
	other := `{"metadata": {"labels": {"deploymentConfig": "zync-que"}}, "status": {"phase": "Running"}}`
	done := `{"metadata": {"labels": {"deploymentConfig": "zync"}}, "status": {"phase": "Succeeded"}}`
	terminating := `{"metadata": {"labels": {"deploymentConfig": "zync"}, "deletionTimestamp": "now"}, "status": {"phase": "Running"}}`
	if out, err := libraryRun(t, pods(other+", "+done)+`wait_gone zync && echo "gone after $(wc -l < polls) poll"`); err != nil || out != "gone after 1 poll\n" {
		t.Errorf("no pod left: %v\n%s", err, out)
	}
	if out, err := libraryRun(t, pods(other+", "+terminating, terminating)+`wait_gone zync && echo "gone after $(wc -l < polls) polls"`); err != nil || out != "gone after 3 polls\n" {
		t.Errorf("a terminating pod: %v\n%s", err, out)
	}
	if out, err := libraryRun(t, pods()+"wait_gone deployment/zync --namespace=other && echo gone"); err != nil || out != "gone\n" {
		t.Errorf("a Deployment: %v\n%s", err, out)
	}
}

// TestShellLibraryOperator: the waits for OLM and the operator stop with
// what to do, and a failing oc stops them.
func TestShellLibraryOperator(t *testing.T) {
	manual := `
oc() {
  case "$1 $2" in
    "get subscriptions.operators.coreos.com") echo '{"spec": {"installPlanApproval": "Manual"}, "status": {"state": "UpgradePending", "installedCSV": "op.v1", "installPlanRef": {"name": "install-1"}}}' ;;
    "get installplan") printf false ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
wait_operator_csv sub ops 20 op.v1
`
	out, err := libraryRun(t, manual)
	if err == nil || !strings.Contains(out, "ampc: subscriptions.operators.coreos.com/sub waits for its install plan install-1 to be approved: run oc patch installplan install-1 --namespace=ops --type=merge") {
		t.Errorf("manual approval: %v\n%s", err, out)
	}
	// Approved: the Subscription stays UpgradePending until the new CSV
	// is installed, and the wait goes on.
	approved := `
oc() {
  echo "$1 $2" >> calls
  case "$1 $2" in
    "get subscriptions.operators.coreos.com")
      if [ "$(grep -c '^get subscriptions' calls)" -lt 3 ]; then
        echo '{"spec": {"installPlanApproval": "Manual"}, "status": {"state": "UpgradePending", "installedCSV": "op.v1", "installPlanRef": {"name": "install-1"}}}'
      else
        echo '{"spec": {"installPlanApproval": "Manual"}, "status": {"state": "AtLatestKnown", "installedCSV": "op.v2"}}'
      fi ;;
    "get installplan") printf true ;;
    "get clusterserviceversion") printf Succeeded ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
wait_operator_csv sub ops 20 op.v1
`
	if out, err := libraryRun(t, approved); err != nil || out != "the operator is upgraded: op.v1 -> op.v2\n" {
		t.Errorf("approved: %v\n%s", err, out)
	}
	// A failed read of the install plan says nothing of its approval: the
	// wait reads it again at the next poll (before, it stopped asking to
	// approve a plan that was approved).
	lost := strings.Replace(approved, `"get installplan") printf true ;;`, `"get installplan") [ "$(grep -c '^get installplan' calls)" -gt 1 ] || { echo "Unable to connect to the server" >&2; return 1; }; printf true ;;`, 1)
	if out, err := libraryRun(t, lost); err != nil || out != "the operator is upgraded: op.v1 -> op.v2\n" {
		t.Errorf("install plan read lost once: %v\n%s", err, out)
	}
	catalog := func(manifests string) string {
		return `
oc() {
  case "$1 $2" in
    "get subscriptions.operators.coreos.com") echo '{"spec": {"name": "3scale-operator", "source": "redhat-operators", "sourceNamespace": "openshift-marketplace"}}' ;;
    "get packagemanifests") ` + manifests + ` ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
catalog_offers_channel sub ops threescale-2.16
`
	}
	offers := `echo '{"items": [{"metadata": {"name": "3scale-operator"}, "status": {"catalogSource": "redhat-operators", "channels": [{"name": "threescale-2.15"}, {"name": "threescale-2.16"}]}}]}'`
	if out, err := libraryRun(t, catalog(offers)); err != nil || out != "catalog redhat-operators offers threescale-2.16 of 3scale-operator\n" {
		t.Errorf("catalog with the channel: %v\n%s", err, out)
	}
	if out, err := libraryRun(t, catalog(strings.Replace(offers, `, {"name": "threescale-2.16"}`, "", 1))); err == nil || !strings.Contains(out, "offers no channel threescale-2.16") {
		t.Errorf("catalog without the channel: %v\n%s", err, out)
	}
	if out, err := libraryRun(t, catalog(`echo "Unable to connect to the server" >&2; return 1`)); err == nil || strings.Contains(out, "offers no channel") {
		t.Errorf("a failed read of the catalog is reported as a catalog without the channel: %v\n%s", err, out)
	}
	upgraded := `
oc() {
  case "$1 $2" in
    "get subscriptions.operators.coreos.com") echo '{"status": {"installedCSV": "op.v2"}}' ;;
    "get clusterserviceversion") printf Succeeded ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
wait_operator_csv sub ops 20 op.v1
`
	if out, err := libraryRun(t, upgraded); err != nil || out != "the operator is upgraded: op.v1 -> op.v2\n" {
		t.Errorf("upgraded: %v\n%s", err, out)
	}
	annotation := `
oc() {
  case "$1 $2 ${3:-}" in
    "get apimanager am") echo '{"apps.3scale.net/apimanager-threescale-version": "2.15.5"}' ;;
    "get pods ") echo pods ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
`
	out, err = libraryRun(t, annotation+"wait_apimanager_version 2.15 1 am && wait_apimanager_version 2.16 1 am 'see the logs'")
	want := "the APIManager is at 2.15.5\n" + strings.Repeat("the APIManager reports 3scale '2.15.5'; waiting for 2.16\npods\n", 1) +
		"ampc: the APIManager am still reports 3scale '2.15.5', not 2.16, after 1 minutes: see the logs\n"
	if err == nil || out != want {
		t.Errorf("APIManager wait: %v\n%s\nwant:\n%s", err, out, want)
	}
	failing := `
oc() { echo "oc failed" >&2; return 1; }
wait_apimanager_version 2.16 1 am
echo "went on"
`
	if out, err := libraryRun(t, failing); err == nil || strings.Contains(out, "went on") {
		t.Errorf("a failing oc did not stop the wait: %v\n%s", err, out)
	}
	check := `
oc() {
  echo '{"items": [{"metadata": {"name": "am", "annotations": {"apps.3scale.net/apimanager-threescale-version": "2.8", "apps.3scale.net/threescale-operator-version": "0.5.0"}}}]}'
}
check_apimanager 2.8 0.5
check_apimanager 2.8 0.6
`
	out, err = libraryRun(t, check)
	line := `apimanager/am: apps.3scale.net/apimanager-threescale-version: "2.8", apps.3scale.net/threescale-operator-version: "0.5.0"` + "\n"
	if err == nil || out != line+line+"ampc: apimanager/am was reconciled by operator '0.5.0', not 0.6.x\n" {
		t.Errorf("check_apimanager: %v\n%s", err, out)
	}
}

// scriptPath is the path of libraryRun's script, as $0 prints it.
var scriptPath = regexp.MustCompile(`/\S*/test\.sh`)

// TestShellLibraryOracleBuildCheck: the Oracle build context must hold a
// Dockerfile and the three Instant Client packages, and no non-CDB
// workaround of another release than the build's.
func TestShellLibraryOracleBuildCheck(t *testing.T) {
	script := `
mkdir -p ctx/oracle-client-files
for p in basiclite-linux.x64-12.2.0.1.0 sdk-linux.x64-12.2.0.1.0 odbc-linux.x64-12.2.0.1.0-2; do
  : > "ctx/oracle-client-files/instantclient-$p.zip"
done
echo 'FROM amp-system:2.4.0' > ctx/Dockerfile
AMPC_ORACLE_BUILD_DIR=ctx
`
	for _, tc := range []struct{ setup, release, want string }{
		{"", "2.6", "build context ctx checked for 3scale 2.6\n"},
		{"echo 'ADD ./workaround-non-cdb-2.5-upgrade/database.rb /opt/system/lib/system/database.rb' >> ctx/Dockerfile", "2.5.0", "build context ctx checked for 3scale 2.5.0\n"},
		{"echo 'ADD ./workaround-non-cdb-2.5-upgrade/database.rb /opt/system/lib/system/database.rb' >> ctx/Dockerfile", "2.6", "ampc: the Dockerfile in ctx applies workaround-non-cdb-2.5-upgrade, which is not for 3scale 2.6: start again from a fresh copy of amp/system-oracle at the release's tag\n"},
		{"echo 'ADD ./workaround-non-cdb-2.4-upgrade/database.rb /opt/system/lib/system/database.rb' >> ctx/Dockerfile", "2.5.0", "ampc: the Dockerfile in ctx applies workaround-non-cdb-2.4-upgrade, which is not for 3scale 2.5.0: start again from a fresh copy of amp/system-oracle at the release's tag\n"},
		{"rm ctx/oracle-client-files/instantclient-sdk-linux.x64-12.2.0.1.0.zip", "2.6", "ampc: ctx/oracle-client-files has no instantclient-sdk-linux.x64-12.2*.zip: download it from Oracle (see the oracle-build-context step)\n"},
		{"rm ctx/Dockerfile", "2.6", "ampc: ctx has no Dockerfile: it is not the amp/system-oracle directory of 3scale-amp-openshift-templates\n"},
		{"unset AMPC_ORACLE_BUILD_DIR", "2.6", "ampc: AMPC_ORACLE_BUILD_DIR is not set: prepare the build directory as the oracle-build-context step says, then run AMPC_ORACLE_BUILD_DIR=DIR test.sh\n"},
	} {
		out, err := libraryRun(t, script+tc.setup+"\noracle_build_check "+tc.release+"\n")
		out = scriptPath.ReplaceAllString(out, "test.sh")
		if out != tc.want || (err == nil) != !strings.HasPrefix(tc.want, "ampc:") {
			t.Errorf("%s / %s: %v\n%s\nwant:\n%s", tc.setup, tc.release, err, out, tc.want)
		}
	}
}

// TestShellLibraryRolloutState: dc_rollout_state tells a deployment in
// progress (or whose ReplicationController is not there yet), a template
// change the ConfigChange trigger has not acted on, and a settled
// DeploymentConfig, what the deployer adds to the template left out.
func TestShellLibraryRolloutState(t *testing.T) {
	dc := func(image, extra string) string {
		return `{"spec": {"triggers": [{"type": "ConfigChange"}]` + extra + `, "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "a", "image": "` + image + `"}]}}}, "status": {"latestVersion": 2}}`
	}
	rc := func(phase, image string) string {
		return `{"metadata": {"annotations": {"openshift.io/deployment.phase": "` + phase + `"}}, "spec": {"template": {"metadata": {"labels": {"app": "x", "deployment": "x-2", "deploymentconfig": "x"}, "annotations": {"openshift.io/deployment-config.latest-version": "2", "openshift.io/deployment-config.name": "x", "openshift.io/deployment.name": "x-2"}}, "spec": {"containers": [{"name": "a", "image": "` + image + `"}]}}}}`
	}
	for _, c := range []struct{ dc, rc, want string }{
		{dc("old", ""), rc("Complete", "old"), "settled"},
		{dc("old", ""), rc("Failed", "old"), "settled"},
		{dc("new", ""), rc("Complete", "old"), "pending"},
		{dc("new", `, "paused": true`), rc("Complete", "old"), "settled"},
		{`{"spec": {"template": {}}, "status": {"latestVersion": 2}}`, rc("Complete", "old"), "settled"},
		{dc("new", ""), rc("Running", "new"), "running"},
		{dc("new", ""), rc("New", "new"), "running"},
		{dc("new", ""), `{}`, "running"},
	} {
		out, err := libraryRun(t, "dc_rollout_state '"+c.dc+"' '"+c.rc+"'")
		if err != nil || strings.TrimSpace(out) != c.want {
			t.Errorf("dc_rollout_state %s %s: %v %q, want %s", c.dc, c.rc, err, out, c.want)
		}
	}
}

// TestShellLibraryTriggerImages: dc_poll follows a trigger's tag to the
// image its stream holds, for a tag of the spec (its import for the current
// generation), for one a build pushed, which has status only (the Oracle
// system image, amp-system:2.9-oracle), for a tag that points at a tag of
// another stream (read by a second oc call when the first poll did not
// name it) and for a stream in another namespace; a failed import is
// failed:MESSAGE. It names the streams with one jsonpath call per wait and
// reads the DeploymentConfig with them in one oc call a poll.
func TestShellLibraryTriggerImages(t *testing.T) {
	stub := `
declare -A OBJ
OBJ[imagestream/amp-system]='{"kind": "ImageStream", "metadata": {"name": "amp-system", "namespace": "3scale"},
  "spec": {"tags": [{"name": "2.9", "generation": 3, "from": {"kind": "DockerImage", "name": "r/system:2.9"}},
                    {"name": "next", "generation": 3, "from": {"kind": "ImageStreamTag", "name": "other:1"}},
                    {"name": "broken", "generation": 5, "from": {"kind": "DockerImage", "name": "r/system:x"}}]},
  "status": {"tags": [{"tag": "2.9", "items": [{"image": "sha256:aaa", "generation": 3}]},
                      {"tag": "2.9-oracle", "items": [{"image": "sha256:bbb", "generation": 4}]},
                      {"tag": "broken", "items": [{"image": "sha256:ccc", "generation": 1}], "conditions": [{"type": "ImportSuccess", "status": "False", "generation": 5, "message": "not found"}]},
                      {"tag": "old", "items": [{"image": "sha256:ccc", "generation": 1}]}]}}'
OBJ[imagestream/other]='{"kind": "ImageStream", "metadata": {"name": "other", "namespace": "3scale"},
  "spec": {"tags": [{"name": "1", "generation": 1, "from": {"kind": "DockerImage", "name": "r/other:1"}}]},
  "status": {"tags": [{"tag": "1", "items": [{"image": "sha256:ddd", "generation": 1}]}]}}'
OBJ[openshift/imagestream/base]='{"kind": "ImageStream", "metadata": {"name": "base", "namespace": "openshift"},
  "spec": {"tags": [{"name": "7", "generation": 1, "from": {"kind": "DockerImage", "name": "r/base:7"}}]},
  "status": {"tags": [{"tag": "7", "items": [{"image": "sha256:eee", "generation": 1}]}]}}'
oc() {
  local a ns= out=()
  for a in "$@"; do case $a in --namespace=*) ns=${a#--namespace=} ;; esac; done
  if [[ $* == *jsonpath* ]]; then
    echo "jsonpath" >> calls
    jq -r '.spec.triggers[] | select(.imageChangeParams.automatic == true) | "\(.imageChangeParams.from.name)\t\(.imageChangeParams.from.namespace // "")"' <<<"${OBJ[dc/x]}"
    return
  fi
  for a in "${@:2}"; do
    case $a in
      */*)
        [ -n "${OBJ[${ns:+$ns/}$a]:-}" ] || { echo "not found: $a" >&2; return 1; }
        out+=("${OBJ[${ns:+$ns/}$a]}")
        ;;
    esac
  done
  echo "get ${*:2}" >> calls
  if [ ${#out[@]} = 1 ]; then printf '%s\n' "${out[0]}"; else (IFS=,; printf '{"kind": "List", "items": [%s]}\n' "${out[*]}"); fi
}
poll() {
  local POLL_STREAMS=()
  : > calls
  OBJ[dc/x]='{"kind": "DeploymentConfig", "metadata": {"name": "x", "namespace": "3scale"}, "spec": {"triggers": [{"type": "ConfigChange"},
    {"type": "ImageChange", "imageChangeParams": {"automatic": true, "containerNames": ["a"], "from": {"kind": "ImageStreamTag", "name": "'"$1"'"'"$3"'}}}],
    "template": {"spec": {"containers": [{"name": "a", "image": "r/system@'"$2"'"}]}}}, "status": {"latestVersion": 4}}'
  dc_poll dc/x .status.latestVersion
  printf '%s|%s|%s\n' "$POLL_VIEW" "$POLL_PENDING" "$(paste -sd ';' calls)"
}
`
	for _, c := range []struct{ from, image, ns, want string }{
		{"amp-system:2.9", "sha256:aaa", "", "4||jsonpath;get dc/x imagestream/amp-system -o json"},
		{"amp-system:2.9", "sha256:old", "", "4|amp-system:2.9 does not run sha256:aaa yet|"},
		{"amp-system:2.9-oracle", "sha256:bbb", "", "4||"},
		{"amp-system:2.9-oracle", "sha256:aaa", "", "4|amp-system:2.9-oracle does not run sha256:bbb yet|"},
		{"amp-system:missing", "sha256:aaa", "", "4|imagestream/amp-system:missing not imported yet|"},
		{"amp-system:broken", "sha256:ccc", "", "4|failed:imagestream/amp-system: the import of broken failed: not found|"},
		{"amp-system:next", "sha256:ddd", "", "4||jsonpath;get dc/x imagestream/amp-system -o json;get dc/x imagestream/amp-system imagestream/other -o json"},
		{"amp-system:next", "sha256:aaa", "", "4|amp-system:next does not run sha256:ddd yet|"},
		{"base:7", "sha256:eee", `, "namespace": "openshift"`, "4||jsonpath;get dc/x -o json;get imagestream/base --namespace=openshift -o json"},
		{"base:7", "sha256:aaa", `, "namespace": "openshift"`, "4|base:7 does not run sha256:eee yet|"},
	} {
		out, err := libraryRun(t, stub+"poll '"+c.from+"' '"+c.image+"' '"+c.ns+"'")
		got := strings.TrimSpace(out)
		if strings.HasSuffix(c.want, "|") {
			got = got[:strings.LastIndex(got, "|")+1] // the calls are checked where the case gives them
		}
		if err != nil || got != c.want {
			t.Errorf("dc_poll on %s running %s: %v %q, want %q", c.from, c.image, err, out, c.want)
		}
	}
}

// TestShellLibraryWaitPodsReady: only the pods of each DeploymentConfig's
// latest deployment count, and each Deployment through its status; a pod
// that has ended or belongs to an older deployment does not, a pod of the
// latest one that is not ready does, named with its waiting reason.
func TestShellLibraryWaitPodsReady(t *testing.T) {
	stub := func(pods string) string {
		return `
oc() {
  case "$1 $2" in
    "get dc") echo '{"items": [{"metadata": {"name": "zync"}, "spec": {"replicas": 1}, "status": {"latestVersion": 3}}, {"metadata": {"name": "old"}, "spec": {"replicas": 0}, "status": {"latestVersion": 1}}]}' ;;
    "get deployment") echo '{"items": [{"metadata": {"name": "op", "generation": 2}, "spec": {"replicas": 1}, "status": {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1}}]}' ;;
    "get pods") if [ "${3:-}" = -o ]; then echo '{"items": [` + pods + `]}'; else echo "NAME READY STATUS"; fi ;;
    *) echo "unexpected oc $*" >&2; return 1 ;;
  esac
}
`
	}
	pod := func(rc, phase string, ready bool, extra string) string {
		return fmt.Sprintf(`{"metadata": {"name": "%s-x", "labels": {"deploymentconfig": "zync", "deployment": "%s"}%s}, "status": {"phase": "%s", "containerStatuses": [{"ready": %v, "state": {"waiting": {"reason": "CreateContainerConfigError"}}}]}}`, rc, rc, extra, phase, ready)
	}
	ready := pod("zync-3", "Running", true, "")
	lingering := strings.Join([]string{
		pod("zync-3", "Failed", false, ""),                                               // evicted
		pod("zync-2", "Running", false, ""),                                              // an older deployment's
		pod("zync-3", "Running", false, `, "deletionTimestamp": "2026-12-01T00:00:00Z"`), // terminating
		`{"metadata": {"name": "zync-2-deploy", "labels": {"openshift.io/deployer-pod-for.name": "zync-2"}}, "status": {"phase": "Failed"}}`,
	}, ", ")
	if out, err := libraryRun(t, stub(ready+", "+lingering)+"wait_pods_ready 1"); err != nil || !strings.Contains(out, "NAME READY STATUS") {
		t.Errorf("lingering pods: %v\n%s", err, out)
	}
	out, err := libraryRun(t, stub(pod("zync-3", "Pending", false, "")+", "+lingering)+"wait_pods_ready 1")
	if err == nil || !strings.Contains(out, "dc/zync: 0 of 1 pods of zync-3 ready (zync-3-x: CreateContainerConfigError)") {
		t.Errorf("a pod of the latest deployment that waits: %v\n%s", err, out)
	}
	out, err = libraryRun(t, stub(ready+", "+pod("zync-3", "Running", false, ""))+"wait_pods_ready 1")
	if err == nil || !strings.Contains(out, "dc/zync: 1 of 1 pods of zync-3 ready") {
		t.Errorf("a second pod of the latest deployment that is not ready: %v\n%s", err, out)
	}
}

// maskedStatus are the shell forms in which a failed command gives a
// runbook an empty list instead of stopping it, set -e and inherit_errexit
// notwithstanding: bash ignores the status of a command substitution in a
// for loop's word list, of a process substitution, and of a command
// substitution in a here-string. An empty list reads as "nothing to do": a
// backup without that kind's files, a wait for no Deployment, a rollback
// that scales nothing back. The list is read into a variable first, where
// a failure stops the step.
var maskedStatus = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\bfor\s+\w+\s+in\s[^;]*\$\(`), "a command substitution in a for loop's word list"},
	{regexp.MustCompile(`<\s*<\(`), "input from a process substitution"},
	{regexp.MustCompile(`<<<\s*"?\$\(`), "a here-string of a command substitution"},
}

// maskedLines lists the lines of text, a shell or rule file, that hold a
// maskedStatus form, comments left out.
func maskedLines(name, text string) []string {
	var found []string
	for i, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range maskedStatus {
			if m.re.MatchString(line) {
				found = append(found, fmt.Sprintf("%s:%d: %s: %s", name, i+1, m.what, strings.TrimSpace(line)))
			}
		}
	}
	return found
}

// maskedNodes lists the places of a shell script, parsed, that read a list
// in a maskedStatus form, however it is laid out over lines (a for loop's
// word list on lines of its own, say), which the line check cannot see.
func maskedNodes(name, src string) ([]string, error) {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, err
	}
	// holds tells whether a word holds a node of the kind of want.
	holds := func(w *syntax.Word, want func(syntax.Node) bool) bool {
		found := false
		if w != nil {
			syntax.Walk(w, func(n syntax.Node) bool {
				found = found || want(n)
				return !found
			})
		}
		return found
	}
	isCmdSubst := func(n syntax.Node) bool { _, ok := n.(*syntax.CmdSubst); return ok }
	isProcIn := func(n syntax.Node) bool { p, ok := n.(*syntax.ProcSubst); return ok && p.Op == syntax.CmdIn }
	var found []string
	add := func(n syntax.Node, what string) {
		found = append(found, fmt.Sprintf("%s:%s: %s", name, n.Pos(), what))
	}
	syntax.Walk(file, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.WordIter:
			for _, w := range n.Items {
				if holds(w, isCmdSubst) {
					add(w, "a command substitution in a for loop's word list")
				}
			}
		case *syntax.Redirect:
			switch {
			case n.Op == syntax.RdrIn && holds(n.Word, isProcIn):
				add(n, "input from a process substitution")
			case n.Op == syntax.WordHdoc && holds(n.Word, isCmdSubst):
				add(n, "a here-string of a command substitution")
			}
		}
		return true
	})
	return found, nil
}

// TestShellStatusNotMasked: no rule module, shell library file or the
// runbook's driver reads a list in a maskedStatus form, line by line, and
// no runbook of the goldens does, parsed. The forms are checked against
// scripts that hold them, and scripts that do not.
func TestShellStatusNotMasked(t *testing.T) {
	for _, line := range []string{
		`for object in $(oc get dc -o name); do`,
		`for name in a $(oc get apicast -o name); do`,
		`mapfile -t stopped < <(jq -r 'keys[]' "$file")`,
		`done <<<"$(jq -r .x <<<"$json")"`,
	} {
		if maskedLines("probe", line) == nil {
			t.Errorf("the check does not find the masked status in %q", line)
		}
	}
	for _, line := range []string{
		`names=$(oc get dc -o name)`,
		`for object in $names; do`,
		`mapfile -t fields <<<"$text"`,
		`exec > >(tee -a "$LOG_FILE") 2>&1`,
		`# for x in $(oc get dc)`,
	} {
		if got := maskedLines("probe", line); got != nil {
			t.Errorf("the check takes %q for a masked status: %v", line, got)
		}
	}
	for _, src := range []string{
		"for object in \\\n  a \\\n  $(oc get dc -o name)\ndo echo \"$object\"; done",
		"for name in a \"b$(oc get apicast -o name)\"; do :; done",
		"while read -r x; do :; done \\\n  < <(jq -r 'keys[]' \"$file\")",
		"mapfile -t x <<< \"prefix $(jq -r .x <<<\"$json\")\"",
	} {
		if got, err := maskedNodes("probe", src); err != nil || len(got) != 1 {
			t.Errorf("the parsed check finds %v (%v) in %q, want one place", got, err, src)
		}
	}
	for _, src := range []string{
		"names=$(oc get dc -o name)\nfor object in $names; do :; done",
		"mapfile -t fields <<<\"$text\"",
		"exec > >(tee -a \"$LOG_FILE\") 2>&1",
		"# for x in $(oc get dc)\ncat <<EOF\n$(date)\nEOF",
	} {
		if got, err := maskedNodes("probe", src); err != nil || got != nil {
			t.Errorf("the parsed check finds %v (%v) in %q, want none", got, err, src)
		}
	}
	runbooks, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*", "runbook.sh"))
	if err != nil || len(runbooks) == 0 {
		t.Fatalf("no golden runbooks: %v", err)
	}
	for _, path := range runbooks {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		found, err := maskedNodes(path, string(src))
		if err != nil {
			t.Fatalf("parsing %s: %v", path, err)
		}
		for _, f := range found {
			t.Errorf("%s: its failure is not seen; read the list into a variable first", f)
		}
	}
	var found []string
	err = fs.WalkDir(ruleFS, "rules", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".hcl") || strings.HasSuffix(path, ".sh")) {
			return err
		}
		src, err := ruleFS.ReadFile(path)
		found = append(found, maskedLines(path, string(src))...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	driver, err := os.ReadFile(filepath.Join("..", "emit", "runbook", "driver.sh"))
	if err != nil {
		t.Fatal(err)
	}
	found = append(found, maskedLines("emit/runbook/driver.sh", string(driver))...)
	for _, f := range found {
		t.Errorf("%s: its failure is not seen; read the list into a variable first", f)
	}
}

// TestShellLibraryRedisKeysVerify: redis_keys_verify passes on an instance
// that holds at least the recorded keys, stops with the step's message on
// one that lost keys, and, when redis-cli's call fails, stops saying that
// the keys could not be read: before, the verify steps took a lost
// connection for lost keys and told the person to load the dump again.
func TestShellLibraryRedisKeysVerify(t *testing.T) {
	const lost = "backend-redis lost keys"
	// script runs the check with oc answering keys, or failing for "".
	script := func(keys string) string {
		oc := `oc() { printf '# Keyspace\r\n%s\r\n' '` + keys + `'; }`
		if keys == "" {
			oc = `oc() { echo "error: lost connection" >&2; return 1; }`
		}
		return oc + "\nprintf 'db0:keys=2\\ndb1:keys=1\\n' > recorded\nredis_keys_verify recorded pod/backend-redis-1 '" + lost + "' --namespace=3scale\necho verified\n"
	}
	for _, tc := range []struct {
		name, keys, want string
		ok               bool
	}{
		{"holds the keys", "db0:keys=3,expires=0,avg_ttl=0\r\ndb1:keys=1,expires=0,avg_ttl=0", "verified", true},
		{"lost keys", "db0:keys=1,expires=0,avg_ttl=0\r\ndb1:keys=1,expires=0,avg_ttl=0", "ampc: " + lost, false},
		{"call fails", "", "could not read the keys of the Redis in pod/backend-redis-1", false},
	} {
		out, err := libraryRun(t, script(tc.keys))
		if (err == nil) != tc.ok || !strings.Contains(out, tc.want) {
			t.Errorf("%s: %v\n%s", tc.name, err, out)
		}
		if !tc.ok && strings.Contains(out, "verified") {
			t.Errorf("%s: the step went on\n%s", tc.name, out)
		}
	}
}

// TestShellLibraryGone: gone passes when no object is there, stops naming
// those left, and stops when a read fails: before, a lost connection read
// as an object gone and the verify steps that call it (sphinx removed at
// 2.14, system-searchd's claim at 2.15) passed without checking.
func TestShellLibraryGone(t *testing.T) {
	// oc answers for dc/system-sphinx with answer; the other objects are
	// not there, as oc says it: nothing with --ignore-not-found, else
	// NotFound and exit 1.
	const notFound = `[[ " $* " == *" --ignore-not-found "* ]] && return 0; echo "Error from server (NotFound): $2 not found" >&2; return 1`
	oc := func(answer string) string {
		return `oc() {
  case "$2" in
    dc/system-sphinx) ` + answer + ` ;;
    *) ` + notFound + ` ;;
  esac
}
`
	}
	for _, tc := range []struct {
		name, answer, want string
		ok                 bool
	}{
		{"none left", notFound, "gone: dc/system-sphinx service/system-sphinx", true},
		{"one left", "echo deploymentconfig.apps.openshift.io/system-sphinx", "still there: dc/system-sphinx", false},
		{"read fails", `echo "Unable to connect to the server: i/o timeout" >&2; return 1`, "could not read dc/system-sphinx", false},
	} {
		out, err := libraryRun(t, oc(tc.answer)+"gone dc/system-sphinx service/system-sphinx\n")
		if (err == nil) != tc.ok || !strings.Contains(out, tc.want) {
			t.Errorf("%s: %v\n%s", tc.name, err, out)
		}
		if !tc.ok && strings.Contains(out, "gone:") {
			t.Errorf("%s: gone passed\n%s", tc.name, out)
		}
	}
}

// TestShellLibraryKindNames: kind_names lists the objects, nothing when
// there are none or the cluster does not know the kind, leaves out what oc
// prints on standard error when it succeeds, and stops on any other error
// (before, the migration's checks took a lost connection for a project
// without an APIManager).
func TestShellLibraryKindNames(t *testing.T) {
	for _, tc := range []struct {
		name, oc, want string
		ok             bool
	}{
		{"two", `echo apimanager.apps.3scale.net/a; echo apimanager.apps.3scale.net/b`, "apimanager.apps.3scale.net/a\napimanager.apps.3scale.net/b\nlisted\n", true},
		{"none", `return 0`, "listed\n", true},
		{"warning", `echo "Warning: apps.3scale.net/v1alpha1 APIManager is deprecated" >&2; echo apimanager.apps.3scale.net/a`, "apimanager.apps.3scale.net/a\nlisted\n", true},
		{"unknown kind", `echo 'error: the server doesn'"'"'t have a resource type "apimanagers"' >&2; return 1`, "listed\n", true},
		{"lost connection", `echo "Unable to connect to the server: i/o timeout" >&2; return 1`, "Unable to connect to the server: i/o timeout\nampc: could not read the apimanagers.apps.3scale.net objects", false},
	} {
		out, err := libraryRun(t, "oc() { "+tc.oc+"; }\nnames=$(kind_names apimanagers.apps.3scale.net)\n[ -z \"$names\" ] || printf '%s\\n' \"$names\"\necho listed\n")
		if (err == nil) != tc.ok || (tc.ok && out != tc.want) || (!tc.ok && (!strings.HasPrefix(out, tc.want) || strings.Contains(out, "listed"))) {
			t.Errorf("%s: %v\n%s", tc.name, err, out)
		}
	}
}

// TestShellLibraryHolds: holds answers whether the object satisfies the
// jq filter, with jq's options, and stops when the object cannot be read
// (before, the verify steps piped oc get into jq -e and told of a broken
// claim on a lost connection).
func TestShellLibraryHolds(t *testing.T) {
	testenv.Tool(t, "jq")
	ok := `oc() { [ "$1 $2 $3 $4" = "get dc/system-app -o json" ] || return 9; echo '{"spec": {"replicas": 2}}'; }` + "\n"
	lost := `oc() { echo "Unable to connect to the server: i/o timeout" >&2; return 1; }` + "\n"
	for _, tc := range []struct {
		name, script, want string
		ok                 bool
	}{
		{"holds", ok + `holds dc/system-app '.spec.replicas == 2' || fail "claim broken"; echo held`, "held", true},
		{"with options", ok + `holds dc/system-app --argjson n 2 '.spec.replicas == $n' || fail "claim broken"; echo held`, "held", true},
		{"claim broken", ok + `holds dc/system-app '.spec.replicas == 3' || fail "claim broken"; echo held`, "claim broken", false},
		{"read fails", lost + `holds dc/system-app '.spec.replicas == 2' || fail "claim broken"; echo held`, "could not read dc/system-app", false},
	} {
		out, err := libraryRun(t, tc.script+"\n")
		if (err == nil) != tc.ok || !strings.Contains(out, tc.want) {
			t.Errorf("%s: %v\n%s", tc.name, err, out)
		}
		if tc.name == "read fails" && strings.Contains(out, "claim broken") {
			t.Errorf("a failed read told of a broken claim:\n%s", out)
		}
	}
}
