# Whether 3scale still uses a database, read on the live cluster: a
# cleanup's precondition, so that it never deletes what 3scale connects to
# (after a rollback pointed 3scale back at it, say).

# url_hosts SECRET KEY...: print the host of the URL in each KEY of
# SECRET, one line a key (empty for a key without a URL).
url_hosts() {
  local secret=$1
  shift
  oc get "secret/$secret" -o json \
    | jq -r '. as $s | $ARGS.positional[] | ($s.data[.] // "" | @base64d | (capture("^[A-Za-z][A-Za-z0-9+.-]*://([^@/]*@)?(?<host>[^:/?]*)") | .host) // "")' --args "$@"
}

# not_in_use NAME SECRET KEY...: stop unless none of the URLs in the KEYs
# of SECRET names the host NAME (NAME itself, or NAME.DOMAIN).
not_in_use() {
  local name=$1 secret=$2 hosts host
  shift 2
  hosts=$(url_hosts "$secret" "$@") || fail "cannot read secret/$secret"
  while IFS= read -r host; do
    case $host in
      "$name" | "$name".*) fail "secret/$secret still points 3scale at $host: $name is in use, and this step deletes it; nothing was deleted (did a rollback point 3scale back at it?)" ;;
    esac
  done <<<"$hosts"
}

# moved_off NAME SECRET KEY...: whether 3scale was pointed away from the
# host NAME: SECRET was read, each KEY holds a URL and none names NAME.
# False on any failure, so that a step it marks done is never skipped on
# an error.
moved_off() {
  local name=$1 secret=$2 hosts host
  shift 2
  hosts=$(url_hosts "$secret" "$@") || return 1
  while IFS= read -r host; do
    case $host in
      "" | "$name" | "$name".*) return 1 ;;
    esac
  done <<<"$hosts"
}

# external_in APIMANAGER COMPONENT...: stop unless the APIManager marks
# each COMPONENT (system.database, backend.redis, system.redis) external
# in spec.externalComponents, so that the operator no longer runs it.
external_in() {
  local apimanager=$1 internal
  shift
  internal=$(oc get "apimanager/$apimanager" -o json \
    | jq -r '[$ARGS.positional[] as $p | select((getpath(["spec", "externalComponents"] + ($p | split("."))) // false) != true) | $p] | join(", ")' --args "$@")
  [ -z "$internal" ] || fail "apimanager/$apimanager does not mark $internal external: the operator still runs it; nothing was deleted"
}
