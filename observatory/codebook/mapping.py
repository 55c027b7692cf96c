"""Map an instrument's questions and options to the codebook's canonical ids and codes,
by their text in the country's language: the codebook's headers (of every wave) and
labels, their aliases, and an explicit mapping file for the rest:

    questions:                 # header (or the tool's question name) -> question id
      Razina zadovoljstva suradnjom: satisfaction
    options:                   # per dimension: label -> an existing code (a relabelled
      barrier:                 # option), or a new code with what it replaces (a split or
        Ograničeno vrijeme:    # a merge) and its labels in the other languages
          {code: limited_time, replaces: [limited_capacity], en: Limited time}
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from observatory.codebook import Codebook, normalise_label
from observatory.codebook.instrument import InstrumentError, Item


@dataclass(frozen=True)
class Rule:
    code: str
    replaces: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Mapping:
    questions: dict[str, str] = field(default_factory=dict)  # normalised text -> id
    options: dict[str, dict[str, Rule]] = field(default_factory=dict)  # dim -> label -> rule

    @classmethod
    def from_dict(cls, raw: dict) -> Mapping:
        options = {
            dim: {normalise_label(label): _rule(spec) for label, spec in labels.items()}
            for dim, labels in (raw.get("options") or {}).items()
        }
        return cls(
            {normalise_label(k): str(v) for k, v in (raw.get("questions") or {}).items()}, options
        )


def _rule(spec: object) -> Rule:
    if not isinstance(spec, dict):
        return Rule(str(spec))
    labels = {str(k): str(v) for k, v in spec.items() if k not in ("code", "replaces")}
    return Rule(str(spec["code"]), tuple(spec.get("replaces") or ()), labels)


def load_mapping(path: Path | None) -> dict:
    """The mapping file as data (kept with the imported instrument), checked."""
    if path is None:
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        Mapping.from_dict(raw)
    except (OSError, yaml.YAMLError, TypeError, AttributeError, KeyError, ValueError) as exc:
        raise InstrumentError(
            f"{path}: not a mapping file ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from None
    return raw


@dataclass(frozen=True)
class Mapped:
    item: Item
    question: str | None  # canonical id; None: a question the codebook does not know
    dimension: str | None
    codes: tuple[str | None, ...] = ()  # per option; None: a label that maps to no code


def _headers(book: Codebook, language: str) -> dict[str, str]:
    table = {normalise_label(qid): qid for qid in book.questions}
    for year, wave in sorted(book.waves.items()):
        for qid in wave.question_ids:
            for text in book.headers(year, qid, language):
                table[normalise_label(text)] = qid
    return table


def _dimension(book: Codebook, item: Item, language: str, mapping: Mapping) -> str | None:
    """The dimension most of a new question's option labels belong to."""
    labels = [normalise_label(o.labels.get(language, "")) for o in item.options]
    lookups = {name: dim.lookup(language) for name, dim in book.dimensions.items()}
    scores = {
        name: sum(
            label in lookups.get(name, {}) or label in mapping.options.get(name, {})
            for label in labels
        )
        for name in [*lookups, *mapping.options]
    }
    best = max(scores, key=scores.__getitem__, default=None)
    return best if best is not None and scores[best] else None


def map_items(
    book: Codebook, items: tuple[Item, ...], language: str, mapping: Mapping
) -> list[Mapped]:
    headers = _headers(book, language)
    return [_map(book, headers, item, language, mapping) for item in items]


def _map(
    book: Codebook, headers: dict[str, str], item: Item, language: str, mapping: Mapping
) -> Mapped:
    text = normalise_label(item.labels.get(language, ""))
    qid = (
        mapping.questions.get(text)
        or mapping.questions.get(normalise_label(item.name))
        or headers.get(text)
    )  # what the mapping file says first
    if not item.options:
        return Mapped(item, qid, None)
    known = book.questions.get(qid) if qid else None
    dim = (
        known.dimension if known and known.dimension else _dimension(book, item, language, mapping)
    )
    lookup = book.dimensions[dim].lookup(language) if dim in book.dimensions else {}
    rules = mapping.options.get(dim or "", {})
    codes = []
    for option in item.options:
        label = normalise_label(option.labels.get(language, ""))
        codes.append(rules[label].code if label in rules else lookup.get(label))
    return Mapped(item, qid, dim, tuple(codes))


def suggestions(book: Codebook, dimension: str | None, label: str, language: str) -> list[str]:
    """The closest codes to a label (by its text against the codes' labels and aliases)."""
    dims = (
        [book.dimensions[dimension]]
        if dimension in book.dimensions
        else list(book.dimensions.values())
    )
    table = {}
    for dim in dims:
        prefix = "" if len(dims) == 1 else f"{dim.name}."
        table.update({text: prefix + code for text, code in dim.lookup(language).items()})
    close = difflib.get_close_matches(normalise_label(label), table, n=6, cutoff=0.4)
    return list(dict.fromkeys(table[text] for text in close))[:3]
