"""`observatory report`: build the annual report from the published warehouse, in every
report language or those of `--lang`, and list what it published. Without Chromium,
everything but the PDFs is published and one warning line says how to install it
(exit 0). A language whose catalog lacks a translation fails the build, naming the
message (exit 2)."""

import argparse
import sys

from observatory.outcomes import OK, USAGE_ERROR
from observatory.paths import Paths


def warn(line: str) -> None:
    print(f"warning: {line}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from observatory.report import ReportDataError, build_report, outputs

    paths = Paths.from_env()
    if not paths.published_db.exists():
        print(
            f"no published warehouse at {paths.published_db}: run `observatory refresh` first",
            file=sys.stderr,
        )
        return USAGE_ERROR
    languages = (
        None
        if args.lang is None  # every language, or OBSERVATORY_REPORT_LANGUAGES
        else [lang.strip() for lang in args.lang.split(",") if lang.strip()]
    )
    try:
        pages = build_report(
            paths.published_db, paths.reports_dir, year=args.year, languages=languages, warn=warn
        )
    except (ReportDataError, ValueError) as error:
        print(f"report FAILED: {error}", file=sys.stderr)
        return USAGE_ERROR
    year = int(pages[0].parent.parent.name)  # reports/<year>/<lang>/index.html
    for path in outputs(paths.reports_dir, year):
        print(path)
    return OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    rep = sub.add_parser(
        "report",
        help="build the annual report (HTML and PDF per language) from the published warehouse",
    )
    rep.add_argument("--year", type=int, default=None, help="wave (default: the latest)")
    rep.add_argument(
        "--lang",
        default=None,
        help="comma-separated report languages among en, fr, hr, de, el, it "
        "(default: all, or $OBSERVATORY_REPORT_LANGUAGES)",
    )
    rep.set_defaults(func=run)
