# Backups that a re-run never overwrites.

# path_parts FILE: set dir and base, which the caller declares local, to
# what dirname FILE and basename FILE print (for a FILE without a trailing
# /), without starting them: the library runs this for every backup file.
path_parts() {
  case $1 in
    */*)
      dir=${1%/*} base=${1##*/}
      dir=${dir:-/}
      ;;
    *) dir=. base=$1 ;;
  esac
}

# mkdir_for FILE: make the directory FILE goes in (mkdir -p "$(dirname
# FILE)", one process fewer).
mkdir_for() {
  local dir base
  path_parts "$1"
  mkdir -p "$dir"
}

# save_once FILE OC-ARGS...: write what oc OC-ARGS prints into FILE, unless
# FILE holds it from an earlier run: a re-run, after the upgrade has
# started, never overwrites the state from before it.
save_once() {
  local file=$1
  shift
  if [ -s "$file" ]; then
    echo "kept $file from an earlier run"
    return 0
  fi
  oc "$@" > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "saved $file"
}

# set_aside FILE...: rename each FILE that exists to FILE.set-aside-TIME
# (UTC), and its checksum (see seal) to FILE.sha256.set-aside-TIME, so that
# the step that writes it writes it again, and no backup is ever deleted: a
# rollback sets aside the dump of the window it closes. (Renamed back, the
# two check again.)
set_aside() {
  local file stamp
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  for file in "$@"; do
    if [ -e "$file" ]; then
      mv "$file" "$file.set-aside-$stamp"
      echo "$file set aside as $file.set-aside-$stamp"
    fi
    if [ -e "$file.sha256" ]; then
      mv "$file.sha256" "$file.sha256.set-aside-$stamp"
    fi
  done
}

# seal FILE...: record the SHA-256 of each FILE in FILE.sha256 (sha256sum's
# format, by base name), once the step that wrote it has checked it, so
# that the step that reads it back checks that it reads what was written
# (check_seal): a dump cut short or changed in between is refused, not
# restored.
seal() {
  local file dir base
  for file in "$@"; do
    path_parts "$file"
    (cd "$dir" && sha256sum -- "$base") > "$file.sha256.tmp"
    mv "$file.sha256.tmp" "$file.sha256"
  done
}

# check_seal FILE...: stop the step unless each FILE is what seal recorded
# in FILE.sha256.
check_seal() {
  local file dir base
  for file in "$@"; do
    [ -s "$file.sha256" ] || fail "$file has no checksum ($file.sha256), which the step that writes it records: take it again with that step, or, if you know it is intact, record it with: cd $(dirname "$file") && sha256sum $(basename "$file") > $(basename "$file").sha256"
    path_parts "$file"
    (cd "$dir" && sha256sum --quiet -c "$base.sha256") \
      || fail "$file is not what its step wrote (its SHA-256 is not the one in $file.sha256): it was changed or cut short since; take it again with the step that writes it rather than restore it"
  done
}
