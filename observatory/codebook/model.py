"""The codebook's model: dimensions of canonical codes with their labels, questions,
each wave's instrument, and the label normalisation every match uses."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

SURVEY_LANGUAGES = ("hr", "fr", "de", "el", "it")
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

    @property
    def choice_dimension(self) -> str:
        """The dimension whose codes answer a single or multi question."""
        if self.dimension is None:
            raise ValueError(f"question {self.id} ({self.kind}) has no dimension of codes")
        return self.dimension

    @property
    def scale(self) -> tuple[float, float]:
        """(min, max) of a bounded question (a Likert scale)."""
        if self.min is None or self.max is None:
            raise ValueError(f"question {self.id} ({self.kind}) has no min and max")
        return self.min, self.max


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
