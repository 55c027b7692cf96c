"""Assemble the annual report: one offline HTML page per language, PNG/SVG figures, CSVs.

Layout of ``out_dir/<year>/``: ``<lang>/index.html``, ``figures/<figure>_<lang>.png|svg``,
``data/<figure>.csv``. The year's folder is built beside the old one and swapped in
whole, so a failed build never leaves a half-written report.

Vega, Vega-Lite and vega-embed come from vl-convert's bundle, inlined once per page;
each chart is a ``vegaEmbed`` call on its spec. No CDN, no web font, no network.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import altair as alt
import duckdb
import jinja2
import pandas as pd
import vl_convert as vlc

from observatory.config import load_settings
from observatory.report import figures as fg
from observatory.report import summary
from observatory.report.charts import titled
from observatory.report.data import ReportData, load_report_data
from observatory.report.text import FORMAT_LOCALE, LANGUAGES, STRINGS, fmt_int, fmt_pct, t
from observatory.report.theme import THEME_NAME

HERE = Path(__file__).parent
SHARE_FIGURES = (  # id, string key, ReportData attribute, dimension, domain kind
    ("levers_by_country", "levers", "levers", "lever", "country"),
    ("barriers_by_country", "barriers", "barriers", "barrier", "country"),
    ("scheme_types_by_country", "schemes", "scheme_types", "scheme_type", "country"),
    ("barriers_by_scheme_type", "barriers_scheme", "barriers_by_scheme", "barrier",
     "scheme_type"),
)


@cache
def vl_version() -> str | None:
    """The Vega-Lite version Altair writes, as vl-convert names it (None: its latest)."""
    major_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


@cache
def vega_bundle() -> str:
    return vlc.javascript_bundle(vl_version=vl_version()).replace("</script", "<\\/script")


def script_json(value: object) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def all_figures(data: ReportData, lang: str) -> list[fg.Figure]:
    shares = [fg.share_figure(fid, key, getattr(data, attr), dim, kind, data, lang)
              for fid, key, attr, dim, kind in SHARE_FIGURES]
    return [*shares, fg.trend_figure(data, lang), *summary.case_figures(data, lang)]


def write_csvs(data: ReportData, folder: Path) -> None:
    folder.mkdir(parents=True)
    names = pd.DataFrame([{"country": c, "name_en": n.get("en"), "name_fr": n.get("fr")}
                          for c, n in data.countries.items()])
    tables = {
        "key_figures": data.respondents.merge(names, on="country", how="left")
        .rename(columns={"n": "respondents"}),
        "trend_barriers": data.trend.rename(columns={"domain": "country"}),
        "data_quality": data.accounting.assign(wave=data.year),
    }
    for fid, _key, attr, _dim, kind in SHARE_FIGURES:
        tables[fid] = getattr(data, attr).rename(columns={"domain": kind})
    grid, codes = summary.case_counts(data)
    tables["case_studies_by_country"] = grid
    tables["case_levers_barriers"] = codes.assign(**{
        f"label_{lang}": [fg.code_label(d, c, lang) for d, c in zip(
            codes["dimension"], codes["code"], strict=True)] for lang in LANGUAGES})
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, float_format="%.6f",
                     lineterminator="\n")


def export_figure(spec: dict, stem: Path, lang: str) -> None:
    """PNG (2x, for print) and SVG of one figure, rendered by vl-convert without a browser."""
    locale = FORMAT_LOCALE[lang]
    stem.with_suffix(".svg").write_text(
        vlc.vegalite_to_svg(spec, vl_version=vl_version(), format_locale=locale),
        encoding="utf-8")
    stem.with_suffix(".png").write_bytes(
        vlc.vegalite_to_png(spec, vl_version=vl_version(), scale=2, format_locale=locale))


def render_page(data: ReportData, lang: str, languages: Sequence[str], staging: Path) -> str:
    settings = load_settings()
    figs = all_figures(data, lang)
    specs = {}
    with alt.theme.enable(THEME_NAME):
        for f in figs:
            specs[f.id] = f.chart.to_dict()
            note = " ".join([f.note, *f.warnings])
            export_figure(titled(f.chart, f.title, note).to_dict(),
                          staging / "figures" / f"{f.id}_{lang}", lang)
    cards, key_table = summary.key_figures(data, lang)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    first = data.waves[0]
    return env.get_template("template.html").render(
        lang=lang, year=data.year, s=STRINGS[lang],
        title=t(lang, "title", year=data.year),
        lead=t(lang, "lead", year=data.year, n_countries=len(key_table.rows)),
        others=[(o, STRINGS[o]["language_name"]) for o in languages if o != lang],
        sections=[("key", t(lang, "s_key")), ("country", t(lang, "s_country")),
                  ("scheme_type", t(lang, "s_scheme")),
                  ("trend", t(lang, "s_trend", first=first)),
                  ("cases", t(lang, "s_cases")), ("method", t(lang, "s_method"))],
        figures=figs, cards=cards, key_table=key_table,
        quality_table=summary.quality_table(data, lang),
        method_text=t(lang, "method_text", level=fmt_pct(settings.confidence_level, lang),
                      n_min=fmt_int(settings.suppress_below_n, lang),
                      n_eff=fmt_int(settings.unreliable_below_n_eff, lang)),
        quality_text=t(lang, "quality_text", year=data.year),
        footer=t(lang, "footer", year=data.year),
        bundle=vega_bundle(), specs=script_json(specs),
        options=script_json({"actions": False, "renderer": "svg", "mode": "vega-lite",
                             "formatLocale": vlc.get_format_locale(FORMAT_LOCALE[lang])}),
    )


def _swap_in(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
        os.replace(final, old / final.name)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_report(warehouse: Path, out_dir: Path, year: int | None = None,
                 languages: Sequence[str] = ("en", "fr")) -> list[Path]:
    """Build the year's report (latest wave when ``year`` is None); return the HTML paths."""
    languages = list(dict.fromkeys(languages))
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise ValueError(f"report languages must be among {', '.join(LANGUAGES)}: {unknown}")
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        data = load_report_data(con, year)
    finally:
        con.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{data.year}.build.", dir=out_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; the published folder is not
    try:
        write_csvs(data, staging / "data")
        (staging / "figures").mkdir()
        for lang in languages:
            html = render_page(data, lang, languages, staging)
            (staging / lang).mkdir()
            (staging / lang / "index.html").write_text(html, encoding="utf-8")
        _swap_in(staging, out_dir / str(data.year))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / str(data.year) / lang / "index.html" for lang in languages]
