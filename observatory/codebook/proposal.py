"""The codebook change that the instruments imported for a wave propose, in the
codebook's own format (`dimensions`, `questions`, `waves`), with the drift against the
previous wave listed for review (`changes`) and what blocks it (`problems`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from observatory.codebook import SURVEY_LANGUAGES, Codebook, normalise_label
from observatory.codebook.choices import option_changes
from observatory.codebook.drift import NEW_KIND, Imported, Resolved, resolve


@dataclass
class Proposal:
    wave: int
    based_on: int
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dimensions: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)
    waves: dict = field(default_factory=dict)


def previous_wave(book: Codebook, wave: int) -> int:
    earlier = [w for w in book.waves if w < wave]
    if not earlier:
        raise LookupError(f"no wave before {wave} in the codebook to compare with")
    return max(earlier)


def _order(resolved: list[Resolved]) -> list[str]:
    """The wave's questions: each instrument's order, merged (a question only one country
    asks goes after the question before it there)."""
    order: list[str] = []
    for r in resolved:
        before = -1
        for qid, _ in r.questions:
            if qid not in order:
                order.insert(before + 1, qid)
            before = order.index(qid)
    return order


def propose(book: Codebook, wave: int, imports: list[Imported]) -> Proposal:
    prev = previous_wave(book, wave)
    p = Proposal(wave, prev)
    resolved = [resolve(book, prev, imp) for imp in imports]
    for r in resolved:
        p.problems += r.problems
        _questions(book, p, r)
    asked: dict[str, list[str]] = {}
    for r in resolved:
        for qid, m in r.questions:
            if m.dimension:
                codes = asked.setdefault(m.dimension, [])
                codes += [c for c in m.codes if c and c not in codes]
                dim = p.dimensions.setdefault(
                    m.dimension,
                    {} if m.dimension in book.dimensions else {"label": dict(m.item.labels)},
                )
                p.changes += option_changes(
                    book, p.based_on, r, qid, m, dim.setdefault("codes", {})
                )
    order = _order(resolved)
    headers = _headers(book, prev, order, resolved, p)
    p.waves[wave] = {"version": f"{wave}.1", "questions": order}
    if headers:
        p.waves[wave]["headers"] = headers
    options = {dim: codes for dim, codes in asked.items() if codes != _all_codes(book, p, dim)}
    if options:
        p.waves[wave]["options"] = options
    p.dimensions = {dim: spec for dim, spec in p.dimensions.items() if spec.get("codes")}
    return p


def _all_codes(book: Codebook, p: Proposal, dim: str) -> list[str]:
    have = list(book.dimensions[dim].codes) if dim in book.dimensions else []
    return have + [c for c in p.dimensions.get(dim, {}).get("codes", {}) if c not in have]


def _questions(book: Codebook, p: Proposal, r: Resolved) -> None:
    imp, prev_ids = r.imported, book.wave(p.based_on).question_ids
    lang, cc = imp.language, imp.country
    ids = [qid for qid, _ in r.questions]
    for qid, m in r.questions:
        header = m.item.labels.get(lang, "")
        if qid not in prev_ids:
            p.changes.append(
                f"{cc}: + question {qid} {header!r} ({m.item.kind}"
                f"{', ' + m.dimension if m.dimension else ''}"
                f"{', new' if qid in r.new else ''})"
            )
        elif normalise_label(header) != normalise_label(book.header(p.based_on, qid, lang)):
            p.changes.append(
                f"{cc}: ~ question {qid} renamed: "
                f"{book.header(p.based_on, qid, lang)!r} -> {header!r}"
            )
        if qid in r.new and qid not in p.questions:
            spec: dict[str, object] = {"kind": NEW_KIND[m.item.kind]}
            if m.dimension:
                spec["dimension"] = m.dimension
            spec["header"] = {k: v for k, v in m.item.labels.items() if k in SURVEY_LANGUAGES}
            spec.update(
                {k: v for k, v in (("min", m.item.min), ("max", m.item.max)) if v is not None}
            )
            p.questions[qid] = spec
    p.changes += [
        f"{cc}: - question {qid} {book.header(p.based_on, qid, lang)!r}"
        for qid in prev_ids
        if qid not in ids
    ]


def _headers(
    book: Codebook, prev: int, order: list[str], resolved: list[Resolved], p: Proposal
) -> dict[str, dict[str, str]]:
    """Each question's header per language: the imported one (the instrument's own
    language first), else the previous wave's; kept where it differs from the codebook's."""
    found: dict[str, dict[str, str]] = {}
    for r in resolved:
        for qid, m in r.questions:
            for lang, text in m.item.labels.items():
                if lang in SURVEY_LANGUAGES and (
                    lang == r.imported.language or lang not in found.get(qid, {})
                ):
                    found.setdefault(qid, {})[lang] = text
    overrides: dict[str, dict[str, str]] = {}
    for qid in order:
        if qid in p.questions:
            continue
        for lang in SURVEY_LANGUAGES:
            header = found.get(qid, {}).get(lang) or (
                book.header(prev, qid, lang)
                if qid in book.wave(prev).question_ids
                else book.questions[qid].header.get(lang)
            )
            if header and header != book.questions[qid].header.get(lang):
                overrides.setdefault(qid, {})[lang] = header
    return overrides
