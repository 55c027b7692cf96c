"""Read the cells of one XLSX sheet as a person sees them in a spreadsheet.

- the sheet: the profile's `sheet`, else the first;
- formulas: their computed value (as Excel shows it); a formula the tool saved without
  computing it has no value, and is reported instead of read as a blank;
- merged header cells: a header merged over several columns (a question over its
  options) names each column after the country's option-column template, with the
  option labels in the row below; a header merged over rows is read from its top cell.

A workbook without formulas (every export tool's) is read with calamine, about ten
times faster than openpyxl; one with formulas is read with openpyxl, which tells a
computed formula from one saved without its value.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import column_index_from_string

from observatory.ingest.sniff import ReadError

MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")  # a <f> element: the cell holds a formula


@dataclass
class Sheet:
    values: list[list[object]]  # row by row, 0-based
    merged: list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), 0-based
    uncomputed: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> formula


def _unreadable(exc: Exception) -> ReadError:
    return ReadError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})")


def _no_sheet(name: str, names: list[str]) -> ReadError:
    return ReadError(f"no sheet named {name!r} (sheets: {', '.join(names)})")


def _open(path: Path, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _unreadable(exc) from None


def _pick(book, name: str | None):
    if name is None:
        return book.worksheets[0]
    if name not in book.sheetnames:
        raise _no_sheet(name, book.sheetnames)
    return book[name]


def _merged(ws) -> list[tuple[int, int, int, int]]:
    with ws._get_source() as source:  # openpyxl's read-only sheets do not parse merges
        xml = source.read()
    return [(int(r1) - 1, column_index_from_string(c1.decode()) - 1,
             int(r2) - 1, column_index_from_string(c2.decode()) - 1)
            for c1, r1, c2, r2 in MERGE.findall(xml)]


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(FORMULA.search(archive.read(name)) for name in archive.namelist()
                       if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError):
        return False  # not a workbook: the reader says so


def read_sheet(path: Path, sheet: str | None) -> Sheet:
    return _read_formulas(path, sheet) if has_formulas(path) else _read_values(path, sheet)


def _read_values(path: Path, sheet: str | None) -> Sheet:
    """The sheet of a workbook without formulas, with calamine."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            if sheet is not None and sheet not in book.sheet_names:
                raise _no_sheet(sheet, book.sheet_names)
            ws = book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)
            values = ws.to_python(skip_empty_area=False)
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in ws.merged_cell_ranges or []]
    except CalamineError as exc:
        raise _unreadable(exc) from None
    return Sheet([[None if v == "" else v for v in row] for row in values], merged)


def _read_formulas(path: Path, sheet: str | None) -> Sheet:
    """The sheet of a workbook with formulas, with openpyxl: each formula's cached
    value, and the formulas saved without one."""
    book = _open(path, data_only=False)
    try:
        ws = _pick(book, sheet)
        formulas, values = {}, []
        for r, row in enumerate(ws.iter_rows()):
            values.append([cell.value for cell in row])
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas[(r, c)] = str(cell.value)
        merged = _merged(ws)
    finally:
        book.close()
    result = Sheet(values, merged)
    if formulas:
        computed = _open(path, data_only=True)
        try:
            cached = [list(row) for row in _pick(computed, sheet).iter_rows(values_only=True)]
        finally:
            computed.close()
        for (r, c), formula in formulas.items():
            value = cached[r][c] if r < len(cached) and c < len(cached[r]) else None
            values[r][c] = value
            if value is None:
                result.uncomputed[(r, c)] = formula
    return result


def header_names(sheet: Sheet, row: int, template: str) -> tuple[list[object], int]:
    """The header of each column, and how many rows the header takes (2 when a header
    is merged over several columns with the option labels in the row below, or merged
    down over the next row)."""
    header = list(sheet.values[row])
    below = sheet.values[row + 1] if row + 1 < len(sheet.values) else []
    rows = 1
    for r1, c1, r2, c2 in sheet.merged:
        if not r1 <= row <= r2:
            continue
        top = sheet.values[r1][c1] if c1 < len(sheet.values[r1]) else None
        if r1 == r2 == row and c2 > c1:  # a question over its options
            rows = 2
            for c in range(c1, c2 + 1):
                header[c] = template.format(question=top, option=below[c] if c < len(below)
                                            else None)
        else:  # merged over rows: the value sits in the top cell
            rows = max(rows, 2 if r2 > row else 1)
            for c in range(c1, c2 + 1):
                header[c] = top
    return header, rows
