"""Chart builders. Each takes ready-made rows (labels already in the page's language) and
returns an Altair chart without a title: the page puts the title in HTML, the PNG/SVG
exports add it with :func:`titled`.

Suppressed rows carry no estimate: they get no bar, only the word for "suppressed".
Unreliable rows are drawn lighter and marked with a dagger. Marks that only repeat what
other marks say (daggers, rings, the word "suppressed") are hidden from assistive
technology (``aria=False``): a filtered layer would otherwise be an unnamed, empty
"graphics-symbol", and each estimate's own mark is announced with its values.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import altair as alt

from observatory.report.theme import ACCENT, INK, MUTED, PALETTE

Rows = list[dict[str, Any]]  # JSON records of a chart's data
UNRELIABLE_OPACITY = 0.4
WIDTH = 460


def _share_tooltip(group_title: str, labels: dict[str, str]) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("facet:N", title=labels["item"]),
        alt.Tooltip("group:N", title=group_title),
        alt.Tooltip("share:Q", title=labels["share"], format=".1%"),
        alt.Tooltip("ci_low:Q", title=f"{labels['ci']} −", format=".1%"),
        alt.Tooltip("ci_high:Q", title=f"{labels['ci']} +", format=".1%"),
        alt.Tooltip("n:Q", title=labels["n"]),
    ]


def share_chart(
    rows: Rows,
    facet_order: Sequence[str],
    group_order: Sequence[str],
    group_title: str,
    labels: dict[str, str],
    colour: alt.Scale | None = None,
) -> alt.FacetChart:
    """Horizontal bars with 95% CI whiskers: one panel per item, one bar per group."""
    base = alt.Chart().encode(y=alt.Y("group:N", sort=list(group_order), title=None))
    x = alt.X(
        "share:Q",
        title=labels["share"],
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", tickCount=5),
    )
    fill = (
        alt.Color("group:N", scale=colour, legend=None) if colour is not None else alt.value(ACCENT)
    )
    estimated = "!datum.suppressed"
    bar = (
        base.mark_bar(height={"band": 0.72})
        .encode(
            x=x,
            color=fill,
            opacity=alt.condition("datum.unreliable", alt.value(UNRELIABLE_OPACITY), alt.value(1)),
            tooltip=_share_tooltip(group_title, labels),
        )
        .transform_filter(estimated)
    )
    whisker = (
        base.mark_errorbar(ticks=True, color=INK)
        .encode(
            x=alt.X("ci_low:Q", title=labels["share"]),
            x2="ci_high:Q",
        )
        .transform_filter(estimated)
    )
    dagger = (
        base.mark_text(align="left", dx=5, fontSize=14, fontWeight="bold", aria=False)
        .encode(x="ci_high:Q", text="flag:N")
        .transform_filter("datum.unreliable")
    )
    masked = (
        base.mark_text(align="left", dx=4, fontStyle="italic", color=MUTED, aria=False)
        .encode(x=alt.datum(0), text="status:N")
        .transform_filter("datum.suppressed")
    )
    count = base.mark_text(align="left", color=MUTED).encode(
        x=alt.value(WIDTH + 12), text="n_text:N"
    )
    layered = alt.layer(bar, whisker, dagger, masked, count).properties(
        width=WIDTH, height=alt.Step(22)
    )
    header = alt.Header(
        title=None,
        labelAngle=0,
        labelOrient="top",
        labelAnchor="start",
        labelAlign="left",
        labelPadding=6,
    )
    return layered.facet(
        row=alt.Row("facet:N", sort=list(facet_order), header=header),
        data=alt.Data(values=rows),
        spacing=18,
    )


def trend_chart(
    rows: Rows,
    facet_order: Sequence[str],
    panel_order: Sequence[str],
    colour: alt.Scale,
    labels: dict[str, str],
) -> alt.VConcatChart:
    """Small multiples over waves: one row per item, one panel per country (``panel``,
    "name|n = a–b": two header lines), a line with its 95% CI band in each. A point whose
    change from the previous wave is significant (``significant``) is ringed in black."""
    x = alt.X("wave:O", title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y(
        "share:Q",
        title=labels["share"],
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", tickCount=5),
    )
    base = alt.Chart().encode(x=x, color=alt.Color("country:N", scale=colour, legend=None))
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("ci_low:Q", title=labels["share"]), y2="ci_high:Q"
    )
    line = base.mark_line().encode(y=y)
    tooltip = [
        alt.Tooltip("country:N", title=labels["country"]),
        alt.Tooltip("wave:O", title=labels["wave"]),
        alt.Tooltip("share:Q", title=labels["share"], format=".1%"),
        alt.Tooltip("ci_low:Q", title=f"{labels['ci']} −", format=".1%"),
        alt.Tooltip("ci_high:Q", title=f"{labels['ci']} +", format=".1%"),
        alt.Tooltip("n:Q", title=labels["n"]),
        alt.Tooltip("change:Q", title=labels["change_pts"], format="+.1f"),
        alt.Tooltip("p_value:Q", title=labels["p_value"], format=".3f"),
    ]
    point = base.mark_point(filled=True, size=50).encode(
        y=y,
        tooltip=tooltip,
        opacity=alt.condition("datum.unreliable", alt.value(UNRELIABLE_OPACITY), alt.value(1)),
    )
    ring = (
        base.mark_point(filled=False, size=260, strokeWidth=2, aria=False)
        .encode(y=y, color=alt.value(INK), tooltip=tooltip)
        .transform_filter("datum.significant")
    )
    dagger = (
        base.mark_text(dy=-12, fontSize=13, fontWeight="bold", aria=False)
        .encode(y=y, text="flag:N")
        .transform_filter("datum.unreliable")
    )
    panels = []
    for i, facet in enumerate(facet_order):  # country headers above the first row only
        header = alt.Header(
            title=None, labelExpr="split(datum.value, '|')", labelFontSize=12, labels=i == 0
        )
        subset = [r for r in rows if r["facet"] == facet]
        panels.append(
            alt.layer(band, line, point, ring, dagger)
            .properties(width=max(96, 36 * len({r["wave"] for r in rows})), height=110)
            .facet(
                column=alt.Column("panel:N", sort=list(panel_order), header=header),
                data=alt.Data(values=subset),
                spacing=10,
                title=alt.Title(facet, fontSize=13, anchor="start"),
            )
        )
    return alt.vconcat(*panels, spacing=16)


def count_grid(
    rows: Rows, x_order: Sequence[str], y_order: Sequence[str], labels: dict[str, str]
) -> alt.Chart:
    """A heat map of counts (case studies by country and scheme type), numbers in cells."""
    top = max([int(r["count"]) for r in rows] + [1])
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X(
            "column:N",
            sort=list(x_order),
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, labelLimit=180, domain=False, ticks=False),
        ),
        y=alt.Y("row:N", sort=list(y_order), title=None, axis=alt.Axis(domain=False, ticks=False)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "count:Q",
            scale=alt.Scale(scheme="blues", domain=[0, top]),
            title=labels["cases"],
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("row:N", title=labels["country"]),
            alt.Tooltip("column:N", title=labels["scheme_type"]),
            alt.Tooltip("count:Q", title=labels["cases"]),
        ],
    )
    numbers = base.mark_text(fontSize=14, fontWeight="bold").encode(
        text="count:Q",
        color=alt.condition(f"datum.count > {top / 2}", alt.value("white"), alt.value(INK)),
    )
    return (cells + numbers).properties(width=alt.Step(180), height=alt.Step(34))


def count_bars(panels: Sequence[tuple[str, Rows]], labels: dict[str, str]) -> alt.VConcatChart:
    """Horizontal bars of counts, one panel per (title, rows), rows in the given order."""
    charts = []
    for i, (title, rows) in enumerate(panels):
        heading = alt.Title(title, fontSize=13, frame="group")  # aligned with the bars
        base = alt.Chart(alt.Data(values=rows), title=heading).encode(
            y=alt.Y("label:N", sort=[str(r["label"]) for r in rows], title=None),
            x=alt.X("count:Q", title=labels["cases"], axis=alt.Axis(tickMinStep=1)),
        )
        bars = base.mark_bar(color=PALETTE[(3 * i) % len(PALETTE)], height={"band": 0.7})
        numbers = base.mark_text(align="left", dx=4, color=INK).encode(text="count:Q")
        charts.append((bars + numbers).properties(width=WIDTH, height=alt.Step(24)))
    return alt.vconcat(*charts, spacing=22)


def titled(spec: dict, title: str, note: str) -> dict:
    """The chart's spec with its title and note as subtitle, for the standalone PNG/SVG
    files."""
    return {**spec, "title": {"text": title, "subtitle": textwrap.wrap(note, width=95)}}
