#!/usr/bin/env python3
"""The flag reference of docs/configuration.md, generated from the binaries.

Runs `strata-server --help` and `strata-tsdb [COMMAND...] --help` (CLI11's
help, made from the flag definitions in tools/) and renders every option,
positional argument and command as Markdown tables. The section between
BEGIN_MARKER and END_MARKER of the page is this output, so a flag that is
added, removed or reworded in the code changes the page:

  flags_reference.py --strata-server BIN --strata-tsdb BIN --update PAGE
  flags_reference.py --strata-server BIN --strata-tsdb BIN --check PAGE

`make docs` runs --update; tests/docs/configuration_reference_test.cc runs
--check, which exits 1 (and prints a diff) when the page is stale.
"""

import argparse
import difflib
import re
import subprocess
import sys

BEGIN_MARKER = "<!-- BEGIN GENERATED FLAG REFERENCE: `make docs` rewrites this section -->"
END_MARKER = "<!-- END GENERATED FLAG REFERENCE -->"
# CLI11 indents options by 2 and their descriptions by 30 columns.
DESCRIPTION_COLUMN = 30


def run_help(argv):
    out = subprocess.run(argv + ["--help"], check=True, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return out.stdout


def parse_help(text):
    """CLI11 help text: (description, {section: [(spec, description)]})."""
    lines = text.splitlines()
    description = lines[0].strip() if lines else ""
    sections = {}
    current = None
    for line in lines[1:]:
        header = re.match(r"^([A-Z][A-Za-z]+):$", line)
        if header:
            current = sections.setdefault(header.group(1), [])
            continue
        if current is None or not line.strip():
            continue
        if line.startswith(" " * DESCRIPTION_COLUMN) and current:
            spec, desc = current[-1]
            current[-1] = (spec, (desc + " " + line.strip()).strip())
            continue
        body = line[2:]
        parts = re.split(r"\s{2,}", body, maxsplit=1)
        current.append((parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""))
    return description, sections


def parse_option(spec):
    """'--a,--b TEXT=x' -> (['--a', '--b'], 'TEXT', 'x', negatable)."""
    names, _, rest = spec.partition(" ")
    names = re.sub(r"\{[^}]*\}$", "", names)
    aliases = [n for n in names.split(",") if n]
    negatable = any(n.startswith("--no-") for n in aliases)
    aliases = [n for n in aliases if not n.startswith("--no-")] + \
              [n for n in aliases if n.startswith("--no-")]
    value_type, default = rest.strip(), ""
    if "=" in value_type:
        value_type, default = value_type.split("=", 1)
    return aliases, value_type, default, negatable


def escape(text):
    """Markdown-safe table cell text; `code spans` kept, | escaped in them."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2 == 1:
            out.append(part.replace("|", "\\|"))
            continue
        for ch in part:
            out.append("\\" + ch if ch in "\\*_[]|" else
                       {"<": "&lt;", ">": "&gt;"}.get(ch, ch))
    return "".join(out)


def code(text):
    return "`" + text.replace("|", "\\|") + "`" if text else ""


def options_table(entries):
    rows = ["| Flag | Value | Default | Description |", "|---|---|---|---|"]
    for spec, desc in entries:
        aliases, value_type, default, negatable = parse_option(spec)
        if aliases[0] in ("-h", "--help", "--version"):
            continue
        if not value_type:
            value_type = "flag"
            default = "true" if negatable else "false"
        rows.append("| %s | %s | %s | %s |" % (
            ", ".join(code(a) for a in aliases), escape(value_type),
            code(default), escape(desc)))
    return rows


def positionals_table(entries):
    rows = ["| Argument | Value | Description |", "|---|---|---|"]
    for spec, desc in entries:
        name, _, value_type = spec.partition(" ")
        rows.append("| %s | %s | %s |" % (code(name), escape(value_type.strip()),
                                          escape(desc)))
    return rows


def command_section(binary, path, level):
    """The Markdown of `binary path...` and, recursively, its commands."""
    description, sections = parse_help(run_help([binary] + path))
    title = " ".join(["strata-tsdb"] + path)
    out = ["#" * level + " " + title, "", escape(description), ""]
    if sections.get("Positionals"):
        out += positionals_table(sections["Positionals"]) + [""]
    options = [e for e in sections.get("Options", [])
               if parse_option(e[0])[0][0] not in ("-h", "--help")]
    if options:
        out += options_table(options) + [""]
    for spec, _ in sections.get("Subcommands", []):
        out += command_section(binary, path + [spec.split()[0]],
                               min(level + 1, 6))
    return out


def generate(strata_server, strata_tsdb):
    description, sections = parse_help(run_help([strata_server]))
    out = [BEGIN_MARKER, "", "### strata-server", "", escape(description), ""]
    out += options_table(sections.get("Options", [])) + [""]
    out += command_section(strata_tsdb, [], 3)
    out.append(END_MARKER)
    return "\n".join(out) + "\n"


def splice(page, generated):
    begin, end = page.find(BEGIN_MARKER), page.find(END_MARKER)
    if begin < 0 or end < begin:
        raise SystemExit("the page lacks the markers:\n%s\n%s" %
                         (BEGIN_MARKER, END_MARKER))
    return page[:begin] + generated + page[end + len(END_MARKER) + 1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata-server", required=True)
    parser.add_argument("--strata-tsdb", required=True)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--update", metavar="PAGE")
    mode.add_argument("--check", metavar="PAGE")
    mode.add_argument("--print", action="store_true")
    args = parser.parse_args()
    generated = generate(args.strata_server, args.strata_tsdb)
    if args.print:
        sys.stdout.write(generated)
        return 0
    path = args.update or args.check
    with open(path, encoding="utf-8") as f:
        page = f.read()
    want = splice(page, generated)
    if args.update:
        if want != page:
            with open(path, "w", encoding="utf-8") as f:
                f.write(want)
        return 0
    if want == page:
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        page.splitlines(True), want.splitlines(True), path + " (committed)",
        path + " (generated)"))
    print("\n%s is stale: run `make docs` and commit it." % path)
    return 1


if __name__ == "__main__":
    sys.exit(main())
