"""Provenance of a raw file: what exactly was read, and when it arrived."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Provenance:
    file: str
    kind: str
    sha256: str
    bytes: int
    arrived_at: dt.datetime
    wave: int | None = None
    country: str | None = None
    rows: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    codebook_version: str | None = None

    def record(self) -> dict:
        return asdict(self)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def describe(path: Path, kind: str, **extra: Any) -> Provenance:
    stat = path.stat()
    arrived = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).replace(tzinfo=None)
    return Provenance(
        file=str(path),
        kind=kind,
        sha256=file_sha256(path),
        bytes=stat.st_size,
        arrived_at=arrived,
        **extra,
    )


def published_hashes(published_db: Path) -> dict[str, str]:
    """{file: sha256} of every raw file the published snapshot was built from (empty
    before the first publish). The snapshot is read-only and swapped atomically, so this
    never waits for a refresh that holds the pipeline file."""
    if not published_db.exists():
        return {}
    import duckdb

    con = duckdb.connect(str(published_db), read_only=True)
    try:
        return dict(con.execute("SELECT file, sha256 FROM audit.raw_files").fetchall())
    finally:
        con.close()
