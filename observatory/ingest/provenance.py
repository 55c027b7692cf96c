"""Provenance of a raw file: what exactly was read, and when it arrived."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path


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


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def describe(path: Path, kind: str, **extra: object) -> Provenance:
    data = path.read_bytes()
    arrived = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(tzinfo=None)
    return Provenance(file=str(path), kind=kind, sha256=sha256_of(data), bytes=len(data),
                      arrived_at=arrived, **extra)
