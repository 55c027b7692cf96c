"""The raw and staged steps for one wave x country.

raw:    record the provenance of each export (hash, size, arrival, encoding,
        delimiter, codebook version) in audit.raw_files.
staged: read and harmonise each export, check it is still the file whose provenance
        was recorded, and replace the partition's rows in one transaction (running it
        twice changes nothing).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import Country, load_countries
from observatory.ingest.combine import combine
from observatory.ingest.discover import SurveyFile
from observatory.ingest.harmonise import Staged, expected_headers, harmonise_chunk
from observatory.ingest.provenance import Provenance, describe, file_sha256
from observatory.ingest.readers import (
    SUFFIX_FORMATS,
    RawTable,
    ReadError,
    merge,
    read_chunks,
    sniff,
)
from observatory.privacy import key_fingerprint, pseudonym_key

PARTITION_TABLES = (
    "staging.responses",
    "staging.answers",
    "audit.quarantine",
    "audit.row_accounting",
)


class ChangedSinceRecorded(Exception):
    """The file's bytes are not those whose provenance was recorded."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def survey_provenance(survey: SurveyFile) -> Provenance:
    """Provenance of an export; the encoding and delimiter of a text export as the
    reader will detect them (left empty if it cannot: the staged step says why)."""
    country = load_countries()[survey.country]
    encoding = delimiter = None
    if SUFFIX_FORMATS.get(survey.path.suffix.lower()) == "csv":
        try:
            layout = sniff(
                survey.path, country.export, expected_headers(load_codebook(), survey.wave, country)
            )
            encoding, delimiter = layout.encoding, layout.delimiter
        except ReadError:
            pass
    return describe(
        survey.path,
        "survey",
        wave=survey.wave,
        country=survey.country,
        encoding=encoding,
        delimiter=delimiter,
        codebook_version=load_codebook().wave(survey.wave).version,
    )


def record_provenance(
    con: duckdb.DuckDBPyConnection, records: list[Provenance], run_id: str
) -> None:
    """Upsert provenance rows (keyed by file path)."""
    frame = pd.DataFrame(
        [{**p.record(), "run_id": run_id, "recorded_at": _utcnow()} for p in records]
    )
    con.register("incoming", frame)
    con.execute("INSERT OR REPLACE INTO audit.raw_files BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


def recorded_sha256(con: duckdb.DuckDBPyConnection, survey: SurveyFile) -> str | None:
    row = con.execute(
        "SELECT sha256 FROM audit.raw_files WHERE file = ?", [str(survey.path)]
    ).fetchone()
    return row[0] if row else None


@dataclass
class StagedFile:
    survey: SurveyFile
    staged: Staged
    raw: RawTable | None = None


def survey_chunks(path: Path, wave: int, country: Country) -> Iterator[RawTable]:
    """Read one export as the pipeline does, in chunks: layout found by the wave's
    headers. An export with a header and no record is refused: it would replace a
    partition with nothing."""
    empty = True
    for raw in read_chunks(path, country.export, expected_headers(load_codebook(), wave, country)):
        empty = empty and not raw.rows and not raw.issues
        yield raw
    if empty:
        raise ReadError(f"{path}: no data rows (only the header): nothing to load")


def read_survey(path: Path, wave: int, country: Country) -> RawTable:
    """The whole export in one table (a small file; the pipeline reads chunks)."""
    first, *more = survey_chunks(path, wave, country)
    return merge([first, *more])


def harmonise_survey(
    raw: RawTable, wave: int, country: Country, key: bytes | None = None
) -> Staged:
    """One table of records harmonised on its own (duplicated ids included), ids keyed
    with `key` (default: the deployment's)."""
    return stage_survey([raw], wave, country, key or pseudonym_key())[1]


def stage_survey(
    chunks: Iterable[RawTable], wave: int, country: Country, key: bytes, slim: bool = False
) -> tuple[RawTable, Staged]:
    """(the file's layout: its first chunk without records, the staged rows of all),
    harmonising one chunk at a time; `slim`: keep only what counts the rows (see
    Staged.slim)."""
    parts, first, book = [], None, load_codebook()
    for raw in chunks:
        first = first or dataclasses.replace(
            raw, frame=raw.frame.iloc[:0].copy(), rows=[], issues=[]
        )
        part = harmonise_chunk(raw, book, wave, country, key)
        parts.append(part.slim() if slim else part)
    assert first is not None, "a reader yields at least one table"
    return first, combine(parts, wave, country.code, str(first.path))


def stage_file(survey: SurveyFile, expected_sha256: str | None) -> StagedFile:
    """Read and harmonise one export (no database involved)."""
    country = load_countries()[survey.country]
    data_sha = file_sha256(survey.path)
    raw, staged = stage_survey(
        survey_chunks(survey.path, survey.wave, country), survey.wave, country, pseudonym_key()
    )
    after = file_sha256(survey.path)
    if after != data_sha or (expected_sha256 and after != expected_sha256):
        raise ChangedSinceRecorded(
            f"{survey.path}: content differs from the recorded provenance "
            f"(recorded {str(expected_sha256)[:12]}, now {after[:12]}); re-run the raw step"
        )
    return StagedFile(survey, staged, raw)


def write_partition(
    con: duckdb.DuckDBPyConnection, wave: int, country: str, files: list[StagedFile], run_id: str
) -> None:
    """Replace everything staged for (wave, country) with these files' rows."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in PARTITION_TABLES:
            con.execute(f"DELETE FROM {table} WHERE wave = ? AND country = ?", [wave, country])
        for item in files:
            _insert(con, item, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert(con: duckdb.DuckDBPyConnection, item: StagedFile, run_id: str) -> None:
    staged, path = item.staged, str(item.survey.path)
    accounting = {
        "wave": item.survey.wave,
        "country": item.survey.country,
        "file": path,
        "rows_read": staged.rows_read,
        "rows_loaded": staged.rows_loaded,
        "rows_quarantined": staged.rows_quarantined,
        "run_id": run_id,
        "loaded_at": _utcnow(),
        "key_fingerprint": key_fingerprint(pseudonym_key()),
    }
    incoming = {
        "staging.responses": staged.respondents.assign(source_file=path),
        "staging.answers": staged.answers,
        "audit.quarantine": staged.quarantine.assign(run_id=run_id),
        "audit.row_accounting": pd.DataFrame([accounting]),
    }
    for table, frame in incoming.items():
        con.register("incoming", frame)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
        con.unregister("incoming")
    if item.raw is not None:  # what the reader found, now that the file has been read
        con.execute(
            "UPDATE audit.raw_files SET rows = ?, encoding = ?, delimiter = ? WHERE file = ?",
            [staged.rows_read, item.raw.encoding, item.raw.delimiter, path],
        )
