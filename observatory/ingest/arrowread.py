"""Read a workbook's sheet or an SPSS file's cases into Arrow, column by column, as the
Python reader reads them (`observatory.ingest.readers.read_xlsx` and `read_sav`): the
same sheet, header row and merged headers (`readers.sheet_header`), the same zip-bomb
limits and formulas (`observatory.ingest.workbook`), blank rows skipped with the rows
numbered as a person sees them, user-missing SPSS codes as blanks and value labels
applied; each column's cells converted by `observatory.ingest.arrowcells`, only when
asked for. A workbook with a formula saved without its value answers None: the Python
reader reports it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from observatory.config import ExportProfile
from observatory.ingest import workbook
from observatory.ingest.arrowcells import sav_texts, sheet_texts, stripped
from observatory.ingest.readers import check_width, sheet_header
from observatory.ingest.sniff import ReadError


@dataclass
class Records:
    """A file's records: `column(i)` gives the cells of the header's i-th column (a
    column beyond the widest record: all null); `suspect`, the columns whose cells may be
    too long or hold a control character (the others cannot)."""

    header: list[object]
    rows: pa.Array  # each record's row (a sheet's row, an SPSS case), from 1
    column: Callable[[int], pa.Array]
    suspect: list[int]
    header_row: int = 1


def read_xlsx(path: Path, profile: ExportProfile, expected: frozenset[str]) -> Records | None:
    sheet = workbook.read_sheet(path, profile.sheet)
    start, header, height = sheet_header(sheet, profile, expected)
    check_width(header)
    body = sheet.values[start + height :]
    if sheet.uncomputed or not body:
        return None
    # one array of the cells, column after column: stripped in one call of each kernel
    cells = stripped(pa.concat_arrays([sheet_texts(c) for c in zip_longest(*body)]))
    # every cell of a row, beyond the header's width too, decides whether it is blank
    filled = pc.is_valid(cells).to_numpy(zero_copy_only=False).reshape(-1, len(body)).any(0)
    width = min(len(header), len(cells) // len(body))
    kept = cells[: width * len(body)].filter(pa.array(np.tile(filled, width)))
    count = int(filled.sum())
    columns = [kept.slice(i * count, count) for i in range(width)]
    columns += [pa.nulls(count, pa.string())] * (len(header) - width)
    rows = pa.array(np.flatnonzero(filled) + start + height + 1)
    return Records(header, rows, columns.__getitem__, list(range(len(header))), start + 1)


def read_sav(path: Path) -> Records:
    import pyreadstat

    try:
        # user_missing=False: values the file declares user-missing read as blanks
        frame, meta = pyreadstat.read_sav(str(path), user_missing=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadError(f"not a readable SPSS file ({type(exc).__name__}: {exc})") from None
    header = [meta.column_names_to_labels.get(c) or c for c in frame.columns]
    check_width(header)
    labels = [meta.variable_value_labels.get(c) for c in frame.columns]

    @cache
    def column(i: int) -> pa.Array:
        return sav_texts(frame.iloc[:, i], labels[i])

    # numbers and dates without labels: never long, never a control character
    suspect = [i for i, c in enumerate(frame.columns) if labels[i] or frame[c].dtype.kind == "O"]
    return Records(header, pa.array(np.arange(1, len(frame) + 1)), column, suspect)
