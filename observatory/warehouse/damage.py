"""A pipeline file a crash left unreadable is moved aside, never fatal.

DuckDB writes the pipeline file in place: a process killed while it checkpoints can
leave a block whose checksum no longer matches ("Corrupt database file"), and every
later run would fail on it. The published snapshot is another file, written whole and
renamed, so it is intact. The damaged pipeline file is moved aside (kept for
inspection, beside it) and the partitions the published snapshot was built from are
staged again from data/raw, with those asked for."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

DAMAGE = (
    "Corrupt database file",
    "not a valid DuckDB database file",
    "Failure while replaying WAL",
)


def is_damage(message: str) -> bool:
    return any(marker in message for marker in DAMAGE)


def damaged(pipeline_db: Path) -> str | None:
    """Why the pipeline file cannot be opened, when a crash damaged it (a lock held by
    another writer is not damage)."""
    if not pipeline_db.exists():
        return None
    try:
        con = duckdb.connect(str(pipeline_db))
        try:
            con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
        finally:
            con.close()
    except duckdb.Error as exc:
        message = " ".join(str(exc).split())
        return message if is_damage(message) else None
    return None


def move_aside(pipeline_db: Path) -> Path:
    """Rename the damaged file (and its WAL) to `<name>.damaged-<UTC stamp>`."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = pipeline_db.with_name(f"{pipeline_db.name}.damaged-{stamp}")
    os.replace(pipeline_db, target)
    wal = pipeline_db.with_name(pipeline_db.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


def published_partitions(published_db: Path) -> set[tuple[int, str]]:
    """(wave, country) of every partition the published snapshot holds."""
    if not published_db.exists():
        return set()
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT wave, country FROM audit.row_accounting").fetchall()
    finally:
        con.close()
    return {(int(wave), str(country)) for wave, country in rows}
