#!/bin/sh
# The Debian package (cmake/package.cmake, packaging/debian/), made with
# cpack from the built tree into a temporary directory as `make deb` does:
# its control fields (Depends from dpkg-shlibdeps), conffiles and
# maintainer scripts, lintian's verdict, the files at their paths; then, extracted with
# dpkg -x into a temporary root, its binaries run --version, strata-server
# started with the ARGS of its /etc/default/strata-server (data directory
# and port swapped for temporary ones) answers /-/ready, and its systemd
# unit passes systemd-analyze verify.
# Usage: deb_package_test.sh <build dir> <version>
# Exits 77 (skipped) when a tool or a built file is missing, 1 then with
# CI=true.
set -eu
build=$1
version=$2
tmp=$(mktemp -d /tmp/strata-deb-test-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step() { echo "== $*"; }
fail() {
  echo "FAIL: $*"
  exit 1
}
missing() {
  if [ "${CI:-}" = true ]; then fail "missing, and CI=true: $1"; fi
  echo "SKIP: missing: $1"
  exit 77
}
for tool in cpack dpkg-deb dpkg-shlibdeps lintian curl python3 systemd-analyze; do
  command -v "$tool" >/dev/null 2>&1 || missing "$tool"
done
for f in tools/strata-server/strata-server tools/strata-tsdb/strata-tsdb \
  libstrata.a "lib/capi/libstrata.so.$version" man/strata-server.1 \
  man/strata-tsdb.1; do
  # `make test` builds them all; a partial build may lack some.
  [ -e "$build/$f" ] || missing "$build/$f (not built)"
done

step "cpack -G DEB"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" \
  >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  fail "cpack"
fi
deb=$tmp/out/strata_${version}-1_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb: $(ls "$tmp/out")"

step "dpkg-deb --info"
dpkg-deb --info "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = strata ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version-1" ] || fail "Version: $(field Version)"
[ "$(field Section)" = database ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
field Description | head -1 | grep -q "time-series" || fail "Description"
# dpkg-shlibdeps's list (libc6, Debian's shared libraries) and adduser.
for dep in adduser libc6 libstdc++6 libabsl libre2 libzstd1 libroaring0; do
  field Depends | grep -q "$dep" || fail "Depends lacks $dep: $(field Depends)"
done
mkdir "$tmp/control"
dpkg-deb --control "$deb" "$tmp/control"
[ "$(cat "$tmp/control/conffiles")" = /etc/default/strata-server ] ||
  fail "conffiles: $(cat "$tmp/control/conffiles")"
grep -q "^libstrata ${version%%.*} strata" "$tmp/control/shlibs" ||
  fail "shlibs: $(cat "$tmp/control/shlibs")"
grep -qx "activate-noawait ldconfig" "$tmp/control/triggers" ||
  fail "no ldconfig trigger"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "$script missing or not executable"
  sh -n "$tmp/control/$script" || fail "$script: syntax"
done
tr '\\\n' '  ' <"$tmp/control/postinst" | grep -q "adduser [^;]*--system [^;]* strata " ||
  fail "postinst does not create the user strata"

step "lintian"
# Errors and warnings fail; packaging/debian/lintian-overrides lists the
# accepted ones (one package rather than libstrata0 + libstrata-dev).
if ! lintian --fail-on error,warning "$deb" >"$tmp/lintian.log" 2>&1; then
  cat "$tmp/lintian.log"
  fail "lintian"
fi

step "dpkg-deb --contents"
dpkg-deb --contents "$deb" | awk '{ print $1, $6 }' >"$tmp/contents"
cat "$tmp/contents"
for path in ./usr/bin/strata-server ./usr/bin/strata-tsdb \
  ./usr/include/strata/db.h ./usr/include/strata/c.h \
  ./usr/lib/libstrata.a ./usr/lib/libstrata.so ./usr/lib/libstrata.so.${version%%.*} \
  ./usr/lib/libstrata.so.$version ./usr/lib/cmake/strata/strataConfig.cmake \
  ./usr/lib/cmake/strata/strataConfigVersion.cmake ./usr/lib/pkgconfig/strata.pc \
  ./usr/share/man/man1/strata-server.1.gz ./usr/share/man/man1/strata-tsdb.1.gz \
  ./lib/systemd/system/strata-server.service ./etc/default/strata-server \
  ./usr/share/doc/strata/copyright ./usr/share/doc/strata/changelog.Debian.gz; do
  grep -q " $path\$" "$tmp/contents" || fail "$path not in the package"
done
grep -q "^-rwxr-xr-x ./usr/bin/strata-server$" "$tmp/contents" ||
  fail "strata-server not 0755"

step "dpkg -x; --version"
root=$tmp/root
dpkg -x "$deb" "$root"
"$root/usr/bin/strata-server" --version | grep "^strata-server, version $version "
"$root/usr/bin/strata-tsdb" --version | grep "^strata-tsdb, version $version$"
# Stripped: no debug sections in the binaries and the archive.
if readelf -S "$root/usr/bin/strata-server" | grep -q debug_info; then
  fail "strata-server not stripped"
fi
gzip -t "$root/usr/share/man/man1/strata-server.1.gz"

step "strata-server with /etc/default/strata-server's ARGS"
# shellcheck disable=SC1091  # the extracted file
ARGS=$(. "$root/etc/default/strata-server" && echo "$ARGS")
echo "ARGS=$ARGS"
case $ARGS in
  *--storage.tsdb.path=/var/lib/strata*) ;;
  *) fail "ARGS without --storage.tsdb.path=/var/lib/strata" ;;
esac
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$tmp/data"
args=$(echo "$ARGS" | sed -e "s#/var/lib/strata#$tmp/data#" \
  -e "s#127.0.0.1:9201#127.0.0.1:$port#")
# shellcheck disable=SC2086  # ARGS is split into words, as systemd does
"$root/usr/bin/strata-server" $args >"$tmp/server.log" 2>&1 &
server_pid=$!
ready=no
for _ in $(seq 150); do
  if curl -fsS "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; then
    ready=yes
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if [ $ready != yes ]; then
  cat "$tmp/server.log"
  fail "strata-server not ready on 127.0.0.1:$port"
fi
curl -fsS "http://127.0.0.1:$port/api/v1/status/buildinfo" | grep -q "\"strataVersion\":\"$version\"" ||
  fail "buildinfo"
kill -TERM "$server_pid"
wait "$server_pid" || fail "strata-server exited $? on SIGTERM: $(cat "$tmp/server.log")"
server_pid=
[ -d "$tmp/data/wal" ] || fail "no WAL in the data directory"

step "systemd-analyze verify strata-server.service"
# verify needs the unit's ExecStart binary on this machine: a copy of the
# packaged unit whose only change is that path, pointing into the
# extracted root. --man=no: the man page is not installed here. verify
# warns (and still exits 0) about unknown keys and bad values: any output
# fails the test.
mkdir "$tmp/unit"
sed "s#^ExecStart=/usr/bin/strata-server #ExecStart=$root/usr/bin/strata-server #" \
  "$root/lib/systemd/system/strata-server.service" >"$tmp/unit/strata-server.service"
grep -q "^ExecStart=$root/" "$tmp/unit/strata-server.service" || fail "ExecStart"
if ! systemd-analyze verify --man=no "$tmp/unit/strata-server.service" \
  >"$tmp/verify.log" 2>&1 || [ -s "$tmp/verify.log" ]; then
  cat "$tmp/verify.log"
  fail "systemd-analyze verify"
fi
for key in Type=simple Restart=on-failure User=strata StateDirectory=strata \
  ReadWritePaths=/var/lib/strata LimitNOFILE= NoNewPrivileges=true \
  ProtectSystem=strict ProtectHome=true PrivateTmp=true \
  EnvironmentFile=-/etc/default/strata-server; do
  grep -q "^$key" "$tmp/unit/strata-server.service" || fail "unit lacks $key"
done
# The unit's hardening as systemd scores it (0 = most, 10 = least
# exposed); 3.0 when written: a hardening option dropped shows here.
exposure=$(systemd-analyze security --offline=true --no-pager \
  "$tmp/unit/strata-server.service" 2>&1 |
  sed -n 's/.*Overall exposure level for strata-server.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security: exposure $exposure"
[ -n "$exposure" ] || fail "systemd-analyze security printed no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 3.5) }' ||
  fail "exposure $exposure above 3.5: hardening lost?"
echo "deb package: ok ($(du -k "$deb" | cut -f1) KiB)"
