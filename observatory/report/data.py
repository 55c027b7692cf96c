"""Read what the report needs from the warehouse, and make it safe to publish.

The warehouse is opened read-only by the caller. Disclosure control is applied again
here with the configured thresholds (DESIGN.md §6), with the warehouse's own rules
(marts/shares.sql): a cell on fewer than ``suppress_below_n`` respondents, or flagged
``suppressed``, or without a share, keeps only its unweighted n and its flags
(suppressed, and therefore unreliable); everything estimated from it, n_selected and
n_eff included, is blanked, whatever the mart holds. A sampled cell is unreliable when
its effective n is below ``unreliable_below_n_eff`` or its degrees of freedom below
``unreliable_below_df``. A change between two waves is blanked, and never called
significant, when either of its cells is masked. The report shows the shares of all
respondents (the base of every question) and the changes from one wave to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from observatory.config import Settings, load_countries, load_settings
from observatory.report.contents import SHARE_FIGURES, TREND_FIGURES
from observatory.report.text import LANGUAGES, territory_name
from observatory.warehouse.queries import query

REQUIRED_TABLES = (
    "core.countries",
    "core.respondents",
    "core.cases",
    "core.case_attributes",
    "core.questions",
    "audit.row_accounting",
    "audit.validation_results",
    "audit.raw_files",
    "audit.quarantine",
    "marts.shares",
    "marts.share_changes",
)
ESTIMATES = ("n_selected", "share", "se", "ci_low", "ci_high", "n_eff")
CHANGE_ESTIMATES = ("share", "previous_share", "change", "se_change", "z", "p_value", "q_value")
BASE = "all respondents"
# The dimensions the report's figures show by country, by scheme type, across waves.
BY_COUNTRY = tuple(dim for _fid, _key, dim, by, _section in SHARE_FIGURES if by == "country")
BY_SCHEME_TYPE = tuple(dim for _fid, _key, dim, by, _s in SHARE_FIGURES if by == "scheme_type")
TREND_DIMENSIONS = tuple(dim for _fid, _key, dim in TREND_FIGURES)
SHARES_SQL = query("report/shares")
CHANGES_SQL = query("report/changes")
VALIDATION_SQL = query("report/validation")  # the latest results, up to the report year
RESPONDENTS_SQL = query("report/respondents")
CASES_SQL = query("report/cases")
ATTRIBUTES_SQL = query("report/case_attributes")
ACCOUNTING_SQL = query("report/accounting")


class ReportDataError(RuntimeError):
    """The warehouse cannot feed the report (missing table, unknown wave)."""


@dataclass(frozen=True)
class ReportData:
    year: int
    waves: list[int]  # every wave up to and including the report year
    countries: dict[str, dict[str, str]]  # code -> {language: name}, display order
    shares: pd.DataFrame  # marts.shares of BY_COUNTRY / BY_SCHEME_TYPE, waves up to the year
    changes: pd.DataFrame  # marts.share_changes by country, TREND_DIMENSIONS
    respondents: pd.DataFrame  # wave, country, n (core.respondents)
    cases: pd.DataFrame  # case studies documented up to the report year
    case_attributes: pd.DataFrame
    accounting: pd.DataFrame  # audit.row_accounting per wave x country, up to the year
    validation: pd.DataFrame  # latest expectation results summarised per suite x target

    def cells(self, dimension: str, domain_type: str, wave: int | None = None) -> pd.DataFrame:
        """Shares of one dimension by country or by scheme type (one wave, or all)."""
        s = self.shares
        keep = (s["dimension"] == dimension) & (s["domain_type"] == domain_type)
        if wave is not None:
            keep &= s["wave"] == wave
        return s[keep].drop(columns=["domain_type", "dimension"]).reset_index(drop=True)


def publishable(frame: pd.DataFrame, settings: Settings | None = None) -> pd.DataFrame:
    """Re-apply suppression and the unreliable flag; blank every estimate of a masked cell."""
    settings = settings or load_settings()
    out = frame.copy()
    masked = (
        out["suppressed"].fillna(True).astype(bool)
        | out["share"].isna()
        | (out["n"] < settings.suppress_below_n)
    )
    sampled = ~masked & ~out["calibrated"].fillna(False).astype(bool)
    out["suppressed"] = masked
    out["unreliable"] = (
        masked
        | out["unreliable"].fillna(False).astype(bool)
        | sampled
        & (
            (out["n_eff"] < settings.unreliable_below_n_eff)
            | (out["df"] < settings.unreliable_below_df)
        )
    )
    for column in ESTIMATES:
        out[column] = out[column].astype("Float64").mask(masked)
    out["n_selected"] = out["n_selected"].astype("Int64")
    return out


def publishable_changes(changes: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Mask a change whose mart row, or either of its two (re-checked) cells, is masked."""
    keys = ["wave", "country", "dimension", "code"]
    cells = shares.loc[
        shares["domain_type"] == "country", ["wave", "domain", "dimension", "code", "suppressed"]
    ].rename(columns={"domain": "country"})
    out = changes.merge(cells.rename(columns={"suppressed": "_now"}), on=keys, how="left")
    out = out.merge(
        cells.rename(columns={"wave": "previous_wave", "suppressed": "_before"}),
        on=["previous_wave", *keys[1:]],
        how="left",
    )
    masked = (
        out["suppressed"].fillna(True).astype(bool)
        | out["change"].isna()
        | out["_now"].fillna(True).astype(bool)
        | out["_before"].fillna(True).astype(bool)
    )
    out["suppressed"] = masked
    out["significant"] = ~masked & out["significant"].fillna(False).astype(bool)
    for column in CHANGE_ESTIMATES:
        out[column] = out[column].astype("Float64").mask(masked)
    return out.drop(columns=["_now", "_before"])


def _check_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {f"{s}.{t}" for s, t in con.execute(query("report/tables")).fetchall()}
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        raise ReportDataError(f"the warehouse lacks table(s) {', '.join(missing)}")


def _countries(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Country names in every report language: configured (countries.yaml), else the
    warehouse's English or French name, else CLDR's (through Babel)."""
    configured = {c.code: dict(c.names) for c in load_countries().values()}
    stored = con.execute(query("report/countries")).fetchall()
    for code, en, fr in stored:
        configured.setdefault(code, {k: v for k, v in (("en", en), ("fr", fr)) if v})
    return {
        code: {lang: names.get(lang) or territory_name(code, lang) for lang in LANGUAGES}
        for code, names in configured.items()
    }


def load_report_data(con: duckdb.DuckDBPyConnection, year: int | None = None) -> ReportData:
    _check_tables(con)
    all_waves = [w for (w,) in con.execute(query("report/waves")).fetchall()]
    if not all_waves:
        raise ReportDataError("marts.shares is empty: no wave to report on")
    year = all_waves[-1] if year is None else int(year)
    if year not in all_waves:
        known = ", ".join(map(str, all_waves))
        raise ReportDataError(f"wave {year} is not in the warehouse (waves: {known})")
    shares = publishable(
        con.execute(SHARES_SQL, [BASE, list(BY_COUNTRY), list(BY_SCHEME_TYPE), year]).df()
    )
    changes = con.execute(CHANGES_SQL, [BASE, list(TREND_DIMENSIONS), year]).df()
    respondents, cases, attributes, accounting = (
        con.execute(sql, [year]).df()
        for sql in (RESPONDENTS_SQL, CASES_SQL, ATTRIBUTES_SQL, ACCOUNTING_SQL)
    )
    return ReportData(
        year=year,
        waves=[w for w in all_waves if w <= year],
        countries=_countries(con),
        shares=shares,
        changes=publishable_changes(changes, shares),
        respondents=respondents,
        cases=cases,
        case_attributes=attributes,
        accounting=accounting,
        validation=con.execute(VALIDATION_SQL, [year]).df(),
    )
