"""Retention of the dated snapshots in data/warehouse/snapshots/.

Each publish writes `observatory-<stamp>.duckdb` and its Parquet export
`observatory-<stamp>-parquet/`. The policy (`keep_snapshots` in
observatory/config/settings.yaml) keeps the latest N of them, the one published, and
every snapshot behind a published annual report (`reports/<year>/snapshot.txt`, written
by the report build, names it); the others are deleted after each publish and by
`observatory snapshots prune`. Deleting a snapshot an analyst still holds open is safe:
the file disappears from the folder, the open handle keeps reading it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

SNAPSHOT_GLOB = "observatory-*.duckdb"
REPORT_RECORD = "snapshot.txt"  # in reports/<year>/: the snapshot the report was built from


def parquet_of(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.stem + "-parquet")


def _size(snapshot: Path) -> int:
    """Bytes of a snapshot and its Parquet export."""
    parquet = parquet_of(snapshot)
    files = [snapshot, *(parquet.rglob("*") if parquet.is_dir() else ())]
    return sum(p.stat().st_size for p in files if p.is_file())


@dataclass(frozen=True)
class Snapshot:
    path: Path
    size: int  # bytes, with its Parquet export
    reasons: tuple[str, ...]  # why it is kept; empty: the policy deletes it


def snapshot_of(warehouse: Path, folder: Path | None = None) -> Path | None:
    """The dated snapshot that `warehouse` (a published file) is, if any: published files
    are hard links to, or copies of, their snapshot in `folder` (default: `snapshots`
    beside it)."""
    folder, size = folder or warehouse.parent / "snapshots", warehouse.stat().st_size
    same = [
        p
        for p in sorted(folder.glob(SNAPSHOT_GLOB), reverse=True)
        if p.stat().st_size == size
        and (os.path.samefile(p, warehouse) or p.read_bytes() == warehouse.read_bytes())
    ]
    return same[0] if same else None


def _reported(reports_dir: Path) -> dict[str, list[str]]:
    """{snapshot file name: [years whose published report was built from it]}."""
    found: dict[str, list[str]] = {}
    for record in sorted(Path(reports_dir).glob(f"[0-9]*/{REPORT_RECORD}")):
        name = record.read_text(encoding="utf-8").strip()
        found.setdefault(name, []).append(record.parent.name)
    return found


def snapshots(folder: Path, published: Path, reports_dir: Path, keep_last: int) -> list[Snapshot]:
    """Every dated snapshot in `folder`, newest first, with the reasons the policy keeps
    it."""
    paths = sorted(folder.glob(SNAPSHOT_GLOB), reverse=True)  # the stamp sorts by time
    current = snapshot_of(published, folder) if published.exists() else None
    reported = _reported(reports_dir)
    listed = []
    for rank, path in enumerate(paths):
        reasons = [
            *(["published"] if path == current else []),
            *([f"latest {keep_last}"] if rank < keep_last else []),
            *(f"report {year}" for year in reported.get(path.name, [])),
        ]
        listed.append(Snapshot(path, _size(path), tuple(reasons)))
    return listed


def prune(
    folder: Path, published: Path, reports_dir: Path, keep_last: int, dry_run: bool = False
) -> list[Snapshot]:
    """Delete (unless `dry_run`) the snapshots the policy does not keep, each with its
    Parquet export; return them."""
    doomed = [s for s in snapshots(folder, published, reports_dir, keep_last) if not s.reasons]
    if not dry_run:
        for snapshot in doomed:
            shutil.rmtree(parquet_of(snapshot.path), ignore_errors=True)
            snapshot.path.unlink(missing_ok=True)
    return doomed
