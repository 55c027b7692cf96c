"""The `observatory` command line: one module per command in this package, each with
`add_parser(subparsers)` registering itself."""

import argparse
import sys

from observatory.cli import check, generate, instrument, refresh, report, sql

COMMANDS = (refresh, check, generate, report, sql, instrument)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="observatory",
                                description="Partnership Survey Observatory pipeline.")
    sub = p.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
