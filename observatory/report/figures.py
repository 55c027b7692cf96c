"""The report's figures in one language: chart, title, one-sentence description, note with
the unweighted n, and an accessible data table. Labels come from the codebook (every
report language) and the country names from :func:`~observatory.report.data._countries`,
falling back to the warehouse's own labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import load_settings
from observatory.report import charts
from observatory.report.data import ReportData
from observatory.report.text import fmt_ci, fmt_int, fmt_p, fmt_pct, fmt_points, quoted, t
from observatory.report.theme import country_colours

Cell = tuple[str, str]  # (text, css class)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]]


@dataclass(frozen=True)
class Figure:
    id: str
    section: str
    title: str
    description: str
    note: str
    chart: alt.TopLevelMixin
    csv: str
    table: Table | None = None
    warnings: list[str] = field(default_factory=list)


def all_codes(dimension: str, observed: Iterable[str] = ()) -> list[str]:
    """Every code of the dimension in codebook order, then any unknown observed code."""
    known = load_codebook().dimensions.get(dimension)
    return ordered_codes(dimension, [*(known.codes if known else ()), *observed])


def code_label(dimension: str, code: str, lang: str, fallback: object = None) -> str:
    try:
        return load_codebook().label(dimension, code, lang)
    except KeyError:
        return str(fallback) if isinstance(fallback, str) and fallback else code


def ordered_codes(dimension: str, present: Iterable[str]) -> list[str]:
    present = set(present)
    known = load_codebook().dimensions.get(dimension)
    order = [c for c in (known.codes if known else ()) if c in present]
    return order + sorted(present - set(order))


def country_name(data: ReportData, code: str, lang: str) -> str:
    return data.countries.get(code, {}).get(lang, code)


def country_order(data: ReportData, present: Iterable[str]) -> list[str]:
    present = set(present)
    return [c for c in data.countries if c in present] + sorted(present - set(data.countries))


def _labels(lang: str) -> dict[str, str]:
    keys = (
        "item",
        "share",
        "ci",
        "n",
        "country",
        "scheme_type",
        "wave",
        "cases",
        "change_pts",
        "p_value",
    )
    return {k: t(lang, k) for k in keys}


def share_figure(
    fid: str, key: str, dimension: str, domain_kind: str, section: str, data: ReportData, lang: str
) -> Figure:
    """Shares with CIs of one dimension's codes by domain (a country or a scheme type) in
    the report year; ``key`` names its strings."""
    settings = load_settings()
    frame = data.cells(dimension, domain_kind, data.year)
    codes = ordered_codes(dimension, frame["code"])
    if domain_kind == "country":
        domains = country_order(data, frame["domain"])
        names = {d: country_name(data, d, lang) for d in domains}
    else:
        domains = ordered_codes(domain_kind, frame["domain"])
        names = {d: code_label(domain_kind, d, lang) for d in domains}
    frame = frame.assign(
        facet=[
            code_label(dimension, c, lang, f)
            for c, f in zip(
                frame["code"], frame.get(f"label_{lang}", frame["label_en"]), strict=True
            )
        ],
        group=frame["domain"].map(names),
        _c=frame["code"].map(codes.index),
        _d=frame["domain"].map(domains.index),
    ).sort_values(["_c", "_d"])
    rows, table, hidden = [], [], []
    for r in frame.itertuples(index=False):
        masked = bool(r.suppressed)
        shaky = bool(r.unreliable) and not masked  # a suppressed cell shows "suppressed"
        rows.append(
            {
                "facet": r.facet,
                "group": r.group,
                "n": int(r.n),
                "suppressed": masked,
                "unreliable": shaky,
                "flag": "†" if shaky else "",
                "share": None if masked else float(r.share),
                "ci_low": None if masked else float(r.ci_low),
                "ci_high": None if masked else float(r.ci_high),
                "status": f"{t(lang, 'suppressed')} (n < {settings.suppress_below_n})"
                if masked
                else "",
                "n_text": f"n = {fmt_int(r.n, lang)}",
            }
        )
        if masked:
            hidden.append(f"{r.group} — {r.facet}")
            est = [(t(lang, "suppressed"), "suppressed")] * 2
        else:
            est = [
                (
                    fmt_pct(r.share, lang, 1) + (" †" if shaky else ""),
                    "num unreliable" if shaky else "num",
                ),
                (fmt_ci(r.ci_low, r.ci_high, lang), "num"),
            ]
        table.append([(r.facet, ""), (r.group, ""), *est, (fmt_int(r.n, lang), "num")])
    shown = frame[~frame["suppressed"]]  # the description quotes a reliable cell if any
    shown = shown[~shown["unreliable"]] if (~shown["unreliable"]).any() else shown
    top = shown.loc[shown["share"].astype(float).idxmax()] if len(shown) else None
    description = t(
        lang,
        "d_share",
        what=t(lang, f"d_{key}"),
        label=quoted(top.facet, lang) if top is not None else "–",
        domain=top.group if top is not None else "–",
        share=fmt_pct(top.share, lang) if top is not None else "–",
    )
    group_title = t(lang, "country" if domain_kind == "country" else "scheme_type")
    colour = country_colours([names[d] for d in domains]) if domain_kind == "country" else None
    facets = dict(zip(frame["code"], frame["facet"], strict=True))
    chart = charts.share_chart(
        rows,
        [facets[c] for c in codes],
        [names[d] for d in domains],
        group_title,
        _labels(lang),
        colour,
    )
    warnings = (
        [t(lang, "note_suppressed", n=settings.suppress_below_n, cells="; ".join(hidden))]
        if hidden
        else []
    )
    headers = [t(lang, "item"), group_title, t(lang, "share"), t(lang, "ci"), t(lang, "n")]
    return Figure(
        id=fid,
        section=section,
        title=t(lang, f"t_{key}", year=data.year),
        description=description,
        chart=chart,
        csv=f"{fid}.csv",
        note=t(
            lang,
            "note_share",
            n_eff=fmt_int(settings.unreliable_below_n_eff, lang),
            df=fmt_int(settings.unreliable_below_df, lang),
        ),
        table=Table(headers, table),
        warnings=warnings,
    )


def _changes(data: ReportData, dimension: str) -> pd.DataFrame:
    return data.changes[data.changes["dimension"] == dimension]


def trend_figure(fid: str, key: str, dimension: str, data: ReportData, lang: str) -> Figure:
    """Shares of one dimension's codes by country over all waves, with CI bands; changes
    from the previous wave that are significant are ringed. ``key`` names its strings
    (title ``t_trend_<key>``, description ``d_<key>`` as for the share figure)."""
    trend = data.cells(dimension, "country")
    frame = trend[~trend["suppressed"]]
    countries = country_order(data, trend["domain"])
    names = [country_name(data, c, lang) for c in countries]
    n_range = trend.groupby("domain")["n"].agg(["min", "max"])
    panels = {
        c: f"{country_name(data, c, lang)}|n = {fmt_int(n_range.loc[c, 'min'], lang)}"
        + (
            ""
            if n_range.loc[c, "min"] == n_range.loc[c, "max"]
            else f"–{fmt_int(n_range.loc[c, 'max'], lang)}"
        )
        for c in countries
    }
    codes = ordered_codes(dimension, trend["code"])
    changes = _changes(data, dimension).set_index(["wave", "country", "code"])
    rows: charts.Rows = []
    for r in frame.itertuples(index=False):
        change = (
            changes.loc[(r.wave, r.domain, r.code)]
            if (r.wave, r.domain, r.code) in changes.index
            else pd.Series({"suppressed": True})  # no change to show
        )
        shown = not change["suppressed"]
        rows.append(
            {
                "wave": int(r.wave),
                "country": country_name(data, r.domain, lang),
                "panel": panels[r.domain],
                "facet": code_label(
                    dimension, r.code, lang, getattr(r, f"label_{lang}", r.label_en)
                ),
                "share": float(r.share),
                "ci_low": float(r.ci_low),
                "ci_high": float(r.ci_high),
                "n": int(r.n),
                "unreliable": bool(r.unreliable),
                "flag": "†" if r.unreliable else "",
                "change": 100 * float(change["change"]) if shown else None,
                "p_value": float(change["p_value"]) if shown else None,
                "significant": bool(shown and change["significant"]),
            }
        )
    totals = data.respondents.groupby("wave")["n"].sum()
    counts = ", ".join(f"{w}{t(lang, 'colon')} {fmt_int(n, lang)}" for w, n in totals.items())
    latest = [r for r in rows if r["wave"] == data.year]
    latest = [r for r in latest if not r["unreliable"]] or latest
    top = max(latest, key=lambda r: r["share"]) if latest else None
    hidden = trend[trend["suppressed"]]
    warnings = (
        [
            t(
                lang,
                "note_suppressed",
                n=load_settings().suppress_below_n,
                cells="; ".join(
                    f"{country_name(data, r.domain, lang)} {r.wave}"
                    f" — {code_label(dimension, r.code, lang)}"
                    for r in hidden.itertuples()
                ),
            )
        ]
        if len(hidden)
        else []
    )
    chart = charts.trend_chart(
        rows,
        [code_label(dimension, c, lang) for c in codes],
        [panels[c] for c in countries],
        country_colours(names),
        _labels(lang),
    )
    return Figure(
        id=fid,
        section="trend",
        csv=f"{fid}.csv",
        warnings=warnings,
        title=t(lang, f"t_trend_{key}", first=data.waves[0], year=data.year),
        description=t(
            lang,
            "d_trend",
            what=t(lang, f"d_{key}"),
            year=data.year,
            label=quoted(top["facet"], lang) if top else "–",
            domain=top["country"] if top else "–",
            share=fmt_pct(top["share"], lang) if top else "–",
            k=fmt_int(sum(r["significant"] for r in rows), lang),
        ),
        note=t(lang, "note_trend", counts=counts),
        chart=chart,
    )


def changes_table(data: ReportData, dimensions: Iterable[str], lang: str) -> Table:
    """Every significant change from one wave to the next, by item and country."""
    rows = []
    for dimension in dimensions:
        found = _changes(data, dimension)
        found = found[found["significant"]]
        codes = ordered_codes(dimension, found["code"])
        countries = country_order(data, found["country"])
        found = found.assign(
            _c=found["code"].map(codes.index), _d=found["country"].map(countries.index)
        )
        for r in found.sort_values(["_c", "_d", "wave"]).itertuples(index=False):
            rows.append(
                [
                    (code_label(dimension, r.code, lang), ""),
                    (country_name(data, r.country, lang), ""),
                    (f"{r.previous_wave} → {r.wave}", "num"),
                    (f"{fmt_pct(r.previous_share, lang)} → {fmt_pct(r.share, lang)}", "num"),
                    (fmt_points(r.change, lang), "num"),
                    (fmt_p(r.p_value, lang), "num"),
                ]
            )
    headers = [t(lang, k) for k in ("item", "country", "waves", "share", "change_pts", "p_value")]
    return Table(headers, rows)
