"""Read one survey export, whatever its tool produced, into a table of text cells.

Every cell comes back as a stripped string or None (blank), every record keeps the
row number a person sees when opening the file (the line of a CSV, the row of a
spreadsheet, the case number of an SPSS file), so problems can be reported as
file:row:column. Records the reader cannot take as they are (a row with too many or
too few fields, control characters, an absurdly long cell, the header repeated) are
kept with an `Issue`, so that harmonisation quarantines them: nothing is dropped.

Pass `expected` (normalised headers the codebook knows) to find the encoding,
delimiter and header row by matching them (see `observatory.ingest.sniff`).
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from observatory.codebook import normalise_label
from observatory.config import ExportProfile, load_settings
from observatory.ingest import workbook
from observatory.ingest.sniff import SCAN_LINES, Layout, ReadError, best_row, detect_layout
from observatory.ingest.textfile import CONTROL, MAX_CELL, Lines, open_text
from observatory.ingest.textfile import records as records_of

__all__ = ["RawTable", "ReadError", "Issue", "merge", "read_export", "read_chunks", "sniff"]

ROW = "(row)"  # the column of a problem with a whole record
csv.field_size_limit(1 << 30)  # a 10 MB line is read (and its row quarantined), not fatal
BYTES_PER_CHAR = 32  # peak memory a character of a record takes, read and harmonised


@dataclass(frozen=True)
class Issue:
    index: int  # the record's position in the table
    column: str
    value: str
    reason: str


@dataclass
class RawTable:
    path: Path
    frame: pd.DataFrame  # object columns: str or None; headers as in the file
    rows: list[int]  # the row number of each record
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    issues: list[Issue] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # renamed column -> header


def cell(value: object) -> str | None:
    if type(value) is str:  # the common case, first
        return value.replace("\ufeff", "").strip() or None  # a stray BOM is invisible
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).replace("\ufeff", "").strip()  # a stray BOM is invisible: drop it
    return text or None


def column_names(header: Sequence[object]) -> tuple[list[str], dict[str, str]]:
    names, duplicates, seen = [], {}, set()
    for i, h in enumerate(header):
        name = cell(h) or f"<blank column {i + 1}>"
        if name in seen:
            duplicates[f"{name} <column {i + 1}>"] = name
            name = f"{name} <column {i + 1}>"
        seen.add(name)
        names.append(name)
    return names, duplicates


def _long(value: str) -> tuple[str, str]:
    return value[:60] + "...", f"cell of {len(value)} characters (more than {MAX_CELL})"


def _control(value: str) -> tuple[str, str]:
    char = CONTROL.findall(value)[0]
    return CONTROL.sub("?", value[:60]), f"control character U+{ord(char):04X} in the cell"


def _cell_issues(frame: pd.DataFrame) -> list[Issue]:
    """Cells longer than MAX_CELL or holding a control character: column by column, the
    long ones first, each kind in row order. Checked over all the frame's cells at once
    (a pass per column cost about 3 ms a column, whatever its length)."""
    height = len(frame)
    cells = frame.to_numpy(dtype=object).ravel(order="F")  # column after column
    kept = np.flatnonzero(pd.notna(cells))
    values = pd.Series(cells[kept], dtype=object).astype(str)
    found = [
        (int(kept[i]) // height, kind, int(kept[i]) % height, describe(values.iat[i]))
        for kind, (mask, describe) in enumerate(
            [
                (values.str.len().to_numpy() > MAX_CELL, _long),
                (values.str.contains(CONTROL).to_numpy(dtype=bool), _control),
            ]
        )
        for i in np.flatnonzero(mask)
    ]
    return [
        Issue(frame.index[row], frame.columns[column], *text)
        for column, _, row, text in sorted(found, key=lambda f: f[:3])
    ]


def _repeated_header(frame: pd.DataFrame) -> list[int]:
    """Records that repeat the header (compared loosely, first column first)."""
    if frame.empty:
        return []
    key = [normalise_label(n) for n in frame.columns]
    first = frame.iloc[:, 0]
    # not through normalise_label's cache: every id would take a place in it
    like = {v for v in first.dropna().unique() if normalise_label.__wrapped__(v) == key[0]}
    return [
        i
        for i in first.index[first.isin(like)]
        if [normalise_label(v or "") for v in frame.loc[i]] == key
    ]


def check_width(header: list[Any]) -> None:
    limit = load_settings().max_columns
    if len(header) > limit:
        raise ReadError(
            f"the header has {len(header):,} columns, more than {limit:,} (the "
            f"max_columns limit of observatory/config/settings.yaml)"
        )


def _table(
    path: Path,
    header: list[Any],
    records: list[list[Any]],
    rows: list[int],
    issues: list[Issue],
    check_cells: bool = True,
    **meta: Any,
) -> RawTable:
    check_width(header)
    names, duplicates = column_names(header)
    width = len(names)
    body = [[cell(v) for v in (rec + [None] * width)[:width]] for rec in records]
    frame = pd.DataFrame(body, columns=names, dtype=object)
    empty = [n for n in names if n.startswith("<blank column") and frame[n].isna().all()]
    frame = frame.drop(columns=empty)  # trailing delimiters: nothing to lose
    repeated = _repeated_header(frame)
    issues = issues + [
        Issue(i, ROW, "", "the header repeated as a data row (exports pasted together?)")
        for i in repeated
    ]
    if check_cells:
        issues += _cell_issues(frame)
    return RawTable(path, frame, rows, issues=issues, duplicates=duplicates, **meta)


def sniff(path: Path, profile: ExportProfile, expected: frozenset[str] = frozenset()) -> Layout:
    """Encoding, delimiter and header line of a text export (for provenance)."""
    return detect_layout(path, profile, expected)


def _fields(count: int, width: int, delimiter: str) -> str:
    return (
        f"the row has {count} fields, the header {width} (another delimiter than "
        f"{delimiter!r}, or a truncated row?)"
    )


def _unclosed(lines: int) -> str:
    return (
        f"a quote opened on this line is never closed (it took in the next {lines} "
        f"line(s)): the line is quarantined and the lines after it read on their own"
    )


def read_csv(path: Path, profile: ExportProfile, expected: frozenset[str]) -> Iterator[RawTable]:
    """The records of a text export in tables of about memory_budget_mib of memory each
    (the last one possibly empty), reading it line by line."""
    layout = detect_layout(path, profile, expected)
    budget = (load_settings().memory_budget_mib << 20) // BYTES_PER_CHAR
    meta = {
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "header_row": layout.header_line,
    }
    header: list[str] | None = None
    width: list[int] = []  # the header's, once read
    records: list[list[str]]
    records, rows, issues, size, suspect = [], [], [], 0, False
    with open_text(path, layout.encoding) as stream:
        for record in records_of(
            Lines(stream, load_settings().max_line_chars), layout.delimiter, width
        ):
            if record.line < layout.header_line:
                continue  # title lines above the header
            if header is None:
                header = record.fields
                check_width(header)
                width.append(len(header))
                continue
            fields = record.fields
            if not any(f.strip() for f in fields):
                continue
            extra = fields[len(header) :]
            if record.swallowed:
                issues.append(Issue(len(records), ROW, "", _unclosed(record.swallowed)))
            elif len(fields) < len(header) or any(f.strip() for f in extra):
                issues.append(
                    Issue(
                        len(records),
                        ROW,
                        f"{len(fields)} fields",
                        _fields(len(fields), len(header), layout.delimiter),
                    )
                )
            records.append(fields)
            rows.append(record.line)
            size, suspect = size + record.chars, suspect or record.suspect
            if size >= budget:
                yield _table(path, header, records, rows, issues, suspect, **meta)
                records, rows, issues, size, suspect = [], [], [], 0, False
    yield _table(path, header or [], records, rows, issues, suspect, **meta)


def _header_row(
    values: Sequence[Sequence[object]], profile: ExportProfile, expected: frozenset[str]
) -> int:
    """0-based row of the header: the profile's, else the row naming the most known
    headers, else the first non-empty row."""
    if profile.header_row:
        if profile.header_row > len(values):
            raise ReadError(
                f"the profile's header_row {profile.header_row} is beyond the "
                f"last row ({len(values)})"
            )
        return profile.header_row - 1
    rows = (i for i, row in enumerate(values) if any(cell(v) for v in row))
    filled = list(islice(rows, SCAN_LINES))
    if not filled:
        raise ReadError("the sheet is empty")
    if not expected:
        return filled[0]
    index, score = best_row([[cell(v) or "" for v in values[i]] for i in filled], expected)
    if score == 0:
        raise ReadError(
            f"no header row: none of the first {SCAN_LINES} rows names a column the codebook knows"
        )
    return filled[index]


def sheet_header(
    sheet: workbook.Sheet, profile: ExportProfile, expected: frozenset[str]
) -> tuple[int, list[object], int]:
    """The 0-based row of a sheet's header, its cells (merged headers named) and how many
    rows it takes."""
    start = _header_row(sheet.values, profile, expected)
    return start, *workbook.header_names(sheet, start, profile.multi_select.column)


def read_xlsx(path: Path, profile: ExportProfile, expected: frozenset[str]) -> RawTable:
    sheet = workbook.read_sheet(path, profile.sheet)
    start, header, height = sheet_header(sheet, profile, expected)
    records, rows = [], []
    for r in range(start + height, len(sheet.values)):
        if any(cell(v) for v in sheet.values[r]):
            records.append(list(sheet.values[r]))
            rows.append(r + 1)
    names = column_names(header)[0]
    position = {r - 1: i for i, r in enumerate(rows)}
    issues = [
        Issue(
            position[r],
            names[c],
            formula,
            "formula without a computed value "
            "(re-save the workbook in a spreadsheet, or export values)",
        )
        for (r, c), formula in sheet.uncomputed.items()
        if r in position and c < len(names)
    ]
    return _table(path, header, records, rows, issues, header_row=start + 1)


def read_sav(path: Path, profile: ExportProfile, expected: frozenset[str]) -> RawTable:
    import pyreadstat

    try:
        # user_missing=False: values the file declares user-missing (SPSS's "no answer"
        # codes such as 99) read as blanks, as SPSS itself treats them.
        frame, meta = pyreadstat.read_sav(str(path), user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadError(f"not a readable SPSS file ({type(exc).__name__}: {exc})") from None
    header = [meta.column_names_to_labels.get(c) or c for c in frame.columns]
    # value labels applied here, a dict look-up per cell: pyreadstat's apply_value_formats
    # gives the same values, at about 6 ms a labelled column
    labels = [meta.variable_value_labels.get(c) for c in frame.columns]
    records = [
        [v if v is None or not to else to.get(v, v) for v, to in zip(record, labels, strict=True)]
        for record in frame.astype(object).where(frame.notna(), None).values.tolist()
    ]
    return _table(path, header, records, list(range(1, len(records) + 1)), [])


READERS = {"xlsx": read_xlsx, "sav": read_sav}
SUFFIX_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "sav"}


def read_chunks(
    path: Path, profile: ExportProfile, expected: frozenset[str] = frozenset()
) -> Generator[RawTable, None, None]:
    """The export's records, read with the reader its suffix (or else the profile) calls
    for, in tables of bounded size: a text export in chunks of about memory_budget_mib
    (the last possibly empty), a workbook or an SPSS file in one table."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower(), profile.format)
    try:
        if fmt == "csv":
            yield from read_csv(path, profile, expected)
        else:
            yield READERS[fmt](path, profile, expected)
    except (ReadError, OSError, csv.Error, ValueError) as exc:
        raise ReadError(f"{path}: cannot read: {exc}") from None


def merge(tables: list[RawTable]) -> RawTable:
    """The chunks of one export as one table."""
    first, *more = tables
    for table in more:
        first.issues += [replace(i, index=i.index + len(first.rows)) for i in table.issues]
        first.frame = pd.concat([first.frame, table.frame], ignore_index=True)
        first.rows += table.rows
    return first


def read_export(
    path: Path, profile: ExportProfile, expected: frozenset[str] = frozenset()
) -> RawTable:
    """The whole export in one table (the pipeline reads it in chunks: `read_chunks`)."""
    return merge(list(read_chunks(path, profile, expected)))
