"""Write a sample as an SPSS `.sav` export: variables v1..vN labelled with the headers,
single-choice answers as numeric codes 1..k with value labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from observatory.codebook import Codebook
from observatory.generate.sample import Sample
from observatory.generate.writers import FIXED_TIME, Overrides, option_labels, unselected_value

# In the SAV header: creation date "dd Mon yy" at byte 92, time "hh:mm:ss" at byte 101.
_STAMP_AT = 92
_STAMP = FIXED_TIME.strftime("%d %b %y%H:%M:%S").encode("ascii")


def write_sav(path: Path, sample: Sample, book: Codebook, overrides: Overrides) -> None:
    import pyreadstat

    lang, ms = sample.country.language, sample.country.export.multi_select
    data: dict[str, object] = {}
    labels: list[str | None] = []
    value_labels: dict[str, dict[float, str]] = {}
    measure: dict[str, str] = {}

    def add(values: object, label: str, kind: str) -> str:
        name = f"v{len(data) + 1}"
        data[name] = values
        labels.append(label)
        measure[name] = kind
        return name

    for q in sample.questions:
        header = book.header(sample.instrument, q.id, lang)
        fixes = overrides.get(q.id, {})
        if q.kind in ("id", "pii"):
            add(sample.text[q.id].astype(str), header, "nominal")
        elif q.kind == "single":
            codes = sample.single[q.id].astype(float) + 1.0
            codes[codes == 0.0] = np.nan
            for row, value in fixes.items():
                codes[row] = float(value)  # type: ignore[arg-type]
            name = add(codes, header, "nominal")
            options = option_labels(book, q, lang, sample.instrument)
            value_labels[name] = {float(i + 1): lab for i, lab in enumerate(options)}
        elif q.kind == "multi":
            bits = sample.multi[q.id]
            if ms.layout == "cell":
                opts = option_labels(book, q, lang, sample.instrument)
                add(
                    np.array(
                        [
                            ms.separator.join(o for o, b in zip(opts, row, strict=True) if b)
                            for row in bits.tolist()
                        ],
                        dtype=object,
                    ),
                    header,
                    "nominal",
                )
                continue
            numeric_flags = unselected_value(ms) == "0"
            for j, option in enumerate(option_labels(book, q, lang, sample.instrument)):
                values = (
                    bits[:, j].astype(float)
                    if numeric_flags
                    else np.where(bits[:, j], ms.selected[0], "")
                )
                add(values, ms.column.format(question=header, option=option), "nominal")
        else:
            values = sample.numbers[q.id].copy()
            for row, value in fixes.items():
                values[row] = float(value)  # type: ignore[arg-type]
            add(values, header, "ordinal" if q.kind == "likert" else "scale")
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=labels,
        variable_value_labels=value_labels,
        variable_measure=measure,
    )
    fix_timestamp(path)


def fix_timestamp(path: Path) -> None:
    """SPSS files record when they were written: pin it, so reruns give the same bytes."""
    raw = bytearray(path.read_bytes())
    if raw[:4] == b"$FL2" and len(raw) > _STAMP_AT + len(_STAMP):
        raw[_STAMP_AT : _STAMP_AT + len(_STAMP)] = _STAMP
        path.write_bytes(bytes(raw))
