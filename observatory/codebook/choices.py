"""How a choice question's options drifted: added, removed, split (`<`, new codes that
replace one code), merged (`>`, a new code that replaces several) or relabelled (an
existing code in new wording, which becomes an alias); what the mapping file's
`replaces` says is the lineage."""

from __future__ import annotations

from observatory.codebook import SURVEY_LANGUAGES, Codebook, normalise_label
from observatory.codebook.drift import Resolved
from observatory.codebook.instrument import Option
from observatory.codebook.mapping import Mapped, Mapping


def option_changes(
    book: Codebook, based_on: int, r: Resolved, qid: str, m: Mapped, codes: dict
) -> list[str]:
    """The changes of a choice question's options against the `based_on` wave; the codes
    to add to its dimension (new codes, new aliases) go in `codes`."""
    lang, cc, dim = r.imported.language, r.imported.country, m.dimension or ""
    known = book.dimensions[dim].codes if dim in book.dimensions else {}
    prev = (
        list(book.options(based_on, dim))
        if known and qid in book.wave(based_on).question_ids
        else []
    )
    rules = Mapping.from_dict(r.imported.mapping).options.get(dim, {})
    changes: list[str] = []
    now: list[str] = []
    replaced_by: dict[str, list[str]] = {}
    for option, code in zip(m.item.options, m.codes, strict=True):
        if code is None:
            continue
        now.append(code)
        if code in known:
            changes += _relabel(book, codes, cc, dim, code, option)
            continue
        rule = rules.get(normalise_label(option.labels.get(lang, "")))
        entry = codes.setdefault(code, {})
        entry.update({k: v for k, v in option.labels.items() if k in ("en", *SURVEY_LANGUAGES)})
        entry.update(rule.labels if rule else {})
        replaces = list(rule.replaces) if rule else []
        if replaces:
            entry["replaces"] = replaces
        if len(replaces) > 1:
            changes.append(
                f"{cc}: > options {' + '.join(f'{dim}.{x}' for x in replaces)} merged into {code}"
            )
        elif replaces:
            replaced_by.setdefault(replaces[0], []).append(code)
        else:
            changes.append(f"{cc}: + option {dim}.{code} {option.labels.get(lang)!r} (new)")
    for old, new in replaced_by.items():
        changes.append(
            f"{cc}: < option {dim}.{old} "
            + (f"split into {', '.join(new)}" if len(new) > 1 else f"replaced by {new[0]}")
        )
    gone = {x for c in now for x in codes.get(c, {}).get("replaces", [])}
    changes += [f"{cc}: + option {dim}.{c}" for c in now if c in known and c not in prev and prev]
    changes += [
        f"{cc}: - option {dim}.{c} {book.label(dim, c, lang)!r}"
        for c in prev
        if c not in now and c not in gone
    ]
    return changes


def _relabel(
    book: Codebook, codes: dict, cc: str, dim: str, code: str, option: Option
) -> list[str]:
    """An existing code offered with new wording: the wording becomes an alias of it."""
    entry, changes = book.dimensions[dim].codes[code], []
    known = {normalise_label(a) for a in entry.aliases}
    for lang, text in option.labels.items():
        if lang in SURVEY_LANGUAGES and normalise_label(text) not in known | {
            normalise_label(entry.labels[lang])
        }:
            aliases = codes.setdefault(code, {}).setdefault("aliases", [])
            if text not in aliases:
                aliases.append(text)
                changes.append(
                    f"{cc}: ~ option {dim}.{code} relabelled ({lang}): "
                    f"{entry.labels[lang]!r} -> {text!r}"
                )
    return changes
