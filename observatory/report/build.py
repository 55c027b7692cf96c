"""Assemble the annual report: one offline HTML page and its PDF per language, PNG/SVG
figures, CSVs.

Layout of ``out_dir/<year>/``: ``<lang>/index.html``, ``<lang>/report_<year>_<lang>.pdf``,
``figures/<figure>_<lang>.png|svg``, ``data/<figure>.csv``. The year's folder is built
beside the old one and swapped in whole, so a failed build never leaves a half-written
report. The PDF is the HTML page printed by headless Chromium (:mod:`.pdf`); when it
cannot be printed (no Chromium, a chart that fails), everything else is published all
the same and ``warn`` gets one line saying why and how to fix it.

Vega, Vega-Lite and vega-embed come from vl-convert's bundle, inlined once per page;
each chart is a ``vegaEmbed`` call on its spec. No CDN, no web font, no network.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import altair as alt
import duckdb
import jinja2
import pandas as pd
import vl_convert as vlc

from observatory.config import load_settings
from observatory.exports import neutralise
from observatory.report import figures as fg
from observatory.report import summary
from observatory.report.charts import titled
from observatory.report.data import TREND_DIMENSIONS, ReportData, load_report_data
from observatory.report.outputs import pages, pdf_name
from observatory.report.pdf import PrintJob, ReportPrintError, print_pdfs
from observatory.report.text import FORMAT_LOCALE, LANGUAGES, STRINGS, fmt_int, fmt_pct, t
from observatory.report.theme import THEME_NAME
from observatory.warehouse.retention import REPORT_RECORD, snapshot_of

HERE = Path(__file__).parent
LOG = logging.getLogger(__name__)
SHARE_FIGURES = (  # id, string key, dimension, domain type, page section
    ("levers_by_country", "levers", "lever", "country", "country"),
    ("barriers_by_country", "barriers", "barrier", "country", "country"),
    ("scheme_types_by_country", "schemes", "scheme_type", "country", "country"),
    ("levers_by_scheme_type", "levers_scheme", "lever", "scheme_type", "scheme_type"),
    ("barriers_by_scheme_type", "barriers_scheme", "barrier", "scheme_type", "scheme_type"),
    ("sim_roles_by_country", "sim_roles", "sim_role", "country", "topics"),
    ("themes_by_country", "themes", "theme", "country", "topics"),
    ("ci_conditions_by_country", "ci_conditions", "ci_condition", "country", "topics"),
    ("ci_stages_by_country", "ci_stages", "ci_stage", "country", "topics"),
)
TREND_FIGURES = (  # id, string key (as in SHARE_FIGURES), dimension
    ("trend_levers", "levers", "lever"),
    ("trend_barriers", "barriers", "barrier"),
)
SECTIONS = {  # page section id -> string key of its heading, in page order
    "key": "s_key", "country": "s_country", "scheme_type": "s_scheme", "trend": "s_trend",
    "topics": "s_topics", "cases": "s_cases", "method": "s_method", "quality": "s_quality",
}


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
    shares = [fg.share_figure(fid, key, dim, kind, section, data, lang)
              for fid, key, dim, kind, section in SHARE_FIGURES]
    trends = [fg.trend_figure(fid, key, dim, data, lang) for fid, key, dim in TREND_FIGURES]
    return [*shares, *trends, *summary.case_figures(data, lang)]


def write_csvs(data: ReportData, folder: Path) -> None:
    folder.mkdir(parents=True)
    names = pd.DataFrame([{"country": c, "name_en": n.get("en"), "name_fr": n.get("fr")}
                          for c, n in data.countries.items()])
    tables = {
        "key_figures": data.respondents.merge(names, on="country", how="left")
        .rename(columns={"n": "respondents"}),
        "significant_changes": data.changes,
        "data_quality": data.accounting,
        "validation": data.validation,
    }
    for fid, _key, dim, kind, _section in SHARE_FIGURES:
        tables[fid] = data.cells(dim, kind, data.year).rename(columns={"domain": kind})
    for fid, _key, dim in TREND_FIGURES:
        tables[fid] = data.cells(dim, "country").rename(columns={"domain": "country"})
    grid, codes = summary.case_counts(data)
    tables["case_studies_by_country"] = grid
    tables["case_highlights"] = summary.case_highlights(data)
    tables["case_levers_barriers"] = codes.assign(**{
        f"label_{lang}": [fg.code_label(d, c, lang) for d, c in zip(
            codes["dimension"], codes["code"], strict=True)] for lang in LANGUAGES})
    for name, frame in tables.items():
        neutralise(frame).to_csv(folder / f"{name}.csv", index=False, float_format="%.6f",
                     lineterminator="\n")


def export_figure(spec: dict, stem: Path, lang: str) -> None:
    """SVG and PNG (2x, for print) of one figure, rendered by vl-convert without a browser."""
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version(), format_locale=FORMAT_LOCALE[lang])
    stem.with_suffix(".svg").write_text(svg, encoding="utf-8")
    stem.with_suffix(".png").write_bytes(vlc.svg_to_png(svg, scale=2))


def export_figures(figs: Sequence[fg.Figure], folder: Path, lang: str) -> None:
    """Every figure with its title and note, in parallel (vl-convert releases the GIL)."""
    with alt.theme.enable(THEME_NAME):
        specs = [titled(f.chart, f.title, " ".join([f.note, *f.warnings])).to_dict(
            validate=False) for f in figs]  # validated once already, for the page
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(export_figure, specs, [folder / f"{f.id}_{lang}" for f in figs],
                      [lang] * len(figs)))


def render_page(data: ReportData, lang: str, languages: Sequence[str], staging: Path) -> str:
    settings = load_settings()
    figs = all_figures(data, lang)
    with alt.theme.enable(THEME_NAME):
        specs = {f.id: f.chart.to_dict() for f in figs}
    export_figures(figs, staging / "figures", lang)
    cards, key_table = summary.key_figures(data, lang)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template("template.html").render(
        lang=lang, year=data.year, s=STRINGS[lang],
        title=t(lang, "title", year=data.year),
        lead=t(lang, "lead", year=data.year, n_countries=len(key_table.rows)),
        others=[(o, STRINGS[o]["language_name"]) for o in languages if o != lang],
        pdf=pdf_name(data.year, lang),
        sections=[(sid, t(lang, key, first=data.waves[0])) for sid, key in SECTIONS.items()],
        figures=figs, cards=cards, key_table=key_table,
        changes_table=fg.changes_table(data, TREND_DIMENSIONS, lang),
        highlights_table=summary.case_highlights_table(data, lang),
        quality_table=summary.quality_table(data, lang),
        validation_table=summary.validation_table(data, lang),
        method_text=t(lang, "method_text", level=fmt_pct(settings.confidence_level, lang),
                      n_min=fmt_int(settings.suppress_below_n, lang),
                      n_eff=fmt_int(settings.unreliable_below_n_eff, lang),
                      df=fmt_int(settings.unreliable_below_df, lang)),
        method_changes=t(lang, "method_changes"),
        quality_text=t(lang, "quality_text"),
        validation_text=t(lang, "validation_text"),
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


def _print(jobs: Sequence[PrintJob], warn: Callable[[str], None]) -> None:
    """Print the PDFs; if that fails, none is published and ``warn`` says why."""
    try:
        print_pdfs(jobs)
    except ReportPrintError as error:
        for job in jobs:
            job.pdf.unlink(missing_ok=True)
        warn(f"{error}; the report is published without its PDF")


def build_report(warehouse: Path, out_dir: Path, year: int | None = None,
                 languages: Sequence[str] = ("en", "fr"),
                 warn: Callable[[str], None] = LOG.warning,
                 ) -> list[Path]:
    """Build the year's report (latest wave when ``year`` is None); return, per language,
    the HTML page and its PDF when it could be printed (else ``warn`` has one line)."""
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
        if source := snapshot_of(warehouse):  # kept as long as this report is published
            (staging / REPORT_RECORD).write_text(f"{source.name}\n", encoding="utf-8")
        (staging / "figures").mkdir()
        jobs = []
        for lang in languages:
            html = render_page(data, lang, languages, staging)
            (staging / lang).mkdir()
            (staging / lang / "index.html").write_text(html, encoding="utf-8")
            jobs.append(PrintJob(staging / lang / "index.html",
                                 staging / lang / pdf_name(data.year, lang),
                                 t(lang, "title", year=data.year), t(lang, "page")))
        _print(jobs, warn)
        _swap_in(staging, out_dir / str(data.year))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return pages(out_dir / str(data.year), data.year, languages)
