"""`observatory sql`: query the published analyst warehouse, read-only. With a query,
print its result (`.tables`: the tables with their comments); without one, an interactive
shell (statements end with `;`, `.tables` lists the tables, `.quit` or Ctrl-D leaves).

The query sees the warehouse's tables and nothing else: file access is switched off
(no `read_csv('/etc/passwd')`, no `COPY ... TO`, no `ATTACH`, no extension download)
and locked, so a query typed or pasted here cannot read or write outside the warehouse.
Results go to standard output: an aligned table (long cells such as the tables' and
columns' comments wrapped, never cut, and the number of rows, `0 rows` for none), or
`--format csv` (spreadsheet formulas neutralised) or `--format json`."""

import argparse
import contextlib
import sys

import duckdb
import pandas as pd

from observatory.exports import neutralise
from observatory.outcomes import DATA_PROBLEM, OK, USAGE_ERROR
from observatory.paths import Paths
from observatory.textable import render

TABLES = (
    "SELECT schema_name || '.' || table_name AS table_name, comment FROM duckdb_tables() ORDER BY 1"
)


def show(frame: pd.DataFrame, fmt: str, max_rows: int) -> None:
    if fmt == "csv":
        neutralise(frame).to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(frame.to_json(orient="records", force_ascii=False))
    else:
        print(render(frame, max_rows))


def execute(con: duckdb.DuckDBPyConnection, query: str, args: argparse.Namespace) -> bool:
    try:
        show(con.execute(query).df(), args.format, args.max_rows)
        return True
    except duckdb.Error as exc:
        print(f"sql error: {exc}", file=sys.stderr)
        return False


def shell(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (history and line editing where available)
    interactive, buffer = sys.stdin.isatty(), ""
    while True:
        if interactive:
            try:
                line = input("observatory> " if not buffer else "      ...> ")
            except EOFError:
                break
        else:
            line = sys.stdin.readline()
            if not line:
                break
        if line.strip() in (".quit", ".exit"):
            break
        if line.strip() == ".tables":
            execute(con, TABLES, args)
            continue
        buffer += line.rstrip("\n") + "\n"
        if buffer.strip().endswith(";"):
            execute(con, buffer, args)
            buffer = ""
    if buffer.strip():
        execute(con, buffer, args)
    return OK


def run(args: argparse.Namespace) -> int:
    paths = Paths.from_env()
    if not paths.published_db.exists():
        print(
            f"no published warehouse at {paths.published_db}: run `observatory refresh`",
            file=sys.stderr,
        )
        return USAGE_ERROR
    con = duckdb.connect(str(paths.published_db), read_only=True)
    con.execute("SET enable_external_access = false; SET lock_configuration = true")
    try:
        if args.query is None:
            return shell(con, args)
        query = TABLES if args.query.strip() == ".tables" else args.query
        return OK if execute(con, query, args) else DATA_PROBLEM
    finally:
        con.close()


def add_parser(sub: argparse._SubParsersAction) -> None:
    sql = sub.add_parser("sql", help="query the published analyst warehouse (read-only)")
    sql.add_argument("query", nargs="?", help="SQL to run; none: an interactive shell")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.add_argument("--max-rows", type=int, default=200)
    sql.set_defaults(func=run)
