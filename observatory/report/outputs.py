"""Where a year's report is published, and which of its outputs exist.

``reports/<year>/`` holds ``<lang>/index.html`` and ``<lang>/report_<year>_<lang>.pdf``
per language, ``figures/`` and ``data/``, the data zip and the citation records. A report
printed without Chromium has no PDF: :func:`outputs` lists what is really there, so
nothing missing is ever announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from observatory.report.datafiles import zip_name
from observatory.report.publication import CFF_NAME, DATACITE_NAME
from observatory.report.text import LANGUAGES


def pdf_name(year: int, lang: str) -> str:
    return f"report_{year}_{lang}.pdf"


def latest_year(reports_dir: Path) -> int | None:
    """The latest year with a published report folder (None: none yet)."""
    years = [
        int(p.name) for p in Path(reports_dir).glob("[0-9]*") if p.is_dir() and p.name.isdigit()
    ]
    return max(years, default=None)


def pages(year_dir: Path, year: int, languages: Sequence[str] = LANGUAGES) -> list[Path]:
    """Per language, the HTML page and its PDF, those that exist."""
    candidates = [
        path
        for lang in languages
        for path in (year_dir / lang / "index.html", year_dir / lang / pdf_name(year, lang))
    ]
    return [path for path in candidates if path.is_file()]


def outputs(
    reports_dir: Path, year: int | None = None, languages: Sequence[str] = LANGUAGES
) -> list[Path]:
    """Every published output of a year's report (the latest when ``year`` is None): the
    pages and PDFs per language, the figures and data folders, the data zip and the
    citation records; [] without a report."""
    year = latest_year(reports_dir) if year is None else year
    if year is None:
        return []
    year_dir = Path(reports_dir) / str(year)
    folders = [year_dir / name for name in ("figures", "data") if (year_dir / name).is_dir()]
    files = [
        year_dir / name
        for name in (zip_name(year), CFF_NAME, DATACITE_NAME)
        if (year_dir / name).is_file()
    ]
    return [*pages(year_dir, year, languages), *folders, *files]
