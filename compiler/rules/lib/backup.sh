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
