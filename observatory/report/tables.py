"""The tables of the data folder: what each holds and where it comes from."""

from __future__ import annotations

import pandas as pd

from observatory.report import data as q
from observatory.report import summary
from observatory.report.contents import SHARE_FIGURES, TREND_FIGURES
from observatory.report.datafiles import DataTable
from observatory.report.figures import code_label
from observatory.report.text import LANGUAGES, REFERENCE, t, t_data

SHARES_PARAMETERS = (q.BASE, list(q.BY_COUNTRY), list(q.BY_SCHEME_TYPE))


def _titles(key: str, **values: object) -> dict[str, str]:
    return {lang: t(lang, key, **values) for lang in LANGUAGES}


def _english(key: str) -> dict[str, str]:
    return {REFERENCE: t_data(key)}


def share_tables(data: q.ReportData) -> list[DataTable]:
    year, first = data.year, data.waves[0]
    tables = []
    for fid, key, dim, kind, _section in SHARE_FIGURES:
        tables.append(
            DataTable(
                fid,
                data.cells(dim, kind, year).rename(columns={"domain": kind}),
                _titles(f"t_{key}", year=year),
                t(REFERENCE, f"d_{key}"),
                "share",
                ("marts.shares",),
                q.SHARES_SQL,
                (*SHARES_PARAMETERS, year),
                f"domain_type = '{kind}' AND dimension = '{dim}' AND wave = {year}",
            )
        )
    for fid, key, dim in TREND_FIGURES:
        tables.append(
            DataTable(
                fid,
                data.cells(dim, "country").rename(columns={"domain": "country"}),
                _titles(f"t_trend_{key}", first=first, year=year),
                t(REFERENCE, f"d_{key}"),
                "share",
                ("marts.shares",),
                q.SHARES_SQL,
                (*SHARES_PARAMETERS, year),
                f"domain_type = 'country' AND dimension = '{dim}'",
            )
        )
    return tables


def other_tables(data: q.ReportData) -> list[DataTable]:
    year, first = data.year, data.waves[0]
    names = pd.DataFrame(
        [
            {"country": c, **{f"name_{lang}": n.get(lang) for lang in LANGUAGES}}
            for c, n in data.countries.items()
        ]
    )
    grid, codes = summary.case_counts(data)
    labelled = codes.assign(
        **{
            f"label_{lang}": [
                code_label(d, c, lang)
                for d, c in zip(codes["dimension"], codes["code"], strict=True)
            ]
            for lang in LANGUAGES
        }
    )
    cases = ("core.cases", "core.case_attributes")
    both = f"{q.CASES_SQL}; {q.ATTRIBUTES_SQL}"
    return [
        DataTable(
            "key_figures",
            data.respondents.merge(names, on="country", how="left").rename(
                columns={"n": "respondents"}
            ),
            _english("t_key_figures"),
            t_data("d_key_figures"),
            "rows",
            ("core.respondents",),
            q.RESPONDENTS_SQL,
            (year,),
        ),
        DataTable(
            "significant_changes",
            data.changes,
            _english("t_significant_changes"),
            t_data("d_significant_changes"),
            "change",
            ("marts.share_changes", "marts.shares"),
            q.CHANGES_SQL,
            (q.BASE, list(q.TREND_DIMENSIONS), year),
        ),
        DataTable(
            "data_quality",
            data.accounting,
            _english("t_data_quality"),
            t_data("d_data_quality"),
            "rows",
            ("audit.row_accounting",),
            q.ACCOUNTING_SQL,
            (year,),
        ),
        DataTable(
            "validation",
            data.validation,
            _english("t_validation"),
            t_data("d_validation"),
            "checks",
            ("audit.validation_results",),
            q.VALIDATION_SQL,
            (year,),
        ),
        DataTable(
            "case_studies_by_country",
            grid,
            _titles("t_case_grid", first=first, year=year),
            t_data("d_case_studies_by_country"),
            "cases",
            cases,
            both,
            (year, year),
        ),
        DataTable(
            "case_highlights",
            summary.case_highlights(data),
            _english("t_case_highlights"),
            t_data("d_case_highlights"),
            "cases",
            cases,
            both,
            (year, year),
        ),
        DataTable(
            "case_levers_barriers",
            labelled,
            _titles("t_case_top", first=first, year=year),
            t_data("d_case_levers_barriers"),
            "cases",
            cases,
            both,
            (year, year),
        ),
    ]


def data_tables(data: q.ReportData) -> list[DataTable]:
    return [*other_tables(data), *share_tables(data)]
