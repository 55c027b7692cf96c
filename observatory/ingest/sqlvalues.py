"""What the harmonisation decides about each distinct value of a column, decided once
per distinct value in Python with the functions of `observatory.ingest.harmonise` (so
that the SQL staging of `observatory.ingest.sqlstage` gives the same codes, numbers and
reasons), as Arrow tables for DuckDB to join: an export repeats a few dozen labels and
numbers over thousands of rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from observatory.codebook import Codebook, Question, normalise_label
from observatory.config import Country
from observatory.ingest.harmonise import (
    UNSELECTED,
    foreign_labels,
    not_a_number,
    outside,
    parse_numbers,
    selected_labels,
    unexpected_option,
    unknown_reason,
)

Pairs = list[tuple[str, str]]  # (column of src, value)


@dataclass(frozen=True)
class Column:
    name: str  # in src
    header: str  # in the file
    question: Question
    option: str | None = None  # the option code of a one-column-per-option column


def _text(values: Sequence[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


def labels(book: Codebook, country: Country, columns: dict[str, Column], pairs: Pairs) -> pa.Table:
    """(col, value) -> question, dimension, code (NULL: not chosen), reason (NULL: fine)
    of the values of single and multi-select columns."""
    selected, lang = selected_labels(country), country.language
    foreign: dict[str, dict[str, str]] = {}
    rows = []
    for name, value in pairs:
        c = columns[name]
        q, key, code, reason = c.question, normalise_label(value), None, None
        if c.option is not None:
            code = c.option if key in selected else None
            if code is None and key not in UNSELECTED:
                reason = unexpected_option(q)
        else:
            code = book.dimensions[q.choice_dimension].lookup(lang).get(key)
            if code is None:
                what = "label" if q.kind == "single" else "option"
                if q.id not in foreign:
                    foreign[q.id] = foreign_labels(book, q, country)
                reason = unknown_reason(q, country, foreign[q.id], value, what)
        rows.append((name, value, q.id, q.dimension, code, reason))
    names = ["col", "value", "question", "dimension", "code", "reason"]
    cells = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.table([_text(list(c)) for c in cells], names=names)


def numbers(country: Country, columns: dict[str, Column], pairs: Pairs) -> pa.Table:
    """(col, value) -> number (NULL when bad), reason (NULL: fine) of the values of
    likert and number columns."""
    by_column: dict[str, list[str]] = {}
    for name, value in pairs:
        by_column.setdefault(name, []).append(value)
    cols, values, found, reasons = [], [], [], []
    for name, texts in by_column.items():
        q = columns[name].question
        number, wrong, bad = parse_numbers(q, country, pd.Series(texts, dtype=object))
        cols += [name] * len(texts)
        values += texts
        found += [None if pd.isna(n) else float(n) for n in number]
        reasons += [
            not_a_number(q) if w else outside(q) if b else None
            for w, b in zip(wrong, bad, strict=True)
        ]
    return pa.table(
        [_text(cols), _text(values), pa.array(found, pa.float64()), _text(reasons)],
        names=["col", "value", "number", "reason"],
    )
