"""Write a partition's exports into DuckDB a harmonised chunk at a time, so that memory
holds one chunk whatever the size of the export; then quarantine every copy of the
respondent ids found more than once in the partition (`sql/duplicates.sql`), move the
rows into staging.responses, staging.answers and audit.quarantine, and count each
file's rows: rows read = rows loaded + rows quarantined.

Chunks wait in temporary tables (ingest_*: no write-ahead log, spilled to DuckDB's
temporary directory beyond its memory limit), outside the partition's transaction: the
DuckDB path (`observatory.ingest.fastpath`) falls back to the Python reader when DuckDB
raises, and an error inside an open DuckDB transaction aborts it. The move is the
caller's transaction (`finish`): the warehouse's, or that of a `scratch` in-memory
database (`observatory check`, small files, tests): the rows reach the warehouse file
once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import Country, load_settings
from observatory.ingest import fastpath, tablepath
from observatory.ingest.harmonise import harmonise_chunk
from observatory.ingest.readers import RawTable
from observatory.ingest.sqlstage import Target

SQL = Path(__file__).with_name("sql")
SCHEMA = Path(__file__).parents[1] / "warehouse" / "sql" / "schema.sql"
INCOMING = {  # table -> the temporary table where its chunks wait for the move
    "staging.responses": "ingest_responses",
    "staging.answers": "ingest_answers",
    "audit.quarantine": "ingest_quarantine",
}
IDS = "ingest_ids"
ROW_TABLES = ("staging.responses", "staging.answers")
DUCKDB_MIN_MIB = 16  # at 6 MiB, moving a partition of 15,000 responses ran out of memory


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
    # or "duckdb" (`observatory.ingest.fastpath`), or "sql" (a workbook's or SPSS file's
    # cells read into Arrow and harmonised in SQL: `observatory.ingest.tablepath`)
    reader: str = "python"


@dataclass
class Export:
    """An export file to stage: iterated, its chunks as the Python reader gives them,
    read only if the DuckDB path does not take the file; `unchanged` holds while it is
    read (raising if the file changed meanwhile)."""

    path: Path
    chunks: Iterable[RawTable]
    unchanged: Callable[[], AbstractContextManager[None]]

    def __iter__(self) -> Iterator[RawTable]:
        return iter(self.chunks)


@functools.cache
def _sql(name: str) -> str:
    """A statement of sql/ (read once per process)."""
    return (SQL / name).read_text(encoding="utf-8")


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the warehouse's staging and audit tables."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


@contextmanager
def within_budget(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB held to memory_budget_mib (its buffers, at least DUCKDB_MIN_MIB, and its
    allocator handing freed memory back past a quarter of the budget) while a partition
    is staged; then the connection's own settings again."""
    names = ("memory_limit", "allocator_flush_threshold")
    before = con.execute("SELECT current_setting(?), current_setting(?)", [*names]).fetchall()[0]
    budget = load_settings().memory_budget_mib
    limits = (max(budget, DUCKDB_MIN_MIB), max(1, budget // 4))
    for name, value in zip(names, limits, strict=True):
        con.execute(f"SET {name} = ?", [f"{value}MiB"])
    try:
        yield
    finally:
        for name, value in zip(names, before, strict=True):
            con.execute(f"SET {name} = ?", [value])


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, mode: str = "") -> None:
    """Append `frame`'s columns by name (`mode` "OR REPLACE": upsert)."""
    con.register("incoming", frame)
    con.execute(f"INSERT {mode} INTO {table} BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


class Loader:
    """Loads the exports of one wave x country into `con`. `rows`: write the staged rows
    (`observatory check` needs only the quarantine and the counts). Call `finish` in a
    transaction, then `close` whatever happened."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        wave: int,
        country: Country,
        key: bytes,
        run_id: str | None = None,
        rows: bool = True,
        duckdb_path: bool = True,
    ):
        self.con, self.wave, self.country, self.key = con, wave, country, key
        self.run_id, self.rows, self.duckdb_path = run_id, rows, duckdb_path
        self.files: list[FileCounts] = []
        self.book = load_codebook()
        for table, incoming in INCOMING.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {incoming} AS FROM {table} LIMIT 0")
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE {IDS} (file_no SMALLINT, respondent_key VARCHAR, "row" '
            'INTEGER, "column" VARCHAR, loaded BOOLEAN)'
        )

    def add(self, chunks: Iterable[RawTable]) -> FileCounts:
        """Harmonise and write the chunks of one export, one at a time; an `Export` that
        a DuckDB path takes (`duckdb_path`) is staged there instead."""
        if isinstance(chunks, Export) and self.duckdb_path:
            with chunks.unchanged():
                done = self._staged_in_sql(chunks.path)
            if done is not None:
                self.files.append(done)
                return done
        counts = None
        for raw in chunks:
            counts = counts or FileCounts(raw.path, raw.encoding, raw.delimiter, raw.header_row)
            self._write(raw, counts)
            del raw  # let the chunk go before the reader makes the next
        assert counts is not None, "a reader yields at least one table"
        self.files.append(counts)
        return counts

    def _staged_in_sql(self, path: Path) -> FileCounts | None:
        """The export staged by DuckDB: a text export read by DuckDB, a workbook or SPSS
        file read into Arrow; or None (nothing written)."""
        args = (self.con, path, self.book, self.wave, self.country, self.key, self._target())
        text = fastpath.stage(*args)
        if text is not None:
            layout = text.layout
            return FileCounts(
                path,
                layout.encoding,
                layout.delimiter,
                layout.header_line,
                text.rows_read,
                text.rows_loaded,
                ignored=text.ignored,
                reader="duckdb",
            )
        table = tablepath.stage(*args)
        if table is None:
            return None
        return FileCounts(
            path,
            None,
            None,
            table.header_row,
            table.rows_read,
            table.rows_loaded,
            ignored=table.ignored,
            reader="sql",
        )

    def _target(self) -> Target:
        return Target(
            INCOMING["audit.quarantine"],
            INCOMING["staging.responses"] if self.rows else None,
            INCOMING["staging.answers"],
            IDS,
            len(self.files),  # the file's number
            self.run_id,
        )

    def _write(self, raw: RawTable, counts: FileCounts) -> None:
        part, file = (
            harmonise_chunk(raw, self.book, self.wave, self.country, self.key),
            str(raw.path),
        )
        insert(self.con, IDS, part.ids.assign(file_no=len(self.files)))  # the file's number
        insert(self.con, INCOMING["audit.quarantine"], part.quarantine.assign(run_id=self.run_id))
        if self.rows:
            insert(
                self.con, INCOMING["staging.responses"], part.respondents.assign(source_file=file)
            )
            insert(self.con, INCOMING["staging.answers"], part.answers)
        counts.rows_read += part.rows_read
        counts.rows_loaded += part.rows_loaded
        counts.ignored = part.ignored

    def finish(self) -> list[FileCounts]:
        """Quarantine the duplicated ids of the partition, move its rows and count each
        file's rows (in the caller's transaction)."""
        con, partition = self.con, [self.wave, self.country.code]
        duplicated = self._duplicates()
        for table, incoming in INCOMING.items():
            con.execute(
                f"INSERT INTO {table} SELECT * FROM {incoming} WHERE respondent_key NOT IN "
                "(SELECT respondent_key FROM ingest_duplicates)"
                if duplicated and table in ROW_TABLES
                else f"INSERT INTO {table} SELECT * FROM {incoming}"
            )
        if duplicated:
            con.execute(
                'INSERT INTO audit.quarantine BY NAME SELECT ? AS wave, ? AS country, file, "row", '
                '"column", respondent_key AS value, reason, ? AS run_id FROM ingest_duplicates '
                'ORDER BY file, "row"',
                [*partition, self.run_id],
            )
        dropped = dict(
            con.execute(
                "SELECT file, count(*) FILTER (loaded) FROM ingest_duplicates GROUP BY file"
            ).fetchall()
            if duplicated
            else []
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
        return self.files

    def _duplicates(self) -> bool:
        """Whether an id occurs more than once in the partition; if so, its copies in the
        temporary table ingest_duplicates (`sql/duplicates.sql`)."""
        con = self.con
        (duplicated,) = con.execute(
            f"SELECT count(*) > count(DISTINCT respondent_key) FROM {IDS}"
        ).fetchall()[0]
        if duplicated:
            con.execute(_sql("duplicates.sql"), {"files": [str(f.path) for f in self.files]})
        return bool(duplicated)

    def close(self) -> None:
        """Drop the tables the chunks waited in."""
        self.con.execute(
            "; ".join(
                f"DROP TABLE IF EXISTS {t}" for t in (*INCOMING.values(), IDS, "ingest_duplicates")
            )
        )
