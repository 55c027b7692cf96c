"""Find the survey exports under data/raw/surveys/<wave>/<country>/.

A folder is readable when the codebook knows its wave (the instrument of that year) and
the configuration knows its country; any other folder is reported by `unreadable`, one
line each, and its files are left alone until the codebook or the configuration says
how to read them. A folder that is, or holds an export that is, a symbolic link leading
outside the raw directory is refused the same way: nothing outside it is ever read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from observatory.codebook import load_codebook
from observatory.config import canonical_country
from observatory.ingest.sniff import ReadError

SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".sav"}


@dataclass(frozen=True)
class SurveyFile:
    wave: int
    country: str
    path: Path


def _folders(raw_dir: Path, wave: int | None = None) -> list[tuple[Path, str | None]]:
    """(wave/country folder, problem or None) for every folder under surveys/ (or under
    surveys/<wave>/ only)."""
    root, known_waves = raw_dir / "surveys", load_codebook().waves
    if not root.is_dir():
        return []
    found = []
    waves = [root / str(wave)] if wave is not None else root.iterdir()
    for wave_dir in sorted(p for p in waves if p.is_dir() and p.name.isdigit()):
        for country_dir in sorted(p for p in wave_dir.iterdir() if p.is_dir()):
            problem = None
            if int(wave_dir.name) not in known_waves:
                problem = (
                    f"{country_dir}: wave {wave_dir.name} is not in the codebook (known "
                    f"waves: {', '.join(map(str, sorted(known_waves)))}); add its "
                    f"questionnaire: observatory instrument import, diff and accept "
                    f"--wave {wave_dir.name}"
                )
            else:
                try:
                    canonical_country(country_dir.name)
                except KeyError as exc:
                    problem = (
                        f"{country_dir}: {exc.args[0]}; add it to observatory/config/countries.yaml"
                    )
            found.append((country_dir, problem or _links_outside(country_dir, raw_dir)))
    return found


def _links_outside(country_dir: Path, raw_dir: Path) -> str | None:
    """A problem line when the folder or one of its exports is a symbolic link leading
    outside raw_dir: such a folder is refused (not read), so nothing outside data/raw is
    ever read as an export."""
    root = raw_dir.resolve()
    if not country_dir.resolve().is_relative_to(root):
        escaping = [country_dir]
    else:
        escaping = [
            p
            for p in sorted(country_dir.iterdir())
            if p.suffix.lower() in SUFFIXES and not p.resolve().is_relative_to(root)
        ]
    return f"{outside(escaping[0], raw_dir)} (folder not read)" if escaping else None


def refused_link(path: Path, raw_dir: Path) -> str | None:
    """Why `path` is refused when it (or a folder on its way) links outside raw_dir."""
    if path.resolve().is_relative_to(raw_dir.resolve()):
        return None
    return outside(path, raw_dir)


def outside(path: Path, raw_dir: Path) -> str:
    return f"{path}: links to {path.resolve()}, outside {raw_dir}; copy it in instead of linking it"


def inside_raw(paths: list[Path], raw_dir: Path) -> list[Path]:
    """The reference files (frames, cases) found under raw_dir, once none of them is a
    link leading outside it (nor in a linked folder): ReadError naming the first that is."""
    for path in paths:
        if problem := refused_link(path, raw_dir):
            raise ReadError(problem)
    return paths


def survey_files(raw_dir: Path, wave: int | None = None) -> list[SurveyFile]:
    """Every readable export file (of one wave, when given), sorted by wave, country and
    name. Folders named by an alias (EL for Greece) count as the canonical country."""
    found = []
    for country_dir, problem in _folders(raw_dir, wave):
        if problem:
            continue
        wave, country = int(country_dir.parent.name), canonical_country(country_dir.name)
        for path in sorted(country_dir.iterdir()):
            if path.is_file() and path.suffix.lower() in SUFFIXES:
                found.append(SurveyFile(wave, country, path))
    return found


def unreadable(raw_dir: Path) -> dict[Path, str]:
    """{folder: one-line problem} for every folder whose wave or country is unknown (its
    files are not read)."""
    return {folder: problem for folder, problem in _folders(raw_dir) if problem}


def files_for(raw_dir: Path, wave: int, country: str) -> list[SurveyFile]:
    """The export files of one wave x country: only that wave's folder is looked at."""
    return [f for f in survey_files(raw_dir, wave) if f.country == country]
