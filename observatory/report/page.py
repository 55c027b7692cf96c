"""One language's page: its figures (in the page and as PNG/SVG files), tables and words
filled into ``template.html``.

Vega, Vega-Lite and vega-embed come from vl-convert's bundle, inlined once per page;
each chart is a ``vegaEmbed`` call on its spec, whose ``description`` (title and one
sentence on what it shows) is the chart's accessible name. No CDN, no web font, no network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import altair as alt
import jinja2
import vl_convert as vlc

from observatory.config import load_publication, load_settings
from observatory.report import figures as fg
from observatory.report import summary
from observatory.report.charts import titled
from observatory.report.contents import SECTIONS, SHARE_FIGURES, TREND_FIGURES
from observatory.report.data import TREND_DIMENSIONS, ReportData
from observatory.report.datafiles import zip_name
from observatory.report.outputs import pdf_name
from observatory.report.publication import Edition, citation
from observatory.report.quality import QualityFacts, quality_rows
from observatory.report.text import (
    catalog,
    d3_locale,
    fmt_date,
    fmt_int,
    fmt_pct,
    fmt_size,
    language_name,
    t,
)
from observatory.report.theme import THEME_NAME

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Publishing:
    """What every page of one build says about the publication as a whole."""

    edition: Edition
    quality: QualityFacts
    languages: Sequence[str]  # of this build
    zip_size: int  # bytes of the data zip


@cache
def vl_version() -> str | None:
    """The Vega-Lite version Altair writes, as vl-convert names it (None: its latest)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


@cache
def vega_bundle() -> str:
    bundle = vlc.javascript_bundle(vl_version=vl_version())  # type: ignore[call-arg]  # stub: snippet=None
    return bundle.replace("</script", "<\\/script")


def script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def all_figures(data: ReportData, lang: str) -> list[fg.Figure]:
    shares = [
        fg.share_figure(fid, key, dim, kind, section, data, lang)
        for fid, key, dim, kind, section in SHARE_FIGURES
    ]
    trends = [fg.trend_figure(fid, key, dim, data, lang) for fid, key, dim in TREND_FIGURES]
    return [*shares, *trends, *summary.case_figures(data, lang)]


def described(figure: fg.Figure) -> alt.TopLevelMixin:
    """The chart with its accessible name: its title and what it shows."""
    return figure.chart.properties(description=f"{figure.title}. {figure.description}")


def export_figure(spec: dict, stem: Path, lang: str) -> None:
    """SVG and PNG (2x, for print) of one figure, rendered by vl-convert without a browser."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version(), format_locale=d3_locale(lang))
    stem.with_suffix(".svg").write_text(svg, encoding="utf-8")
    stem.with_suffix(".png").write_bytes(vlc.svg_to_png(svg, scale=2))


def export_figures(
    figs: Sequence[fg.Figure], specs: dict[str, dict], folder: Path, lang: str
) -> None:
    """Every figure with its title and note, in parallel (vl-convert releases the GIL)."""
    titled_specs = [titled(specs[f.id], f.title, " ".join([f.note, *f.warnings])) for f in figs]
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(
            pool.map(
                export_figure,
                titled_specs,
                [folder / f"{f.id}_{lang}" for f in figs],
                [lang] * len(figs),
            )
        )


def _cite(pub: Publishing, lang: str) -> dict[str, str]:
    licence = load_publication().licence
    return {
        "citation": citation(pub.edition, lang),
        "version_text": t(
            lang,
            "version_text",
            version=pub.edition.version,
            date=fmt_date(pub.edition.released.date(), lang),
        ),
        "licence_text": t(lang, "licence_text", licence=licence.name, url=licence.url),
        "zip_link": t(lang, "zip_link", size=fmt_size(pub.zip_size, lang)),
        "zip": zip_name(pub.edition.year),
    }


def render_page(data: ReportData, lang: str, pub: Publishing, staging: Path) -> str:
    settings = load_settings()
    figs = all_figures(data, lang)
    with alt.theme.enable(THEME_NAME):  # the specs of every language share one structure:
        specs = {
            f.id: described(f).to_dict(validate=lang == pub.languages[0])  # checked once
            for f in figs
        }
    export_figures(figs, specs, staging / "figures", lang)
    cards, key_table = summary.key_figures(data, lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("template.html").render(
        lang=lang,
        year=data.year,
        s=catalog(lang),
        title=t(lang, "title", year=data.year),
        lead=t(lang, "lead", year=data.year, n_countries=len(key_table.rows)),
        draft=lang not in load_publication().reviewed_languages,
        others=[(o, language_name(o)) for o in pub.languages if o != lang],
        pdf=pdf_name(data.year, lang),
        sections=[(sid, t(lang, key, first=data.waves[0])) for sid, key in SECTIONS.items()],
        figures=figs,
        cards=cards,
        key_table=key_table,
        key_caption=t(lang, "key_caption", year=data.year, previous=data.year - 1),
        changes_table=fg.changes_table(data, TREND_DIMENSIONS, lang),
        highlights_table=summary.case_highlights_table(data, lang),
        quality_rows=quality_rows(pub.quality, pub.edition, lang),
        quality_table=summary.quality_table(data, lang),
        validation_table=summary.validation_table(data, lang),
        method_text=t(
            lang,
            "method_text",
            level=fmt_pct(settings.confidence_level, lang),
            n_min=fmt_int(settings.suppress_below_n, lang),
            n_eff=fmt_int(settings.unreliable_below_n_eff, lang),
            df=fmt_int(settings.unreliable_below_df, lang),
        ),
        footer=t(lang, "footer", year=data.year),
        **_cite(pub, lang),
        bundle=vega_bundle(),
        specs=script_json(specs),
        options=script_json(
            {
                "actions": False,
                "renderer": "svg",
                "mode": "vega-lite",
                "formatLocale": d3_locale(lang),
            }
        ),
    )
