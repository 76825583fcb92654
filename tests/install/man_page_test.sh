#!/bin/sh
# The man pages the build writes (cmake/man.cmake, help2man): each renders
# without a groff warning, with man -l too, and names every flag of its
# binary's --help (for strata-tsdb, of every subcommand's --help as well),
# so a flag added to the binary is documented by the next build.
# Usage: man_page_test.sh <build dir>
# Exits 77 (skipped) when a tool or page is missing, 1 then with CI=true.
set -eu
build=$1
tmp=$(mktemp -d /tmp/strata-man-test-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

missing() {
  if [ "${CI:-}" = true ]; then echo "FAIL: missing, and CI=true: $1"; exit 1; fi
  echo "SKIP: missing: $1"
  exit 77
}
for tool in groff man; do
  command -v "$tool" >/dev/null 2>&1 || missing "$tool"
done

# flags <binary> <command words...>: every flag of the command's --help
# and of its subcommands', one a line ("-d", "--data-dir", ...).
flags() {
  binary=$1
  shift
  "$binary" "$@" --help >"$tmp/help"
  # Option lines start with two spaces and a dash: "  -d,--data-dir TEXT".
  awk '/^  -/ { print $1 }' "$tmp/help" | sed 's/{[^}]*}$//' | tr ',' '\n'
  # shellcheck disable=SC2013  # subcommand names are words
  for sub in $(awk '/^Subcommands:$/ { l = 1; next }
    l && /^  [a-z]/ { print $1 } l && /^[^ ]/ { l = 0 }' "$tmp/help"); do
    flags "$binary" "$@" "$sub"
  done
}

for tool in strata-server strata-tsdb; do
  binary=$build/tools/$tool/$tool
  page=$build/man/$tool.1
  [ -x "$binary" ] || missing "$binary (not built)"
  [ -f "$page" ] || missing "$page (help2man missing when configured?)"
  echo "== $page"
  # No line-wrapping or hyphenation, so each flag is one word of the text.
  groff -man -ww -rLL=300n -rHY=0 -Tascii -P-cbou "$page" >"$tmp/text" \
    2>"$tmp/warnings"
  if [ -s "$tmp/warnings" ]; then
    echo "FAIL: groff warns about $page:"
    cat "$tmp/warnings"
    exit 1
  fi
  grep -q "^NAME" "$tmp/text" || { echo "FAIL: no NAME section"; exit 1; }
  MANPAGER=cat MANWIDTH=100 man -l "$page" >"$tmp/man" 2>&1
  grep -q "$tool" "$tmp/man" || { echo "FAIL: man -l $page:"; cat "$tmp/man"; exit 1; }
  flags "$binary" | sort -u >"$tmp/flags"
  count=0
  while read -r flag; do
    count=$((count + 1))
    grep -qF -e "$flag" "$tmp/text" || {
      echo "FAIL: $page does not name $flag"
      exit 1
    }
  done <"$tmp/flags"
  [ "$count" -gt 5 ] || { echo "FAIL: only $count flags in --help"; exit 1; }
  echo "$tool.1: renders, names all $count flags"
done
echo "man pages: ok"
