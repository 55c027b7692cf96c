"""The report in a real browser (Debian's Chromium driven by Playwright), fully offline.

Never let Playwright download a browser: the test uses /usr/bin/chromium and fails, not
skips, when it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from observatory.config import load_countries
from observatory.report import build_report
from tests.report_fixture import make_fixture_warehouse

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report")
    make_fixture_warehouse(root / "warehouse.duckdb")
    paths = build_report(root / "warehouse.duckdb", root / "reports")
    return {p.parent.name: p for p in paths}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_page_renders_offline(pages: dict[str, Path], lang: str) -> None:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
        "never `playwright install`")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(pages[lang].as_uri(), wait_until="load")
            page.wait_for_selector("body[data-charts]", timeout=30_000)
            assert page.get_attribute("body", "data-charts") == "rendered", errors
            containers = page.locator(".vega-chart")
            assert containers.count() >= 7
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
