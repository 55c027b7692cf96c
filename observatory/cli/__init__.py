"""The `observatory` command line: one module per command in this package, each with
`add_parser(subparsers)` registering itself, and the commands other packages declare in
the entry point group `observatory.commands` (the Dagster code location's `refresh` and
`demo`, in assets/cli.py): this package never imports them.

Exit codes, for every command: 0 done, 1 data problems (an export that cannot be read or
would be quarantined, a blocking check that failed), 2 usage errors (an unknown wave or
country, a path that does not exist, no warehouse yet). An unexpected error is one line
too; `--debug` shows its traceback."""

import argparse
import functools
import sys
from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from types import ModuleType
from typing import NoReturn

from observatory import process
from observatory.outcomes import DATA_PROBLEM

# command -> the module that defines it, imported only when that command runs (or for the
# list of commands): `observatory sql` does not import Dagster, `refresh` not pandas' CSV.
COMMANDS = {
    "check": "observatory.cli.check",
    "generate-sample": "observatory.cli.generate",
    "report": "observatory.cli.report",
    "sql": "observatory.cli.sql",
    "snapshots": "observatory.cli.snapshots",
    "instrument": "observatory.cli.instrument",
}
PLUGINS = "observatory.commands"  # entry point group: modules with add_parser(subparsers)


def commands() -> dict[str, Callable[[], ModuleType]]:
    """Each command's name (an entry point is named after a command its module adds) and
    how to import its module: the plugins' first, then ours."""
    points = sorted(entry_points(group=PLUGINS), key=lambda p: p.name)
    return {
        **{point.name: point.load for point in points},
        **{name: functools.partial(import_module, module) for name, module in COMMANDS.items()},
    }


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of the command `argv` names (from its module alone), or of them all."""
    p = argparse.ArgumentParser(
        prog="observatory", description="Partnership Survey Observatory pipeline."
    )
    sub = p.add_subparsers(dest="command", required=True)
    named = next((a for a in (sys.argv[1:] if argv is None else argv) if a[:1] != "-"), None)
    found = commands()
    loaders = [found[named]] if named in found else list(found.values())
    for module in dict.fromkeys(load() for load in loaders):  # a module may add several
        module.add_parser(sub)
    for cmd in sub.choices.values():
        cmd.add_argument(
            "--debug", action="store_true", help="show the traceback of an unexpected error"
        )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser(argv).parse_args(argv)
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


def run() -> NoReturn:
    """The `observatory` command (and `python -m observatory.cli`): `main` in a process
    run as `observatory.process` says."""
    process.start()
    process.end(main())
