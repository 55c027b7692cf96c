"""Snapshot retention: the latest N, the published one and those behind a published
report are kept; the rest go after each publish and with `observatory snapshots prune`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from observatory.cli import main
from observatory.config import load_settings
from observatory.warehouse import retention
from observatory.warehouse.publish import publish


def stamp(day: int) -> str:
    return f"observatory-202611{day:02d}T060000000000Z.duckdb"


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Seven dated snapshots (1 to 7 November) with their Parquet exports, the last one
    published, and the 2025 report built from the one of 2 November."""
    folder = tmp_path / "warehouse" / "snapshots"
    folder.mkdir(parents=True)
    for day in range(1, 8):
        (folder / stamp(day)).write_bytes(b"%d" % day * 850_000)
        (folder / stamp(day).replace(".duckdb", "-parquet") / "marts").mkdir(parents=True)
        (folder / stamp(day).replace(".duckdb", "-parquet") / "marts" / "x.parquet").write_bytes(
            b"p" * 50_000
        )
    os.link(folder / stamp(7), tmp_path / "warehouse" / "observatory.duckdb")
    (tmp_path / "reports" / "2025").mkdir(parents=True)
    (tmp_path / "reports" / "2025" / "snapshot.txt").write_text(f"{stamp(2)}\n")
    monkeypatch.setenv("OBSERVATORY_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("OBSERVATORY_REPORTS_DIR", str(tmp_path / "reports"))
    return tmp_path / "warehouse"


def kept(warehouse: Path, keep: int = 3) -> dict[str, tuple[str, ...]]:
    return {
        s.path.name: s.reasons
        for s in retention.snapshots(
            warehouse / "snapshots",
            warehouse / "observatory.duckdb",
            warehouse.parent / "reports",
            keep,
        )
    }


def test_the_policy_keeps_the_latest_the_published_and_the_reported(warehouse):
    assert kept(warehouse) == {
        stamp(7): ("published", "latest 3"),
        stamp(6): ("latest 3",),
        stamp(5): ("latest 3",),
        stamp(4): (),
        stamp(3): (),
        stamp(2): ("report 2025",),
        stamp(1): (),
    }
    # a published copy (no hard link) is recognised by its bytes
    published = warehouse / "observatory.duckdb"
    published.unlink()
    shutil.copyfile(warehouse / "snapshots" / stamp(4), published)
    assert kept(warehouse)[stamp(4)] == ("published",)


def test_snapshots_lists_then_prunes_with_a_dry_run_first(warehouse, capsys):
    assert main(["snapshots", "--keep", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{stamp(7)}  2026-11-07 06:00:00 UTC       0.9 MB  keep: published, latest 3"
    )
    assert lines[3] == f"{stamp(4)}  2026-11-04 06:00:00 UTC       0.9 MB  delete"
    assert lines[-1] == (
        f"snapshots: 7 in {warehouse / 'snapshots'} (6.3 MB); policy: keep the "
        f"latest 3, the published one and those behind a published report: 3 "
        f"to delete (2.7 MB)"
    )
    before = sorted(os.listdir(warehouse / "snapshots"))
    assert main(["snapshots", "prune", "--dry-run", "--keep", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [f"would delete {stamp(d)} (0.9 MB)" for d in (4, 3, 1)]
    assert sorted(os.listdir(warehouse / "snapshots")) == before
    assert main(["snapshots", "prune", "--keep", "3"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(": 3 deleted (2.7 MB)")
    assert sorted(os.listdir(warehouse / "snapshots")) == sorted(
        name for day in (2, 5, 6, 7) for name in (stamp(day), stamp(day)[:-7] + "-parquet")
    )


def test_a_negative_keep_is_a_usage_error(warehouse, capsys):
    assert main(["snapshots", "prune", "--keep", "-1"]) == 2
    assert capsys.readouterr().out == "snapshots: --keep must be 0 or more, not -1\n"


def test_each_publish_applies_the_policy(warehouse):
    from observatory.warehouse import connect

    con = connect(warehouse / "pipeline.duckdb")  # the warehouse's schema, empty
    con.execute("CREATE TABLE marts.x AS SELECT 1 AS a")
    dated, _ = publish(
        con,
        warehouse / "observatory.duckdb",
        warehouse / "snapshots",
        now=dt.datetime(2026, 11, 8, 6, tzinfo=dt.UTC),
    )
    keep = load_settings().keep_snapshots
    assert keep == 5
    assert sorted(p.name for p in (warehouse / "snapshots").glob("*.duckdb")) == [
        stamp(2),
        *(stamp(day) for day in range(4, 8)),
        dated.name,
    ]


def test_an_unexpected_error_is_one_line_unless_debug(warehouse, capsys, monkeypatch):
    def gone(*_args: object) -> None:
        raise PermissionError("[Errno 13] Permission denied: 'snapshots'")

    monkeypatch.setattr(retention, "snapshots", gone)
    assert main(["snapshots"]) == 1
    assert capsys.readouterr().err == (
        "observatory snapshots: PermissionError: [Errno 13] "
        "Permission denied: 'snapshots' (--debug shows the "
        "traceback)\n"
    )
    with pytest.raises(PermissionError):
        main(["snapshots", "--debug"])


def test_validation_results_of_older_warehouses_get_dagster_partition_labels(tmp_path):
    """Warehouse 1.3: a label written wave|country before reads country|wave (Dagster's
    key) once the pipeline opens the file; labels already in that form are left alone."""
    from observatory.warehouse import connect

    con = connect(tmp_path / "pipeline.duckdb")
    con.execute(
        "INSERT INTO audit.validation_results (suite, target, partition, expectation, "
        "success, blocking) SELECT 's', 't', p, 'e', true, true "
        "FROM unnest(['2025|FR', 'IT|2026', NULL]) AS t(p)"
    )
    con.close()
    con = connect(tmp_path / "pipeline.duckdb")
    labels = con.execute("SELECT partition FROM audit.validation_results ORDER BY ALL")
    assert labels.fetchall() == [("FR|2025",), ("IT|2026",), (None,)]
    con.close()


def test_validation_results_keep_the_last_runs_and_each_partitions_latest(tmp_path):
    """Retention of audit.validation_results: the latest N runs whole, plus the latest
    run of each suite x table x partition; a killed run's rows go like any other."""
    from observatory.warehouse import connect
    from observatory.warehouse.publish import prune_validation_results

    con = connect(tmp_path / "pipeline.duckdb")
    runs = [
        ("r0", ["FR|2025", "IT|2025"]),
        ("r1", ["FR|2025"]),
        ("killed", ["FR|2026"]),
        ("r3", ["FR|2026"]),
        ("r4", ["FR|2026"]),
        ("r5", ["FR|2026"]),
    ]
    for hour, (run, partitions) in enumerate(runs):
        for partition in [*partitions, None]:
            con.execute(
                "INSERT INTO audit.validation_results (run_id, checked_at, suite, "
                "target, partition, expectation, success, blocking) VALUES "
                "(?, TIMESTAMP '2026-12-01' + to_hours(?), ?, ?, ?, 'e', true, true)",
                [
                    run,
                    hour,
                    "core" if partition is None else "staged",
                    "core.respondents" if partition is None else "staging.responses",
                    partition,
                ],
            )
    assert prune_validation_results(con, keep=2) == 7
    kept = con.execute(
        "SELECT run_id, partition FROM audit.validation_results "
        "ORDER BY run_id, partition NULLS FIRST"
    ).fetchall()
    assert kept == [
        ("r0", "IT|2025"),
        ("r1", "FR|2025"),
        ("r4", None),
        ("r4", "FR|2026"),
        ("r5", None),
        ("r5", "FR|2026"),
    ]
