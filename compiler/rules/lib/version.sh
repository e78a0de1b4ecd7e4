# Versions as major.minor.

# at_least VERSION MINIMUM: VERSION (major.minor, more parts ignored) is
# MINIMUM or later.
at_least() {
  local have=$1 want=$2 hm hn wm wn
  case $have in *.*) ;; *) have=$have.0 ;; esac
  case $want in *.*) ;; *) want=$want.0 ;; esac
  hm=${have%%.*}; hn=${have#*.}; hn=${hn%%.*}
  wm=${want%%.*}; wn=${want#*.}; wn=${wn%%.*}
  [[ $hm =~ ^[0-9]+$ && $hn =~ ^[0-9]+$ ]] || return 1
  (( hm > wm || (hm == wm && hn >= wn) ))
}
