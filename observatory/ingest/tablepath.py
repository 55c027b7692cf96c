"""Stage a workbook or an SPSS file with DuckDB: the Python reader reads it and makes its
cells (`observatory.ingest.readers`: sheet rows, formulas, merged headers, value
labels, its checks of the cells), the cells the harmonisation reads go to DuckDB as an
Arrow table of strings (the temp table `src`, standing in for what
`observatory.ingest.duckread` gives for text), and SQL harmonises them
(`observatory.ingest.sqlstage`), giving what the Python harmonisation gives, row for
row. A table the Python path would report on as a whole or that its reader found
wrong (a header that is not the instrument's, a duplicated column, a record the reader
flagged, no record at all) or that holds more than fastpath's share of memory_budget_mib
is left to the Python path (`stage` answers None, having written nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from observatory.codebook import Codebook
from observatory.config import Country
from observatory.ingest import sqlstage
from observatory.ingest.duckread import Wanted
from observatory.ingest.fastpath import file_share, instrument_columns
from observatory.ingest.readers import SUFFIX_FORMATS, RawTable

FORMATS = ("xlsx", "sav")
ROW = "source_row"  # src's column of each record's row (a sheet's row, an SPSS case)


@dataclass
class Read:
    """What the SQL staging gave for one table."""

    rows_loaded: int
    ignored: list[str] = field(default_factory=list)


def _cells(raw: RawTable, wanted: list[Wanted], share: int) -> pa.Table | None:
    """The table's row numbers and wanted columns (personal data: '' where filled), or
    None once they hold more than `share` bytes."""
    arrays, names, size = [pa.array(raw.rows, pa.int64())], [ROW], 0
    for w in wanted:
        cells = raw.frame.iloc[:, w.position]
        values = cells.where(cells.isna(), "") if w.blank_only else cells
        arrays.append(pa.array(values.to_numpy(), pa.string(), from_pandas=True))
        names.append(w.name)
        size += arrays[-1].nbytes
        if size > share:
            return None
    return pa.table(arrays, names=names)


def stage(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    book: Codebook,
    wave: int,
    country: Country,
    key: bytes,
    to: sqlstage.Target,
) -> Read | None:
    """Stage one table of a workbook or SPSS file through DuckDB into `to`, or None
    (nothing written)."""
    fmt = SUFFIX_FORMATS.get(raw.path.suffix.lower(), country.export.format)
    share = file_share(country)
    if fmt not in FORMATS or share is None or not raw.rows or raw.issues or raw.duplicates:
        return None
    found = instrument_columns(list(raw.frame.columns), book, wave, country)
    cells = found and _cells(raw, found[1], share)
    if not found or cells is None:
        return None
    columns, _, ignored = found
    con.register("ingest_source", cells)
    con.execute("CREATE OR REPLACE TEMP TABLE src AS FROM ingest_source")
    con.unregister("ingest_source")
    del cells
    loaded = sqlstage.stage(con, book, country, wave, str(raw.path), columns, key, to, ROW)
    return Read(loaded, ignored)
