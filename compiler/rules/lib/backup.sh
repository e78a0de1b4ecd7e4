# Backups that a re-run never overwrites.

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
# (UTC), so that the step that writes it writes it again, and no backup is
# ever deleted: a rollback sets aside the dump of the window it closes.
set_aside() {
  local file stamp
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  for file in "$@"; do
    if [ -e "$file" ]; then
      mv "$file" "$file.set-aside-$stamp"
      echo "$file set aside as $file.set-aside-$stamp"
    fi
  done
}
