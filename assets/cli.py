"""`observatory refresh` and `observatory demo`: run the pipeline without the UI.

They drive Dagster, so they live with the code location; the `observatory` command
(observatory/cli) finds them through the entry point group `observatory.commands`
(pyproject.toml), so the library never imports Dagster or this package."""

import argparse
import signal
import sys
from pathlib import Path

from observatory import process
from observatory.codebook import load_codebook
from observatory.config import canonical_country
from observatory.outcomes import USAGE_ERROR
from observatory.paths import Paths
from observatory.privacy import KeyRefused, pseudonym_key


def run(args: argparse.Namespace, demo: bool = False) -> int:
    from assets.definitions import defs  # the definitions load only when a run is asked for
    from assets.runner import Interrupted, refresh

    process.imported()  # Dagster and the definitions live as long as the process

    paths = Paths.from_env()
    try:
        pseudonym_key()
    except KeyRefused as exc:
        print(f"observatory {'demo' if demo else 'refresh'}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    published = _identity(paths.published_db)
    try:
        summary = refresh(
            defs, paths.raw_dir, waves=args.wave, countries=args.country, report=demo or args.report
        )
    except Interrupted as stop:
        canceled = f"run(s) {', '.join(r[:8] for r in stop.canceled)} canceled; " * bool(
            stop.canceled
        )
        print(
            f"refresh stopped by {stop.signal_name}: {canceled}"
            + (
                "the published warehouse is unchanged"
                if _identity(paths.published_db) == published
                else "the new snapshot had been published before the stop"
            ),
            file=sys.stderr,
        )
        return 128 + signal.Signals[stop.signal_name].value
    for warning in summary.warnings:  # non-blocking checks, e.g. a country not delivered yet
        print(f"warning: {warning}")
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    if not summary.ok:
        print(
            f"refresh FAILED: {len(summary.problems)} problem(s) in "
            f"{len(summary.partitions)} partition(s); the published warehouse is unchanged",
            file=sys.stderr,
        )
        return 1
    print(f"refresh done: {len(summary.partitions)} partitions in {summary.seconds:.1f} s")
    print(f"analyst warehouse: {paths.published_db}")
    print(f"data quality:      {paths.reports_dir / 'data-quality' / 'index.html'}")
    if demo or args.report:
        from observatory.report import outputs

        print(f"reports:           {paths.reports_dir}")
        for year in args.wave or [None]:  # the latest report, or each wave's
            for path in outputs(paths.reports_dir, year=year):  # pages, PDFs, figures, data
                print(f"  {path}")
    return 0


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is published (inode and modification time): a publish replaces it."""
    return (path.stat().st_ino, path.stat().st_mtime_ns) if path.exists() else None


def country(code: str) -> str:
    """A configured country code (or alias) as its canonical code; anything else is a
    usage error naming the configured codes."""
    try:
        return canonical_country(code)
    except KeyError as exc:
        raise argparse.ArgumentTypeError(exc.args[0]) from None


def wave(text: str) -> int:
    """A wave of the codebook; anything else is a usage error naming the known waves."""
    try:
        return load_codebook().wave(int(text)).year
    except ValueError:
        raise argparse.ArgumentTypeError(f"a wave is a year, not {text!r}") from None
    except KeyError as exc:
        raise argparse.ArgumentTypeError(exc.args[0]) from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    for name, text in (
        ("refresh", "run the pipeline on data/raw (all delivered partitions)"),
        ("demo", "refresh on the shipped sample and say where the outputs are"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--wave", type=wave, action="append", help="only this wave (repeatable)")
        cmd.add_argument(
            "--country", action="append", type=country, help="only this country (repeatable)"
        )
        if name == "refresh":
            cmd.add_argument(
                "--report",
                action="store_true",
                help="also build the annual report of the latest wave refreshed (demo always does)",
            )
        cmd.set_defaults(func=lambda a, demo=(name == "demo"): run(a, demo), report=False)
