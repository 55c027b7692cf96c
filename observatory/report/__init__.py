"""The annual report: offline HTML pages in every report language (en, fr, hr, de, el,
it), their PDFs, PNG/SVG figures, the data behind them with their descriptions, and the
records to cite it.

    from observatory.report import build_report
    build_report(Path("data/warehouse/observatory.duckdb"), Path("reports"))

writes ``reports/<year>/<lang>/index.html`` and ``report_<year>_<lang>.pdf`` beside each,
``reports/<year>/figures/*.png|svg``, ``reports/<year>/data/`` (CSVs, their
``.metadata.json``, README.md, quality.json), ``data_<year>.zip``, ``CITATION.cff`` and
``datacite.json``, and returns the HTML and PDF paths. The words come from the message
catalogs in ``locales/`` (:mod:`.text`). Printing needs Debian's Chromium at
``/usr/bin/chromium``; without it, everything but the PDFs is published and one warning
line says how to install it. ``outputs(Path("reports"))`` lists what the latest report
published.
"""

from observatory.report.build import build_report
from observatory.report.data import ReportDataError
from observatory.report.outputs import outputs
from observatory.report.pdf import ReportPrintError
from observatory.report.text import LANGUAGES, TranslationError

__all__ = [
    "LANGUAGES",
    "ReportDataError",
    "ReportPrintError",
    "TranslationError",
    "build_report",
    "outputs",
]
