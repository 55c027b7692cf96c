"""Aligned text tables for a terminal (`observatory sql`): each column as wide as its
widest cell, up to a limit beyond which a cell is wrapped onto more lines (never cut);
numbers right-aligned, NULL shown as NULL, and a closing line counting the rows."""

from __future__ import annotations

import math
import textwrap

import pandas as pd

GAP = "  "


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _wrap(text: str, width: int) -> list[str]:
    lines = [
        part
        for line in text.splitlines() or [""]
        for part in textwrap.wrap(line, width, replace_whitespace=False) or [""]
    ]
    return lines or [""]


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def count_line(shown: int, total: int) -> str:
    rows = f"{total:,} row{'' if total == 1 else 's'}"
    return rows if shown == total else f"{shown:,} of {rows} shown (--max-rows)"


def render(frame: pd.DataFrame, max_rows: int = 200, max_width: int = 60) -> str:
    """The first `max_rows` rows of `frame` as an aligned table and the row count."""
    shown = frame.head(max_rows)
    headers = [str(c) for c in shown.columns]
    cells = [[_text(v) for v in row] for row in shown.itertuples(index=False)]
    widths = [
        min(
            max_width,
            max([len(h), *(len(line) for row in cells for line in row[i].splitlines() or [""])]),
        )
        for i, h in enumerate(headers)
    ]
    right = [_numeric(shown[c]) for c in shown.columns]

    def lines(row: list[str]) -> list[str]:
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        printed = []
        for k in range(max((len(w) for w in wrapped), default=1)):
            parts = [w[k] if k < len(w) else "" for w in wrapped]
            printed.append(
                GAP.join(
                    p.rjust(w) if r else p.ljust(w)
                    for p, w, r in zip(parts, widths, right, strict=True)
                ).rstrip()
            )
        return printed

    out = [*lines(headers), GAP.join("-" * w for w in widths)]
    for row in cells:
        out += lines(row)
    out.append(count_line(len(shown), len(frame)))
    return "\n".join(out)
