#!/bin/sh
# Installs the library component of a built tree into a temporary prefix
# and builds, runs and checks two programs against it as users would:
# README's C++ example with find_package(strata CONFIG) + strata::strata,
# and the C ABI test (tests/capi/c_api_test.c) with cc -std=c11 and
# pkg-config. Also checks the installed libstrata.so's exports, and, when
# the tree builds the tools (<tools> ON), that the tools component installs
# bin/strata-server and bin/strata-tsdb (and their man pages) and they run.
# Usage: install_test.sh <build dir> <source dir> <version> <tools>
set -eu
build=$1
src=$2
version=$3
tools=${4:-OFF}
tmp=$(mktemp -d /tmp/strata-install-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

step() { echo "== $*"; }

step "cmake --install --component library"
cmake --install "$build" --prefix "$prefix" --component library >/dev/null
pc=$(find "$prefix" -name strata.pc)
libdir=$(dirname "$(dirname "$pc")")
for f in "$prefix/include/strata/db.h" "$prefix/include/strata/c.h" \
  "$libdir/libstrata.a" "$libdir/libstrata.so" "$libdir/libstrata.so.$version" \
  "$libdir/cmake/strata/strataConfig.cmake" \
  "$libdir/cmake/strata/strataConfigVersion.cmake"; do
  [ -e "$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
"$src/tests/capi/exports_test.sh" "$libdir/libstrata.so" "${version%%.*}" \
  "$prefix/include/strata/c.h"

step "C++ consumer: find_package(strata CONFIG REQUIRED)"
cmake -S "$src/tests/install/cxx" -B "$tmp/cxx" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/cxx" >/dev/null
mkdir "$tmp/run"
out=$(cd "$tmp/run" && "$tmp/cxx/consumer")
want='up{job="node"} 1000 1
up{job="node"} 16000 1'
if [ "$out" != "$want" ]; then
  printf 'FAIL: C++ consumer printed:\n%s\nwant:\n%s\n' "$out" "$want"
  exit 1
fi
echo "$out"

step "C consumer: cc -std=c11 \$(pkg-config --cflags --libs strata)"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ "$(pkg-config --modversion strata)" = "$version" ] || {
  echo "FAIL: pkg-config --modversion strata: $(pkg-config --modversion strata)"
  exit 1
}
# Static linking's dependencies (Requires.private) resolve too.
pkg-config --static --libs strata >/dev/null
# shellcheck disable=SC2046  # pkg-config's flags are separate words
cc -std=c11 -Wall -Werror -o "$tmp/c_consumer" "$src/tests/capi/c_api_test.c" \
  $(pkg-config --cflags --libs strata) -Wl,-rpath,"$libdir"
out=$("$tmp/c_consumer")
[ "$out" = "c api: ok" ] || { echo "FAIL: C consumer printed: $out"; exit 1; }
echo "$out"
if [ "$tools" = ON ]; then
  step "cmake --install --component tools"
  if [ ! -x "$build/tools/strata-server/strata-server" ] ||
    [ ! -x "$build/tools/strata-tsdb/strata-tsdb" ]; then
    # `make test` builds everything; a partial build may lack them.
    if [ "${CI:-}" = true ]; then echo "FAIL: tools not built"; exit 1; fi
    echo "SKIP: strata-server or strata-tsdb not built"
  else
    cmake --install "$build" --prefix "$prefix" --component tools >/dev/null
    "$prefix/bin/strata-server" --version | grep "version $version"
    "$prefix/bin/strata-tsdb" --help >/dev/null
    "$prefix/bin/strata-tsdb" --version | grep "^strata-tsdb, version $version$"
    if [ -d "$build/man" ]; then  # help2man was there (cmake/man.cmake)
      for page in strata-server.1 strata-tsdb.1; do
        [ -f "$prefix/share/man/man1/$page" ] || {
          echo "FAIL: share/man/man1/$page not installed"
          exit 1
        }
      done
    fi
  fi
fi
echo "install: ok"
