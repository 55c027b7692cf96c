"""The report's Altair theme: system fonts only and a colour-blind-safe palette.

Countries get the Okabe-Ito colours (Okabe & Ito 2008, safe for the common colour-vision
deficiencies) in configuration order, so a country keeps its colour in every chart and a
sixth country still gets one. Yellow is left out: it is unreadable on white.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

THEME_NAME = "observatory"

# System font stack: nothing is downloaded, in the browser or in vl-convert.
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Liberation Sans', 'DejaVu Sans', sans-serif"
)

# Okabe-Ito without yellow, in an order that keeps neighbours distinguishable.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
ACCENT = "#0072B2"
MUTED = "#6b6b6b"
INK = "#1a1a1a"


def country_colours(names: Sequence[str]) -> alt.Scale:
    """A fixed country -> colour scale (domain in configuration order)."""
    range_ = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    return alt.Scale(domain=list(names), range=range_)


@alt.theme.register(THEME_NAME, enable=False)
def observatory_theme() -> alt.theme.ThemeConfig:
    """Readable on screen and on paper: larger text, light grid, no chart border."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 260},
            "range": {"category": list(PALETTE)},
            "title": {
                "fontSize": 16,
                "fontWeight": 600,
                "anchor": "start",
                "color": INK,
                "subtitleFontSize": 12,
                "subtitleColor": MUTED,
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 600,
                "labelColor": INK,
                "titleColor": INK,
                "gridColor": "#e6e6e6",
                "domainColor": "#999999",
                "tickColor": "#999999",
                "labelLimit": 400,
            },
            "header": {
                "labelFontSize": 13,
                "labelFontWeight": 600,
                "labelColor": INK,
                "titleFontSize": 12,
                "labelLimit": 520,
            },
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "titleFontWeight": 600,
                "orient": "bottom",
                "direction": "horizontal",
            },
            "text": {"fontSize": 12, "color": INK},
            "bar": {"color": ACCENT},
            "line": {"strokeWidth": 2},
        }
    }
