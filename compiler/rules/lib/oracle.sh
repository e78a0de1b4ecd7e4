# The build context of the system image with Oracle Database support, which
# a person prepares (amp/system-oracle of 3scale-amp-openshift-templates and
# the Oracle Instant Client packages) and names in AMPC_ORACLE_BUILD_DIR.

# oracle_build_check RELEASE: stop unless AMPC_ORACLE_BUILD_DIR is a build
# context for 3scale RELEASE (2.5.0, 2.6, ...): a Dockerfile, the three
# Instant Client 12.2 packages, and no non-CDB workaround of another release
# (the templates ship one for 2.4 and one for 2.5; from 2.6 on none is
# needed).
oracle_build_check() {
  local release=$1 dir=${AMPC_ORACLE_BUILD_DIR:-} package workaround
  [ -n "$dir" ] || fail "AMPC_ORACLE_BUILD_DIR is not set: prepare the build directory as the oracle-build-context step says, then run AMPC_ORACLE_BUILD_DIR=DIR $0"
  [ -f "$dir/Dockerfile" ] || fail "$dir has no Dockerfile: it is not the amp/system-oracle directory of 3scale-amp-openshift-templates"
  for package in 'instantclient-basic*-linux.x64-12.2*.zip' 'instantclient-sdk-linux.x64-12.2*.zip' 'instantclient-odbc-linux.x64-12.2*.zip'; do
    compgen -G "$dir/oracle-client-files/$package" >/dev/null \
      || fail "$dir/oracle-client-files has no $package: download it from Oracle (see the oracle-build-context step)"
  done
  workaround=$(grep -o 'workaround-non-cdb-[0-9.]*-upgrade' "$dir/Dockerfile" | sort -u | tr '\n' ' ') || workaround=
  workaround=${workaround% }
  case $workaround in
    "" | "workaround-non-cdb-${release%.0}-upgrade") ;;
    *) fail "the Dockerfile in $dir applies $workaround, which is not for 3scale $release: start again from a fresh copy of amp/system-oracle at the release's tag" ;;
  esac
  echo "build context $dir checked for 3scale $release"
}
