"""Read the cells of one XLSX sheet as a person sees them in a spreadsheet.

- the sheet: the profile's `sheet`, else the first;
- formulas: their computed value (as Excel shows it); a formula the tool saved without
  computing it has no value, and is reported instead of read as a blank;
- merged header cells: a header merged over several columns (a question over its
  options) names each column after the country's option-column template, with the
  option labels in the row below; a header merged over rows is read from its top cell.

A workbook without formulas (every export tool's) is read with calamine, about ten
times faster than openpyxl; one with formulas is read with openpyxl, which tells a
computed formula from one saved without its value. Both read a sheet whole: before
either runs, the sizes the archive declares for its parts are checked against the
limits of settings.yaml (a zip bomb is refused without inflating it), and the formula
scan streams each worksheet.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from observatory.config import load_settings
from observatory.ingest.sniff import ReadError
from observatory.ingest.textfile import CHUNK_BYTES

MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")  # a <f> element: the cell holds a formula
OVERLAP = 64  # bytes of a chunk searched again with the next (a tag cut in two)
MIB = 1 << 20
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class Sheet:
    values: Sequence[Sequence[object]]  # row by row, 0-based; an empty cell is None or ""
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


def _sheet_part(archive: zipfile.ZipFile, name: str | None) -> str:
    """The archive part of a worksheet (the first one when no name is given), from the
    workbook's sheet list and relationships."""
    sheets = ElementTree.fromstring(archive.read("xl/workbook.xml")).iter()
    ids = [(s.get("name"), s.get(RELATIONSHIP)) for s in sheets if s.tag.endswith("}sheet")]
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = [
        (sheet, posixpath.normpath(posixpath.join("xl", targets.get(rid, ""))).lstrip("/"))
        for sheet, rid in ids
    ]
    return next(p for sheet, p in parts if "worksheets/" in p and name in (None, sheet))


def _merged(path: Path, sheet: str | None) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges, from its XML (openpyxl's read-only sheets do not
    parse them)."""
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(_sheet_part(archive, sheet))
    return [
        (
            int(r1) - 1,
            _column(c1),
            int(r2) - 1,
            _column(c2),
        )
        for c1, r1, c2, r2 in MERGE.findall(xml)
    ]


def _column(letters: bytes) -> int:
    """The 0-based column of an A1 reference's letters (A -> 0, Z -> 25, AA -> 26),
    without importing openpyxl (0.15 CPU-s) into every process that loads the readers."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number - 1


def check_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts declare more than xlsx_max_inflated_mib uncompressed,
    or a part of more than 1 MiB compressed more than xlsx_max_ratio times."""
    settings, parts = load_settings(), archive.infolist()
    total, limit = sum(p.file_size for p in parts), settings.xlsx_max_inflated_mib
    if total > limit * MIB:
        raise ReadError(
            f"its parts declare {total / MIB:,.0f} MiB uncompressed, more than "
            f"{limit:,} MiB (the xlsx_max_inflated_mib limit of "
            f"observatory/config/settings.yaml)"
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MIB and ratio > settings.xlsx_max_ratio:
            raise ReadError(
                f"part {part.filename} declares {part.file_size / MIB:,.0f} MiB "
                f"compressed {ratio:,.0f} times, more than {settings.xlsx_max_ratio}"
                f" (the xlsx_max_ratio limit of observatory/config/settings.yaml)"
            )


def _holds_formula(archive: zipfile.ZipFile, name: str) -> bool:
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(CHUNK_BYTES):
            text = tail + chunk  # a formula's tag holds "<f" or ":f": found fast
            if (b"<f" in text or b":f" in text) and FORMULA.search(text):
                return True
            tail = chunk[-OVERLAP:]
    return False


def _any_formula(archive: zipfile.ZipFile) -> bool:
    return any(
        _holds_formula(archive, name)
        for name in archive.namelist()
        if name.startswith("xl/worksheets/") and name.endswith(".xml")
    )


def has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (each read in chunks)."""
    with zipfile.ZipFile(path) as archive:
        return _any_formula(archive)


def read_sheet(path: Path, sheet: str | None) -> Sheet:
    try:
        with zipfile.ZipFile(path) as archive:
            check_sizes(archive)  # before anything is inflated
            formulas = _any_formula(archive)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # inflating stops at the
        raise _unreadable(exc) from None  # declared size; more data is a bad CRC
    return _read_formulas(path, sheet) if formulas else _read_values(path, sheet)


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
    return Sheet(values, merged)


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
        merged = _merged(path, sheet)
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


def _value(cell: object) -> object:
    return None if cell == "" else cell


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
        top = _value(sheet.values[r1][c1]) if c1 < len(sheet.values[r1]) else None
        if r1 == r2 == row and c2 > c1:  # a question over its options
            rows = 2
            for c in range(c1, c2 + 1):
                header[c] = template.format(
                    question=top, option=_value(below[c]) if c < len(below) else None
                )
        else:  # merged over rows: the value sits in the top cell
            rows = max(rows, 2 if r2 > row else 1)
            for c in range(c1, c2 + 1):
                header[c] = top
    return header, rows
