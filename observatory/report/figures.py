"""The report's figures in one language: chart, title, one-sentence description, note with
the unweighted n, and an accessible data table. Labels come from the codebook and the
country configuration, falling back to the warehouse's own labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from observatory.codebook import load_codebook
from observatory.config import load_settings
from observatory.report import charts
from observatory.report.data import TREND_CODES, ReportData
from observatory.report.text import fmt_ci, fmt_int, fmt_pct, quoted, t
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
    keys = ("item", "share", "ci", "n", "country", "scheme_type", "wave", "cases")
    return {k: t(lang, k) for k in keys}


def share_figure(fid: str, key: str, frame: pd.DataFrame, dimension: str,
                 domain_kind: str, data: ReportData, lang: str) -> Figure:
    """Shares with CIs of one dimension's codes by domain; ``key`` names its strings."""
    settings = load_settings()
    codes = ordered_codes(dimension, frame["code"])
    if domain_kind == "country":
        domains = country_order(data, frame["domain"])
        names = {d: country_name(data, d, lang) for d in domains}
    else:
        domains = ordered_codes(domain_kind, frame["domain"])
        names = {d: code_label(domain_kind, d, lang) for d in domains}
    frame = frame.assign(
        facet=[code_label(dimension, c, lang, f) for c, f in zip(
            frame["code"], frame[f"label_{lang}"], strict=True)],
        group=frame["domain"].map(names),
        _c=frame["code"].map(codes.index), _d=frame["domain"].map(domains.index),
    ).sort_values(["_c", "_d"])
    rows, table, hidden = [], [], []
    for r in frame.itertuples(index=False):
        masked, shaky = bool(r.suppressed), bool(r.unreliable)
        rows.append({
            "facet": r.facet, "group": r.group, "n": int(r.n), "suppressed": masked,
            "unreliable": shaky, "flag": "†" if shaky else "",
            "share": None if masked else float(r.share),
            "ci_low": None if masked else float(r.ci_low),
            "ci_high": None if masked else float(r.ci_high),
            "status": f"{t(lang, 'suppressed')} (n < {settings.suppress_below_n})"
            if masked else "",
            "n_text": f"n = {fmt_int(r.n, lang)}",
        })
        if masked:
            hidden.append(f"{r.group} — {r.facet}")
            est = [(t(lang, "suppressed"), "suppressed")] * 2
        else:
            est = [(fmt_pct(r.share, lang, 1) + (" †" if shaky else ""),
                    "num unreliable" if shaky else "num"),
                   (fmt_ci(r.ci_low, r.ci_high, lang), "num")]
        table.append([(r.facet, ""), (r.group, ""), *est, (fmt_int(r.n, lang), "num")])
    shown = frame[~frame["suppressed"]]  # the description quotes a reliable cell if any
    shown = shown[~shown["unreliable"]] if (~shown["unreliable"]).any() else shown
    top = shown.loc[shown["share"].astype(float).idxmax()] if len(shown) else None
    description = t(lang, "d_share", what=t(lang, f"d_{key}"),
                    label=quoted(top.facet, lang) if top is not None else "–",
                    domain=top.group if top is not None else "–",
                    share=fmt_pct(top.share, lang) if top is not None else "–")
    group_title = t(lang, "country" if domain_kind == "country" else "scheme_type")
    colour = country_colours([names[d] for d in domains]) if domain_kind == "country" else None
    facets = dict(zip(frame["code"], frame["facet"], strict=True))
    chart = charts.share_chart(rows, [facets[c] for c in codes], [names[d] for d in domains],
                               group_title, _labels(lang), colour)
    warnings = ([t(lang, "note_suppressed", n=settings.suppress_below_n,
                   cells="; ".join(hidden))] if hidden else [])
    headers = [t(lang, "item"), group_title, t(lang, "share"), t(lang, "ci"), t(lang, "n")]
    return Figure(
        id=fid, section=domain_kind, title=t(lang, f"t_{key}", year=data.year),
        description=description, chart=chart, csv=f"{fid}.csv",
        note=t(lang, "note_share", n_eff=fmt_int(settings.unreliable_below_n_eff, lang)),
        table=Table(headers, table), warnings=warnings,
    )


def trend_figure(data: ReportData, lang: str) -> Figure:
    frame = data.trend[~data.trend["suppressed"]]
    countries = country_order(data, data.trend["domain"])
    names = [country_name(data, c, lang) for c in countries]
    n_range = data.trend.groupby("domain")["n"].agg(["min", "max"])
    panels = {c: f"{country_name(data, c, lang)}|n = {fmt_int(n_range.loc[c, 'min'], lang)}"
              + ("" if n_range.loc[c, "min"] == n_range.loc[c, "max"]
                 else f"–{fmt_int(n_range.loc[c, 'max'], lang)}") for c in countries}
    facets = [code_label("barrier", c, lang) for c in TREND_CODES]
    rows = [{
        "wave": int(r.wave), "country": country_name(data, r.domain, lang),
        "panel": panels[r.domain],
        "facet": code_label("barrier", r.code, lang, getattr(r, f"label_{lang}")),
        "share": float(r.share), "ci_low": float(r.ci_low), "ci_high": float(r.ci_high),
        "n": int(r.n), "unreliable": bool(r.unreliable), "flag": "†" if r.unreliable else "",
    } for r in frame.itertuples(index=False)]
    totals = data.respondents.groupby("wave")["n"].sum()
    sep = " : " if lang == "fr" else ": "
    counts = ", ".join(f"{w}{sep}{fmt_int(n, lang)}" for w, n in totals.items())
    latest = [r for r in rows if r["wave"] == data.year]
    latest = [r for r in latest if not r["unreliable"]] or latest
    top = max(latest, key=lambda r: r["share"]) if latest else None
    hidden = data.trend[data.trend["suppressed"]]
    warnings = ([t(lang, "note_suppressed", n=load_settings().suppress_below_n, cells="; ".join(
        f"{country_name(data, r.domain, lang)} {r.wave} — {code_label('barrier', r.code, lang)}"
        for r in hidden.itertuples()))] if len(hidden) else [])
    chart = charts.trend_chart(rows, facets, [panels[c] for c in countries],
                               country_colours(names), _labels(lang))
    return Figure(
        id="trend_barriers", section="trend", csv="trend_barriers.csv", warnings=warnings,
        title=t(lang, "t_trend", first=data.waves[0], year=data.year),
        description=t(lang, "d_trend", year=data.year,
                      label=quoted(top["facet"], lang) if top else "–",
                      domain=top["country"] if top else "–",
                      share=fmt_pct(top["share"], lang) if top else "–"),
        note=t(lang, "note_trend", counts=counts), chart=chart,
    )
