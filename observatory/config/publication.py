"""How the annual report is published (report.yaml): publisher, licence, reviewed
languages, keywords."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Licence:
    id: str  # SPDX identifier
    name: str  # short name, as printed
    title: str
    url: str


@dataclass(frozen=True)
class Publication:
    """How the annual report is published (report.yaml)."""

    publisher: str
    licence: Licence
    reviewed_languages: tuple[str, ...]
    keywords: tuple[str, ...]


@cache
def load_publication() -> Publication:
    raw = yaml.safe_load((HERE / "report.yaml").read_text(encoding="utf-8"))
    return Publication(
        publisher=str(raw["publisher"]),
        licence=Licence(**raw["licence"]),
        reviewed_languages=tuple(raw["reviewed_languages"]),
        keywords=tuple(raw.get("keywords", ())),
    )
