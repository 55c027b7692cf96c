"""Inputs the core SQL models read besides staging: reference data from the codebook
and configuration, population frames and case studies. Each is registered on the
connection under a `ref_` or `raw_` name that the .sql files select from."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import canonical_country, load_countries
from observatory.ingest.cases import read_case_files
from observatory.ingest.discover import inside_raw

FRAME_FILE = re.compile(r"frame_(\d{4})\.csv$")


def reference_frames() -> dict[str, pd.DataFrame]:
    book = load_codebook()
    taxonomy = pd.DataFrame(
        [
            {
                "dimension": d.name,
                "code": c.code,
                "parent": c.parent,
                "label_en": c.labels["en"],
                "label_fr": c.labels["fr"],
            }
            for d in book.dimensions.values()
            for c in d.codes.values()
        ]
    )
    questions = pd.DataFrame(
        [
            {
                "wave": w.year,
                "instrument_version": w.version,
                "question": q.id,
                "kind": q.kind,
                "dimension": q.dimension,
            }
            for w in book.waves.values()
            for q in book.questions_for(w.year)
            if q.kind != "pii"
        ]
    )
    countries = pd.DataFrame(
        [
            {
                "country": c.code,
                "name_en": c.names["en"],
                "name_fr": c.names["fr"],
                "language": c.language,
            }
            for c in load_countries().values()
        ]
    )
    return {"ref_taxonomy": taxonomy, "ref_questions": questions, "ref_countries": countries}


def frame_files(raw_dir: Path) -> list[Path]:
    return inside_raw(
        sorted(p for p in (raw_dir / "frames").glob("frame_*.csv") if FRAME_FILE.search(p.name)),
        raw_dir,
    )


def case_files(raw_dir: Path) -> list[Path]:
    return inside_raw(sorted((raw_dir / "cases").glob("*.csv")), raw_dir)


def read_frames(raw_dir: Path) -> pd.DataFrame:
    parts = []
    for path in frame_files(raw_dir):
        frame = pd.read_csv(path, dtype={"country": str, "org_type": str})
        frame["country"] = frame["country"].map(canonical_country)
        parts.append(
            frame.assign(wave=int(FRAME_FILE.findall(path.name)[0]), source_file=str(path))
        )
    return pd.concat(parts, ignore_index=True)


def read_cases(raw_dir: Path) -> pd.DataFrame:
    """The case rows that pass the codebook (observatory.ingest.cases)."""
    return pd.concat([f.cases for f in read_case_files(case_files(raw_dir))], ignore_index=True)


def _signature(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), s.st_mtime_ns, s.st_size) for p in paths for s in (p.stat(),))


_READ: dict[tuple, dict[str, pd.DataFrame]] = {}  # the last inputs read, by their signature


def input_frames(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """The reference data and the frame and case files as DataFrames, read again only
    when a file changed (path, modification time and size) or the codebook or the
    countries were reloaded: a build registers them for each of its SQL models."""
    key = (
        _signature(frame_files(raw_dir) + case_files(raw_dir)),
        id(load_codebook()),
        id(load_countries()),
    )
    if key not in _READ:
        frames = {**reference_frames(), "raw_frames": read_frames(raw_dir)}
        _READ.clear()
        _READ[key] = {**frames, "raw_cases": read_cases(raw_dir)}
    return _READ[key]


def register_inputs(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    for name, frame in input_frames(raw_dir).items():
        con.register(name, frame)
