"""Key figures, case-study highlights and data quality: the non-estimate parts of the page."""

from __future__ import annotations

import pandas as pd

from observatory.report import charts
from observatory.report.data import ReportData
from observatory.report.figures import (
    Figure,
    Table,
    all_codes,
    code_label,
    country_name,
    country_order,
)
from observatory.report.text import fmt_int, quoted, t

CASE_DIMENSIONS = ("lever", "barrier")


def key_figures(data: ReportData, lang: str) -> tuple[list[tuple[str, str]], Table]:
    """Headline numbers (value, caption) and respondents per country, with last wave's."""
    resp = data.respondents
    now = resp[resp["wave"] == data.year].set_index("country")["n"]
    before = resp[resp["wave"] == data.year - 1].set_index("country")["n"]
    cards = [
        (fmt_int(len(now), lang), t(lang, "k_countries")),
        (fmt_int(len(data.waves), lang), t(lang, "k_waves")),
        (fmt_int(now.sum(), lang), t(lang, "k_respondents", year=data.year)),
        (fmt_int(len(data.cases), lang), t(lang, "k_cases")),
    ]
    if len(data.waves) > 1:
        significant = data.changes[data.changes["wave"] == data.year]["significant"].sum()
        cards.append((fmt_int(significant, lang), t(lang, "k_changes", previous=data.waves[-2])))
    rows = []
    for code in country_order(data, now.index):
        previous = before.get(code)
        diff = 0 if previous is None else int(now[code]) - int(previous)
        change = "–" if previous is None else ("+" if diff >= 0 else "−") + fmt_int(abs(diff), lang)
        rows.append(
            [
                (country_name(data, code, lang), ""),
                (fmt_int(now[code], lang), "num"),
                ("–" if previous is None else fmt_int(previous, lang), "num"),
                (change, "num"),
            ]
        )
    headers = [
        t(lang, "country"),
        t(lang, "respondents", year=data.year),
        t(lang, "respondents", year=data.year - 1),
        t(lang, "change"),
    ]
    return cards, Table(headers, rows)


def case_counts(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cases per country x scheme type (zeros included), and per lever / barrier code."""
    countries = country_order(data, [*data.countries, *data.cases["country"]])
    schemes = all_codes("scheme_type", data.cases["scheme_type"].dropna())
    counts = data.cases.groupby(["country", "scheme_type"]).size()
    grid = pd.DataFrame(
        [
            {"country": c, "scheme_type": s, "cases": int(counts.get((c, s), 0))}
            for c in countries
            for s in schemes
        ]
    )
    attrs = data.case_attributes.drop_duplicates()
    attrs = attrs[attrs["dimension"].isin(CASE_DIMENSIONS)]
    seen = attrs.groupby(["dimension", "code"]).size()
    codes = [
        {"dimension": d, "code": c, "cases": int(seen.get((d, c), 0))}
        for d in CASE_DIMENSIONS
        for c in all_codes(d, attrs.loc[attrs["dimension"] == d, "code"])
    ]
    return grid, pd.DataFrame(codes, columns=["dimension", "code", "cases"])


def case_figures(data: ReportData, lang: str) -> list[Figure]:
    grid, codes = case_counts(data)
    n, first, last = len(data.cases), data.waves[0], data.year
    if n:  # the case library is cumulative: say which years it covers
        first, last = int(data.cases["year"].min()), int(data.cases["year"].max())
    labels = {k: t(lang, k) for k in ("cases", "country", "scheme_type")}
    scheme_names = {s: code_label("scheme_type", s, lang) for s in grid["scheme_type"].unique()}
    cells = [
        {
            "row": country_name(data, r.country, lang),
            "column": scheme_names[r.scheme_type],
            "count": r.cases,
        }
        for r in grid.itertuples()
    ]
    per_country = grid.groupby("country", sort=False)["cases"].sum()
    lead = per_country.idxmax() if n else None
    grid_fig = Figure(
        id="case_studies_by_country",
        section="cases",
        csv="case_studies_by_country.csv",
        title=t(lang, "t_case_grid", first=first, year=last),
        description=t(
            lang,
            "d_case_grid",
            n=fmt_int(n, lang),
            year=last,
            domain=country_name(data, lead, lang) if lead else "–",
            k=int(per_country.max()) if n else 0,
        ),
        note=t(lang, "note_cases", n=fmt_int(n, lang)),
        chart=charts.count_grid(
            cells,
            list(dict.fromkeys(scheme_names.values())),
            [country_name(data, c, lang) for c in per_country.index],
            labels,
        ),
    )
    panels = []
    for dim in CASE_DIMENSIONS:
        part = codes[codes["dimension"] == dim].sort_values("cases", ascending=False, kind="stable")
        rows = [
            {"label": code_label(dim, c, lang), "count": k}
            for c, k in zip(part["code"], part["cases"], strict=True)
        ]
        panels.append((t(lang, dim), rows))
    best = codes.sort_values("cases", ascending=False, kind="stable").head(1)
    best_label, best_k = "–", 0
    if len(best):
        top = best.iloc[0]
        best_label = quoted(code_label(top["dimension"], top["code"], lang), lang)
        best_k = int(top["cases"])
    top_fig = Figure(
        id="case_levers_barriers",
        section="cases",
        csv="case_levers_barriers.csv",
        title=t(lang, "t_case_top", first=first, year=last),
        description=t(lang, "d_case_top", n=fmt_int(n, lang), label=best_label, k=best_k),
        note=t(lang, "note_cases", n=fmt_int(n, lang)),
        chart=charts.count_bars(panels, labels),
    )
    return [grid_fig, top_fig]


def case_highlights(data: ReportData) -> pd.DataFrame:
    """Per country: case studies, the years they cover, and the most frequent theme, lever
    and barrier (codes; ties go to the first in codebook order)."""
    cases = data.cases
    attrs = data.case_attributes.drop_duplicates().merge(
        cases[["case_id", "country"]], on="case_id"
    )

    def top(codes: pd.Series, dimension: str) -> str | None:
        counts = codes.value_counts()
        tied = [c for c in all_codes(dimension, counts.index) if counts.get(c) == counts.max()]
        return tied[0] if tied else None

    rows = []
    for country in country_order(data, cases["country"]):
        mine = cases[cases["country"] == country]
        seen = attrs[attrs["country"] == country]
        rows.append(
            {
                "country": country,
                "cases": len(mine),
                "first_year": int(mine["year"].min()),
                "last_year": int(mine["year"].max()),
                "top_theme": top(mine["theme"].dropna(), "theme"),
                **{
                    f"top_{d}": top(seen.loc[seen["dimension"] == d, "code"], d)
                    for d in CASE_DIMENSIONS
                },
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "country",
            "cases",
            "first_year",
            "last_year",
            "top_theme",
            *(f"top_{d}" for d in CASE_DIMENSIONS),
        ],
    )


def case_highlights_table(data: ReportData, lang: str) -> Table:
    def label(dimension: str, code: str | None) -> str:
        return "–" if code is None else code_label(dimension, code, lang)

    rows = [
        [
            (country_name(data, r.country, lang), ""),
            (fmt_int(r.cases, lang), "num"),
            (
                f"{r.first_year}–{r.last_year}"
                if r.first_year != r.last_year
                else str(r.first_year),
                "num",
            ),
            (label("theme", r.top_theme), ""),
            *[(label(d, getattr(r, f"top_{d}")), "") for d in CASE_DIMENSIONS],
        ]
        for r in case_highlights(data).itertuples(index=False)
    ]
    return Table(
        [
            t(lang, k)
            for k in ("country", "cases", "years", "top_theme", "top_lever", "top_barrier")
        ],
        rows,
    )


def quality_table(data: ReportData, lang: str) -> Table:
    """Rows read, loaded and quarantined per wave x country, and whether they balance."""
    acc = data.accounting
    columns = ["files", "rows_read", "rows_loaded", "rows_quarantined"]
    lines = []
    for wave in sorted(acc["wave"].unique()):
        part = acc[acc["wave"] == wave].set_index("country")
        lines += [
            (str(wave), country_name(data, c, lang), part.loc[c])
            for c in country_order(data, part.index)
        ]
    lines.append(("", t(lang, "total"), acc[columns].sum()))
    rows = []
    for wave, name, r in lines:
        ok = int(r["rows_read"]) == int(r["rows_loaded"]) + int(r["rows_quarantined"])
        rows.append(
            [(wave, ""), (name, "")]
            + [(fmt_int(r[k], lang), "num") for k in columns]
            + [(t(lang, "yes" if ok else "no"), "ok" if ok else "bad")]
        )
    headers = [t(lang, k) for k in ("wave", "country", *columns, "balanced")]
    return Table(headers, rows)


def validation_table(data: ReportData, lang: str) -> Table:
    """Latest result of every validation check, summarised per suite and checked table."""
    counts = ("checks", "passed", "failed", "blocking_failed", "unexpected")
    rows = [
        [(r["suite"], ""), (r["target"], "")]
        + [(fmt_int(r[k], lang), "num bad" if k in counts[2:] and r[k] else "num") for k in counts]
        for _, r in data.validation.iterrows()
    ]
    return Table([t(lang, k) for k in ("suite", "target", *counts)], rows)
