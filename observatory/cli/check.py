"""`observatory check PATH...`: the pre-flight of a survey export, before it is dropped
in data/raw/surveys/<wave>/<COUNTRY>/.

Each file is read and harmonised exactly as the pipeline does (no database): one line
per problem as `file:row:column: problem`, then a summary per file. Exit code: 0 when
every file would load cleanly, 1 when a file is readable but has rows to quarantine or
columns the codebook does not know, 2 when a file cannot be read at all (the worst
file decides). Never a traceback, whatever the input.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

CLEAN, QUARANTINE, UNREADABLE = 0, 1, 2
DELIMITERS = {"tab": "\t", ";": ";", ",": ",", "|": "|"}


def _printable(text: str) -> str:
    from observatory.ingest.sniff import CONTROL

    return CONTROL.sub("?", text)


def _partition(path: Path, args: argparse.Namespace) -> tuple[int, str]:
    """Wave and country from the options, else from a .../surveys/<wave>/<COUNTRY>/ path."""
    parent = path.absolute().parent
    wave = args.wave or (int(parent.parent.name) if parent.parent.name.isdigit() else None)
    country = args.country or (parent.name if parent.parent.name.isdigit() else None)
    if wave is None or country is None:
        raise LookupError("cannot tell the wave and country: pass --wave and --country, or "
                          "check it in place under data/raw/surveys/<wave>/<COUNTRY>/")
    return wave, country


def _country(code: str, args: argparse.Namespace):
    from observatory.config import canonical_country, load_countries

    country = load_countries()[canonical_country(code)]
    profile = country.export
    overrides = {k: v for k, v in (("encoding", args.encoding), ("sheet", args.sheet),
                                   ("header_row", args.header_row),
                                   ("delimiter", DELIMITERS.get(args.delimiter)))
                 if v is not None}
    if args.separator is not None:
        overrides["multi_select"] = dataclasses.replace(profile.multi_select,
                                                        separator=args.separator)
    return dataclasses.replace(country, export=dataclasses.replace(profile, **overrides))


def check_file(path: Path, args: argparse.Namespace) -> tuple[int, list[str]]:
    """(exit code, lines to print) for one file."""
    from observatory.codebook import load_codebook
    from observatory.ingest.harmonise import SchemaError
    from observatory.ingest.readers import ReadError
    from observatory.ingest.stage import harmonise_survey, read_survey

    try:
        wave, code = _partition(path, args)
        country = _country(code, args)
        load_codebook().wave(wave)
        if path.is_dir():
            raise ReadError(f"{path}: cannot read: a directory, not an export")
        raw = read_survey(path, wave, country)
        staged = harmonise_survey(raw, wave, country)
    except SchemaError as exc:
        return QUARANTINE, [*exc.problems, f"{path}: columns do not match the {wave} instrument "
                                           f"of {country.code}: nothing would load"]
    except ReadError as exc:
        return UNREADABLE, [str(exc)]
    except Exception as exc:  # whatever the input: a line, never a traceback
        reason = exc.args[0] if isinstance(exc, LookupError) and exc.args else \
            f"{type(exc).__name__}: {exc}"
        return UNREADABLE, [f"{path}: cannot read: {reason}"]
    lines = [f"{path}:{q.row}:{q.column}: {q.reason}" + (f" (value {q.value!r})" if q.value
                                                         else "")
             for q in staged.quarantine.itertuples()]
    layout = ", ".join(f"{k} {v!r}" for k, v in (("encoding", raw.encoding),
                                                 ("delimiter", raw.delimiter)) if v)
    summary = (f"{path}: wave {wave}, {country.code}{', ' + layout if layout else ''}, header "
               f"on row {raw.header_row}: {staged.rows_read} rows read, {staged.rows_loaded} "
               f"would load, {staged.rows_quarantined} would be quarantined")
    if staged.ignored:
        summary += f"; ignored columns: {', '.join(staged.ignored)}"
    if not staged.rows_read:
        summary += "; no data rows (header only)"
    return (QUARANTINE if staged.rows_quarantined else CLEAN), [*lines, summary]


def run(args: argparse.Namespace) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    worst = CLEAN
    for name in args.paths:
        code, lines = check_file(Path(name), args)
        for line in lines:
            print(_printable(line))
        worst = max(worst, code)
    verdict = {CLEAN: "every file would load cleanly",
               QUARANTINE: "readable, but rows would be quarantined or columns are unknown",
               UNREADABLE: "a file cannot be read"}[worst]
    print(f"check: {len(args.paths)} file(s): {verdict}")
    return worst


def add_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser("check", help="read survey exports as the pipeline would and list "
                                       "every problem (file:row:column: problem)")
    cmd.add_argument("paths", nargs="+", metavar="PATH")
    cmd.add_argument("--wave", type=int, help="wave of the export (default: from its folder)")
    cmd.add_argument("--country", help="country code (default: from its folder)")
    override = cmd.add_argument_group("ingest profile overrides (default: countries.yaml)")
    override.add_argument("--encoding")
    override.add_argument("--delimiter", choices=sorted(DELIMITERS))
    override.add_argument("--sheet")
    override.add_argument("--header-row", type=int)
    override.add_argument("--separator", help="separator of multi-select answers in one cell")
    cmd.set_defaults(func=run)
