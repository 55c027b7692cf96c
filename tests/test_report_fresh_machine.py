"""A fresh machine without Chromium: the report is published all the same, but for its
PDFs, and one warning line says how to get them; `outputs` lists what was published."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.cli import main
from observatory.report import ReportPrintError, build_report, outputs
from observatory.report import build as report_build
from observatory.report.pdf import PrintJob
from tests.report_fixture import SNAPSHOT, make_published_warehouse


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A published warehouse as a refresh leaves it: a hard link to its dated snapshot."""
    return make_published_warehouse(tmp_path / "warehouse").parent


def test_without_chromium_everything_but_the_pdf_is_published(
    published: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reports, nowhere = tmp_path / "reports", tmp_path / "nowhere" / "chromium"
    stale = reports / "2026" / "en" / "report_2026_en.pdf"  # printed by an earlier build
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF- of another warehouse")
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no chromium on the PATH either
    monkeypatch.setenv("OBSERVATORY_CHROMIUM", str(nowhere))
    monkeypatch.setenv("OBSERVATORY_WAREHOUSE_DIR", str(published))
    monkeypatch.setenv("OBSERVATORY_REPORTS_DIR", str(reports))
    assert main(["report", "--lang", "en,de"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"warning: cannot print the report to PDF: {nowhere} is missing — run "
        "`scripts/install-system-packages` as root (or `sudo apt-get install chromium`), "
        "never `playwright install`; the report is published without its PDF"
    ]
    year = reports / "2026"
    assert out.splitlines() == [
        str(year / "en" / "index.html"),
        str(year / "de" / "index.html"),
        str(year / "figures"),
        str(year / "data"),
        str(year / "data_2026.zip"),
        str(year / "CITATION.cff"),
        str(year / "datacite.json"),
    ]
    assert outputs(reports, languages=["en", "de"]) == [Path(line) for line in out.splitlines()]
    assert not list(reports.rglob("*.pdf"))  # the stale PDF went with the old build
    for page in outputs(reports)[:2]:
        assert page.stat().st_size > 100_000
    assert len(list((year / "figures").glob("*_en.png"))) >= 10
    assert (year / "data" / "levers_by_country.csv").stat().st_size > 0
    # the snapshot behind the report, which retention keeps (tests/test_snapshots.py)
    assert (year / "snapshot.txt").read_text(encoding="utf-8") == f"{SNAPSHOT}\n"


def test_a_failed_print_publishes_no_half_printed_pdf(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(jobs: list[PrintJob]) -> None:
        jobs[0].pdf.write_bytes(b"%PDF- torn")
        raise ReportPrintError("Chromium could not print the report: Target crashed")

    monkeypatch.setattr(report_build, "print_pdfs", crash)
    warnings: list[str] = []
    pages = build_report(
        published / "observatory.duckdb",
        tmp_path / "reports",
        languages=["en"],
        warn=warnings.append,
    )
    assert pages == [tmp_path / "reports" / "2026" / "en" / "index.html"]
    assert warnings == [
        "Chromium could not print the report: Target crashed; the report is "
        "published without its PDF"
    ]
    assert not list((tmp_path / "reports").rglob("*.pdf"))


def test_outputs_of_no_report_is_empty(tmp_path: Path) -> None:
    assert outputs(tmp_path / "reports") == []
    (tmp_path / "reports" / "data-quality").mkdir(parents=True)
    assert outputs(tmp_path / "reports") == []
