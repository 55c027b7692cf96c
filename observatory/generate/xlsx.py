"""Write columns as a one-sheet XLSX workbook, reproducibly and fast.

openpyxl writes the package (workbook, styles, theme, properties, content types) with
the header row; the sheet's rows are then serialised here, in the XML openpyxl's
write-only mode produces (inline strings, `t="n"` numbers) plus the `dimension` Excel
writes (so read-only readers pad short rows). Without lxml, openpyxl
needs about 0.5 ms per row, which a 20,000-row benchmark file cannot afford.
Timestamps (document properties and zip entries) are pinned so reruns give the
same bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from observatory.generate.writers import FIXED_TIME, Column

SHEET_PART = "xl/worksheets/sheet1.xml"
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = (
    f'<worksheet xmlns="{_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
    '<pageSetUpPr /></sheetPr><dimension ref="A1:{last}" /><sheetViews><sheetView '
    'workbookViewId="0"><selection activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
    '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" /><sheetData>'
)
_TAIL = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
    'footer="0.5" /></worksheet>'
)


def write_xlsx(
    path: Path, columns: list[Column], sheet: str = "Form1", creator: str = "Microsoft Forms"
) -> None:
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    book.create_sheet(sheet).append([header for header, _ in columns])
    book.properties.creator = creator
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    rezip(buffer, path, {SHEET_PART: sheet_xml(columns)})


def sheet_xml(columns: list[Column]) -> bytes:
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(j + 1) for j in range(len(columns))]
    texts: dict[str, str] = {}

    def text(value: str) -> str:
        if value not in texts:
            space = ' xml:space="preserve"' if value != value.strip() else ""
            texts[value] = f'" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
        return texts[value]

    n_rows = len(columns[0][1]) + 1 if columns else 1
    parts = [_HEAD.replace("{last}", f"{letters[-1] if letters else 'A'}{n_rows}")]
    records = zip(*(values for _, values in columns), strict=True)
    for number, record in enumerate((tuple(h for h, _ in columns), *records), start=1):
        parts.append(f'<row r="{number}">')
        for letter, value in zip(letters, record, strict=True):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                parts.append(f'<c r="{letter}{number}{text(value)}')
            else:
                parts.append(f'<c r="{letter}{number}" t="n"><v>{value}</v></c>')
        parts.append("</row>")
    parts.append(_TAIL)
    return "".join(parts).encode("utf-8")


def rezip(buffer: io.BytesIO, path: Path, replace: dict[str, bytes]) -> None:
    """Copy a zip, replacing some parts, with fixed entry timestamps (zip entries
    otherwise record the time of writing)."""
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, replace.get(info.filename) or src.read(info))
