"""The `observatory` command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from observatory.paths import Paths


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def cmd_generate_sample(args: argparse.Namespace) -> int:
    from observatory.generate import generate_sample

    t0 = time.monotonic()
    truth = generate_sample(Path(args.out), seed=args.seed,
                            waves=[int(w) for w in _csv_list(args.waves)],
                            responses=(args.min_responses, args.max_responses),
                            bad_rows=not args.no_bad_rows)
    print(f"sample written to {args.out} in {time.monotonic() - t0:.1f} s (truth: {truth})")
    return 0


def cmd_refresh(args: argparse.Namespace, demo: bool = False) -> int:
    # Orchestration lives in the Dagster code location; imported only for this command.
    from assets.definitions import defs
    from assets.runner import refresh
    from observatory.config import canonical_country

    paths = Paths.from_env()
    countries = [canonical_country(c) for c in args.country] if args.country else None
    summary = refresh(defs, paths.raw_dir, waves=args.wave, countries=countries)
    for problem in summary.problems:
        print(problem, file=sys.stderr)
    if not summary.ok:
        print(f"refresh FAILED: {len(summary.problems)} problem(s) in "
              f"{len(summary.partitions)} partition(s); the published warehouse is unchanged",
              file=sys.stderr)
        return 1
    print(f"refresh done: {len(summary.partitions)} partitions in {summary.seconds:.1f} s")
    print(f"analyst warehouse: {paths.published_db}")
    print(f"reports:           {paths.reports_dir}")
    if demo:
        for page in sorted(paths.reports_dir.glob("*/*/index.html")):
            print(f"  {page}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from observatory.report import build_report

    paths = Paths.from_env()
    if not paths.published_db.exists():
        print(f"no published warehouse at {paths.published_db}: run `observatory refresh` first",
              file=sys.stderr)
        return 2
    pages = build_report(paths.published_db, paths.reports_dir, year=args.year,
                         languages=_csv_list(args.lang))
    for page in pages:
        print(page)
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    paths = Paths.from_env()
    if not paths.published_db.exists():
        print(f"no published warehouse at {paths.published_db}", file=sys.stderr)
        return 2
    con = duckdb.connect(str(paths.published_db), read_only=True)
    try:
        frame = con.execute(args.query).df()
    except duckdb.Error as exc:
        print(f"sql error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False))
    else:
        print(frame.to_string(index=False, max_rows=args.max_rows))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="observatory", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate-sample", help="write the synthetic sample (deterministic)")
    gen.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--out", required=True)
    gen.add_argument("--waves", default="2024,2025,2026")
    gen.add_argument("--min-responses", type=int, default=300)
    gen.add_argument("--max-responses", type=int, default=800)
    gen.add_argument("--no-bad-rows", action="store_true")
    gen.set_defaults(func=cmd_generate_sample)

    for name, text in (("refresh", "run the pipeline on data/raw (all delivered partitions)"),
                       ("demo", "refresh on the shipped sample and say where the outputs are")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--wave", type=int, action="append", help="only this wave (repeatable)")
        cmd.add_argument("--country", action="append", help="only this country (repeatable)")
        cmd.set_defaults(func=lambda a, demo=(name == "demo"): cmd_refresh(a, demo))

    rep = sub.add_parser("report", help="build the annual report from the published warehouse")
    rep.add_argument("--year", type=int, default=None, help="wave (default: the latest)")
    rep.add_argument("--lang", default="en,fr")
    rep.set_defaults(func=cmd_report)

    sql = sub.add_parser("sql", help="query the published analyst warehouse (read-only)")
    sql.add_argument("query")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--max-rows", type=int, default=200)
    sql.set_defaults(func=cmd_sql)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
