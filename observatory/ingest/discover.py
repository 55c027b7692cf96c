"""Find the survey exports under data/raw/surveys/<wave>/<country>/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from observatory.config import canonical_country, load_countries

SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".sav"}


@dataclass(frozen=True)
class SurveyFile:
    wave: int
    country: str
    path: Path

    @property
    def partition(self) -> str:
        return f"{self.wave}|{self.country}"


def survey_files(raw_dir: Path) -> list[SurveyFile]:
    """Every export file, sorted by wave, country and name. Folders named by an alias
    (EL for Greece) count as the canonical country."""
    found = []
    root = raw_dir / "surveys"
    if not root.is_dir():
        return []
    for wave_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        for country_dir in sorted(p for p in wave_dir.iterdir() if p.is_dir()):
            country = canonical_country(country_dir.name)
            for path in sorted(country_dir.iterdir()):
                if path.is_file() and path.suffix.lower() in SUFFIXES:
                    found.append(SurveyFile(int(wave_dir.name), country, path))
    return found


def waves(raw_dir: Path) -> list[int]:
    return sorted({f.wave for f in survey_files(raw_dir)})


def files_for(raw_dir: Path, wave: int, country: str) -> list[SurveyFile]:
    return [f for f in survey_files(raw_dir) if f.wave == wave and f.country == country]


def countries() -> list[str]:
    return list(load_countries())
