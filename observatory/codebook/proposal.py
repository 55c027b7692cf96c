"""The codebook change that the instruments imported for a wave propose, in the
codebook's own format (`dimensions`, `questions`, `waves`), with the drift against the
previous wave listed for review (`changes`) and what blocks it (`problems`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from observatory.codebook import SURVEY_LANGUAGES, Codebook, normalise_label
from observatory.codebook.drift import NEW_KIND, Imported, Resolved, resolve
from observatory.codebook.instrument import Option
from observatory.codebook.mapping import Mapped, Mapping


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
                _options(book, p, r, qid, m)
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
            p.changes.append(f"{cc}: + question {qid} {header!r} ({m.item.kind}"
                             f"{', ' + m.dimension if m.dimension else ''}"
                             f"{', new' if qid in r.new else ''})")
        elif normalise_label(header) != normalise_label(book.header(p.based_on, qid, lang)):
            p.changes.append(f"{cc}: ~ question {qid} renamed: "
                             f"{book.header(p.based_on, qid, lang)!r} -> {header!r}")
        if qid in r.new and qid not in p.questions:
            spec = {"kind": NEW_KIND[m.item.kind]}
            if m.dimension:
                spec["dimension"] = m.dimension
            spec["header"] = {k: v for k, v in m.item.labels.items() if k in SURVEY_LANGUAGES}
            spec.update({k: v for k, v in (("min", m.item.min), ("max", m.item.max))
                         if v is not None})
            p.questions[qid] = spec
    p.changes += [f"{cc}: - question {qid} {book.header(p.based_on, qid, lang)!r}"
                  for qid in prev_ids if qid not in ids]


def _headers(book: Codebook, prev: int, order: list[str], resolved: list[Resolved],
             p: Proposal) -> dict[str, dict[str, str]]:
    """Each question's header per language: the imported one (the instrument's own
    language first), else the previous wave's; kept where it differs from the codebook's."""
    found: dict[str, dict[str, str]] = {}
    for r in resolved:
        for qid, m in r.questions:
            for lang, text in m.item.labels.items():
                if lang in SURVEY_LANGUAGES and (lang == r.imported.language
                                                 or lang not in found.get(qid, {})):
                    found.setdefault(qid, {})[lang] = text
    overrides: dict[str, dict[str, str]] = {}
    for qid in order:
        if qid in p.questions:
            continue
        for lang in SURVEY_LANGUAGES:
            text = found.get(qid, {}).get(lang) or (book.header(prev, qid, lang)
                                                    if qid in book.wave(prev).question_ids
                                                    else book.questions[qid].header.get(lang))
            if text and text != book.questions[qid].header.get(lang):
                overrides.setdefault(qid, {})[lang] = text
    return overrides


def _options(book: Codebook, p: Proposal, r: Resolved, qid: str, m: Mapped) -> None:
    lang, cc, dim = r.imported.language, r.imported.country, m.dimension
    known = book.dimensions[dim].codes if dim in book.dimensions else {}
    prev = list(book.options(p.based_on, dim)) if known and qid in \
        book.wave(p.based_on).question_ids else []
    rules = Mapping.from_dict(r.imported.mapping).options.get(dim, {})
    codes = p.dimensions.setdefault(dim, {"label": dict(m.item.labels)} if not known else {}) \
        .setdefault("codes", {})
    now, replaced_by = [], {}
    for option, code in zip(m.item.options, m.codes, strict=True):
        if code is None:
            continue
        now.append(code)
        if code in known:
            _relabel(book, p, codes, cc, dim, code, option)
            continue
        rule = rules.get(normalise_label(option.labels.get(lang, "")))
        entry = codes.setdefault(code, {})
        entry.update({k: v for k, v in option.labels.items() if k in ("en", *SURVEY_LANGUAGES)})
        entry.update(rule.labels if rule else {})
        replaces = list(rule.replaces) if rule else []
        if replaces:
            entry["replaces"] = replaces
        if len(replaces) > 1:
            p.changes.append(f"{cc}: > options {' + '.join(f'{dim}.{x}' for x in replaces)} "
                             f"merged into {code}")
        elif replaces:
            replaced_by.setdefault(replaces[0], []).append(code)
        else:
            p.changes.append(f"{cc}: + option {dim}.{code} {option.labels.get(lang)!r} (new)")
    for old, new in replaced_by.items():
        p.changes.append(f"{cc}: < option {dim}.{old} " + (
            f"split into {', '.join(new)}" if len(new) > 1 else f"replaced by {new[0]}"))
    gone = {x for c in now for x in codes.get(c, {}).get("replaces", [])}
    p.changes += [f"{cc}: + option {dim}.{c}" for c in now if c in known and c not in prev
                  and prev]
    p.changes += [f"{cc}: - option {dim}.{c} {book.label(dim, c, lang)!r}" for c in prev
                  if c not in now and c not in gone]


def _relabel(book: Codebook, p: Proposal, codes: dict, cc: str, dim: str, code: str,
             option: Option) -> None:
    """An existing code offered with new wording: the wording becomes an alias of it."""
    entry = book.dimensions[dim].codes[code]
    known = {normalise_label(a) for a in entry.aliases}
    for lang, text in option.labels.items():
        if lang in SURVEY_LANGUAGES and normalise_label(text) not in \
                known | {normalise_label(entry.labels[lang])}:
            aliases = codes.setdefault(code, {}).setdefault("aliases", [])
            if text not in aliases:
                aliases.append(text)
                p.changes.append(f"{cc}: ~ option {dim}.{code} relabelled ({lang}): "
                                 f"{entry.labels[lang]!r} -> {text!r}")
