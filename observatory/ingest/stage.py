"""The raw and staged steps for one wave x country.

raw:    record the provenance of each export (hash, size, arrival, encoding,
        delimiter, codebook version) in audit.raw_files.
staged: replace the partition's rows in one transaction, with other partitions' or
        alone (running it twice changes nothing), reading and harmonising each export
        a chunk at a time and writing each chunk as it comes
        (`observatory.ingest.load`), then checking the export is still the file whose
        provenance was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import Country, load_countries
from observatory.ingest.discover import SurveyFile
from observatory.ingest.harmonise import Staged, expected_headers
from observatory.ingest.load import Export, FileCounts, Loader, insert, scratch, within_budget
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
    """Upsert provenance rows (keyed by file path), in one statement."""
    insert(
        con,
        "audit.raw_files",
        pd.DataFrame([{**p.record(), "run_id": run_id, "recorded_at": _utcnow()} for p in records]),
        "OR REPLACE",
    )


def recorded_sha256(con: duckdb.DuckDBPyConnection, survey: SurveyFile) -> str | None:
    rows = con.execute(
        "SELECT sha256 FROM audit.raw_files WHERE file = ?", [str(survey.path)]
    ).fetchall()  # fetchone() would leave the result open, and the connection busy
    return rows[0][0] if rows else None


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


@contextmanager
def unchanged(survey: SurveyFile, expected_sha256: str | None) -> Iterator[None]:
    """ChangedSinceRecorded, after the block, if the export's bytes changed while it ran,
    or differ from those whose provenance was recorded."""
    before = file_sha256(survey.path)
    yield
    after = file_sha256(survey.path)
    if after != before or (expected_sha256 and after != expected_sha256):
        raise ChangedSinceRecorded(
            f"{survey.path}: content differs from the recorded provenance "
            f"(recorded {str(expected_sha256)[:12]}, now {after[:12]}); re-run the raw step"
        )


def _checked_chunks(survey: SurveyFile, expected_sha256: str | None) -> Iterator[RawTable]:
    with unchanged(survey, expected_sha256):
        yield from survey_chunks(survey.path, survey.wave, load_countries()[survey.country])


def file_chunks(survey: SurveyFile, expected_sha256: str | None) -> Export:
    """An export to stage (`Loader.add`): staged by DuckDB when it can, else its chunks
    (`survey_chunks`); either way ChangedSinceRecorded if its bytes changed while it was
    read, or differ from those whose provenance was recorded."""
    return Export(
        survey.path,
        _checked_chunks(survey, expected_sha256),
        lambda: unchanged(survey, expected_sha256),
    )


@contextmanager
def staging(
    con: duckdb.DuckDBPyConnection, wave: int, country: str, run_id: str, budget: bool = True
) -> Iterator[Loader]:
    """Replace everything staged for (wave, country): the caller adds each export to the
    loader (`Loader.add`, chunk by chunk); then the partition is moved (`move`). DuckDB
    is held to the memory budget meanwhile (`within_budget`), unless `budget` is False:
    the caller already holds it there, e.g. over several partitions."""
    loader = Loader(con, pseudonym_key(), run_id)
    try:
        with within_budget(con) if budget else nullcontext():
            with loader.partition(wave, load_countries()[country]):
                yield loader
            move(con, loader, run_id)
    finally:
        loader.close()


def move(
    con: duckdb.DuckDBPyConnection, loader: Loader, run_id: str
) -> dict[tuple[int, str], list[FileCounts]]:
    """In one transaction, the rows of every partition staged in `loader` replace that
    partition's (staged rows, quarantine, row accounting), duplicates quarantined, and
    its files' accounting and what the reader found written: all of it commits, or
    nothing does. The partitions moved, with their files counted."""
    if not loader.partitions:
        return {}
    waves, countries = (list(column) for column in zip(*loader.partitions, strict=True))
    con.execute("BEGIN TRANSACTION")
    try:
        for table in PARTITION_TABLES:
            con.execute(
                f"DELETE FROM {table} USING (SELECT unnest(?::INTEGER[]) AS w, "
                "unnest(?::VARCHAR[]) AS c) k WHERE wave = k.w AND country = k.c",
                [waves, countries],
            )
        moved = loader.finish()
        _account(con, moved, run_id)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return moved


def _account(
    con: duckdb.DuckDBPyConnection,
    partitions: dict[tuple[int, str], list[FileCounts]],
    run_id: str,
) -> None:
    """The files' row accounting, and what the reader found of each in audit.raw_files:
    a statement each, whatever the number of files."""
    files = [(wave, country, f) for (wave, country), its in partitions.items() for f in its]
    if not files:
        return
    now, fingerprint = _utcnow(), key_fingerprint(pseudonym_key())
    con.execute(
        "INSERT INTO audit.row_accounting (wave, country, file, rows_read, rows_loaded, "
        f"rows_quarantined, run_id, loaded_at, key_fingerprint) VALUES {_rows(len(files), 9)}",
        [
            value
            for wave, country, f in files
            for value in (wave, country, str(f.path), f.rows_read, f.rows_loaded)
            + (f.rows_quarantined, run_id, now, fingerprint)
        ],
    )
    con.execute(  # what the reader found, now that the file has been read
        "UPDATE audit.raw_files SET rows = v.rows, encoding = v.encoding, "
        f"delimiter = v.delimiter FROM (VALUES {_rows(len(files), 4)}) "
        "v(file, rows, encoding, delimiter) WHERE raw_files.file = v.file",
        [value for *_, f in files for value in (str(f.path), f.rows_read, f.encoding, f.delimiter)],
    )


def _rows(count: int, width: int) -> str:
    """Placeholders of `count` rows of `width` parameters."""
    row = "(" + ", ".join(["?"] * width) + ")"
    return ", ".join([row] * count)


def stage_alone(
    chunks: Iterable[RawTable],
    wave: int,
    country: Country,
    key: bytes,
    rows: bool = True,
    problems: int | None = None,
) -> tuple[FileCounts, Staged]:
    """One export staged in a scratch database, as the pipeline stages it: its counts,
    and its staged rows (none unless `rows`) and quarantine (the first `problems` rows,
    default all) in file order."""
    with scratch() as con, within_budget(con):
        loader = Loader(con, key, rows=rows)
        with loader.partition(wave, country):
            counts = loader.add(chunks)
        loader.finish()
        quarantine = con.execute(
            'SELECT * EXCLUDE (run_id) FROM audit.quarantine ORDER BY "row", "column", rowid '
            "LIMIT ?",
            [problems],
        ).df()
        respondents = con.execute("SELECT * EXCLUDE (source_file) FROM staging.responses").df()
        answers = con.execute("SELECT * FROM staging.answers").df()
    staged = Staged(respondents, answers, quarantine, counts.rows_read, counts.ignored)
    return counts, staged


def harmonise_survey(
    raw: RawTable, wave: int, country: Country, key: bytes | None = None
) -> Staged:
    """One table of records staged on its own (duplicated ids included), ids keyed with
    `key` (default: the deployment's)."""
    return stage_alone([raw], wave, country, key or pseudonym_key())[1]


def stage_file(survey: SurveyFile, expected_sha256: str | None = None) -> Staged:
    """One export staged on its own, with the deployment's key (a small file: the
    pipeline writes a partition's chunks as they are read, `staging`)."""
    country = load_countries()[survey.country]
    return stage_alone(file_chunks(survey, expected_sha256), survey.wave, country, pseudonym_key())[
        1
    ]
