"""Stage a well-formed text export with DuckDB: the Python sniff finds its layout and
reads its header, DuckDB parses its records (`observatory.ingest.duckread`) and SQL
harmonises them (`observatory.ingest.sqlstage`), giving what the Python reader and
harmonisation give, row for row. Everything else is left to the Python path (`stage`
answers None, having written nothing): a workbook or SPSS file (which the Python reader
reads, and `observatory.ingest.tablepath` may harmonise in SQL), an export larger than
a sixteenth of memory_budget_mib (the Python reader's chunks bound its memory), and any
file whose layout, header or records DuckDB might read otherwise, or that the Python
path refuses or reports on (its error or its quarantine is then the Python path's)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from observatory.codebook import Codebook, normalise_label
from observatory.config import Country, load_settings
from observatory.ingest import duckread, sqlstage
from observatory.ingest.harmonise import column_map, expected_headers
from observatory.ingest.readers import SUFFIX_FORMATS, column_names
from observatory.ingest.sniff import Layout, ReadError, detect_layout
from observatory.ingest.sqlvalues import Column
from observatory.ingest.textfile import Lines, open_text, records

# DuckDB's SQL staging holds a file's rows while it runs: taken for exports of at most a
# sixteenth of memory_budget_mib, with a budget of at least 64 MiB (at 6 MiB, DuckDB held
# to 16 MiB ran out of memory on 800 rows)
MIN_BUDGET_MIB, FILE_SHARE = 64, 16


@dataclass
class Read:
    """What the DuckDB path gave for one export."""

    layout: Layout
    rows_read: int
    rows_loaded: int
    ignored: list[str] = field(default_factory=list)


def file_share(country: Country) -> int | None:
    """Bytes of an export the SQL staging takes (a sixteenth of memory_budget_mib); None
    below MIN_BUDGET_MIB, or when SQL would not split the country's multi-select cells as
    the Python path does (on runs of whitespace)."""
    multi, budget = country.export.multi_select, load_settings().memory_budget_mib
    if budget < MIN_BUDGET_MIB or (
        multi.layout != "columns" and not (multi.separator or "").strip()
    ):
        return None
    return (budget << 20) // FILE_SHARE


def _layout(path: Path, book: Codebook, wave: int, country: Country) -> Layout | None:
    """The layout of a text export small enough for the DuckDB path, its header on line 1."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower(), country.export.format)
    share = file_share(country)
    if fmt != "csv" or share is None or path.stat().st_size > share:
        return None
    try:
        layout = detect_layout(path, country.export, expected_headers(book, wave, country))
    except ReadError:
        return None
    return layout if layout.header_line == 1 else None


def _header(path: Path, layout: Layout) -> list[str] | None:
    """The header's names as the Python reader names them; None if it has a duplicated
    or blank name or too many columns."""
    with open_text(path, layout.encoding) as stream:
        lines = Lines(stream, load_settings().max_line_chars)
        first = next(records(lines, layout.delimiter, []), None)
    if first is None or len(first.fields) > load_settings().max_columns:
        return None
    names, duplicates = column_names(first.fields)
    blank = any(n.startswith("<blank column") for n in names)
    return None if duplicates or blank else names


def instrument_columns(
    names: list[str], book: Codebook, wave: int, country: Country
) -> tuple[list[Column], list[duckread.Wanted], list[str]] | None:
    """The columns read (personal data: only whether it is blank, if required), what to
    read of the file, and the ignored columns; None unless the header is the instrument's,
    each question's column(s) once."""
    mapping = column_map(book, wave, country)
    columns: list[Column] = []
    wanted: list[duckread.Wanted] = []
    ignored: list[str] = []
    seen: set[tuple[str, str | None]] = set()
    for position, name in enumerate(names):
        target = mapping.get(normalise_label(name))
        if target is None or target in seen:
            if target is None and book.is_ignored(name):
                ignored.append(name)
                continue
            return None
        seen.add(target)
        question = book.questions[target[0]]
        if question.kind == "pii" and not question.required:
            continue
        column = Column(f"c{len(columns)}", name, question, target[1])
        columns.append(column)
        wanted.append(duckread.Wanted(position, column.name, question.kind == "pii"))
    kinds = {c.question.kind for c in columns}
    if seen != set(mapping.values()) or not {"id", "single"} <= kinds:
        return None
    return (columns, wanted, ignored) if kinds & {"likert", "number"} else None


def stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    book: Codebook,
    wave: int,
    country: Country,
    key: bytes,
    to: sqlstage.Target,
) -> Read | None:
    """Stage one export through DuckDB into `to`, or None (nothing written)."""
    layout = _layout(path, book, wave, country)
    names = layout and _header(path, layout)
    found = names and instrument_columns(names, book, wave, country)
    if not layout or not names or not found:
        return None
    columns, wanted, ignored = found
    with duckread.utf8_file(path, layout.encoding) as text:
        rows = duckread.read_text(con, text, layout.delimiter, names, wanted)
    if rows is None:
        return None
    loaded = sqlstage.stage(con, book, country, wave, str(path), columns, key, to)
    return Read(layout, rows, loaded, ignored)
