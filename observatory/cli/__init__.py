"""The `observatory` command line: one module per command in this package, each with
`add_parser(subparsers)` registering itself, and the commands other packages declare in
the entry point group `observatory.commands` (the Dagster code location's `refresh` and
`demo`, in assets/cli.py): this package never imports them.

Exit codes, for every command: 0 done, 1 data problems (an export that cannot be read or
would be quarantined, a blocking check that failed), 2 usage errors (an unknown wave or
country, a path that does not exist, no warehouse yet). An unexpected error is one line
too; `--debug` shows its traceback."""

import argparse
import sys
from importlib.metadata import entry_points
from types import ModuleType

from observatory.cli import check, generate, instrument, report, snapshots, sql
from observatory.outcomes import DATA_PROBLEM

COMMANDS = (check, generate, report, sql, snapshots, instrument)
PLUGINS = "observatory.commands"  # entry point group: modules with add_parser(subparsers)


def plugins() -> list[ModuleType]:
    return [point.load() for point in sorted(entry_points(group=PLUGINS), key=lambda p: p.name)]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="observatory", description="Partnership Survey Observatory pipeline."
    )
    sub = p.add_subparsers(dest="command", required=True)
    for command in (*plugins(), *COMMANDS):
        command.add_parser(sub)
    for cmd in sub.choices.values():
        cmd.add_argument(
            "--debug", action="store_true", help="show the traceback of an unexpected error"
        )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:
        if args.debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"observatory {args.command}: {type(exc).__name__}: {first} (--debug shows the "
            f"traceback)",
            file=sys.stderr,
        )
        return DATA_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
