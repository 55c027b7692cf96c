"""The annual report package, built from the fixture warehouse in every language (the
session's ``publication``; no browser here)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from observatory.config import load_countries
from observatory.report import ReportDataError, build_report
from observatory.report.contents import SHARE_FIGURES, TREND_FIGURES
from observatory.report.page import vega_bundle
from observatory.report.text import LANGUAGES, t
from tests.conftest import PRINTED, Publication
from tests.report_fixture import (
    LEAK_CHANGE,
    LEAK_CI_HIGH,
    LEAK_CI_LOW,
    LEAK_P,
    LEAK_SE,
    SIGNIFICANT,
    VALIDATION_UNEXPECTED,
)

FIGURES = [f[0] for f in (*SHARE_FIGURES, *TREND_FIGURES)] + [
    "case_studies_by_country",
    "case_levers_barriers",
]
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?"""
    r"""(?:https?:)?//""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def built(publication: Publication) -> tuple[Path, Path, list[Path]]:
    return publication.warehouse, publication.year_dir, publication.pages


def built_name(built: tuple[Path, Path, list[Path]], country: str, lang: str) -> str:
    """A country's name in the language, as the key figures CSV gives it."""
    with open(built[1] / "data" / "key_figures.csv", encoding="utf-8") as handle:
        return next(r[f"name_{lang}"] for r in csv.DictReader(handle) if r["country"] == country)


def page_text(page: Path) -> str:
    """The page without the inlined Vega bundle (minified code can hold any digits)."""
    return page.read_text(encoding="utf-8").replace(vega_bundle(), "")


def specs_of(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    found = re.search(
        r'<script type="application/json" id="vega-specs">(.*?)</script>', html, re.DOTALL
    )
    assert found
    return json.loads(found.group(1))


def test_pages_exist_per_language(built: tuple[Path, Path, list[Path]]) -> None:
    _, year_dir, pages = built
    assert pages == [
        path
        for lang in LANGUAGES
        for path in (
            year_dir / lang / "index.html",
            *([year_dir / lang / f"report_2026_{lang}.pdf"] if lang in PRINTED else []),
        )
    ]
    for page in pages:
        assert page.is_file() and page.stat().st_size > 100_000
    for pdf in [p for p in pages if p.suffix == ".pdf"]:
        assert pdf.read_bytes().startswith(b"%PDF-")
        assert f'href="{pdf.name}"' in (pdf.parent / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(("lang", "other"), [("en", "fr"), ("fr", "en")])
def test_country_names_in_the_page_language(
    built: tuple[Path, Path, list[Path]], lang: str, other: str
) -> None:
    text = page_text(built[1] / lang / "index.html")
    assert f'<html lang="{lang}">' in text
    for country in load_countries().values():
        assert country.names[lang] in text
        if country.names[other] != country.names[lang]:
            assert country.names[other] not in text, country.names[other]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_table_has_a_caption_and_every_link_a_name(
    built: tuple[Path, Path, list[Path]], lang: str
) -> None:
    html = page_text(built[1] / lang / "index.html")
    tables = re.findall(r"<table\b.*?</table>", html, re.DOTALL)
    assert len(tables) >= 14
    assert all(re.search(r"<caption[^>]*>[^<]{10,}</caption>", x) for x in tables)
    names = [re.sub(r"<[^>]+>", "", n).strip() for n in re.findall(r"<a\b[^>]*>(.*?)</a>", html)]
    assert not [n for n in names if n in ("PNG", "SVG", "CSV", "") or n.endswith(".csv")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_network_and_no_web_font(built: tuple[Path, Path, list[Path]], lang: str) -> None:
    html = (built[1] / lang / "index.html").read_text(encoding="utf-8")
    assert not EXTERNAL.findall(page_text(built[1] / lang / "index.html"))
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html, re.IGNORECASE):
        assert not re.search(r"https?:", tag), tag
    for marker in ("@font-face", "fonts.googleapis", ".woff", "cdn.jsdelivr", "unpkg.com"):
        assert marker not in html
    # the Vega bundle is inlined once, not once per chart
    assert html.count(vega_bundle()) == 1
    assert len(specs_of(built[1] / lang / "index.html")) == len(FIGURES)


def test_figures_png_and_svg(built: tuple[Path, Path, list[Path]]) -> None:
    figures = built[1] / "figures"
    for fid in FIGURES:
        for lang in LANGUAGES:
            png = (figures / f"{fid}_{lang}.png").read_bytes()
            svg = (figures / f"{fid}_{lang}.svg").read_text(encoding="utf-8")
            assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
            assert "<svg" in svg and "<text" in svg and len(svg) > 5_000
            assert "@font-face" not in svg and "http://fonts" not in svg


def test_every_chart_links_its_csv(built: tuple[Path, Path, list[Path]]) -> None:
    for lang in LANGUAGES:
        html = (built[1] / lang / "index.html").read_text(encoding="utf-8")
        links = re.findall(r'href="\.\./([^"#]+)"', html)
        for link in links:
            assert (built[1] / link).is_file(), link
        for fid in FIGURES:
            assert {f"data/{fid}.csv", f"data/{fid}.metadata.json"} <= set(links)


def test_suppressed_cell_is_never_a_number(built: tuple[Path, Path, list[Path]]) -> None:
    year_dir = built[1]
    leaks = [f"{v:.4f}" for v in (LEAK_SE, LEAK_CI_LOW, LEAK_CI_HIGH, LEAK_CHANGE, LEAK_P)]
    leaks += [f"{100 * v:.1f}" for v in (LEAK_CI_LOW, LEAK_CI_HIGH)]
    leaks += [f"{100 * LEAK_CHANGE:+.1f}", f"{100 * LEAK_CHANGE:.2f}"]  # as the report shows
    leaks += [x.replace(".", ",") for x in leaks]
    for lang in LANGUAGES:
        word, greece = t(lang, "suppressed"), built_name(built, "GR", lang)
        page = year_dir / lang / "index.html"
        text = page_text(page)
        assert not [x for x in leaks if x in text]
        row = re.search(
            rf"<tr><td>[^<]*</td><td>({greece})</td>"
            r'<td class="suppressed">([^<]*)</td><td class="suppressed">([^<]*)</td>',
            text,
        )
        assert row and row.group(2) == row.group(3) == word
        cells = [
            v for v in specs_of(page)["levers_by_country"]["data"]["values"] if v["suppressed"]
        ]
        assert len(cells) == 1 and cells[0]["n"] == 8
        assert cells[0]["share"] is None and cells[0]["ci_low"] is None
        assert cells[0]["ci_high"] is None
        svg = (year_dir / "figures" / f"levers_by_country_{lang}.svg").read_text()
        assert word in svg
    with open(year_dir / "data" / "levers_by_country.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["suppressed"] == "True"]
    assert len(rows) == 1 and rows[0]["country"] == "GR" and rows[0]["n"] == "8"
    assert all(rows[0][k] == "" for k in ("share", "se", "ci_low", "ci_high", "n_selected"))
    with open(year_dir / "data" / "significant_changes.csv", encoding="utf-8") as handle:
        changes = [
            r
            for r in csv.DictReader(handle)
            if (r["wave"], r["country"], r["code"]) == ("2026", "GR", "dedicated_coordination")
        ]
    assert len(changes) == 1 and changes[0]["suppressed"] == "True"
    assert changes[0]["significant"] == "False"
    assert all(changes[0][k] == "" for k in ("change", "p_value", "z", "share"))


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "+21.0 pts"), ("fr", "+21,0\u00a0pts"), ("de", "+21,0\u00a0Pp.")]
)
def test_significant_change_is_marked(
    built: tuple[Path, Path, list[Path]], lang: str, expected: str
) -> None:
    wave, country, dimension, code = SIGNIFICANT
    page = built[1] / lang / "index.html"
    panels = specs_of(page)[f"trend_{dimension}s"]["vconcat"]  # one panel per item
    rows = [r for panel in panels for r in panel["data"]["values"]]
    name = built_name(built, country, lang)
    marked = [r for r in rows if r["significant"]]
    assert {(r["wave"], r["country"]) for r in marked} >= {(wave, name)}
    planted = next(r for r in marked if (r["wave"], r["country"]) == (wave, name))
    assert planted["change"] == pytest.approx(21.0, abs=0.05) and planted["p_value"] < 0.001
    assert not [
        r
        for r in rows
        if r["wave"] < wave
        and r["country"] == name
        and r["facet"] == planted["facet"]
        and r["significant"]
    ]
    text = page_text(page)
    assert re.search(
        rf"<td>{re.escape(name)}</td><td class=\"num\">{wave - 1} → {wave}</td>"
        rf'<td class="num">[^<]*</td><td class="num">{re.escape(expected)}</td>',
        text,
    ), expected


def test_topic_figures_in_the_page_language(built: tuple[Path, Path, list[Path]]) -> None:
    for lang, role, stage in (
        ("en", "Facilitator", "Initiate"),
        ("fr", "Facilitateur·ice", "Impulser"),
    ):
        specs = specs_of(built[1] / lang / "index.html")
        assert role in {r["facet"] for r in specs["sim_roles_by_country"]["data"]["values"]}
        stages = specs["ci_stages_by_country"]["data"]["values"]
        assert stage in {r["facet"] for r in stages} and len(stages) == 3 * 5
    with open(built[1] / "data" / "themes_by_country.csv", encoding="utf-8") as handle:
        assert {r["wave"] for r in csv.DictReader(handle)} == {"2026"}


def test_data_quality_per_wave_and_validation(built: tuple[Path, Path, list[Path]]) -> None:
    text = page_text(built[1] / "en" / "index.html")
    quality = text[text.index('id="quality"') :]
    for wave in (2024, 2025, 2026):
        assert len(re.findall(rf"<tr><td>{wave}</td><td>", quality)) == 5
    assert re.search(r"<tr><td></td><td>Total</td><td class=\"num\">15</td>", quality)
    # the latest run only: the older failure of staged_respondents is superseded
    assert re.search(
        r"<td>staged_respondents</td><td>staged.survey_responses</td>"
        r'<td class="num">30</td><td class="num">30</td><td class="num">0</td>',
        quality,
    )
    assert re.search(
        r"<td>core_respondents</td><td>core.respondents</td>"
        r'<td class="num">2</td><td class="num">1</td><td class="num bad">1</td>'
        rf'<td class="num">0</td><td class="num bad">{VALIDATION_UNEXPECTED}</td>',
        quality,
    )


def test_unreliable_cells_are_flagged(built: tuple[Path, Path, list[Path]]) -> None:
    for lang in LANGUAGES:
        text = page_text(built[1] / lang / "index.html")
        assert re.search(r'<td class="num unreliable">[^<]*†</td>', text)


def without_language_links(html: bytes) -> bytes:
    """A page less its links to the other languages of its build."""
    return re.sub(rb'\n\s*<nav class="lang".*?</nav>', b"", html, flags=re.DOTALL)


def test_rebuild_is_deterministic(built: tuple[Path, Path, list[Path]], tmp_path: Path) -> None:
    """A language rebuilt from the same snapshot: the same bytes (but the datacite record,
    which lists the languages of its build, and the page's links to them)."""
    warehouse, year_dir, _ = built
    build_report(warehouse, tmp_path, languages=["de"], pdf_languages=[])
    again = tmp_path / "2026"
    second = {p.relative_to(again) for p in again.rglob("*") if p.is_file()}
    first = {
        p.relative_to(year_dir)
        for p in year_dir.rglob("*")
        if p.is_file()
        and (
            p.parent.name == "de"
            or p.parent.name not in LANGUAGES
            and not re.search(r"_(en|fr|hr|el|it)\.", p.name)
        )
    }
    assert first == second and len(second) > 50
    for rel in second - {Path("datacite.json")}:
        old, new = (year_dir / rel).read_bytes(), (again / rel).read_bytes()
        if rel.suffix == ".html":
            old, new = without_language_links(old), without_language_links(new)
        assert old == new, rel


def test_earlier_year_and_bad_arguments(
    built: tuple[Path, Path, list[Path]], tmp_path: Path
) -> None:
    warehouse = built[0]
    stale = tmp_path / "2025" / "en" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("an older build", encoding="utf-8")
    pages = build_report(warehouse, tmp_path, year=2025, languages=["fr"])
    # the year's folder is replaced whole, and no staging folder is left behind
    assert not stale.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["2025"]
    assert pages == [
        tmp_path / "2025" / "fr" / "index.html",
        tmp_path / "2025" / "fr" / "report_2025_fr.pdf",
    ]
    text = page_text(pages[0])
    assert "2025" in text and "Évolutions depuis 2024" in text
    assert 'href="../en/index.html"' not in text
    with pytest.raises(ReportDataError, match="2031"):
        build_report(warehouse, tmp_path, year=2031)
    with pytest.raises(ValueError, match="xx"):
        build_report(warehouse, tmp_path, languages=["xx"])
    with pytest.raises(FileNotFoundError):
        build_report(tmp_path / "missing.duckdb", tmp_path)


def test_case_highlights_per_country(built: tuple[Path, Path, list[Path]]) -> None:
    with open(built[1] / "data" / "case_highlights.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["country"] for r in rows] == list(load_countries())
    assert sum(int(r["cases"]) for r in rows) == 36 and all(r["top_lever"] for r in rows)
    text = page_text(built[1] / "fr" / "index.html")
    cases = text[text.index('id="cases"') : text.index('id="method"')]
    assert "Levier le plus observé" in cases and cases.count("<tr><td>") == 5
