"""The codebook: canonical taxonomy and each wave's questionnaire, loaded from YAML.

It is the single source of truth that maps every wave's headers and every survey
language's labels to canonical codes.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

HERE = Path(__file__).parent
SURVEY_LANGUAGES = ("hr", "fr", "de", "el", "it")
REPORT_LANGUAGES = ("en", "fr")
QUESTION_KINDS = ("id", "pii", "single", "multi", "likert", "number")


@lru_cache(maxsize=1 << 16)  # answers repeat the same labels over and over
def normalise_label(text: str) -> str:
    """Key for matching labels and headers: case-, accent- and whitespace-insensitive."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True)
class Code:
    dimension: str
    code: str
    labels: dict[str, str]
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()  # codes this one was split or merged from


@dataclass(frozen=True)
class Dimension:
    name: str
    labels: dict[str, str]
    codes: dict[str, Code]
    parent_dimension: str | None = None

    def lookup(self, language: str) -> dict[str, str]:
        """Normalised survey label (or alias, or the code itself) -> code."""
        table: dict[str, str] = {}
        for code in self.codes.values():
            for text in (code.labels[language], code.code, *code.aliases):
                table[normalise_label(text)] = code.code
        return table


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    header: dict[str, str]
    dimension: str | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)  # language -> other headers


@dataclass(frozen=True)
class Wave:
    year: int
    version: str
    question_ids: tuple[str, ...]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    note: str = ""
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dimension -> codes asked


@dataclass(frozen=True)
class Codebook:
    dimensions: dict[str, Dimension]
    questions: dict[str, Question]
    waves: dict[int, Wave]
    ignored: tuple[str, ...] = ()  # headers survey tools add that are never read

    def is_ignored(self, header: str) -> bool:
        return normalise_label(header) in {normalise_label(h) for h in self.ignored}

    def wave(self, year: int) -> Wave:
        if year not in self.waves:
            known = ", ".join(str(w) for w in sorted(self.waves))
            raise KeyError(f"wave {year} is not in the codebook (known waves: {known})")
        return self.waves[year]

    def questions_for(self, year: int) -> list[Question]:
        return [self.questions[q] for q in self.wave(year).question_ids]

    def header(self, year: int, question_id: str, language: str) -> str:
        override = self.wave(year).headers.get(question_id, {})
        return override.get(language) or self.questions[question_id].header[language]

    def headers(self, year: int, question_id: str, language: str) -> list[str]:
        """The wave's header of a question followed by its explicit aliases."""
        aliases = self.questions[question_id].aliases.get(language, [])
        return [self.header(year, question_id, language), *aliases]

    def options(self, year: int, dimension: str) -> tuple[str, ...]:
        """The codes of a dimension a wave offered (all of them unless the wave says)."""
        return self.wave(year).options.get(dimension) or tuple(self.dimensions[dimension].codes)

    def label(self, dimension: str, code: str, language: str) -> str:
        return self.dimensions[dimension].codes[code].labels[language]


def _load_dimensions(raw: dict) -> dict[str, Dimension]:
    dimensions = {}
    for name, spec in raw["dimensions"].items():
        codes = {}
        for code, entry in spec["codes"].items():
            entry = dict(entry)
            parent = entry.pop("parent", None)
            aliases = tuple(entry.pop("aliases", ()))
            replaces = tuple(entry.pop("replaces", ()))
            codes[code] = Code(name, code, entry, parent, aliases, replaces)
        dimensions[name] = Dimension(name, spec["label"], codes, spec.get("parent_dimension"))
    return dimensions


def _load_questions(raw: dict) -> tuple[dict[str, Question], dict[int, Wave]]:
    questions = {qid: Question(id=qid, **spec) for qid, spec in raw["questions"].items()}
    waves = {
        int(year): Wave(
            year=int(year),
            version=str(spec["version"]),
            question_ids=tuple(spec["questions"]),
            headers=spec.get("headers", {}),
            note=spec.get("note", ""),
            options={dim: tuple(codes) for dim, codes in spec.get("options", {}).items()},
        )
        for year, spec in raw["waves"].items()
    }
    return questions, waves


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
        for dim, codes in wave.options.items():
            known = book.dimensions[dim].codes if dim in book.dimensions else {}
            unknown = [c for c in codes if c not in known]
            if unknown:
                problems.append(f"wave {wave.year}: unknown {dim} codes {', '.join(unknown)}")
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


def codebook_dir() -> Path:
    """The folder of the codebook: OBSERVATORY_CODEBOOK_DIR when set, else the shipped one.
    The team can keep (and review) its codebook anywhere, as data."""
    return Path(os.environ.get("OBSERVATORY_CODEBOOK_DIR") or HERE)


def build_codebook(taxonomy: dict, questionnaire: dict) -> Codebook:
    questions, waves = _load_questions(questionnaire)
    return Codebook(
        _load_dimensions(taxonomy),
        questions,
        waves,
        tuple(questionnaire.get("ignored_columns", ())),
    )


@cache
def load_codebook() -> Codebook:
    """The codebook of `codebook_dir()`: its taxonomy and questionnaire with every accepted
    change of its history (`changes/`) applied, oldest first."""
    from observatory.codebook.store import read_codebook

    return build_codebook(*read_codebook(codebook_dir()))
