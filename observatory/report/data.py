"""Read what the report needs from the warehouse, and make it safe to publish.

The warehouse is opened read-only by the caller. Disclosure control is applied again
here with the configured thresholds (DESIGN.md §6): a cell on fewer than
``suppress_below_n`` respondents, or flagged ``suppressed``, or without a share, keeps
only its unweighted n; everything estimated from it is blanked, whatever the mart holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from observatory.config import Settings, load_countries, load_settings

REQUIRED_TABLES = (
    "core.countries", "core.cases", "core.case_attributes", "audit.row_accounting",
    "marts.shares", "marts.levers_by_country", "marts.barriers_by_country",
    "marts.scheme_types_by_country", "marts.barriers_by_scheme_type",
)
ESTIMATES = ("n_selected", "share", "se", "ci_low", "ci_high", "n_eff")
TREND_CODES = ("champion_dependency", "multi_actor_complexity")
SHARE_SELECT = """SELECT wave, {domain} AS domain, code, label_en, label_fr, n, n_selected,
    share, se, ci_low, ci_high, n_eff, suppressed, unreliable FROM marts.{table}"""


class ReportDataError(RuntimeError):
    """The warehouse cannot feed the report (missing table, unknown wave)."""


@dataclass(frozen=True)
class ReportData:
    year: int
    waves: list[int]  # every wave up to and including the report year
    countries: dict[str, dict[str, str]]  # code -> {"en": name, "fr": name}, display order
    levers: pd.DataFrame  # domain = country, report year
    barriers: pd.DataFrame
    scheme_types: pd.DataFrame
    barriers_by_scheme: pd.DataFrame  # domain = scheme type, report year
    trend: pd.DataFrame  # barriers by country, TREND_CODES, all waves up to the year
    respondents: pd.DataFrame  # wave, country, n
    cases: pd.DataFrame  # case studies documented up to the report year
    case_attributes: pd.DataFrame
    accounting: pd.DataFrame  # audit.row_accounting of the report year


def publishable(frame: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Re-apply suppression and the unreliable flag; blank every estimate of a masked cell."""
    settings = settings or load_settings()
    out = frame.copy()
    masked = (out["suppressed"].fillna(True).astype(bool) | out["share"].isna()
              | (out["n"] < settings.suppress_below_n))
    out["suppressed"] = masked
    out["unreliable"] = ~masked & (out["unreliable"].fillna(False).astype(bool)
                                   | (out["n_eff"] < settings.unreliable_below_n_eff))
    for column in ESTIMATES:
        out[column] = out[column].astype("Float64").mask(masked)
    out["n_selected"] = out["n_selected"].astype("Int64")
    return out


def _check_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {f"{s}.{t}" for s, t in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables").fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        raise ReportDataError(f"the warehouse lacks table(s) {', '.join(missing)}")


def _countries(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    configured = {c.code: dict(c.names) for c in load_countries().values()}
    stored = con.execute(
        "SELECT country, name_en, name_fr FROM core.countries ORDER BY country").fetchall()
    extra = {code: {"en": en or code, "fr": fr or en or code}
             for code, en, fr in stored if code not in configured}
    return {**configured, **extra}


def _shares(con: duckdb.DuckDBPyConnection, table: str, domain: str,
            where: str, params: list) -> pd.DataFrame:
    sql = SHARE_SELECT.format(table=table, domain=domain) + f" WHERE {where} ORDER BY ALL"
    return publishable(con.execute(sql, params).df())


def load_report_data(con: duckdb.DuckDBPyConnection, year: int | None = None) -> ReportData:
    _check_tables(con)
    all_waves = [w for (w,) in con.execute(
        "SELECT DISTINCT wave FROM marts.shares ORDER BY wave").fetchall()]
    if not all_waves:
        raise ReportDataError("marts.shares is empty: no wave to report on")
    year = all_waves[-1] if year is None else int(year)
    if year not in all_waves:
        known = ", ".join(map(str, all_waves))
        raise ReportDataError(f"wave {year} is not in the warehouse (waves: {known})")
    this = ("wave = ?", [year])
    respondents = con.execute(
        """SELECT wave, domain AS country, max(n)::INTEGER AS n FROM marts.shares
           WHERE domain_type = 'country' AND wave <= ? GROUP BY ALL ORDER BY ALL""",
        [year]).df()
    cases = con.execute(
        "SELECT * FROM core.cases WHERE year <= ? ORDER BY case_id", [year]).df()
    attributes = con.execute(
        """SELECT a.case_id, a.dimension, a.code FROM core.case_attributes a
           JOIN core.cases c USING (case_id) WHERE c.year <= ? ORDER BY ALL""", [year]).df()
    accounting = con.execute(
        """SELECT country, count(*)::INTEGER AS files, sum(rows_read)::BIGINT AS rows_read,
                  sum(rows_loaded)::BIGINT AS rows_loaded,
                  sum(rows_quarantined)::BIGINT AS rows_quarantined
           FROM audit.row_accounting WHERE wave = ? GROUP BY country ORDER BY country""",
        [year]).df()
    return ReportData(
        year=year,
        waves=[w for w in all_waves if w <= year],
        countries=_countries(con),
        levers=_shares(con, "levers_by_country", "country", *this),
        barriers=_shares(con, "barriers_by_country", "country", *this),
        scheme_types=_shares(con, "scheme_types_by_country", "country", *this),
        barriers_by_scheme=_shares(con, "barriers_by_scheme_type", "scheme_type", *this),
        trend=_shares(con, "barriers_by_country", "country",
                      "wave <= ? AND list_contains(?, code)", [year, list(TREND_CODES)]),
        respondents=respondents,
        cases=cases,
        case_attributes=attributes,
        accounting=accounting,
    )
