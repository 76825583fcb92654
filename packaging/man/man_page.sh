#!/bin/sh
# Writes the man page of a Strata tool from its own --help and --version
# with Debian's help2man, so the page lists exactly the flags the binary
# has. For a tool with subcommands (strata-tsdb), a COMMANDS section holds
# each subcommand's --help. <include> adds hand-written sections (help2man
# --include format: [SECTION] then roff).
# Usage: man_page.sh <binary> <one-line description> <version> <include> <output>
set -eu
binary=$1
description=$2
version=$3
include=$4
output=$5
tmp=$(mktemp /tmp/strata-man-XXXXXX)
trap 'rm -f "$tmp"' EXIT
cp "$include" "$tmp"

# Lines as roff text, verbatim: backslashes escaped, dashes as ASCII
# minus signs (not typographic hyphens, so flags copy and paste), no line
# read as a request (a leading . or ').
as_roff() {
  sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/"
}

# subcommands <command words...>: the names under "Subcommands:" of that
# command's --help (CLI11's layout).
subcommands() {
  "$binary" "$@" --help | awk '
    /^Subcommands:$/ { in_list = 1; next }
    in_list && /^  [a-z]/ { print $1 }
    in_list && /^[^ ]/ { in_list = 0 }'
}

# document <command words...>: the command's --help under a subsection,
# then its own subcommands' (strata-tsdb check config, ...).
document() {
  {
    printf '.SS "%s"\n.nf\n' "$*"
    "$binary" "$@" --help | as_roff
    printf '.fi\n'
  } >>"$tmp"
  for sub in $(subcommands "$@"); do
    document "$@" "$sub"
  done
}

commands=$(subcommands)
if [ -n "$commands" ]; then
  printf '[COMMANDS]\n' >>"$tmp"
  for command in $commands; do
    document "$command"
  done
fi
help2man --no-info --no-discard-stderr --version-string="$version" \
  --name="$description" --include="$tmp" --output="$output" "$binary"
