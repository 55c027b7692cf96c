"""Checks of the codebook itself: every label present, codes and headers unambiguous."""

from __future__ import annotations

from observatory.codebook.model import (
    QUESTION_KINDS,
    SURVEY_LANGUAGES,
    Codebook,
    Wave,
    normalise_label,
)


def validate(book: Codebook) -> list[str]:
    """Problems in the codebook itself (tests assert there are none)."""
    problems = []
    for dim in book.dimensions.values():
        for code in dim.codes.values():
            missing = [lang for lang in ("en", *SURVEY_LANGUAGES) if not code.labels.get(lang)]
            if missing:
                problems.append(f"{dim.name}.{code.code}: no label in {', '.join(missing)}")
            if (
                dim.parent_dimension
                and code.parent not in book.dimensions[dim.parent_dimension].codes
            ):
                problems.append(f"{dim.name}.{code.code}: unknown parent {code.parent!r}")
        for lang in SURVEY_LANGUAGES:
            seen: dict[str, str] = {}
            for code in dim.codes.values():
                for text in {normalise_label(code.labels[lang]), normalise_label(code.code)}:
                    if seen.setdefault(text, code.code) != code.code:
                        problems.append(f"{dim.name}: {seen[text]} and {code.code} share {text!r}")
    for q in book.questions.values():
        if q.kind not in QUESTION_KINDS:
            problems.append(f"question {q.id}: unknown kind {q.kind!r}")
        if q.kind in ("single", "multi") and q.dimension not in book.dimensions:
            problems.append(f"question {q.id}: unknown dimension {q.dimension!r}")
        missing = [lang for lang in SURVEY_LANGUAGES if not q.header.get(lang)]
        if missing:
            problems.append(f"question {q.id}: no header in {', '.join(missing)}")
    for wave in book.waves.values():
        for qid in wave.question_ids:
            if qid not in book.questions:
                problems.append(f"wave {wave.year}: unknown question {qid!r}")
        for name, codes in wave.options.items():
            known = book.dimensions[name].codes if name in book.dimensions else {}
            unknown = [c for c in codes if c not in known]
            if unknown:
                problems.append(f"wave {wave.year}: unknown {name} codes {', '.join(unknown)}")
        problems += _header_clashes(book, wave)
    return problems


def _header_clashes(book: Codebook, wave: Wave) -> list[str]:
    """Two questions of a wave, or a question and an ignored column, sharing a header."""
    problems = []
    for lang in SURVEY_LANGUAGES:
        seen = {normalise_label(h): "an ignored column" for h in book.ignored}
        for qid in wave.question_ids:
            if qid not in book.questions:
                continue
            if not book.questions[qid].header.get(lang):
                continue
            for text in {normalise_label(h) for h in book.headers(wave.year, qid, lang)}:
                if seen.setdefault(text, qid) != qid:
                    problems.append(
                        f"wave {wave.year} ({lang}): {qid} and {seen[text]} "
                        f"share the header {text!r}"
                    )
    return problems
