"""Write a partition's exports into DuckDB a harmonised chunk at a time, so that memory
holds one chunk whatever the size of the export; then quarantine every copy of the
respondent ids found more than once in the partition (`sql/duplicates.sql`) and count
each file's rows: rows read = rows loaded + rows quarantined.

The tables written are staging.responses, staging.answers and audit.quarantine: those
of the warehouse inside the caller's transaction, or those of a `scratch` in-memory
database (`observatory check`, small files and tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import Country
from observatory.ingest.harmonise import harmonise_chunk
from observatory.ingest.readers import RawTable

SQL = Path(__file__).with_name("sql")
SCHEMA = Path(__file__).parents[1] / "warehouse" / "sql" / "schema.sql"
ROW_TABLES = ("staging.responses", "staging.answers")


@dataclass
class FileCounts:
    """What one export gave: its layout as the reader found it, and its rows."""

    path: Path
    encoding: str | None
    delimiter: str | None
    header_row: int
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    problems: int = 0  # quarantine rows (a row may have several problems)
    ignored: list[str] = field(default_factory=list)  # columns the codebook says to ignore


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the warehouse's staging and audit tables."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


class Loader:
    """Loads the exports of one wave x country into `con`. `rows`: write the staged rows
    (`observatory check` needs only the quarantine and the counts)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        wave: int,
        country: Country,
        key: bytes,
        run_id: str | None = None,
        rows: bool = True,
    ):
        self.con, self.wave, self.country, self.key = con, wave, country, key
        self.run_id, self.rows, self.files = run_id, rows, []
        self.book = load_codebook()
        con.execute(
            'CREATE OR REPLACE TEMP TABLE ingest_ids (file VARCHAR, respondent_key VARCHAR, "row" '
            'INTEGER, "column" VARCHAR, loaded BOOLEAN)'
        )

    def add(self, chunks: Iterable[RawTable]) -> FileCounts:
        """Harmonise and write the chunks of one export, one at a time."""
        counts = None
        for raw in chunks:
            counts = counts or FileCounts(raw.path, raw.encoding, raw.delimiter, raw.header_row)
            self._write(raw, counts)
            del raw  # let the chunk go before the reader makes the next
        assert counts is not None, "a reader yields at least one table"
        self.files.append(counts)
        return counts

    def _write(self, raw: RawTable, counts: FileCounts) -> None:
        part, file = (
            harmonise_chunk(raw, self.book, self.wave, self.country, self.key),
            str(raw.path),
        )
        insert(self.con, "ingest_ids", part.ids.assign(file=file))
        insert(self.con, "audit.quarantine", part.quarantine.assign(run_id=self.run_id))
        if self.rows:
            insert(self.con, "staging.responses", part.respondents.assign(source_file=file))
            insert(self.con, "staging.answers", part.answers)
        counts.rows_read += part.rows_read
        counts.rows_loaded += part.rows_loaded
        counts.ignored = part.ignored

    def finish(self) -> list[FileCounts]:
        """Quarantine the duplicated ids of the partition and count each file's rows."""
        con, partition = self.con, [self.wave, self.country.code]
        con.execute((SQL / "duplicates.sql").read_text(encoding="utf-8"))
        con.execute(
            'INSERT INTO audit.quarantine BY NAME SELECT ? AS wave, ? AS country, file, "row", '
            '"column", respondent_key AS value, reason, ? AS run_id FROM ingest_duplicates '
            'ORDER BY file, "row"',
            [*partition, self.run_id],
        )
        for table in ROW_TABLES if self.rows else ():
            con.execute(
                f"DELETE FROM {table} WHERE wave = ? AND country = ? AND respondent_key IN "
                "(SELECT respondent_key FROM ingest_duplicates)",
                partition,
            )
        dropped = dict(
            con.execute(
                "SELECT file, count(*) FILTER (loaded) FROM ingest_duplicates GROUP BY file"
            ).fetchall()
        )
        quarantined = {
            file: (rows, problems)
            for file, rows, problems in con.execute(
                'SELECT file, count(DISTINCT "row"), count(*) FROM audit.quarantine '
                "WHERE wave = ? AND country = ? GROUP BY file",
                partition,
            ).fetchall()
        }
        for counts in self.files:
            counts.rows_loaded -= dropped.get(str(counts.path), 0)
            counts.rows_quarantined, counts.problems = quarantined.get(str(counts.path), (0, 0))
        con.execute("DROP TABLE ingest_ids; DROP TABLE ingest_duplicates")
        return self.files
