"""The data-quality page from its Jinja2 template: what it shows of a small audit schema
(text escaped, personal data withheld, the latest validation run only), and the page in
Debian's Chromium (offline, no console error, axe-core clean). Never lets Playwright
download a browser: fails, not skips, without /usr/bin/chromium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from observatory import warehouse
from observatory.quality.page import write_page
from observatory.report.pdf import CHROMIUM, CHROMIUM_ARGS

WHEN = dt.datetime(2026, 3, 4, 5, 6)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of an audit schema with an older failed run superseded by a newer one, a
    label with a quote and markup, and a value of a free-text column."""
    folder = tmp_path_factory.mktemp("quality")
    con = warehouse.connect(folder / "w.duckdb")
    con.execute(
        "INSERT INTO audit.row_accounting VALUES "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 3, 1, 2, 'r1', NULL, NULL)"
    )
    con.execute(
        "INSERT INTO audit.quarantine VALUES "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 2, 'Commentaire libre', 'Jeanne Martin', "
        " 'cell of 20000 characters', 'r1'), "
        "(2024, 'FR', '/x/surveys/2024/FR/a.csv', 3, 'Type d''organisation', '<b>Mixte</b>', "
        " 'unknown label for org_type', 'r1')"
    )
    con.execute(
        "INSERT INTO audit.validation_results VALUES "
        "('r0', TIMESTAMP '2025-01-01', 's', 'staged', 'FR|2024', 'Old()', 'c', false, 9, true), "
        "('r1', TIMESTAMP '2026-01-01', 's', 'staged', 'FR|2024', 'New()', 'c', false, 4, false)"
    )
    con.close()
    index, _dated = write_page(folder / "w.duckdb", folder / "reports", WHEN)
    return index


def test_the_template_escapes_and_shows_the_latest_run_only(page_file: Path) -> None:
    page = page_file.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.endswith("</html>")
    assert "Generated 2026-03-04 05:06 UTC" in page
    assert "<td>&lt;b&gt;Mixte&lt;/b&gt;</td>" in page and "<b>Mixte" not in page
    assert "Type d&#39;organisation" in page and "Jeanne" not in page
    assert "1 expectation result(s) in the latest runs" in page and "Old()" not in page
    assert "<span class=ok>no blocking failure</span>, 1 warning(s)." in page
    assert '<td class="n">2</td>' in page and '<td class="bad">NO</td>' in page


def test_the_page_in_chromium(page_file: Path) -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            assert page.title() == "Data quality"
            assert page.locator("table").count() == 5  # no case study: "None."
            text = page.inner_text("body")
            assert "Type d'organisation" in text and "<b>Mixte</b>" in text
            assert page.locator("b").count() == 0  # the label's markup is text, not markup
            options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
            violations = Axe().run(page, options=options).response["violations"]
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
