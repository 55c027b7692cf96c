"""The report's quality statement, with the concepts of the ESS Single Integrated Metadata
Structure (SIMS 2.0): accuracy and reliability, timeliness, comparability over time
(waves and questionnaire versions), internal coherence, revision policy and release date.

Every figure is read from the warehouse the report is built from (standard errors and
effective sample sizes of the published cells, ``audit.row_accounting``,
``audit.quarantine``, ``audit.raw_files``, ``audit.validation_results``,
``core.questions``) or from the edition (the snapshot's timestamp): none is typed by hand.
:func:`quality_record` is the machine-readable record (``data/quality.json``),
:func:`quality_rows` the page's statement in one language.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import load_settings
from observatory.report.data import BY_COUNTRY, ReportData
from observatory.report.publication import Edition
from observatory.report.text import REFERENCE, fmt_date, fmt_decimal, fmt_int, fmt_pct, t
from observatory.warehouse.queries import query

FILES_SQL = query("report/files_balanced")
PROBLEMS_SQL = query("report/problems")
ARRIVAL_SQL = query("report/last_arrival")
QUESTIONS_SQL = query("report/questionnaires")
CONCEPTS = (  # SIMS code, catalog key of its name and statement
    ("S.13", "q_accuracy"),
    ("S.14", "q_timeliness"),
    ("S.15.2", "q_comparability"),
    ("S.15.4", "q_coherence"),
    ("S.17.1", "q_revision"),
    ("S.8.1", "q_release"),
)


@dataclass(frozen=True)
class QualityFacts:
    cells: int  # published estimates of the report year
    se_median: float | None  # standard errors of the sampled estimates, in points
    se_max: float | None
    n_eff_median: float | None
    n_eff_min: float | None
    suppressed: int
    unreliable: int
    rows_read: int  # of the report year's survey exports
    rows_quarantined: int
    problems: int  # recorded in audit.quarantine for the report year
    files: int  # survey files of every wave up to the report year
    files_balanced: int  # whose rows read = rows loaded + rows quarantined
    waves: int
    waves_matching: int  # whose respondents in core.respondents = rows loaded
    checks: int
    checks_passed: int
    last_arrival: str | None  # ISO date of the report year's last survey export
    versions: dict[int, str]  # wave -> questionnaire (instrument) version
    not_every_wave: list[str]  # dimensions of the report missing from some wave


def _stat(values: pd.Series, how: str) -> float | None:
    values = values.dropna().astype(float)
    return float(getattr(values, how)()) if len(values) else None


def quality_facts(con: duckdb.DuckDBPyConnection, data: ReportData) -> QualityFacts:
    cells = data.shares[data.shares["wave"] == data.year]
    shown = cells[~cells["suppressed"]]
    sampled = shown[~shown["calibrated"].fillna(False).astype(bool)]
    acc = data.accounting
    now = acc[acc["wave"] == data.year]
    files, balanced = con.execute(FILES_SQL, [data.year]).fetchall()[0]
    loaded = acc.groupby("wave")["rows_loaded"].sum()
    counted = data.respondents.groupby("wave")["n"].sum()
    arrival = con.execute(ARRIVAL_SQL, [data.year]).fetchall()[0][0]
    questions = con.execute(QUESTIONS_SQL, [data.year]).fetchall()
    asked = [set(dims or ()) for _, _, dims in questions]
    return QualityFacts(
        cells=len(shown),
        se_median=_stat(100 * sampled["se"], "median"),
        se_max=_stat(100 * sampled["se"], "max"),
        n_eff_median=_stat(sampled["n_eff"], "median"),
        n_eff_min=_stat(sampled["n_eff"], "min"),
        suppressed=int(cells["suppressed"].sum()),
        unreliable=int((cells["unreliable"] & ~cells["suppressed"]).sum()),
        rows_read=int(now["rows_read"].sum()),
        rows_quarantined=int(now["rows_quarantined"].sum()),
        problems=con.execute(PROBLEMS_SQL, [data.year]).fetchall()[0][0],
        files=files,
        files_balanced=balanced,
        waves=len(data.waves),
        waves_matching=sum(int(loaded.get(w, -1)) == int(counted.get(w, -2)) for w in data.waves),
        checks=int(data.validation["checks"].sum()),
        checks_passed=int(data.validation["passed"].sum()),
        last_arrival=arrival.date().isoformat() if arrival is not None else None,
        versions={int(w): str(v) for w, v, _ in questions},
        not_every_wave=[d for d in BY_COUNTRY if asked and not all(d in a for a in asked)],
    )


def dimension_name(dimension: str, lang: str) -> str:
    """A dimension's name in the language, from the codebook: its label, else the header
    of the question that asks it in that survey language."""
    book = load_codebook()
    labels = book.dimensions[dimension].labels
    headers = [
        q.header[lang]
        for q in book.questions.values()
        if q.dimension == dimension and lang in q.header
    ]
    return labels.get(lang) or (headers[0] if headers else labels.get(REFERENCE, dimension))


def _number(value: float | None, lang: str, digits: int = 1) -> str:
    return "–" if value is None else fmt_decimal(value, lang, digits)


def _statements(facts: QualityFacts, edition: Edition, lang: str) -> dict[str, str]:
    n = {k: fmt_int(v, lang) for k, v in asdict(facts).items() if isinstance(v, int)}
    arrived = (
        fmt_date(dt.date.fromisoformat(facts.last_arrival), lang)
        if facts.last_arrival
        else t(lang, "unknown")
    )
    days = (
        (edition.released.date() - dt.date.fromisoformat(facts.last_arrival)).days
        if facts.last_arrival
        else None
    )
    released = fmt_date(edition.released.date(), lang)
    share = facts.rows_quarantined / facts.rows_read if facts.rows_read else 0.0
    versions = ", ".join(f"{w}{t(lang, 'colon')} {v}" for w, v in facts.versions.items())
    return {
        "q_accuracy": t(
            lang,
            "q_accuracy_text",
            cells=n["cells"],
            year=edition.year,
            se_median=_number(facts.se_median, lang),
            se_max=_number(facts.se_max, lang),
            neff_median=_number(facts.n_eff_median, lang, 0),
            neff_min=_number(facts.n_eff_min, lang, 0),
            suppressed=n["suppressed"],
            unreliable=n["unreliable"],
            n_min=fmt_int(load_settings().suppress_below_n, lang),
            quarantined=n["rows_quarantined"],
            read=n["rows_read"],
            quarantined_pct=fmt_pct(share, lang, 1),
            problems=n["problems"],
        ),
        "q_timeliness": t(
            lang,
            "q_timeliness_text",
            year=edition.year,
            arrived=arrived,
            released=released,
            days=fmt_int(days, lang) if days is not None else "–",
        ),
        "q_comparability": t(
            lang,
            "q_comparability_text",
            versions=versions or "–",
            changed=", ".join(dimension_name(d, lang) for d in facts.not_every_wave)
            or t(lang, "none"),
        ),
        "q_coherence": t(
            lang,
            "q_coherence_text",
            balanced=n["files_balanced"],
            files=n["files"],
            matching=n["waves_matching"],
            waves=n["waves"],
            checks_passed=n["checks_passed"],
            checks=n["checks"],
        ),
        "q_revision": t(
            lang,
            "q_revision_text",
            keep=fmt_int(load_settings().keep_snapshots, lang),
            version=edition.version,
        ),
        "q_release": t(lang, "q_release_text", date=released, version=edition.version),
    }


def quality_rows(facts: QualityFacts, edition: Edition, lang: str) -> list[tuple[str, str]]:
    """(concept, statement) in the language, in SIMS order."""
    statements = _statements(facts, edition, lang)
    return [(t(lang, key), statements[key]) for _, key in CONCEPTS]


def quality_record(facts: QualityFacts, edition: Edition) -> str:
    """The quality record (JSON): per SIMS concept, its statement and the facts behind it."""
    statements = _statements(facts, edition, REFERENCE)
    record = {
        "standard": "ESS Single Integrated Metadata Structure (SIMS) 2.0",
        "report": {
            "wave": edition.year,
            "version": edition.version,
            "release_date": edition.released.date().isoformat(),
            "snapshot": edition.snapshot,
        },
        "concepts": [
            {"sims": code, "concept": t(REFERENCE, key), "statement": statements[key]}
            for code, key in CONCEPTS
        ],
        "facts": {
            **asdict(facts),
            "keep_snapshots": load_settings().keep_snapshots,
            "suppress_below_n": load_settings().suppress_below_n,
        },
    }
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
