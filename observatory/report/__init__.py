"""The annual report: offline HTML pages (en, fr), PNG/SVG figures and the CSV behind them.

    from observatory.report import build_report
    build_report(Path("data/warehouse/observatory.duckdb"), Path("reports"))

writes ``reports/<year>/{en,fr}/index.html``, ``reports/<year>/figures/*.png|svg`` and
``reports/<year>/data/*.csv`` and returns the HTML paths.
"""

from observatory.report.build import build_report
from observatory.report.data import ReportDataError

__all__ = ["ReportDataError", "build_report"]
