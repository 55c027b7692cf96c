"""The annual report: offline HTML pages (en, fr), their PDFs, PNG/SVG figures and the CSV
behind them.

    from observatory.report import build_report
    build_report(Path("data/warehouse/observatory.duckdb"), Path("reports"))

writes ``reports/<year>/{en,fr}/index.html`` and ``report_<year>_<lang>.pdf`` beside each,
``reports/<year>/figures/*.png|svg`` and ``reports/<year>/data/*.csv``, and returns the
HTML and PDF paths. Printing needs Debian's Chromium at ``/usr/bin/chromium``; without
it, everything but the PDFs is published and one warning line says how to install it.
``outputs(Path("reports"))`` lists what the latest report published.
"""

from observatory.report.build import build_report
from observatory.report.data import ReportDataError
from observatory.report.outputs import outputs
from observatory.report.pdf import ReportPrintError

__all__ = ["ReportDataError", "ReportPrintError", "build_report", "outputs"]
