"""The expectation suites of each stage, derived from the codebook and configuration."""

from __future__ import annotations

from observatory.codebook import load_codebook
from observatory.config import load_countries
from observatory.quality import Spec


def _codes(dimension: str) -> list[str]:
    return sorted(load_codebook().dimensions[dimension].codes)


def _respondent_specs() -> list[Spec]:
    book = load_codebook()
    specs = [
        Spec("ExpectColumnValuesToNotBeNull", {"column": "respondent_key"}),
        Spec(
            "ExpectColumnValuesToBeInSet",
            {"column": "country", "value_set": sorted(load_countries())},
        ),
    ]
    for q in book.questions.values():
        if q.kind == "single":
            specs.append(
                Spec(
                    "ExpectColumnValuesToBeInSet",
                    {"column": q.id, "value_set": _codes(q.choice_dimension)},
                )
            )
        if q.required and q.kind == "single":
            specs.append(Spec("ExpectColumnValuesToNotBeNull", {"column": q.id}))
    specs += [  # the codebook's bounds: a Likert value outside blocks, a number only warns
        Spec(
            "ExpectColumnValuesToBeBetween",
            {"column": q.id, "min_value": q.min, "max_value": q.max},
            blocking=q.kind == "likert",
        )
        for q in book.questions.values()
        if q.min is not None or q.max is not None
    ]
    return specs


def staged_respondents() -> list[Spec]:
    """One wave x country partition, as staged."""
    return [
        *_respondent_specs(),
        Spec("ExpectColumnValuesToBeUnique", {"column": "respondent_key"}),
        Spec("ExpectTableRowCountToBeBetween", {"min_value": 1}, blocking=False),
    ]


def answer_codes() -> list[Spec]:
    """Answers in long form: each (dimension, code) pair is in the taxonomy."""
    pairs = sorted(f"{d.name}:{c}" for d in load_codebook().dimensions.values() for c in d.codes)
    return [
        Spec("ExpectColumnValuesToBeInSet", {"column": "dimension_code", "value_set": pairs}),
        Spec("ExpectColumnValuesToNotBeNull", {"column": "respondent_key"}),
    ]


def core_respondents() -> list[Spec]:
    return [
        *_respondent_specs(),
        Spec("ExpectCompoundColumnsToBeUnique", {"column_list": ["respondent_key", "wave"]}),
    ]


def weights() -> list[Spec]:
    return [
        Spec("ExpectColumnValuesToNotBeNull", {"column": "weight"}),
        Spec(
            "ExpectColumnValuesToBeBetween",
            {"column": "weight", "min_value": 0, "strict_min": True, "max_value": 1e9},
        ),
        Spec("ExpectCompoundColumnsToBeUnique", {"column_list": ["respondent_key", "wave"]}),
    ]
