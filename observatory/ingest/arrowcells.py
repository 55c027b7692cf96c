"""A workbook's or SPSS file's cells as Arrow arrays of strings, each cell as the Python
reader makes it (`observatory.ingest.readers.cell`: a stray BOM dropped, stripped as
`str.strip()` strips, blank as null; 3.0 as "3"), without a Python call per cell: text
is converted and stripped by Arrow's kernels, other cells (numbers, dates, SPSS codes
with their value labels) go through `cell` once per distinct value. Then the reader's
checks of the cells, as Arrow kernels too: a cell too long or holding a control
character, a record that may repeat the header. A kernel costs about 0.1 ms a call
whatever its input: columns are concatenated and checked or stripped in one call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from observatory.codebook import normalise_label
from observatory.ingest.duckread import WHITESPACE
from observatory.ingest.readers import cell
from observatory.ingest.textfile import CONTROL, MAX_CELL

ASCII_SPACES = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"  # what str.split() splits ASCII text on


def stripped(text: pa.Array) -> pa.Array:
    """Text as `cell` makes it (cells already made by `cell` are left as they are)."""
    kept = pc.utf8_trim(pc.replace_substring(text, "\ufeff", ""), characters=WHITESPACE)
    return pc.if_else(pc.equal(kept, ""), pa.scalar(None, pa.string()), kept)


def _by_value(values: np.ndarray | pd.Series, labels: Mapping[Any, object]) -> pa.Array:
    """The cells through `cell` (and the value labels) once per distinct value."""
    codes, distinct = pd.factorize(values)
    found = pa.array([cell(labels.get(v, v)) for v in distinct.tolist()], pa.string())
    return found.take(pa.array(codes, mask=codes < 0))


def sav_texts(values: pd.Series, labels: Mapping[Any, object] | None) -> pa.Array:
    """An SPSS variable's cells (as pyreadstat reads them), value labels applied."""
    if values.dtype == "str" and not labels:
        return stripped(pa.array(values).cast(pa.string()))
    return _by_value(values, labels or {})


def sheet_texts(values: Sequence[object]) -> pa.Array:
    """A sheet column's cells (as calamine or openpyxl read them), to be `stripped`."""
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not only text
        kinds = set(map(type, values))
    if bool in kinds and kinds & {int, float}:  # True == 1, but reads "True"
        return pa.array([cell(v) for v in values], pa.string())
    return _by_value(np.asarray(values, dtype=object), {})


def flagged(columns: list[pa.Array]) -> bool:
    """Whether a cell is longer than MAX_CELL or holds a control character (the reader
    reports it: `readers._cell_issues`)."""
    cells = pa.concat_arrays(columns) if columns else pa.nulls(0, pa.string())
    long = pc.any(pc.greater(pc.utf8_length(cells), MAX_CELL)).as_py()
    return bool(long or pc.any(pc.match_substring_regex(cells, CONTROL.pattern)).as_py())


def repeats_header(first: pa.Array, header: str) -> bool:
    """Whether a cell of the first column reads as its header does (`normalise_label`), so
    that its record may repeat the header (`readers._repeated_header`): ASCII cells by
    Arrow's kernels, the others once per distinct value."""
    key = normalise_label(header)
    ascii = pc.string_is_ascii(first)
    folded = pc.replace_substring_regex(pc.ascii_lower(first), ASCII_SPACES, " ")
    if pc.any(pc.and_(ascii, pc.equal(folded, key))).as_py():
        return True
    others = pc.unique(pc.filter(first, pc.invert(ascii))).to_pylist()
    return any(normalise_label.__wrapped__(v) == key for v in others)
