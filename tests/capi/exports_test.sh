#!/bin/sh
# Checks a libstrata.so: its defined dynamic symbols are exactly the
# functions c.h declares (all strata_*), and its SONAME is
# libstrata.so.<major>.
# Usage: exports_test.sh <libstrata.so> <major> <c.h>
set -eu
lib=$1
major=$2
header=$3
exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort)
declared=$(sed -nE 's/^[a-z_ ]+\*? ?(strata_[a-z_]+)\(.*/\1/p' "$header" | sort)
count=$(printf '%s\n' "$declared" | wc -l)
if [ "$exported" != "$declared" ]; then
  echo "FAIL: $lib's exports differ from $header's functions (<: exported"
  echo "only, >: declared only):"
  printf '%s\n' "$exported" >"${TMPDIR:-/tmp}/exports.$$"
  printf '%s\n' "$declared" | diff "${TMPDIR:-/tmp}/exports.$$" - | grep '^[<>]' | head -20
  rm -f "${TMPDIR:-/tmp}/exports.$$"
  exit 1
fi
if [ "$count" -lt 40 ]; then
  echo "FAIL: found only $count functions in $header"
  exit 1
fi
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libstrata.so.$major" ]; then
  echo "FAIL: SONAME is '$soname', want libstrata.so.$major"
  exit 1
fi
echo "exports: $count strata_* symbols, SONAME $soname: ok"
