"""The report in a real browser (Debian's Chromium driven by Playwright), fully offline, and
its PDFs rasterised by poppler's pdftoppm.

Never let Playwright download a browser: the tests use /usr/bin/chromium and fail, not
skip, when it or /usr/bin/pdftoppm is missing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from observatory.config import load_countries
from observatory.report import build_report
from observatory.report.build import SECTIONS, SHARE_FIGURES, TREND_FIGURES
from observatory.report.pdf import CHROMIUM, CHROMIUM_ARGS
from observatory.report.text import t
from tests.report_fixture import make_fixture_warehouse

ARTIFACTS = Path(__file__).parent / "artifacts"
PDFTOPPM = Path("/usr/bin/pdftoppm")
PDFTOTEXT = Path("/usr/bin/pdftotext")
N_FIGURES = len(SHARE_FIGURES) + len(TREND_FIGURES) + 2  # + the two case-study charts
FIRST_PAGES = 4


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Per language, the HTML page and its PDF."""
    root = tmp_path_factory.mktemp("report")
    make_fixture_warehouse(root / "warehouse.duckdb")
    paths = build_report(root / "warehouse.duckdb", root / "reports")
    return {html.parent.name: (html, pdf) for html, pdf in zip(paths[::2], paths[1::2],
                                                                 strict=True)}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_renders_offline(outputs: dict[str, tuple[Path, Path]], lang: str) -> None:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
        "never `playwright install`")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(outputs[lang][0].as_uri(), wait_until="load")
            page.wait_for_selector("body[data-charts]", timeout=30_000)
            assert page.get_attribute("body", "data-charts") == "rendered", errors
            containers = page.locator(".vega-chart")
            assert containers.count() == N_FIGURES
            for i in range(containers.count()):
                box = containers.nth(i)
                chart_id = box.get_attribute("id")
                drawn = box.locator("svg, canvas")
                assert drawn.count() >= 1, f"{chart_id}: nothing rendered"
                marks = box.locator("svg .mark-rect path, svg .mark-symbol path, "
                                    "svg .mark-line path, svg .mark-text text")
                assert marks.count() > 0, f"{chart_id}: rendered SVG is empty"
                size = drawn.first.bounding_box()
                assert size and size["width"] > 100 and size["height"] > 100, chart_id
            # significant changes are ringed in the barrier trend (the fixture plants one)
            rings = page.locator("#chart-trend_barriers svg .mark-symbol path[fill='none'], "
                                 "#chart-trend_barriers svg .mark-symbol path[fill='transparent']")
            assert rings.count() >= 1
            text = page.inner_text("body")
            for country in load_countries().values():
                name = country.names[lang]
                assert page.get_by_text(name, exact=False).first.is_visible(), name
                assert name in text
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"report_{lang}.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert not outside, outside


def ink_fraction(ppm: bytes) -> float:
    """Share of pixels that are not (nearly) white in a binary PPM (P6, 8 bits)."""
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, separated by whitespace
        while ppm[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not ppm[end:end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    width, height = int(fields[1]), int(fields[2])
    pixels = ppm[pos + 1:pos + 1 + 3 * width * height]
    assert len(pixels) == 3 * width * height
    inked = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i:i + 3]) < 200)
    return inked / (width * height)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_first_pages_are_not_blank(outputs: dict[str, tuple[Path, Path]], lang: str,
                                       tmp_path: Path) -> None:
    for tool in (PDFTOPPM, PDFTOTEXT):
        assert tool.exists(), f"{tool} is missing: apt-get install poppler-utils"
    pdf = outputs[lang][1]
    subprocess.run([str(PDFTOPPM), "-r", "30", "-f", "1", "-l", str(FIRST_PAGES), str(pdf),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) == FIRST_PAGES
    for page in pages:
        ink = ink_fraction(page.read_bytes())
        assert 0.005 < ink < 0.6, f"{page.name}: {ink:.1%} of the page inked"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run([str(PDFTOPPM), "-r", "60", "-png", "-f", "2", "-l", "2", "-singlefile",
                    str(pdf), str(ARTIFACTS / f"report_{lang}_pdf_page2")], check=True)
    # every section after the first starts a page; the text is in the page's language
    text = subprocess.run([str(PDFTOTEXT), str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    first_lines = {page.strip().splitlines()[0] for page in text.split("\f") if page.strip()}
    for key in list(SECTIONS.values())[1:]:
        assert t(lang, key, first=2024) in first_lines, key
    for country in load_countries().values():
        assert country.names[lang] in text
    assert t(lang, "suppressed") in text and t(lang, "title", year=2026) in text
