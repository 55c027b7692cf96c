"""The Arrow kernels read cells as the Python reader's functions do, cell for cell: random
cells from an alphabet of Python's whitespace, BOMs, control characters, accents,
ligatures and case (`readers.cell`, `readers._cell_issues`, `normalise_label`)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import pandas as pd
import pyarrow as pa
import pytest

from observatory.codebook import normalise_label
from observatory.ingest.arrowcells import (
    flagged,
    repeats_header,
    sav_texts,
    sheet_texts,
    stripped,
)
from observatory.ingest.duckread import WHITESPACE
from observatory.ingest.readers import _cell_issues, cell

ALPHABET = WHITESPACE + "\ufeff\x00\x07\x1b\x7faAbBéÉﬁßΣς  -"


def _texts(count: int, longest: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    cells = ["".join(rng.choices(ALPHABET, k=rng.randint(0, longest))) for _ in range(count)]
    return [*cells, None]


def test_text_cells_are_stripped_as_python_strips_them():
    cells = _texts(20_000, 6, seed=1)
    assert stripped(sheet_texts(cells)).to_pylist() == [cell(v) for v in cells]


@pytest.mark.parametrize(
    "cells",
    [
        [1.0, 2.5, "", None, " x ", 3, float("nan"), float("inf"), -0.0, 1e-05],
        [True, 1.0, 1, "", False, 0.0],  # True == 1: read one by one
        [dt.datetime(2024, 5, 1, 9, 30), dt.date(2024, 5, 1), dt.time(9, 30), ""],
    ],
    ids=["numbers", "booleans", "dates"],
)
def test_other_cells_read_as_python_reads_them(cells):
    assert stripped(sheet_texts(cells)).to_pylist() == [cell(v) for v in cells]


def test_spss_values_take_their_labels_once_per_value():
    codes = pd.Series([1.0, 2.0, None, 99.0, 1.0])
    labels = {1.0: " Impresa ", 2.0: "Ente\u00a0"}
    assert sav_texts(codes, labels).to_pylist() == ["Impresa", "Ente", None, "99", "Impresa"]
    text = pd.Series(["a ", "", "b"], dtype="str")
    assert sav_texts(text, None).to_pylist() == ["a", None, "b"]
    assert sav_texts(text, {"b": "Bee"}).to_pylist() == ["a ".strip(), None, "Bee"]


def test_long_cells_and_control_characters_are_flagged_as_the_reader_reports_them():
    cells = [cell(v) for v in _texts(3_000, 4, seed=2)]
    for column in (cells[i : i + 30] for i in range(0, len(cells), 30)):
        expected = bool(_cell_issues(pd.DataFrame({"c": column}, dtype=object)))
        assert flagged([pa.array(column, pa.string())]) == expected, column
    assert flagged([pa.array(["ok"]), pa.array(["x" * 10_001])])
    assert not flagged([pa.array(["x" * 10_000, None])])


def test_a_first_cell_is_read_as_its_header_as_normalise_label_reads_it():
    rng, tried = random.Random(3), set()
    forms = [str.upper, str.swapcase, str.casefold, lambda v: unicodedata.normalize("NFD", v)]
    for value in _texts(600, 5, seed=3):
        value = cell(value)
        header = rng.choice([*forms, lambda v: v[::-1]])(value or "")
        if value and header.strip():
            expected = normalise_label(value) == normalise_label(header)
            assert repeats_header(pa.array(["FR-1", value, None]), header) == expected, value
            tried.add(expected)
    assert tried == {True, False}
