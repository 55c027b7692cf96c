"""Assemble the annual report: one offline HTML page and its PDF per language, PNG/SVG
figures, the data behind them, and the records to cite it.

Layout of ``out_dir/<year>/``: ``<lang>/index.html``, ``<lang>/report_<year>_<lang>.pdf``,
``figures/<figure>_<lang>.png|svg``, ``data/`` (each ``<table>.csv`` with its
``<table>.metadata.json``, ``README.md``, ``quality.json``), ``data_<year>.zip`` (the whole
``data/`` folder), ``CITATION.cff`` and ``datacite.json``. The year's folder is built
beside the old one and swapped in whole, so a failed build never leaves a half-written
report. The PDF is the HTML page printed by headless Chromium (:mod:`.pdf`); when it
cannot be printed (no Chromium, a chart that fails), everything else is published all
the same and ``warn`` gets one line saying why and how to fix it.

Every language's catalog is checked before anything is written: a missing translation
fails the build naming the message (:class:`~observatory.report.text.TranslationError`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from observatory.report import datafiles, publication
from observatory.report.data import load_report_data
from observatory.report.outputs import pages, pdf_name
from observatory.report.page import Publishing, render_page
from observatory.report.pdf import PrintJob, ReportPrintError, print_pdfs
from observatory.report.quality import quality_facts, quality_record
from observatory.report.tables import data_tables
from observatory.report.text import LANGUAGES, REFERENCE, catalog, default_languages, t
from observatory.warehouse.retention import REPORT_RECORD

LOG = logging.getLogger(__name__)
FORMATS = [
    "text/html",
    "application/pdf",
    "text/csv",
    "application/json",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "application/zip",
]


def _swap_in(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        os.replace(final, old / final.name)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _print(jobs: Sequence[PrintJob], warn: Callable[[str], None]) -> None:
    """Print the PDFs; if that fails, none is published and ``warn`` says why."""
    try:
        print_pdfs(jobs)
    except ReportPrintError as error:
        for job in jobs:
            job.pdf.unlink(missing_ok=True)
        warn(f"{error}; the report is published without its PDF")


def _languages(languages: Sequence[str]) -> list[str]:
    """The requested languages, once each, every catalog checked (TranslationError)."""
    languages = list(dict.fromkeys(languages))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise ValueError(f"report languages must be among {', '.join(LANGUAGES)}: {unknown}")
    for lang in languages:
        catalog(lang)
    catalog(REFERENCE, "data")
    return languages


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build_report(
    warehouse: Path,
    out_dir: Path,
    year: int | None = None,
    languages: Sequence[str] | None = None,
    warn: Callable[[str], None] = LOG.warning,
    pdf_languages: Sequence[str] | None = None,
) -> list[Path]:
    """Build the year's report (latest wave when ``year`` is None) in ``languages``
    (default: :func:`~observatory.report.text.default_languages`, all six unless
    ``OBSERVATORY_REPORT_LANGUAGES`` says), with the PDF of each of ``pdf_languages``
    (default: all); return, per language, the HTML page and its PDF when it could be
    printed (else ``warn`` has one line)."""
    languages = _languages(default_languages() if languages is None else languages)
    printed = (
        languages
        if pdf_languages is None
        else [lang for lang in languages if lang in pdf_languages]
    )
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        data = load_report_data(con, year)
        facts = quality_facts(con, data)
    finally:
        con.close()
    edition = publication.edition_of(warehouse, data)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data.year}.build.", dir=out_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the published folder is not
    try:
        datafiles.write_data(
            data_tables(data), staging / "data", edition, quality_record(facts, edition)
        )
        zip_size = datafiles.zip_folder(
            staging / "data", staging / datafiles.zip_name(data.year), edition
        )
        if edition.snapshot:  # kept as long as this report is published
            (staging / REPORT_RECORD).write_text(f"{edition.snapshot}\n", encoding="utf-8")
        (staging / publication.CFF_NAME).write_text(publication.cff(edition), encoding="utf-8")
        (staging / "figures").mkdir()
        pub = Publishing(edition, facts, languages, zip_size)
        jobs = []
        for lang in languages:
            (staging / lang).mkdir()
            page = staging / lang / "index.html"
            page.write_text(render_page(data, lang, pub, staging), encoding="utf-8")
            if lang in printed:
                jobs.append(
                    PrintJob(
                        page,
                        staging / lang / pdf_name(data.year, lang),
                        t(lang, "title", year=data.year),
                        t(lang, "page"),
                    )
                )
        if jobs:
            _print(jobs, warn)
        (staging / publication.DATACITE_NAME).write_text(
            publication.datacite(edition, languages, FORMATS, _size(staging)), encoding="utf-8"
        )
        _swap_in(staging, out_dir / str(data.year))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return pages(out_dir / str(data.year), data.year, languages)
