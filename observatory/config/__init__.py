"""Configuration: countries (with their ingest profiles), statistical settings and how the
annual report is published."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
LIMITS = (
    "memory_budget_mib",
    "max_columns",
    "max_line_chars",
    "xlsx_max_inflated_mib",
    "xlsx_max_ratio",
    "max_problems_per_file",
)


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


@dataclass(frozen=True)
class Settings:
    confidence_level: float
    suppress_below_n: int
    unreliable_below_n_eff: float
    unreliable_below_df: int
    strata: tuple[str, ...]
    warehouse_memory_limit: str
    keep_snapshots: int  # dated snapshots kept, besides those behind a published report
    memory_budget_mib: int  # records of one export held at once while it is read
    max_columns: int
    max_line_chars: int
    xlsx_max_inflated_mib: int
    xlsx_max_ratio: int
    max_problems_per_file: int
    keep_validation_runs: int  # runs whose validation results are all kept


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


@cache
def load_settings() -> Settings:
    """settings.yaml, with the keys of the YAML file named by $OBSERVATORY_SETTINGS (if
    set) replacing its values."""
    raw = yaml.safe_load((HERE / "settings.yaml").read_text(encoding="utf-8"))
    if overrides := os.environ.get("OBSERVATORY_SETTINGS"):
        raw.update(yaml.safe_load(Path(overrides).read_text(encoding="utf-8")) or {})
    return Settings(
        confidence_level=float(raw["confidence_level"]),
        suppress_below_n=int(raw["suppress_below_n"]),
        unreliable_below_n_eff=float(raw["unreliable_below_n_eff"]),
        unreliable_below_df=int(raw["unreliable_below_df"]),
        strata=tuple(raw["strata"]),
        warehouse_memory_limit=str(raw["warehouse_memory_limit"]),
        keep_snapshots=int(raw["keep_snapshots"]),
        **{name: int(raw[name]) for name in LIMITS},
        keep_validation_runs=int(raw["keep_validation_runs"]),
    )


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
