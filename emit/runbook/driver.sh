# The runbook driver of ampc: the options, the preflight checks, the state
# file, the failure messages and main. emit/runbook.go writes it into every
# runbook.sh from the line below the marker on. The lines above the marker
# are for the tests, which check this file as it is with shellcheck -s bash.
# The driver holds no fact of any product: what the preflight reads to find
# the installed version comes from the hops' rule data (installed_version),
# and the commands of the steps from the rule modules.
#
# The runbook declares these before the driver (emit/runbook.go), with the
# plan's values; here they are empty.
NAMESPACE='' FROM='' TO=''  # the plan's namespace and versions
KNOWN_VERSIONS=()           # every version along the plan's path, oldest first
VERSION_SOURCE=''           # where installed_version reads the version, for messages
MIGRATION=0                 # 1 when the bundle moves the site to another cluster
BUNDLE_DIR='' STATE_FILE='' LOG_FILE=''
STEPS=() TITLES=()          # the step ids and their one-line descriptions
ROLLBACKS=() ROLLBACK_TITLES=()
ROLLBACK_OFFERS=()          # "FROM UNTIL": the failed steps that offer each rollback (- for open)
DRIFT=()                    # "KIND/NAME NAMESPACE FIELD VALUE" of each object the bundle changes
APPLIED_JQ=''               # the jq program of applied.jq, beside this file
# After the driver come installed_version (the rule data's), the rule
# modules' shell library, a function for each step and rollback section
# (section_function), and the call of main "$@".
installed_version() { :; }

# ampc: the runbook text starts below this line.
DRY_RUN=0
LIST=0
FROM_STEP=
ONLY_STEP=
ROLLBACK=
ACKED=()
CURRENT_STEP=
STOPPED=0                   # 1 once the runbook has said why it stops
SECTION_FN=
BUNDLE_KEY=${AMPC_BUNDLE_KEY:-}
APPLIED_LIVE=               # the object applied read last, as JSON

usage() {
  cat <<USAGE
Usage: $0 [--list] [--dry-run] [--from STEP] [--only STEP] [--ack STEP]...
       $0 [--dry-run] --rollback ID

Upgrades 3scale in project $NAMESPACE from $FROM to $TO, one step at a time.
Finished steps are recorded in $STATE_FILE; a re-run continues with the
first step not recorded there. Output is logged to $LOG_FILE. The commands
of a step see its id in AMPC_STEP (for oc wrappers and audit logs).

  --list        list the steps and whether each is done, then exit
  --dry-run     print what each step would run, change nothing
  --from STEP   start at STEP (its number or id), running it and all after it
  --only STEP   run STEP alone, even if it is recorded as done
  --ack STEP    confirm that the manual step STEP has been done
  --rollback ID run the rollback section ID (see --list) and nothing else
  --key FILE    require the bundle to be signed by a key of FILE (OpenSSH
                public keys, as id_ed25519.pub), also AMPC_BUNDLE_KEY
  -h, --help    show this help

Before it changes anything, the runbook checks the bundle's files against
SHA256SUMS, and its signature SHA256SUMS.sig when the bundle is signed
(ssh-keygen -Y sign -n ampc-bundle -f KEY SHA256SUMS) or --key is given.
USAGE
}

fail() {
  printf 'ampc: %s\n' "$*" >&2
  # In the runbook's own shell (not in a $(...)), a failed step says which
  # rollbacks apply, as on_error does.
  if [ "${BASHPID:-$$}" = "$$" ]; then
    STOPPED=1
    [ -z "$CURRENT_STEP" ] || offer_rollbacks
  fi
  exit 1
}

# Every oc call of the steps runs in the plan's namespace.
oc() {
  command oc --namespace="$NAMESPACE" "$@"
}

step_index() {
  local i
  for i in "${!STEPS[@]}"; do
    if [ "${STEPS[$i]}" = "$1" ] || [ "$((i + 1))" = "$1" ]; then
      echo "$i"
      return 0
    fi
  done
  fail "no step $1; see $0 --list"
}

# forget_from STEP: for a rollback after which a plain re-run must redo a
# move: the state file keeps only the steps that come before STEP in the
# runbook, so that STEP and every step after it run again.
forget_from() {
  local idx i line
  idx=$(step_index "$1")
  [ -f "$STATE_FILE" ] || return 0
  : >"$STATE_FILE.tmp"
  while IFS= read -r line || [ -n "$line" ]; do
    for ((i = 0; i < idx; i++)); do
      if [ "${STEPS[$i]}" = "$line" ]; then
        printf '%s\n' "$line" >>"$STATE_FILE.tmp"
        break
      fi
    done
  done <"$STATE_FILE"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
  echo "the state file no longer records $1 and the steps after it: a re-run does them again"
}

# applied OBJECT CHECKFILE [OC-FLAGS] holds when the live object already shows what the
# patch leaves behind (checks/*.json), so that a patch is never applied twice.
# A missing object is not applied (the patch then says it is missing); any
# other failed read (a lost connection, an expired login) stops the run: a
# patch must not be written on a guess of what the object holds.
# It leaves the object as read in APPLIED_LIVE (empty when missing), for
# patch_removing.
applied() {
  local object=$1 checks=$2
  shift 2
  APPLIED_LIVE=$(oc get "$object" "$@" --ignore-not-found -o json) || fail "could not read $object: see the error above; re-run when the cluster answers"
  [ -n "$APPLIED_LIVE" ] || return 1
  jq -e --slurpfile c "$BUNDLE_DIR/$checks" "$APPLIED_JQ" <<<"$APPLIED_LIVE" >/dev/null
}

# patch_removing OBJECT PATCHFILE [OC-FLAGS] applies a JSON patch that
# removes fields, after applied found it not applied, without the remove
# operations whose path the object (APPLIED_LIVE) no longer has: a remove
# of a missing path fails the whole patch on the server ("The request is
# invalid"), and a field already gone is what the operation wants. A site
# holds such a half-done change when someone began it by hand: the 2.16
# guide removes system-mysql's ownerReferences and its labels with
# separate commands. Every other operation, its tests included, goes to the
# server as the bundle has it.
patch_removing() {
  local object=$1 file=$2 ops
  shift 2
  if [ -z "$APPLIED_LIVE" ]; then
    oc patch "$object" "$@" --type=json -p "$(cat "$BUNDLE_DIR/$file")"
    return
  fi
  # The object goes in on stdin: an argument holds at most 128 KiB.
  ops=$(jq -c --slurpfile p "$BUNDLE_DIR/$file" '
    def holds($t):
      if ($t | length) == 0 then true
      elif type == "object" then has($t[0]) and (.[$t[0]] | holds($t[1:]))
      elif type == "array" then ($t[0] | test("^(0|[1-9][0-9]*)$")) and ($t[0] | tonumber) < length and (.[$t[0] | tonumber] | holds($t[1:]))
      else false end;
    . as $o
    | [$p[0][] | select(.op != "remove" or ((.path | ltrimstr("/") | split("/") | map(gsub("~1"; "/") | gsub("~0"; "~"))) as $t | $o | holds($t)))]
  ' <<<"$APPLIED_LIVE")
  if [ "$ops" = "[]" ]; then
    echo "$object: every field the patch removes is gone already"
    return 0
  fi
  oc patch "$object" "$@" --type=json -p "$ops"
}

# is_done STEP: whether the state file records STEP, a whole line of it. It
# reads the file in bash: a grep per step would start a process for every
# step of every run.
is_done() {
  local line
  [ -f "$STATE_FILE" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    [ "$line" = "$1" ] && return 0
  done <"$STATE_FILE"
  return 1
}

is_acked() {
  local a
  for a in "${ACKED[@]}"; do
    [ "$a" = "$1" ] && return 0
  done
  return 1
}

# manual_step ID prints the instructions on its input, indented, with
# $BACKUP_DIR (as the rule modules write it) replaced by the directory this
# run keeps its backups in, and stops unless the step is confirmed.
manual_step() {
  local id=$1 line name="\$BACKUP_DIR" braced="\${BACKUP_DIR}"
  echo "MANUAL STEP $id:"
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//"$braced"/$BACKUP_DIR}
    printf '  %s\n' "${line//"$name"/$BACKUP_DIR}"
  done
  if is_acked "$id"; then
    echo "confirmed with --ack $id"
    return 0
  fi
  if [ -t 0 ]; then
    local answer
    read -r -p "Type 'done' when it is done, anything else to stop: " answer
    [ "$answer" = "done" ] && return 0
  fi
  echo "Stopped at manual step $id. When it is done, continue with:"
  echo "  $0 --ack $id"
  STOPPED=1
  exit 3
}

# run_section FUNCTION: run a step or rollback section. The variables a
# section assigns without declaring them local are these, not main's: a
# step's for ((i = 0; ...)) must not move main's step index, or main would
# record another step as done and run this one again on every run.
# section_function PREFIX ID sets SECTION_FN to the function of a step
# (PREFIX step) or rollback section (rollback) of the runbook: PREFIX_ID,
# with / as __ and every other character but letters, digits and _ as _
# (ir.SectionFunc writes the functions so).
section_function() {
  local id=${2//\//__}
  SECTION_FN=${1}_${id//[^A-Za-z0-9_]/_}
}

run_section() {
  local i idx first only n
  "$1"
}

# print_section FUNCTION prints the body of a step or rollback section, for
# --dry-run: the function as bash holds it, without its first two lines
# (name, opening brace) and its last (closing brace). In bash rather than
# with sed: a dry run of a long plan prints hundreds of sections.
print_section() {
  local body
  body=$(declare -f "$1")
  body=${body#*$'\n'}
  body=${body#*$'\n'}
  printf '%s\n' "${body%$'\n'*}"
}

# offer_rollbacks prints the rollbacks of the failed step's hop that apply
# where it failed: from the first step each undoes, until the step after
# which it no longer can (its own checks refuse then). Nothing for a
# failure outside the steps (the preflight, a rollback).
offer_rollbacks() {
  local i at from until
  at=$(step_index "$CURRENT_STEP" 2>/dev/null) || return 0
  for i in "${!ROLLBACKS[@]}"; do
    case ${ROLLBACKS[i]} in
      "${CURRENT_STEP%%/*}"/*) ;;
      *) continue ;;
    esac
    read -r from until <<<"${ROLLBACK_OFFERS[i]:-- -}"
    if [ "$from" != - ] && [ "$at" -lt "$(step_index "$from")" ]; then
      continue
    fi
    if [ "$until" != - ] && [ "$at" -ge "$(step_index "$until")" ]; then
      continue
    fi
    printf 'ampc: to undo instead, see the rollback section: %s --rollback %s\n' "$0" "${ROLLBACKS[i]}" >&2
  done
}

# on_exit reports a step that stopped on a failed command (set -e): its id,
# the exit status and the command that failed (for a failure inside a
# $(...), the command that used its output), and when that command ran in
# a function of the library, which one the step called and on which line of
# the runbook. Exits the runbook explained itself (fail, a manual step) are
# not reported again. An EXIT trap rather than an ERR trap with set -E:
# bash starts a second process for every $(...) that inherits an ERR trap,
# and the steps' polls run thousands of them.
on_exit() {
  local code=$? i where=
  if [ "$code" != 0 ] && [ "$STOPPED" = 0 ] && [ -n "$CURRENT_STEP" ]; then
    for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
      [ "${FUNCNAME[i]}" = "$SECTION_FN" ] || continue
      [ "$i" -gt 1 ] && where=" (in ${FUNCNAME[i - 1]}, which the step calls on line ${BASH_LINENO[i - 1]} of $0)"
      break
    done
    printf 'ampc: step %s failed (exit %s) at: %s%s\n' "$CURRENT_STEP" "$code" "$BASH_COMMAND" "$where" >&2
    printf 'ampc: fix the cause, then re-run %s to continue at this step (log: %s)\n' "$0" "$LOG_FILE" >&2
    offer_rollbacks
  fi
  exit "$code"
}

# on_signal SIG CODE: the run was stopped from outside: a person's Ctrl-C
# (INT), the terminal or the SSH session to the bastion closing (HUP), a
# kill (TERM). The command in progress has been stopped; the step is not
# recorded as done, and the person is told, on the terminal and in the log,
# where to continue. The log's tee ignores these signals (main), so that
# it writes this out.
on_signal() {
  STOPPED=1
  if [ -n "$CURRENT_STEP" ]; then
    printf 'ampc: step %s interrupted by SIG%s; it is not recorded as done\n' "$CURRENT_STEP" "$1" >&2
    printf 'ampc: re-run %s to continue at this step (log: %s)\n' "$0" "$LOG_FILE" >&2
    offer_rollbacks
  else
    printf 'ampc: interrupted by SIG%s\n' "$1" >&2
  fi
  exit "$2"
}

# stop_on_signals sets on_signal for the signals that stop a run.
stop_on_signals() {
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
  trap 'on_signal HUP 129' HUP
}

# check_tools stops at the first program the runbook needs that is not on
# PATH, before it writes or calls anything.
check_tools() {
  local tool
  # type -P looks for a program on PATH only: command -v would find the
  # runbook's own oc function and take a missing oc for one that is there.
  for tool in oc jq base64 sha256sum; do
    type -P "$tool" >/dev/null 2>&1 || fail "$tool is not installed (not on PATH); the runbook needs oc, jq, base64 and sha256sum"
  done
}

# check_bundle stops, before anything is written or called, unless every
# file SHA256SUMS lists is as it was compiled and, when the bundle is signed
# (SHA256SUMS.sig) or a key is given (--key, AMPC_BUNDLE_KEY), unless
# SHA256SUMS carries a valid signature of that key (namespace ampc-bundle):
# a bundle changed or cut short on its way to the site is not run. The
# runbook cannot vouch for itself: check a bundle with ampc verify --key,
# or with ssh-keygen -Y verify and sha256sum -c, before you run it.
check_bundle() {
  local sums="$BUNDLE_DIR/SHA256SUMS" sig="$BUNDLE_DIR/SHA256SUMS.sig" out
  [ -s "$sums" ] || fail "$sums is missing: the bundle was not copied whole; copy it again or compile it again"
  if [ -n "$BUNDLE_KEY" ] || [ -e "$sig" ]; then
    [ -n "$BUNDLE_KEY" ] || fail "this bundle is signed ($sig): give the signer's public key, as you received it apart from the bundle, with --key FILE (or AMPC_BUNDLE_KEY)"
    [ -s "$sig" ] || fail "the bundle is not signed ($sig is missing) and --key asks for a signature: do not run it; get the bundle as it was signed"
    [ -s "$BUNDLE_KEY" ] || fail "no public key in $BUNDLE_KEY (--key)"
    type -P ssh-keygen >/dev/null 2>&1 || fail "ssh-keygen is not installed (not on PATH); checking the bundle's signature needs OpenSSH 8.1 or later"
    out=$(ssh-keygen -Y verify -f <(awk 'NF && $1 !~ /^#/ { print "ampc-bundle-signer " $0 }' "$BUNDLE_KEY") \
      -I ampc-bundle-signer -n ampc-bundle -s "$sig" < "$sums" 2>&1) \
      || fail "the bundle's signature $sig does not verify with the keys of $BUNDLE_KEY ($(tail -n 1 <<<"$out")): do not run it; get the bundle again from who signed it"
    echo "ampc: $(head -n 1 <<<"$out")"
  fi
  out=$(cd "$BUNDLE_DIR" && sha256sum --quiet -c SHA256SUMS 2>/dev/null) \
    || fail "the bundle in $BUNDLE_DIR is not as it was compiled (sha256sum -c SHA256SUMS: $(grep -o '^.*: FAILED.*' <<<"$out" | paste -sd ';' -)): do not run it; copy it again or compile it again"
}

preflight() {
  local project release known
  command oc whoami >/dev/null 2>&1 || fail "not logged in to OpenShift: run oc login first"
  project=$(command oc project -q 2>/dev/null) || fail "no current project: run oc project $NAMESPACE"
  [ "$project" = "$NAMESPACE" ] || fail "the current project is $project, not $NAMESPACE: run oc project $NAMESPACE"
  # installed_version, from the hop's rule data, prints the version the site
  # runs as major.minor, or nothing.
  release=$(installed_version) || release=
  if [ "$release" = "$FROM" ]; then
    return 0
  fi
  if [ -s "$STATE_FILE" ]; then
    for known in "${KNOWN_VERSIONS[@]}"; do
      if [ "$release" = "$known" ]; then
        return 0
      fi
    done
    # A migration continues on the new cluster, whose project holds no 3scale
    # until the migration deploys it.
    if [ "$MIGRATION" = 1 ] && [ -z "$release" ]; then
      echo "ampc: no 3scale in project $NAMESPACE yet: taken as the migration's new project"
      return 0
    fi
  fi
  fail "$VERSION_SOURCE is '$release', not $FROM: this bundle upgrades a $FROM site"
}

# abs_path VAR PATH CWD sets VAR to PATH made absolute (from the directory
# CWD) with its . and .. parts resolved, without needing it to exist. It
# assigns rather than prints: check_paths calls it for each path of every
# run, and a $(...) would start a process each time.
abs_path() {
  # Names of its own: VAR is the caller's, which a local of the same name
  # would hide from printf -v.
  local abs_path_in=$2 abs_path_part abs_path_parts abs_path_out=()
  [[ $abs_path_in = /* ]] || abs_path_in=$3/$abs_path_in
  IFS=/ read -ra abs_path_parts <<<"$abs_path_in"
  for abs_path_part in "${abs_path_parts[@]}"; do
    case $abs_path_part in
      ''|.) ;;
      ..) [ ${#abs_path_out[@]} -gt 0 ] && unset 'abs_path_out[${#abs_path_out[@]}-1]' ;;
      *) abs_path_out+=("$abs_path_part") ;;
    esac
  done
  local IFS=/
  printf -v "$1" '/%s' "${abs_path_out[*]}"
}

# check_paths refuses to write the backups, the state file or the log inside
# the bundle's directory, where the next compile of the plan would find them
# (ampc compile then refuses to replace the bundle) or a copied bundle would
# overwrite them. They go where the runbook runs, unless AMPC_* says.
check_paths() {
  local bundle entry path cwd
  bundle=$(cd "$BUNDLE_DIR" && pwd -P)
  cwd=$(pwd -P)
  for entry in "backups:$BACKUP_DIR" "state file:$STATE_FILE" "log:$LOG_FILE"; do
    abs_path path "${entry#*:}" "$cwd"
    case $path/ in
      "$bundle"/*) fail "the ${entry%%:*} would be written inside the bundle ($path): run the runbook from another directory (for example: cd $(dirname "$BUNDLE_DIR") && bash $(basename "$BUNDLE_DIR")/runbook.sh), or set AMPC_BACKUP_DIR, AMPC_STATE_FILE and AMPC_LOG_FILE" ;;
    esac
  done
}

# check_drift compares the objects the bundle changes with the snapshot it
# was compiled against, before the first step.
check_drift() {
  local entry object ns field want got changed=0
  for entry in "${DRIFT[@]}"; do
    read -r object ns field want <<<"$entry"
    got=$(oc get "$object" --namespace="$ns" -o jsonpath="{.metadata.$field}" 2>/dev/null) || got="(missing)"
    if [ "$got" != "$want" ]; then
      printf 'ampc: %s in %s changed since the snapshot (%s %s, now %s)\n' "$object" "$ns" "$field" "$want" "$got" >&2
      changed=1
    fi
  done
  if [ "$changed" = 1 ]; then
    [ "${AMPC_IGNORE_DRIFT:-}" = 1 ] && { echo "ampc: AMPC_IGNORE_DRIFT=1: going on with a changed site" >&2; return 0; }
    fail "the site changed since the snapshot this bundle was compiled against: take a new snapshot and recompile (or set AMPC_IGNORE_DRIFT=1 after reviewing the changes)"
  fi
}

main() {
  local idx
  while [ $# -gt 0 ]; do
    case $1 in
      --list) LIST=1 ;;
      --dry-run) DRY_RUN=1 ;;
      --from) [ $# -ge 2 ] || fail "--from needs a step"; FROM_STEP=$2; shift ;;
      --only) [ $# -ge 2 ] || fail "--only needs a step"; ONLY_STEP=$2; shift ;;
      --ack) [ $# -ge 2 ] || fail "--ack needs a step"; idx=$(step_index "$2"); ACKED+=("${STEPS[$idx]}"); shift ;;
      --rollback) [ $# -ge 2 ] || fail "--rollback needs a section id"; ROLLBACK=$2; shift ;;
      --key) [ $# -ge 2 ] || fail "--key needs a file"; BUNDLE_KEY=$2; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
  local i first=0 only=-1 n=${#STEPS[@]} width=0 state
  if [ "$LIST" = 1 ]; then
    # The titles start in one column: ids are padded to the longest.
    for i in "${STEPS[@]}" "${ROLLBACKS[@]}"; do
      [ "${#i}" -le "$width" ] || width=${#i}
    done
    for i in "${!STEPS[@]}"; do
      state=todo
      is_done "${STEPS[$i]}" && state='done'
      printf '%3d  %s  %-*s  %s\n' "$((i + 1))" "$state" "$width" "${STEPS[$i]}" "${TITLES[$i]}"
    done
    if [ ${#ROLLBACKS[@]} -gt 0 ]; then
      echo "Rollback sections (run only with --rollback ID):"
      for i in "${!ROLLBACKS[@]}"; do
        printf '           %-*s  %s\n' "$width" "${ROLLBACKS[$i]}" "${ROLLBACK_TITLES[$i]}"
      done
    fi
    exit 0
  fi
  if [ -n "$ROLLBACK" ]; then
    for i in "${!ROLLBACKS[@]}"; do
      [ "${ROLLBACKS[$i]}" = "$ROLLBACK" ] || continue
      printf '==> rollback %s: %s\n' "$ROLLBACK" "${ROLLBACK_TITLES[$i]}"
      if [ "$DRY_RUN" = 1 ]; then
        section_function rollback "${ROLLBACKS[$i]}"
        print_section "$SECTION_FN"
        exit 0
      fi
      check_tools
      check_bundle
      check_paths
      exec > >(trap '' INT TERM HUP; exec tee -a "$LOG_FILE") 2>&1
      trap on_exit EXIT
      stop_on_signals
      CURRENT_STEP="rollback $ROLLBACK"
      export AMPC_STEP=$CURRENT_STEP
      section_function rollback "${ROLLBACKS[$i]}"
      run_section "$SECTION_FN"
      echo "ampc: rollback $ROLLBACK done"
      exit 0
    done
    fail "no rollback section $ROLLBACK; see $0 --list"
  fi
  [ -n "$FROM_STEP" ] && first=$(step_index "$FROM_STEP")
  [ -n "$ONLY_STEP" ] && only=$(step_index "$ONLY_STEP")
  if [ "$DRY_RUN" = 1 ]; then
    for i in "${!STEPS[@]}"; do
      [ "$only" -ge 0 ] && [ "$i" != "$only" ] && continue
      [ "$i" -lt "$first" ] && continue
      printf '==> [%d/%d] %s %s\n' "$((i + 1))" "$n" "${STEPS[$i]}" "${TITLES[$i]}"
      section_function step "${STEPS[$i]}"
      print_section "$SECTION_FN"
    done
    exit 0
  fi
  check_tools
  check_bundle
  check_paths
  # The log's tee ignores the signals that stop a run, so that the
  # runbook's last words (on_signal) reach the log and the terminal.
  exec > >(trap '' INT TERM HUP; exec tee -a "$LOG_FILE") 2>&1
  trap on_exit EXIT
  stop_on_signals
  preflight
  [ -s "$STATE_FILE" ] || check_drift
  for i in "${!STEPS[@]}"; do
    [ "$only" -ge 0 ] && [ "$i" != "$only" ] && continue
    [ "$i" -lt "$first" ] && continue
    if [ "$only" -lt 0 ] && [ -z "$FROM_STEP" ] && is_done "${STEPS[$i]}"; then
      printf '==> [%d/%d] %s: done before, skipped\n' "$((i + 1))" "$n" "${STEPS[$i]}"
      continue
    fi
    printf '==> [%d/%d] %s %s\n' "$((i + 1))" "$n" "${STEPS[$i]}" "${TITLES[$i]}"
    CURRENT_STEP=${STEPS[$i]}
    export AMPC_STEP=$CURRENT_STEP
    section_function step "${STEPS[$i]}"
    run_section "$SECTION_FN"
    is_done "${STEPS[$i]}" || echo "${STEPS[$i]}" >> "$STATE_FILE"
  done
  CURRENT_STEP=
  if [ "$only" -ge 0 ]; then
    echo "ampc: step ${STEPS[$only]} done (--only); run $0 without --only to go on with the steps not done"
  else
    echo "ampc: all steps done; 3scale in $NAMESPACE is upgraded to $TO"
  fi
}
