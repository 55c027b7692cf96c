"""Write a sample as its country's survey tool would export it.

Dispatch is on the export profile in countries.yaml (`format`, `multi_select.layout`,
`multi_select.column`, encoding, delimiter, decimal), never on the country code.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import numpy as np

from observatory.codebook import Codebook, Question
from observatory.config import MultiSelect
from observatory.generate.sample import Sample

FIXED_TIME = datetime(2026, 1, 1)  # XLSX/SAV metadata, so that files are reproducible
Column = tuple[str, list[object]]
Overrides = dict[str, dict[int, object]]


def export_path(sample: Sample) -> Path:
    c = sample.country
    return Path(
        "surveys",
        str(sample.wave),
        c.code,
        f"survey_{c.code.lower()}_{sample.wave}.{c.export.format}",
    )


def _decimal(values: np.ndarray, decimal: str) -> list[object]:
    out: list[object] = []
    for v in values.tolist():
        if v != v:  # NaN
            out.append("")
            continue
        text = f"{v:.2f}".rstrip("0")
        out.append((text + "0" if text.endswith(".") else text).replace(".", decimal))
    return out


def unselected_value(ms: MultiSelect) -> str:
    """Tools that write 1 for a ticked option write 0 otherwise; Y-style tools leave blank."""
    return "0" if ms.selected[0].lstrip("-").replace(".", "").isdigit() else ""


def option_labels(book: Codebook, q: Question, lang: str, wave: int) -> list[str]:
    """The labels of the options a (codebook) wave offered for a question."""
    dim = q.choice_dimension
    return [book.label(dim, code, lang) for code in book.options(wave, dim)]


def _multi(header: str, bits: np.ndarray, labels: list[str], ms: MultiSelect) -> list[Column]:
    if ms.layout == "cell":  # look every row's combination up in a 2^k table
        joined = np.array(
            [
                ms.separator.join(lab for j, lab in enumerate(labels) if c >> j & 1)
                for c in range(2 ** len(labels))
            ],
            dtype=object,
        )
        combo = bits.astype(np.int64) @ (1 << np.arange(len(labels)))
        return [(header, joined[combo].tolist())]
    if ms.layout == "columns":
        on, off = ms.selected[0], unselected_value(ms)
        return [
            (ms.column.format(question=header, option=lab), np.where(bits[:, j], on, off).tolist())
            for j, lab in enumerate(labels)
        ]
    raise ValueError(f"unknown multi_select layout {ms.layout!r}")


def render(sample: Sample, book: Codebook, overrides: Overrides, numeric: bool) -> list[Column]:
    """Columns as a CSV (numeric=False: every cell a string) or a spreadsheet (numbers
    as numbers, None for an empty cell) holds them."""
    lang, export = sample.country.language, sample.country.export
    columns: list[Column] = []
    for q in sample.questions:
        header = book.header(sample.instrument, q.id, lang)
        if q.kind == "multi":
            columns += _multi(
                header,
                sample.multi[q.id],
                option_labels(book, q, lang, sample.instrument),
                export.multi_select,
            )
            continue
        if q.kind in ("id", "pii"):
            values = sample.text[q.id].tolist()
            if numeric:
                values = [v or None for v in values]
        elif q.kind == "single":
            empty = None if numeric else ""
            options = option_labels(book, q, lang, sample.instrument)
            labels = np.array([*options, empty], dtype=object)
            values = labels[sample.single[q.id]].tolist()  # -1 picks the empty cell
        elif numeric:
            nums = sample.numbers[q.id]
            values = [
                None if v != v else (int(v) if q.kind == "likert" else v) for v in nums.tolist()
            ]
        elif q.kind == "likert":
            values = [f"{v:.0f}" if v == v else "" for v in sample.numbers[q.id].tolist()]
        else:
            values = _decimal(sample.numbers[q.id], export.decimal)
        for row, value in overrides.get(q.id, {}).items():
            values[row] = value
        columns.append((header, values))
    return columns


def write_csv(path: Path, columns: list[Column], encoding: str, delimiter: str) -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([header for header, _ in columns])
        writer.writerows(zip(*(values for _, values in columns), strict=True))
