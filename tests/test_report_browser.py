"""The report in a real browser (Debian's Chromium driven by Playwright), fully offline,
checked by axe-core, and its PDFs rasterised and read by poppler.

Never let Playwright download a browser: the tests use /usr/bin/chromium and fail, not
skip, when it or poppler's tools are missing. axe-core is the copy bundled by the
axe-playwright-python package (requirements.lock), injected into the page: no CDN. Every
page must have no serious or critical violation of WCAG 2.0/2.1 A and AA; each page's
result is written to tests/artifacts/axe_<lang>.json. The pages of all languages share
one template, one theme and the same charts: on the pages of PRINTED (en, fr) the charts'
data tables (closed <details>) are opened, a screenshot is taken, and colour contrast is
checked in the charts' SVG too (thousands of text nodes: most of axe's time); on the other
pages colour contrast is checked outside the charts, every other rule everywhere.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from observatory.config import load_countries
from observatory.report.contents import SECTIONS, SHARE_FIGURES, TREND_FIGURES
from observatory.report.pdf import CHROMIUM, CHROMIUM_ARGS
from observatory.report.text import LANGUAGES, t
from tests.conftest import PRINTED, Publication

ARTIFACTS = Path(__file__).parent / "artifacts"
PDFTOPPM = Path("/usr/bin/pdftoppm")
PDFTOTEXT = Path("/usr/bin/pdftotext")
PDFTOHTML = Path("/usr/bin/pdftohtml")
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
N_FIGURES = len(SHARE_FIGURES) + len(TREND_FIGURES) + 2  # + the two case-study charts
FIRST_PAGES = 4


@pytest.fixture(scope="module")
def outputs(publication: Publication) -> dict[str, tuple[Path, Path]]:
    """Per language, the HTML page and its PDF (printed for PRINTED only)."""
    year = publication.year_dir
    return {
        lang: (year / lang / "index.html", year / lang / f"report_2026_{lang}.pdf")
        for lang in LANGUAGES
    }


def axe_check(page: Page, lang: str) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    runs = [(None, options)]
    if lang not in PRINTED:  # contrast in the charts' SVG is checked on PRINTED's pages
        runs = [
            (None, {**options, "rules": {"color-contrast": {"enabled": False}}}),
            (
                {"exclude": [[".vega-chart svg"]]},
                {
                    "runOnly": {"type": "rule", "values": ["color-contrast"]},
                    "resultTypes": ["violations"],
                },
            ),
        ]
    found = [Axe().run(page, context=context, options=opts).response for context, opts in runs]
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "help": v["help"],
            "first": v["nodes"][0]["html"][:300],
        }
        for run in found
        for v in run["violations"]
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe_{lang}.json").write_text(
        json.dumps(
            {
                "axe": found[0]["testEngine"]["version"],
                "rules": WCAG_AA,
                "charts_contrast_checked": lang in PRINTED,
                "violations": violations,
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, blocking


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_renders_offline_and_passes_axe(
    outputs: dict[str, tuple[Path, Path]], lang: str
) -> None:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
        "never `playwright install`"
    )
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
                marks = box.locator(
                    "svg .mark-rect path, svg .mark-symbol path, "
                    "svg .mark-line path, svg .mark-text text"
                )
                assert marks.count() > 0, f"{chart_id}: rendered SVG is empty"
                size = drawn.first.bounding_box()
                assert size and size["width"] > 100 and size["height"] > 100, chart_id
            # significant changes are ringed in the barrier trend (the fixture plants one)
            rings = page.locator(
                "#chart-trend_barriers svg .mark-symbol path[fill='none'], "
                "#chart-trend_barriers svg .mark-symbol path[fill='transparent']"
            )
            assert rings.count() >= 1
            # each chart is named by its title and description, not "Vega visualization"
            for i in range(containers.count()):
                label = containers.nth(i).get_attribute("aria-label") or ""
                heading = containers.nth(i).locator("xpath=..").locator("h3").inner_text()
                assert label.startswith(f"{heading}. ") and len(label) > len(heading) + 20
            text = page.inner_text("body")
            for country in load_countries().values():
                name = country.names.get(lang)
                if name:
                    assert page.get_by_text(name, exact=False).first.is_visible(), name
                    assert name in text
            if lang in PRINTED:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"report_{lang}.png"), full_page=True)
                page.evaluate(
                    "document.querySelectorAll('details').forEach(d => { d.open = true; })"
                )
            axe_check(page, lang)
        finally:
            browser.close()
    assert not errors, errors
    outside = [u for u in requests if not u.startswith(("file://", "data:"))]
    assert not outside, outside


def ink_fraction(ppm: bytes) -> float:
    """Share of pixels that are not (nearly) white in a binary PPM (P6, 8 bits)."""
    fields, pos = [], 0
    while len(fields) < 4:  # magic, width, height, maxval, separated by whitespace
        while ppm[pos : pos + 1].isspace():
            pos += 1
        end = pos
        while not ppm[end : end + 1].isspace():
            end += 1
        fields.append(ppm[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", fields
    width, height = int(fields[1]), int(fields[2])
    pixels = ppm[pos + 1 : pos + 1 + 3 * width * height]
    assert len(pixels) == 3 * width * height
    inked = sum(1 for i in range(0, len(pixels), 3) if min(pixels[i : i + 3]) < 200)
    return inked / (width * height)


@pytest.mark.parametrize("lang", PRINTED)
def test_pdf_first_pages_are_not_blank(
    outputs: dict[str, tuple[Path, Path]], lang: str, tmp_path: Path
) -> None:
    for tool in (PDFTOPPM, PDFTOTEXT):
        assert tool.exists(), f"{tool} is missing: apt-get install poppler-utils"
    pdf = outputs[lang][1]
    subprocess.run(
        [
            str(PDFTOPPM),
            "-r",
            "30",
            "-f",
            "1",
            "-l",
            str(FIRST_PAGES),
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) == FIRST_PAGES
    for page in pages:
        ink = ink_fraction(page.read_bytes())
        assert 0.005 < ink < 0.6, f"{page.name}: {ink:.1%} of the page inked"
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            str(PDFTOPPM),
            "-r",
            "60",
            "-png",
            "-f",
            "2",
            "-l",
            "2",
            "-singlefile",
            str(pdf),
            str(ARTIFACTS / f"report_{lang}_pdf_page2"),
        ],
        check=True,
    )
    # every section after the first starts a page; the text is in the page's language
    text = subprocess.run(
        [str(PDFTOTEXT), str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    first_lines = {page.strip().splitlines()[0] for page in text.split("\f") if page.strip()}
    for key in list(SECTIONS.values())[1:]:
        assert t(lang, key, first=2024) in first_lines, key
    for country in load_countries().values():
        assert country.names[lang] in text
    assert t(lang, "suppressed") in text and t(lang, "title", year=2026) in text


@pytest.mark.parametrize("lang", PRINTED)
def test_pdf_has_a_table_of_contents_and_an_outline(
    outputs: dict[str, tuple[Path, Path]], lang: str
) -> None:
    assert PDFTOHTML.exists(), f"{PDFTOHTML} is missing: apt-get install poppler-utils"
    pdf = outputs[lang][1]
    first = subprocess.run(
        [str(PDFTOTEXT), "-l", "1", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    sections = [t(lang, key, first=2024) for key in SECTIONS.values()]
    contents = first[first.index(t(lang, "contents")) :]
    assert [
        line.split(". ", 1)[-1] for line in contents.splitlines()[1 : 1 + len(sections)]
    ] == sections
    xml = subprocess.run(
        [str(PDFTOHTML), "-xml", "-stdout", "-i", "-q", "-l", "1", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    outline = xml[xml.index("<outline>") :]
    for name in sections:  # every section is a bookmark, with the page it starts on
        assert f">{name}</item>" in outline, name
    assert len(set(re.findall(r'<item page="(\d+)">', outline))) >= len(sections)
