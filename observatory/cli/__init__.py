"""The `observatory` command line: one module per command in this package, each with
`add_parser(subparsers)` registering itself.

Exit codes, for every command: 0 done, 1 data problems (an export that cannot be read or
would be quarantined, a blocking check that failed), 2 usage errors (an unknown wave or
country, a path that does not exist, no warehouse yet). An unexpected error is one line
too; `--debug` shows its traceback."""

import argparse
import sys

from observatory.cli import check, generate, instrument, refresh, report, snapshots, sql
from observatory.outcomes import DATA_PROBLEM

COMMANDS = (refresh, check, generate, report, sql, snapshots, instrument)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="observatory",
                                description="Partnership Survey Observatory pipeline.")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    for cmd in sub.choices.values():
        cmd.add_argument("--debug", action="store_true",
                         help="show the traceback of an unexpected error")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        if args.debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"observatory {args.command}: {type(exc).__name__}: {first} (--debug shows the "
              f"traceback)", file=sys.stderr)
        return DATA_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
