"""Print the report's pages to PDF with Debian's Chromium, headless, driven by Playwright.

The browser is ``/usr/bin/chromium`` (Debian's package; ``OBSERVATORY_CHROMIUM`` names
another): Playwright never downloads one,
and every request outside ``file://`` / ``data:`` is aborted and fails the print, so a
PDF is made without a network. The page is printed once its charts have rendered, with
the page's own print CSS (A4, one section per page, charts kept whole) and a footer with
the title and page numbers.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, PdfMargins, Route, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
RENDER_TIMEOUT_MS = 60_000
# Content width of A4 (210 mm) less the side margins below, in CSS pixels: the charts are
# laid out at the width they are printed at.
VIEWPORT: ViewportSize = {"width": 680, "height": 960}
MARGIN: PdfMargins = {"top": "14mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}
FOOTER = (
    '<div style="width:100%;margin:0 14mm;font-size:8pt;color:#5f5f5f;'
    'font-family:sans-serif;display:flex;justify-content:space-between">'
    "<span>{title}</span><span>{page}</span></div>"
)


class ReportPrintError(RuntimeError):
    """The PDF could not be printed (no Chromium, a chart failed, a network request)."""


@dataclass(frozen=True)
class PrintJob:
    html: Path
    pdf: Path
    title: str  # in the footer of every page
    page_label: str  # "Page {page} of {pages}" in the page's language


def require_chromium(executable: Path | None = None) -> Path:
    """The Chromium to print with (``OBSERVATORY_CHROMIUM``, else ``CHROMIUM``); a one-line
    error saying how to install it if it is missing."""
    executable = executable or Path(os.environ.get("OBSERVATORY_CHROMIUM") or CHROMIUM)
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        raise ReportPrintError(
            f"cannot print the report to PDF: {executable} is missing — run "
            "`scripts/install-system-packages` as root (or `sudo apt-get install chromium`), "
            "never `playwright install`"
        )
    return executable


def _footer(job: PrintJob) -> str:
    page = html.escape(job.page_label).format(
        page='<span class="pageNumber"></span>', pages='<span class="totalPages"></span>'
    )
    return FOOTER.format(title=html.escape(job.title), page=page)


def print_pdfs(jobs: Sequence[PrintJob], executable: Path | None = None) -> None:
    """Print every job's HTML page to its PDF in one browser session."""
    executable = require_chromium(executable)
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
            try:
                for job in jobs:
                    _print_one(browser, job)
            finally:
                browser.close()
    except Error as error:
        first_line = str(error).strip().splitlines()[0]
        raise ReportPrintError(f"Chromium could not print the report: {first_line}") from error


def _print_one(browser: Browser, job: PrintJob) -> None:
    page = browser.new_page(viewport=VIEWPORT)
    blocked: list[str] = []
    errors: list[str] = []

    def outside(url: str) -> bool:
        return not url.startswith(("file:", "data:"))

    def refuse(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort()

    page.route(outside, refuse)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(job.html.as_uri(), wait_until="load")
        page.wait_for_selector("body[data-charts]", timeout=RENDER_TIMEOUT_MS)
        if page.get_attribute("body", "data-charts") != "rendered" or errors:
            raise ReportPrintError(f"{job.html}: the charts did not render: {'; '.join(errors)}")
        if blocked:
            raise ReportPrintError(f"{job.html}: the page asked for the network: {blocked[0]}")
        page.pdf(
            path=str(job.pdf),
            format="A4",
            print_background=True,
            margin=MARGIN,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=_footer(job),
            outline=True,
            tagged=True,
        )
    finally:
        page.close()
