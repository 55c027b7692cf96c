"""Stage a workbook or an SPSS file with DuckDB: its cells read into Arrow column by
column (`observatory.ingest.arrowread`: the Python reader's sheet, header, merged
headers, blank rows, user-missing codes and value labels, without a Python call per
cell), the columns the harmonisation reads handed to DuckDB as the temp table `src`
(standing in for what `observatory.ingest.duckread` gives for text; personal data only
as whether it is filled) and SQL harmonising them (`observatory.ingest.sqlstage`),
giving what the Python reader and harmonisation give, row for row. A file the Python
reader would refuse or report on (unreadable, a formula without its value, a duplicated
column, a cell too long or holding a control character, a record that may repeat the
header, no record at all), whose header is not the instrument's, or whose columns hold
more than fastpath's share of memory_budget_mib is left to the Python path (`stage`
answers None, having written nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from observatory.codebook import Codebook
from observatory.config import Country
from observatory.ingest import arrowread, sqlstage
from observatory.ingest.arrowcells import flagged, repeats_header
from observatory.ingest.duckread import Wanted
from observatory.ingest.fastpath import file_share, instrument_columns
from observatory.ingest.harmonise import expected_headers
from observatory.ingest.readers import SUFFIX_FORMATS, column_names
from observatory.ingest.sniff import ReadError

ROW = "source_row"  # src's column of each record's row (a sheet's row, an SPSS case)


@dataclass
class Read:
    """What the SQL staging gave for one file."""

    header_row: int
    rows_read: int
    rows_loaded: int
    ignored: list[str] = field(default_factory=list)


def _records(path: Path, book: Codebook, wave: int, country: Country) -> arrowread.Records | None:
    fmt = SUFFIX_FORMATS.get(path.suffix.lower(), country.export.format)
    try:
        if fmt == "xlsx":
            expected = expected_headers(book, wave, country)
            return arrowread.read_xlsx(path, country.export, expected)
        return arrowread.read_sav(path) if fmt == "sav" else None
    except (ReadError, OSError, ValueError):  # the Python reader says why
        return None


def _columns(records: arrowread.Records) -> dict[int, str] | None:
    """The columns the Python reader keeps (a column without a header or a cell is
    dropped) by position, or None if it would report on a record."""
    names, duplicates = column_names(records.header)
    count = len(records.rows)
    kept = {
        i: name
        for i, name in enumerate(names)
        if not name.startswith("<blank column") or records.column(i).null_count < count
    }
    if duplicates or not count or not kept:
        return None
    if flagged([records.column(i) for i in sorted(kept.keys() & set(records.suspect))]):
        return None
    first = next(iter(kept))
    return None if repeats_header(records.column(first), kept[first]) else kept


def _cells(
    records: arrowread.Records, positions: list[int], wanted: list[Wanted], share: int
) -> pa.Table | None:
    """The records' row numbers and wanted columns (personal data: '' where filled), or
    None once they hold more than `share` bytes."""
    arrays, names, size = [records.rows], [ROW], 0
    for w in wanted:
        cells = records.column(positions[w.position])
        if w.blank_only:
            cells = pc.if_else(pc.is_valid(cells), "", pa.scalar(None, pa.string()))
        arrays.append(cells)
        names.append(w.name)
        size += cells.nbytes
        if size > share:
            return None
    return pa.table(arrays, names=names)


def stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    book: Codebook,
    wave: int,
    country: Country,
    key: bytes,
    to: sqlstage.Target,
) -> Read | None:
    """Stage a workbook or SPSS file through DuckDB into `to`, or None (nothing written)."""
    share = file_share(country)
    records = None if share is None else _records(path, book, wave, country)
    kept = records and _columns(records)
    if not records or not kept or share is None:
        return None
    found = instrument_columns(list(kept.values()), book, wave, country)
    cells = found and _cells(records, list(kept), found[1], share)
    if not found or cells is None:
        return None
    columns, _, ignored = found
    con.register("ingest_source", cells)
    con.execute("CREATE OR REPLACE TEMP TABLE src AS FROM ingest_source")
    con.unregister("ingest_source")
    header_row, rows = records.header_row, len(records.rows)
    del cells, records  # in src now
    loaded = sqlstage.stage(con, book, country, wave, str(path), columns, key, to, ROW)
    return Read(header_row, rows, loaded, ignored)
