"""The raw and staged steps for one wave x country.

raw:    record the provenance of each export (hash, size, arrival, encoding,
        delimiter, codebook version) in audit.raw_files.
staged: read and harmonise each export, check it is still the file whose provenance
        was recorded, and replace the partition's rows in one transaction (running it
        twice changes nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.ingest.discover import SurveyFile
from observatory.ingest.harmonise import Staged, harmonise
from observatory.ingest.provenance import Provenance, describe, sha256_of
from observatory.ingest.readers import detect_delimiter, detect_encoding, read_export
from observatory.privacy import pseudonym_key

PARTITION_TABLES = ("staging.responses", "staging.answers", "audit.quarantine",
                    "audit.row_accounting")


class ChangedSinceRecorded(Exception):
    """The file's bytes are not those whose provenance was recorded."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def survey_provenance(survey: SurveyFile) -> Provenance:
    profile = load_countries()[survey.country].export
    encoding = delimiter = None
    if survey.path.suffix.lower() in (".csv", ".txt", ".tsv"):
        head = survey.path.read_bytes()
        encoding = detect_encoding(head, profile.encoding)
        delimiter = detect_delimiter(head.decode(encoding, errors="replace"), profile.delimiter)
    return describe(survey.path, "survey", wave=survey.wave, country=survey.country,
                    encoding=encoding, delimiter=delimiter,
                    codebook_version=load_codebook().wave(survey.wave).version)


def record_provenance(con: duckdb.DuckDBPyConnection, records: list[Provenance],
                      run_id: str) -> None:
    """Upsert provenance rows (keyed by file path)."""
    frame = pd.DataFrame([{**p.record(), "run_id": run_id, "recorded_at": _utcnow()}
                          for p in records])
    con.register("incoming", frame)
    con.execute("INSERT OR REPLACE INTO audit.raw_files BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


def recorded_sha256(con: duckdb.DuckDBPyConnection, survey: SurveyFile) -> str | None:
    row = con.execute("SELECT sha256 FROM audit.raw_files WHERE file = ?",
                      [str(survey.path)]).fetchone()
    return row[0] if row else None


@dataclass
class StagedFile:
    survey: SurveyFile
    staged: Staged


def stage_file(survey: SurveyFile, expected_sha256: str | None) -> StagedFile:
    """Read and harmonise one export (no database involved)."""
    country = load_countries()[survey.country]
    data_sha = sha256_of(survey.path.read_bytes())
    raw = read_export(survey.path, country.export)
    after = sha256_of(survey.path.read_bytes())
    if after != data_sha or (expected_sha256 and after != expected_sha256):
        raise ChangedSinceRecorded(
            f"{survey.path}: content differs from the recorded provenance "
            f"(recorded {str(expected_sha256)[:12]}, now {after[:12]}); re-run the raw step")
    staged = harmonise(raw, load_codebook(), survey.wave, country, pseudonym_key())
    return StagedFile(survey, staged)


def write_partition(con: duckdb.DuckDBPyConnection, wave: int, country: str,
                    files: list[StagedFile], run_id: str) -> None:
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
        "wave": item.survey.wave, "country": item.survey.country, "file": path,
        "rows_read": staged.rows_read, "rows_loaded": staged.rows_loaded,
        "rows_quarantined": staged.rows_quarantined, "run_id": run_id, "loaded_at": _utcnow(),
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
