"""`observatory sql`: query the published analyst warehouse, read-only."""

import argparse
import sys

from observatory.paths import Paths


def run(args: argparse.Namespace) -> int:
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


def add_parser(sub: argparse._SubParsersAction) -> None:
    sql = sub.add_parser("sql", help="query the published analyst warehouse (read-only)")
    sql.add_argument("query")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--max-rows", type=int, default=200)
    sql.set_defaults(func=run)
