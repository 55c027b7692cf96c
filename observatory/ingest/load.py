"""Write the exports of one partition (wave x country) or several into DuckDB a
harmonised chunk at a time, so that memory holds one chunk whatever the size of the
export; then quarantine every copy of the respondent ids found more than once in a
partition (`sql/duplicates.sql`), move the rows of all the partitions into
staging.responses, staging.answers and audit.quarantine, and count each file's rows:
rows read = rows loaded + rows quarantined.

Chunks wait in temporary tables (ingest_*: no write-ahead log, spilled to DuckDB's
temporary directory beyond its memory limit), outside the move's transaction: the
DuckDB path (`observatory.ingest.fastpath`) falls back to the Python reader when DuckDB
raises, and an error inside an open DuckDB transaction aborts it; a partition that
fails is taken back out of them. The move is the caller's transaction (`finish`): the
warehouse's, or that of a `scratch` in-memory database (`observatory check`, small
files, tests): the rows reach the warehouse file once. Moving many partitions costs
what moving one does, a few statements: the shipped sample's 50 moved one by one took
1.4 of a refresh's 12.6 CPU-s."""

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
# A record waiting in the temporary tables, its answers with it: 41 MiB for 20,000.
BYTES_PER_RECORD = 2_200


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


def move_records() -> int:
    """Records the partitions staged may hold before they are moved: a quarter of
    memory_budget_mib's worth (30,504 at 256 MiB)."""
    return max(1, (load_settings().memory_budget_mib << 20) // 4 // BYTES_PER_RECORD)


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, mode: str = "") -> None:
    """Append `frame`'s columns by name (`mode` "OR REPLACE": upsert)."""
    con.register("incoming", frame)
    con.execute(f"INSERT {mode} INTO {table} BY NAME SELECT * FROM incoming")
    con.unregister("incoming")


class Loader:
    """Loads the exports of one or more partitions (wave x country) into `con`'s
    temporary tables: a `partition` block for each, `add` for each of its exports. Then
    `finish`, in a transaction, moves them all (every partition's in a statement per
    table, not a set each); `close` whatever happened. `rows`: write the staged rows
    (`observatory check` needs only the quarantine and the counts)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        key: bytes,
        run_id: str | None = None,
        rows: bool = True,
        duckdb_path: bool = True,
    ):
        self.con, self.key, self.run_id = con, key, run_id
        self.rows, self.duckdb_path = rows, duckdb_path
        self.partitions: dict[tuple[int, str], list[FileCounts]] = {}
        self.current: tuple[int, Country] | None = None  # the partition of `partition`'s block
        self.book = load_codebook()
        for table, incoming in INCOMING.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {incoming} AS FROM {table} LIMIT 0")
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE {IDS} (file_no INTEGER, respondent_key VARCHAR, "row" '
            'INTEGER, "column" VARCHAR, loaded BOOLEAN)'
        )

    @property
    def files(self) -> list[FileCounts]:
        """The exports waiting to be moved, by partition: a file's number is its place."""
        return [counts for files in self.partitions.values() for counts in files]

    @property
    def rows_read(self) -> int:
        """Records read from the exports waiting to be moved."""
        return sum(counts.rows_read for counts in self.files)

    @contextmanager
    def partition(self, wave: int, country: Country) -> Iterator[None]:
        """Stage (wave, country): the exports the block adds. If the block raises, the
        partition's rows are taken out of the temporary tables and the other partitions'
        stay."""
        code = country.code
        if (wave, code) in self.partitions:
            raise ValueError(f"{wave} {code}: staged twice before a move")
        first = len(self.files)
        self.current = wave, country
        self.partitions[wave, code] = []
        try:
            yield
        except BaseException:
            del self.partitions[wave, code]
            for incoming in INCOMING.values():
                self.con.execute(
                    f"DELETE FROM {incoming} WHERE wave = ? AND country = ?", [wave, code]
                )
            self.con.execute(f"DELETE FROM {IDS} WHERE file_no >= ?", [first])
            raise
        finally:
            self.current = None

    def _staged(self) -> tuple[int, Country, list[FileCounts]]:
        """The partition being staged: its wave, country and exports so far."""
        if self.current is None:
            raise RuntimeError("an export is added within a `partition` block")
        wave, country = self.current
        return wave, country, self.partitions[wave, country.code]

    def add(self, chunks: Iterable[RawTable]) -> FileCounts:
        """Harmonise and write the chunks of one export of the partition being staged,
        one at a time; an `Export` that a DuckDB path takes (`duckdb_path`) is staged
        there instead."""
        *_, files = self._staged()
        if isinstance(chunks, Export) and self.duckdb_path:
            with chunks.unchanged():
                done = self._staged_in_sql(chunks.path)
            if done is not None:
                files.append(done)
                return done
        counts = None
        for raw in chunks:
            counts = counts or FileCounts(raw.path, raw.encoding, raw.delimiter, raw.header_row)
            self._write(raw, counts)
            del raw  # let the chunk go before the reader makes the next
        assert counts is not None, "a reader yields at least one table"
        files.append(counts)
        return counts

    def _staged_in_sql(self, path: Path) -> FileCounts | None:
        """The export staged by DuckDB: a text export read by DuckDB, a workbook or SPSS
        file read into Arrow; or None (nothing written)."""
        wave, country, _ = self._staged()
        args = (self.con, path, self.book, wave, country, self.key, self._target())
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
        wave, country, _ = self._staged()
        part, file = harmonise_chunk(raw, self.book, wave, country, self.key), str(raw.path)
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

    def finish(self) -> dict[tuple[int, str], list[FileCounts]]:
        """Quarantine every copy of an id found more than once in a partition
        (`sql/duplicates.sql`), move the rows of every partition staged and count each
        file's rows (in the caller's transaction, the partitions' old rows deleted); the
        partitions moved, their files counted. The loader is empty again."""
        con, files, moved = self.con, self.files, self.partitions
        paths = [str(f.path) for f in files]
        partitions = [partition for partition, its in moved.items() for _ in its]
        con.execute(
            _sql("duplicates.sql"),
            {
                "files": paths,
                "waves": [wave for wave, _ in partitions],
                "countries": [country for _, country in partitions],
            },
        )
        for table, incoming in INCOMING.items():
            con.execute(
                f"INSERT INTO {table} SELECT * FROM {incoming}"
                + (
                    " ANTI JOIN ingest_duplicates USING (wave, country, respondent_key)"
                    if table in ROW_TABLES
                    else ""
                )
            )
        con.execute(
            'INSERT INTO audit.quarantine BY NAME SELECT wave, country, file, "row", "column", '
            "respondent_key AS value, reason, ? AS run_id FROM ingest_duplicates "
            'ORDER BY wave, country, file, "row"',
            [self.run_id],
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
                "WHERE list_contains(?, file) GROUP BY file",
                [paths],
            ).fetchall()
        }
        for counts in files:
            counts.rows_loaded -= dropped.get(str(counts.path), 0)
            counts.rows_quarantined, counts.problems = quarantined.get(str(counts.path), (0, 0))
        for table in (*INCOMING.values(), IDS):
            con.execute(f"DELETE FROM {table}")
        self.partitions = {}
        return moved

    def close(self) -> None:
        """Drop the tables the chunks waited in."""
        self.con.execute(
            "; ".join(
                f"DROP TABLE IF EXISTS {t}" for t in (*INCOMING.values(), IDS, "ingest_duplicates")
            )
        )
