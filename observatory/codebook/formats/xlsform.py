"""XLSForm (KoboToolbox, ODK): a workbook with a `survey` sheet (type, name, label::<Language>
(<code>), parameters, constraint) and a `choices` sheet (list_name, name, labels).

The workbook is a zip: its parts are measured before anything is decompressed, so a zip
bomb is refused instead of filling memory.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from observatory.codebook.instrument import (
    Instrument,
    InstrumentError,
    Item,
    Option,
    refuse_declarations,
)
from observatory.config import Country

MAX_UNZIPPED = 50 * 2**20
MAX_RATIO = 200  # XML compresses well, but not a thousandfold
SKIPPED = {
    "begin_group",
    "end_group",
    "begin group",
    "end group",
    "begin_repeat",
    "end_repeat",
    "begin repeat",
    "end repeat",
    "note",
    "calculate",
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "audit",
    "hidden",
}
KIND = {
    "integer": "number",
    "decimal": "number",
    "range": "scale",
    "text": "text",
    "select_one": "single",
    "select_multiple": "multiple",
}
LANGUAGE = re.compile(r"\(([A-Za-z-]{2,8})\)\s*$")
BOUND = {
    "min": re.compile(r"\.\s*>=?\s*(-?\d+(?:\.\d+)?)"),
    "max": re.compile(r"\.\s*<=?\s*(-?\d+(?:\.\d+)?)"),
}


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb (by the sizes its directory declares, and by reading no more
    than that) and XML parts that declare entities, before openpyxl parses anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unzipped = sum(p.file_size for p in parts)
            packed = max(sum(p.compress_size for p in parts), 1)
            if unzipped > MAX_UNZIPPED or unzipped > MAX_RATIO * packed and unzipped > 2**20:
                raise InstrumentError(
                    f"its parts expand to {unzipped} bytes from {packed} (a zip bomb?): refused"
                )
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    with archive.open(part) as handle:  # checks the declared size
                        refuse_declarations(handle.read(part.file_size + 1))
    except zipfile.BadZipFile:
        raise InstrumentError("not an XLSX workbook (not a zip archive)") from None


def _sheet(book, name: str) -> list[dict[str, object]]:
    """Rows of a sheet as {column: value}, columns named by the header row."""
    if name not in book.sheetnames:
        raise InstrumentError(f"no {name!r} sheet (sheets: {', '.join(book.sheetnames)})")
    rows = book[name].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    return [dict(zip(header, row, strict=False)) for row in rows if any(v is not None for v in row)]


def _labels(row: dict[str, object], language: str) -> dict[str, str]:
    labels = {}
    for column, value in row.items():
        if value is None or not (column == "label" or column.startswith("label::")):
            continue
        found = LANGUAGE.search(column)
        labels[found.group(1).lower() if found else language] = str(value).strip()
    return labels


def _range(row: dict[str, object]) -> tuple[float | None, float | None]:
    if str(row.get("type")).split()[0] == "range":
        params = dict(p.split("=", 1) for p in str(row.get("parameters") or "").split() if "=" in p)
        return (float(params.get("start", 0)), float(params.get("end", 10)))
    bounds = [BOUND[side].search(str(row.get("constraint") or "")) for side in ("min", "max")]
    return tuple(float(b.group(1)) if b else None for b in bounds)  # type: ignore[return-value]


def read(path: Path, country: Country) -> Instrument:
    from openpyxl import load_workbook

    _check_zip(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InstrumentError(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        survey = _sheet(book, "survey")
        selects = any(str(r.get("type") or "").startswith("select_") for r in survey)
        choices = _sheet(book, "choices") if selects else []
    finally:
        book.close()
    lists: dict[str, list[Option]] = {}
    for row in choices:
        lists.setdefault(str(row.get("list_name")), []).append(
            Option(str(row.get("name")), _labels(row, country.language))
        )
    items = []
    for number, row in enumerate(survey, start=2):
        kind, *rest = str(row.get("type") or "").split()
        if kind in SKIPPED or not kind:
            continue
        if kind not in KIND:
            raise InstrumentError(f"survey row {number}: type {kind!r} has no codebook kind")
        if kind.startswith("select_") and (not rest or rest[0] not in lists):
            raise InstrumentError(
                f"survey row {number}: no choice list "
                f"{rest[0] if rest else ''!r} in the choices sheet"
            )
        low, high = _range(row)
        items.append(
            Item(
                str(row.get("name")),
                KIND[kind],
                _labels(row, country.language),
                tuple(lists[rest[0]]) if kind.startswith("select_") else (),
                low,
                high,
            )
        )
    return Instrument("XLSForm", tuple(items))
