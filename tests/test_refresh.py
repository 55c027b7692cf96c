"""Refresh behaviour on small copies of the sample: idempotence, a bad export that
stops the run without touching the published warehouse, and the CLI."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from assets.definitions import build_defs
from assets.runner import refresh
from observatory.config import load_settings
from tests.conftest import REPO, SAMPLE, make_resource
from tests.hashing import table_hash

SUBSET = {"waves": [2024], "countries": ["FR", "GR"]}
RANGE = {"waves": [2024], "countries": ["HR", "FR"]}  # one run: adjacent in countries.yaml


@pytest.fixture()
def small(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    return tmp_path, raw, build_defs(make_resource(tmp_path, raw))


def _hashes(warehouse_dir) -> dict[str, str]:
    con = duckdb.connect(str(warehouse_dir / "pipeline.duckdb"), read_only=True)
    tables = [
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('staging', 'core', 'marts')"
        ).fetchall()
    ]
    hashes = {t: table_hash(con, t) for t in tables}
    con.close()
    return hashes


def _moves(warehouse_dir) -> int:
    """Transactions the last staged step moved its partitions in (a time each)."""
    with duckdb.connect(str(warehouse_dir / "pipeline.duckdb"), read_only=True) as con:
        query = "SELECT count(DISTINCT loaded_at) FROM audit.row_accounting"
        return con.execute(query).fetchone()[0]


def test_refreshing_twice_leaves_the_same_tables(small, budget, monkeypatch):
    """The first time with a memory budget that moves each partition alone
    (`move_records`), the second with the default one: the partitions moved together."""
    root, raw, defs = small
    budget()
    assert refresh(defs, raw, progress=lambda _: None, **RANGE).ok
    first = _hashes(root / "warehouse")
    assert _moves(root / "warehouse") == 2
    monkeypatch.delenv("OBSERVATORY_SETTINGS")
    load_settings.cache_clear()
    assert refresh(defs, raw, progress=lambda _: None, **RANGE).ok
    assert _hashes(root / "warehouse") == first
    assert _moves(root / "warehouse") == 1
    assert len(first) >= 15


def test_a_failed_move_fails_its_partitions_and_loads_nothing_of_them(small, monkeypatch):
    """The staged partitions are moved in one transaction: if it fails (here writing
    their row accounting), the step fails naming them, and nothing of them is loaded."""
    import observatory.ingest.stage as stage

    root, raw, defs = small

    def full(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(stage, "_account", full)
    summary = refresh(defs, raw, progress=lambda _: None, **RANGE)
    assert summary.problems == [
        "partitions 2024 HR, 2024 FR: unexpected OSError: No space left on device "
        "(nothing of these partitions was loaded; re-run them)"
    ]
    with duckdb.connect(str(root / "warehouse" / "pipeline.duckdb"), read_only=True) as con:
        for table in ("staging.responses", "audit.quarantine", "audit.row_accounting"):
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_bad_export_stops_the_run_and_keeps_the_published_warehouse(small):
    root, raw, defs = small
    assert refresh(defs, raw, progress=lambda _: None, **SUBSET).ok
    published = root / "warehouse" / "observatory.duckdb"
    before = hashlib.sha256(published.read_bytes()).hexdigest()

    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    lines[0] += ";Colonne inconnue"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")

    summary = refresh(defs, raw, progress=lambda _: None, **SUBSET)
    assert not summary.ok
    assert any(
        "survey_fr_2024.csv:1:Colonne inconnue: column not in the 2024 instrument" in p
        for p in summary.problems
    ), summary.problems
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before


def test_a_wave_without_its_population_frame_stops_the_build_saying_which(small):
    """Regression: with no frame for a wave its weights were NULL, and the suite that
    should have stopped the build read as passed (see test_quality)."""
    root, raw, defs = small
    frame = raw / "frames" / "frame_2024.csv"
    rows = frame.read_text(encoding="utf-8").splitlines()
    frame.write_text("\n".join(r for r in rows if not r.startswith("GR,")) + "\n", encoding="utf-8")
    summary = refresh(defs, raw, progress=lambda _: None, **SUBSET)
    assert not summary.ok
    assert any(
        "check population_frames failed" in p
        and "2024 GR: no population for association, company" in p
        and str(frame) in p  # its pilot's org types
        for p in summary.problems
    ), summary.problems
    assert any("weight: ExpectColumnValuesToNotBeNull() failed" in p for p in summary.problems), (
        summary.problems
    )
    assert not (root / "warehouse" / "observatory.duckdb").exists()  # nothing published


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "observatory.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_cli_refresh_and_sql(tmp_path):
    env = {
        "OBSERVATORY_RAW_DIR": str(SAMPLE),
        "OBSERVATORY_WAREHOUSE_DIR": str(tmp_path / "w"),
        "OBSERVATORY_REPORTS_DIR": str(tmp_path / "r"),
        "DAGSTER_HOME": str(tmp_path / "d"),
    }
    done = _cli("refresh", "--wave", "2025", "--country", "EL", env=env)
    assert done.returncode == 0, done.stderr
    assert "[1/1] 2025 GR:" in done.stdout
    query = _cli(
        "sql",
        "SELECT country, count(*) AS n FROM core.respondents GROUP BY ALL",
        "--format",
        "csv",
        env=env,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.splitlines()[0] == "country,n"
    assert query.stdout.splitlines()[1].startswith("GR,")
    bad = _cli("sql", "SELECT * FROM nowhere", env=env)
    assert bad.returncode == 1 and "sql error" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_generate_sample_is_deterministic(tmp_path):
    for out in ("a", "b"):
        done = _cli(
            "generate-sample",
            "--seed",
            "5",
            "--out",
            str(tmp_path / out),
            "--waves",
            "2026",
            "--min-responses",
            "20",
            "--max-responses",
            "30",
        )
        assert done.returncode == 0, done.stderr
    a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert a and all(
        (tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in a
    )


def test_dagster_definitions_validate():
    done = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All code locations passed validation" in done.stdout + done.stderr


def test_one_bad_export_in_a_range_fails_only_its_partition_in_one_line_each(tmp_path):
    """HR and FR are adjacent: one run stages both. The CLI reports HR as staged and FR
    as failed, with the problem as one line and no Dagster traceback."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    lines = export.read_text(encoding="utf-8-sig").splitlines()
    export.write_text(
        "\n".join([lines[0] + ";Colonne inconnue", *lines[1:]]) + "\n", encoding="utf-8-sig"
    )
    env = {
        "OBSERVATORY_RAW_DIR": str(raw),
        "OBSERVATORY_WAREHOUSE_DIR": str(tmp_path / "w"),
        "OBSERVATORY_REPORTS_DIR": str(tmp_path / "r"),
        "DAGSTER_HOME": str(tmp_path / "d"),
    }
    done = _cli("refresh", "--wave", "2024", "--country", "HR", "--country", "FR", env=env)
    assert done.returncode == 1
    assert "in 1 run(s)" in done.stdout
    assert re.search(r"\[1/2\] 2024 HR: \d+ read, \d+ loaded, \d+ quarantined", done.stdout)
    assert "[2/2] 2024 FR: FAILED" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    problems = [line for line in done.stderr.splitlines() if "Colonne inconnue" in line]
    assert problems == [
        f"2024 FR: {export}:1:Colonne inconnue: column not in the 2024 instrument for language fr"
    ], done.stderr


def test_refresh_with_the_report_and_no_printer_publishes_all_but_the_pdf_in_one_line(tmp_path):
    env = {
        "OBSERVATORY_RAW_DIR": str(SAMPLE),
        "OBSERVATORY_WAREHOUSE_DIR": str(tmp_path / "w"),
        "OBSERVATORY_REPORTS_DIR": str(tmp_path / "r"),
        "DAGSTER_HOME": str(tmp_path / "d"),
        "OBSERVATORY_CHROMIUM": str(tmp_path / "no-chromium"),
    }
    done = _cli(
        "refresh", "--report", "--wave", "2024", "--country", "FR", "--country", "IT", env=env
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stdout.splitlines() if "cannot print" in line]
    assert warnings == [
        f"warning: cannot print the report to PDF: {tmp_path / 'no-chromium'} "
        "is missing — run `scripts/install-system-packages` as root (or `sudo "
        "apt-get install chromium`), never `playwright install`; the report is "
        "published without its PDF"
    ]
    listed = [line.strip() for line in done.stdout.splitlines() if line.startswith("  /")]
    assert listed == [
        str(tmp_path / "r" / "2024" / p)
        for p in (
            "en/index.html",
            "fr/index.html",
            "figures",
            "data",
            "data_2024.zip",
            "CITATION.cff",
            "datacite.json",
        )
    ]
    assert (tmp_path / "w" / "observatory.duckdb").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--wave", "2031"],
            "argument --wave: wave 2031 is not in the codebook (known waves: 2024, 2025, 2026)",
        ),
        (["--country", "XX"], "argument --country: unknown country 'XX'"),
    ],
)
def test_refresh_names_an_unknown_wave_or_country_as_a_usage_error(args, message):
    done = _cli("refresh", *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_an_unexpected_error_fails_only_its_partition_naming_its_file(small, monkeypatch):
    """Not a known data problem (a bug, a library error): still the partition's failure,
    one line naming the file; the other partition of the run is staged."""
    import assets.defs.staged.assets as staged

    tmp, raw, defs = small
    real = staged.file_chunks

    def file_chunks(survey, expected):
        if survey.country == "FR":
            raise ZeroDivisionError("division by zero\nsecond line")
        return real(survey, expected)

    monkeypatch.setattr(staged, "file_chunks", file_chunks)
    lines: list[str] = []
    summary = refresh(defs, raw, waves=[2024], countries=["HR", "FR"], progress=lines.append)
    export = raw / "surveys" / "2024" / "FR" / "survey_fr_2024.csv"
    assert summary.problems == [
        f"2024 FR: {export}: unexpected ZeroDivisionError: division "
        "by zero (nothing of this partition was loaded)"
    ]
    assert any(re.match(r"\[\d/2\] 2024 HR: \d+ read", line) for line in lines), lines
    assert not (tmp / "warehouse" / "observatory.duckdb").exists()
