"""Read one survey export, whatever its tool produced, into a table of text cells.

Every cell comes back as a stripped string or None (blank), every record keeps the
row number a person sees when opening the file (header = row 1 for CSV and XLSX,
the case number for SPSS), so problems can be reported as file:row:column.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from observatory.config import ExportProfile

DELIMITERS = ";,\t|"


class ReadError(Exception):
    """The file cannot be read at all (message names the file)."""


@dataclass
class RawTable:
    path: Path
    frame: pd.DataFrame  # object columns: str or None; original headers
    rows: list[int]  # the row number of each record
    encoding: str | None = None
    delimiter: str | None = None


def detect_encoding(data: bytes, declared: str | None) -> str:
    """BOM first, then strict UTF-8, then the profile's declared code page."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        if declared and codecs.lookup(declared).name not in ("utf-8", "utf-8-sig"):
            return declared
        raise ReadError("not valid UTF-8 and the country profile declares no code page") from None


def detect_delimiter(text: str, declared: str | None) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        if declared:
            return declared
        raise ReadError("no delimiter found in the header line")
    if declared and counts.get(declared, 0) >= counts[best]:
        return declared
    return best


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return text or None


def _table(path: Path, header: list[object], records: list[list[object]], rows: list[int],
           **meta: str | None) -> RawTable:
    names = [_cell(h) or f"<blank column {i + 1}>" for i, h in enumerate(header)]
    width = len(names)
    body = [[_cell(v) for v in (rec + [None] * width)[:width]] for rec in records]
    frame = pd.DataFrame(body, columns=names, dtype=object)
    return RawTable(path, frame, rows, **meta)


def read_csv(path: Path, profile: ExportProfile) -> RawTable:
    data = path.read_bytes()
    encoding = detect_encoding(data, profile.encoding)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}") from None
    delimiter = detect_delimiter(text, profile.delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ReadError("the file is empty") from None
    records, rows = [], []
    for record in reader:
        if any(cell.strip() for cell in record):
            records.append(record)
            rows.append(reader.line_num - _extra_lines(record))
    return _table(path, header, records, rows, encoding=encoding, delimiter=delimiter)


def _extra_lines(record: list[str]) -> int:
    """Lines a record spans beyond its first (quoted newlines), so that its row
    number is the line it starts on."""
    return sum(cell.count("\n") for cell in record)


def read_xlsx(path: Path, profile: ExportProfile) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ReadError(f"not a readable XLSX workbook ({exc})") from None
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    book.close()
    if not values:
        raise ReadError("the workbook's first sheet is empty")
    header, body = list(values[0]), values[1:]
    records, rows = [], []
    for number, record in enumerate(body, start=2):
        if any(_cell(v) for v in record):
            records.append(list(record))
            rows.append(number)
    return _table(path, header, records, rows)


def read_sav(path: Path, profile: ExportProfile) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadError(f"not a readable SPSS file ({exc})") from None
    header = [meta.column_names_to_labels.get(c) or c for c in frame.columns]
    records = frame.astype(object).where(frame.notna(), None).values.tolist()
    return _table(path, header, records, list(range(1, len(records) + 1)))


READERS = {"csv": read_csv, "xlsx": read_xlsx, "sav": read_sav}
SUFFIX_FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".sav": "sav"}


def read_export(path: Path, profile: ExportProfile) -> RawTable:
    """Read an export with the reader its suffix (or else the profile) calls for."""
    fmt = SUFFIX_FORMATS.get(path.suffix.lower(), profile.format)
    try:
        return READERS[fmt](path, profile)
    except ReadError as exc:
        raise ReadError(f"{path}: {exc}") from None
    except (OSError, csv.Error, ValueError) as exc:
        raise ReadError(f"{path}: {exc}") from None
