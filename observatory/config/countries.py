"""The configured countries (countries.yaml): each one's names, survey language and
ingest profile (the format its survey tool exports). A sixth country is a data change."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@dataclass(frozen=True)
class MultiSelect:
    layout: str  # "cell" or "columns"
    separator: str = "|"
    column: str = "{question} [{option}]"
    selected: tuple[str, ...] = ("1",)


@dataclass(frozen=True)
class ExportProfile:
    tool: str
    format: str  # csv | xlsx | sav
    multi_select: MultiSelect
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    sheet: str | None = None  # XLSX: the sheet to read (default: the first)
    header_row: int | None = None  # row of the header (default: found by its headers)


@dataclass(frozen=True)
class Country:
    code: str
    names: dict[str, str]
    language: str
    export: ExportProfile
    aliases: tuple[str, ...] = ()


@cache
def load_countries() -> dict[str, Country]:
    raw = yaml.safe_load((HERE / "countries.yaml").read_text(encoding="utf-8"))
    countries = {}
    for code, spec in raw["countries"].items():
        export = dict(spec["export"])
        ms = export.pop("multi_select")
        multi = MultiSelect(**{**ms, "selected": tuple(str(s) for s in ms.get("selected", ("1",)))})
        countries[code] = Country(
            code=code,
            names=spec["name"],
            language=spec["language"],
            export=ExportProfile(multi_select=multi, **export),
            aliases=tuple(spec.get("aliases", ())),
        )
    return countries


def canonical_country(code: str) -> str:
    """ISO alpha-2 code of a country, accepting configured aliases (Eurostat's EL for GR)."""
    wanted = code.strip().upper()
    for country in load_countries().values():
        if wanted == country.code or wanted in country.aliases:
            return country.code
    known = ", ".join(load_countries())
    raise KeyError(f"unknown country {code!r} (configured: {known})")
