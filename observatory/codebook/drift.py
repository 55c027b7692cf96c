"""What an imported instrument changes against the previous wave: questions added,
removed or renamed, options added, removed, split, merged or relabelled, and labels that
map to no code (blocking problems). `resolve` maps one country's instrument; `drift`
compares all the instruments imported for a wave.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from observatory.codebook import Codebook, normalise_label
from observatory.codebook.instrument import Instrument
from observatory.codebook.mapping import Mapped, Mapping, map_items, suggestions

KINDS = {
    "text": ("id", "pii"),
    "single": ("single",),
    "multiple": ("multi",),
    "scale": ("likert",),
    "number": ("number",),
}
NEW_KIND = {
    "text": "pii",
    "single": "single",
    "multiple": "multi",
    "scale": "likert",
    "number": "number",
}  # a new free-text question is personal data until said otherwise
RENAME_SIMILARITY = 0.3


@dataclass(frozen=True)
class Imported:
    """An instrument imported for a wave: where from, in which language, how to map it."""

    country: str
    language: str
    source: str
    sha256: str
    instrument: Instrument
    mapping: dict = field(default_factory=dict)


@dataclass
class Resolved:
    """One country's instrument in canonical terms."""

    imported: Imported
    questions: list[tuple[str, Mapped]] = field(default_factory=list)  # (question id, item)
    new: set[str] = field(default_factory=set)  # question ids the codebook does not have
    problems: list[str] = field(default_factory=list)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalise_label(name)).strip("_")


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalise_label(a), normalise_label(b)).ratio()


def _pair(book: Codebook, prev: int, m: Mapped, free: list[str], language: str) -> str | None:
    """The previous wave's unmatched question an unknown item most likely renames: same
    kind, same dimension for a choice, the closest header otherwise."""
    text = m.item.labels.get(language, "")
    candidates = [
        q
        for q in free
        if book.questions[q].kind in KINDS[m.item.kind]
        and (not m.item.options or book.questions[q].dimension == m.dimension)
    ]
    scored = sorted(candidates, key=lambda q: -_similarity(text, book.header(prev, q, language)))
    if scored and (
        m.item.options
        or _similarity(text, book.header(prev, scored[0], language)) >= RENAME_SIMILARITY
    ):
        return scored[0]
    return None


def resolve(book: Codebook, prev: int, imported: Imported) -> Resolved:
    lang, mapping = imported.language, Mapping.from_dict(imported.mapping)
    mapped = map_items(book, imported.instrument.items, lang, mapping)
    seen = {m.question for m in mapped if m.question}
    free = [q for q in book.wave(prev).question_ids if q not in seen]
    out = Resolved(imported)
    for m in mapped:
        qid = m.question or _pair(book, prev, m, free, lang) or _slug(m.item.name)
        if qid in free:  # a previous question under a new header (or a tool name = its id)
            free.remove(qid)
            m = Mapped(m.item, qid, m.dimension, m.codes)
        if qid in (q for q, _ in out.questions) or (m.question is None and qid in seen):
            out.problems.append(
                f"{imported.source}: question {m.item.name}: maps to {qid}, as "
                "another question does (name it in the mapping file)"
            )
        elif qid not in book.questions:
            out.new.add(qid)
        elif book.questions[qid].kind not in KINDS[m.item.kind]:
            out.problems.append(
                f"{imported.source}: question {m.item.name}: a {m.item.kind} "
                f"question, but {qid} is {book.questions[qid].kind} in the "
                "codebook (give it a new id in the mapping file)"
            )
        out.questions.append((qid, m))
        out.problems += _unmapped(book, imported, m)
    return out


def _unmapped(book: Codebook, imported: Imported, m: Mapped) -> list[str]:
    problems = []
    for option, code in zip(m.item.options, m.codes, strict=True):
        if code is None:
            label = option.labels.get(imported.language, option.name)
            close = suggestions(book, m.dimension, label, imported.language)
            problems.append(
                f"{imported.source}: question {m.item.name}: label {label!r} maps to "
                f"no code of {m.dimension or 'any dimension'}; closest: "
                f"{', '.join(close) or 'none'}"
            )
    return problems
