"""`observatory check PATH...`: the pre-flight of a survey export, before it is dropped
in data/raw/surveys/<wave>/<COUNTRY>/.

Each file (a folder: each export in it) is read and harmonised exactly as the pipeline
does (no database): one line per problem as `file:row:column: problem`, then a summary
per file. The wave and country come from --wave/--country, else from a <wave>/<COUNTRY>/
folder, else from the file's headers (what was inferred is said). Exit code: 0 when
every file would load cleanly, 1 when a file has rows to quarantine, columns the
codebook does not know or cannot be read (data problems), 2 for a usage error (a path
that does not exist, a folder without exports, an unknown wave or country). Never a
traceback, whatever the input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from observatory.outcomes import DATA_PROBLEM, OK, USAGE_ERROR

DELIMITERS = {"tab": "\t", ";": ";", ",": ",", "|": "|"}


def _printable(text: str) -> str:
    from observatory.ingest.sniff import CONTROL

    return CONTROL.sub("?", text)


def usage_problem(args: argparse.Namespace) -> str | None:
    """The --wave or --country value the configuration does not know, named with the
    known ones (None when both are known or absent)."""
    from observatory.codebook import load_codebook
    from observatory.config import canonical_country

    try:
        if args.wave is not None:
            load_codebook().wave(args.wave)
        if args.country is not None:
            args.country = canonical_country(args.country)
    except KeyError as exc:
        return f"check: {exc.args[0]}"
    return None


def expand(name: str) -> tuple[list[Path], str | None]:
    """The files to check for a PATH argument (a folder: its exports, recursively), or a
    usage problem."""
    from observatory.ingest.discover import SUFFIXES

    path = Path(name)
    if not path.exists():
        link = f" (a broken link to {path.readlink()})" if path.is_symlink() else ""
        return [], f"{path}: does not exist{link}"
    if not path.is_dir():
        return [path], None
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        return [], f"{path}: a folder with no export in it ({', '.join(sorted(SUFFIXES))})"
    return files, None


def check(path: Path, args: argparse.Namespace) -> tuple[int, list[str]]:
    """One file's outcome and lines; an unexpected error is a line too (--debug: raised)."""
    from observatory.ingest.preflight import check_file

    overrides = {
        "encoding": args.encoding,
        "sheet": args.sheet,
        "header_row": args.header_row,
        "delimiter": DELIMITERS.get(args.delimiter),
        "separator": args.separator,
    }
    try:
        return check_file(path, args.wave, args.country, overrides)
    except Exception as exc:  # whatever the input: a line, never a traceback
        if args.debug:
            raise
        return DATA_PROBLEM, [f"{path}: cannot read: {type(exc).__name__}: {exc}"]


def run(args: argparse.Namespace) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if problem := usage_problem(args):
        print(problem)
        return USAGE_ERROR
    from observatory.ingest.discover import refused_link

    outcomes = []
    for name in args.paths:
        files, problem = expand(name)
        if problem:
            print(_printable(problem))
            outcomes.append(USAGE_ERROR)
        folder = Path(name) if Path(name).is_dir() else Path(name).parent
        for path in files:
            if refused := refused_link(path, folder):  # as refresh does: never read through
                print(_printable(refused))
                outcomes.append(DATA_PROBLEM)
                continue
            code, lines = check(path, args)
            for line in lines:
                print(_printable(line))
            outcomes.append(code)
    checked = len(outcomes) - outcomes.count(USAGE_ERROR)
    if checked:
        skipped = outcomes.count(USAGE_ERROR)
        print(
            f"check: {checked} file(s): {outcomes.count(OK)} would load cleanly, "
            f"{outcomes.count(DATA_PROBLEM)} with data problems (rows to quarantine, "
            f"unknown columns or unreadable)"
            + (f"; {skipped} not checked (usage errors)" if skipped else "")
        )
    return max(outcomes)


def add_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "check",
        help="read survey exports as the pipeline would and list "
        "every problem (file:row:column: problem)",
    )
    cmd.add_argument("paths", nargs="+", metavar="PATH", help="an export, or a folder of them")
    cmd.add_argument(
        "--wave", type=int, help="wave of the export (default: from its folder, else its headers)"
    )
    cmd.add_argument("--country", help="country code (default: from its folder, else its headers)")
    override = cmd.add_argument_group("ingest profile overrides (default: countries.yaml)")
    override.add_argument("--encoding")
    override.add_argument("--delimiter", choices=sorted(DELIMITERS))
    override.add_argument("--sheet")
    override.add_argument("--header-row", type=int)
    override.add_argument("--separator", help="separator of multi-select answers in one cell")
    cmd.set_defaults(func=run)
