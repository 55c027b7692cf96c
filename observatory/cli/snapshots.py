"""`observatory snapshots [list|prune] [--dry-run] [--keep N]`: the dated snapshots in
data/warehouse/snapshots/ and the retention policy (`keep_snapshots` in
observatory/config/settings.yaml; see `observatory.warehouse.retention`).

`list` (the default) prints each snapshot, newest first, with its size and why it is
kept, or `delete` when the policy removes it at the next publish; `prune` deletes those
now (`--dry-run`: only says what it would delete)."""

from __future__ import annotations

import argparse
import datetime as dt

from observatory.config import load_settings
from observatory.outcomes import OK, USAGE_ERROR
from observatory.paths import Paths

MB = 1e6


def _when(name: str) -> str:
    stamp = name.removeprefix("observatory-").removesuffix(".duckdb")
    try:
        return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "?"


def run(args: argparse.Namespace) -> int:
    from observatory.warehouse import retention

    paths = Paths.from_env()
    keep = load_settings().keep_snapshots if args.keep is None else args.keep
    if keep < 0:
        print(f"snapshots: --keep must be 0 or more, not {keep}")
        return USAGE_ERROR
    where = (paths.snapshots_dir, paths.published_db, paths.reports_dir, keep)
    listed = retention.snapshots(*where)
    if args.action == "list":
        for snapshot in listed:
            verdict = f"keep: {', '.join(snapshot.reasons)}" if snapshot.reasons else "delete"
            print(
                f"{snapshot.path.name}  {_when(snapshot.path.name)} UTC  "
                f"{snapshot.size / MB:8.1f} MB  {verdict}"
            )
        doomed = [s for s in listed if not s.reasons]
    else:
        doomed = retention.prune(*where, dry_run=args.dry_run)
        verb = "would delete" if args.dry_run else "deleted"
        for snapshot in doomed:
            print(f"{verb} {snapshot.path.name} ({snapshot.size / MB:.1f} MB)")
    status = "deleted" if args.action == "prune" and not args.dry_run else "to delete"
    print(
        f"snapshots: {len(listed)} in {paths.snapshots_dir} "
        f"({sum(s.size for s in listed) / MB:.1f} MB); policy: keep the latest {keep}, the "
        f"published one and those behind a published report: {len(doomed)} {status} "
        f"({sum(s.size for s in doomed) / MB:.1f} MB)"
    )
    return OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    cmd = sub.add_parser(
        "snapshots",
        help="list the dated warehouse snapshots, or prune them by the retention policy",
    )
    cmd.add_argument("action", nargs="?", choices=("list", "prune"), default="list")
    cmd.add_argument(
        "--dry-run", action="store_true", help="prune: say what would be deleted, delete nothing"
    )
    cmd.add_argument(
        "--keep",
        type=int,
        default=None,
        help="keep this many latest snapshots (default: keep_snapshots in settings.yaml)",
    )
    cmd.set_defaults(func=run)
