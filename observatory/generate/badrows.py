"""Plant a few realistic bad rows in a sample, each with exactly one problem.

Kinds (the `kind` of a truth-file entry, with the canonical question id as `column`):
  likert_out_of_range   a likert answer outside its scale (0, 6 or 7)
  unknown_label         a single-choice answer that is in no codebook language (in an
                        SPSS file, whose labels are value labels: an undeclared code)
  duplicate_respondent  a later row reuses an earlier row's id; both rows are listed
  non_numeric           a number question answered in words (text formats only)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from observatory.codebook import Codebook, normalise_label
from observatory.generate.sample import Sample

# Answers in no codebook language, per question and survey language.
UNKNOWN_LABELS = {
    "scheme_type": {
        "fr": "Mixte",
        "de": "Sonstiges",
        "hr": "Mješoviti",
        "el": "Μικτό",
        "it": "Misto",
    },
    "ci_stage": {
        "fr": "Évaluer",
        "de": "Evaluieren",
        "hr": "Evaluacija",
        "el": "Αξιολόγηση",
        "it": "Valutare",
    },
}
UNDECLARED_CODE = 9  # numeric formats: a code without a value label
NON_NUMERIC = {"fr": "beaucoup", "de": "viel", "hr": "puno", "el": "δεν ξέρω", "it": "molto"}
TEXT_FORMATS = ("csv",)  # formats where a number cell can hold words
FIRST_ROW = {"csv": 2, "xlsx": 2, "sav": 1}  # header is row 1; SPSS counts cases


@dataclass(frozen=True)
class BadRow:
    wave: int
    country: str
    path: str
    row: int
    column: str
    kind: str
    value: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_unknown(book: Codebook) -> None:
    for qid, by_lang in UNKNOWN_LABELS.items():
        dim = book.dimensions[book.questions[qid].choice_dimension]
        known = {key for lang in by_lang for key in dim.lookup(lang)}
        clash = [text for text in by_lang.values() if normalise_label(text) in known]
        if clash:
            raise AssertionError(f"'unknown' labels of {qid} are codebook labels: {clash}")


def plant(
    sample: Sample, book: Codebook, rng: np.random.Generator, path: str
) -> tuple[list[BadRow], dict[str, dict[int, object]]]:
    """Alter `sample` in place; return the bad rows and the cell overrides (question id ->
    row index -> raw cell value) that writers apply on top of the rendered answers."""
    _check_unknown(book)
    fmt, lang = sample.country.export.format, sample.country.language
    qids = [q.id for q in sample.questions]
    likert = next(q for q in sample.questions if q.kind == "likert")
    number = next(q for q in sample.questions if q.kind == "number")
    id_q = next(q for q in sample.questions if q.kind == "id")
    single = [qid for qid in UNKNOWN_LABELS if qid in qids]
    kinds = ["likert_out_of_range"] * int(rng.integers(1, 3)) + ["unknown_label"]
    if fmt in TEXT_FORMATS:
        kinds.append("non_numeric")
    rows = rng.choice(sample.n, size=len(kinds) + 2, replace=False)
    first = FIRST_ROW[fmt]
    bad: list[BadRow] = []
    overrides: dict[str, dict[int, object]] = {}

    def add(row: int, column: str, kind: str, value: object) -> None:
        bad.append(
            BadRow(sample.wave, sample.country.code, path, row + first, column, kind, str(value))
        )

    for row, kind in zip(rows[: len(kinds)].tolist(), kinds, strict=True):
        if kind == "likert_out_of_range":
            lo, hi = likert.scale
            outside = int(rng.choice([lo - 1, hi + 1, hi + 2]))
            sample.numbers[likert.id][row] = outside
            add(row, likert.id, kind, outside)
        elif kind == "unknown_label":
            qid = single[int(rng.integers(0, len(single)))]
            declared = len(book.dimensions[book.questions[qid].choice_dimension].codes)
            value = (
                max(UNDECLARED_CODE, declared + 1) if fmt == "sav" else UNKNOWN_LABELS[qid][lang]
            )
            overrides.setdefault(qid, {})[row] = value
            add(row, qid, kind, value)
        else:
            overrides.setdefault(number.id, {})[row] = NON_NUMERIC[lang]
            add(row, number.id, kind, NON_NUMERIC[lang])
    earlier, later = sorted(rows[len(kinds) :].tolist())
    ids = sample.text[id_q.id]
    ids[later] = ids[earlier]
    add(earlier, id_q.id, "duplicate_respondent", ids[earlier])
    add(later, id_q.id, "duplicate_respondent", ids[later])
    return sorted(bad, key=lambda b: b.row), overrides
