"""Fault injection: a refresh killed with SIGKILL while staging, while writing the
warehouse and while publishing leaves the published snapshot as it was and the next
refresh completes with a clean run's tables; a failed write publishes nothing; a file
that changes while it is read is caught by its hash.

The refreshes run as `observatory refresh` subprocesses on the sample (FR, IT): wave 2025
is published, then wave 2026 is added, with a persistent Dagster instance (the project's
pools), in which the killed run stays STARTED holding its pool slot. The kill
moment is picked by watching the subprocess's output and the warehouse folder; every
wait is bounded."""

from __future__ import annotations

import errno
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.defs.orchestration.recovery import IN_PROGRESS
from observatory import warehouse
from observatory.ingest import duckread, stage
from observatory.ingest.discover import files_for
from observatory.ingest.stage import ChangedSinceRecorded, stage_file, survey_provenance
from observatory.warehouse import publish as publishing
from tests.conftest import REPO, SAMPLE
from tests.hashing import table_hash
from tests.test_refresh import _cli as cli

COUNTRIES = ["--country", "FR", "--country", "IT"]
BEFORE = ["--wave", "2025", *COUNTRIES]  # the published state every fault starts from
REFRESH = ["--wave", "2026", *COUNTRIES]  # the refresh that is killed, then run again
CLEAN = ["--wave", "2025", "--wave", "2026", *COUNTRIES]  # the same tables from scratch
ANALYST_FILES = {"observatory.duckdb", "parquet", "DATA_DICTIONARY.md"}
KILL_WITHIN_S = 300


def observatory_env(root: Path, raw: Path) -> dict[str, str]:
    """Paths under `root` for the CLI, and a persistent Dagster instance of its own (with
    the project's pools), as users run it: a killed run stays in it."""
    return {
        "OBSERVATORY_RAW_DIR": str(raw),
        "OBSERVATORY_WAREHOUSE_DIR": str(root / "warehouse"),
        "OBSERVATORY_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }


def _hashes(db: Path) -> dict[str, str]:
    """Content hash of every core and mart table (audit tables hold run ids and times)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE schema_name IN ('core', 'marts') ORDER BY 1"
        ).fetchall()
        return {t: table_hash(con, t) for (t,) in tables}
    finally:
        con.close()


def _state(root: Path) -> dict[str, object]:
    """What analysts see: the published tables, the dictionary, the Parquet export."""
    wh = root / "warehouse"
    return {
        "tables": _hashes(wh / "observatory.duckdb"),
        "dictionary": (wh / "DATA_DICTIONARY.md").read_bytes(),
        "parquet": sorted(
            (p.name, p.stat().st_size) for p in (wh / "parquet").resolve().rglob("*.parquet")
        ),
    }


def _leftovers(root: Path) -> list[Path]:
    return [
        p
        for p in (root / "warehouse").rglob("*")
        if p.name.endswith((".partial", ".partial.wal", ".incoming"))
    ]


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> Path:
    """A warehouse published from wave 2025: the state every fault starts from."""
    root = tmp_path_factory.mktemp("before")
    done = cli("refresh", *BEFORE, env=observatory_env(root, SAMPLE))
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Table hashes of an uninterrupted refresh from scratch."""
    root = tmp_path_factory.mktemp("clean")
    done = cli("refresh", *CLEAN, env=observatory_env(root, SAMPLE))
    assert done.returncode == 0, done.stderr
    wh = root / "warehouse"
    return {
        "pipeline": _hashes(wh / "pipeline.duckdb"),
        "published": _hashes(wh / "observatory.duckdb"),
    }


def _copy(before: Path, tmp_path: Path) -> Path:
    shutil.copytree(before / "warehouse", tmp_path / "warehouse", symlinks=True)
    return tmp_path


# --- kill -9 ---------------------------------------------------------------------------


class KillPoint:
    """Kill when `line` has been printed (if given) and then `ready(warehouse dir,
    mtime of the pipeline file when the line was seen)` holds; `until` is a line that
    must not have been printed by then (the kill point was missed)."""

    def __init__(
        self, line: str | None, ready: Callable[[Path, int], bool], until: str = "^refresh done"
    ) -> None:
        self.line, self.ready, self.since = re.compile(line) if line else None, ready, None
        self.until = re.compile(until)

    def reached(self, output: list[str], wh: Path) -> bool:
        if self.since is None:
            if self.line and not any(self.line.search(o) for o in output):
                return False
            self.since = (wh / "pipeline.duckdb").stat().st_mtime_ns
        return self.ready(wh, self.since)


def _wal(wh: Path) -> bool:
    return (wh / "pipeline.duckdb.wal").exists()


def _writing(wh: Path, since: int) -> bool:
    """The pipeline file has a write in flight (its WAL) or has been written since."""
    return _wal(wh) or (wh / "pipeline.duckdb").stat().st_mtime_ns > since


def _second_write(wh: Path, since: int) -> bool:
    """A write in flight after the pipeline file was written once (by the raw step):
    a staging transaction."""
    return _wal(wh) and (wh / "pipeline.duckdb").stat().st_mtime_ns > since


def _publishing(wh: Path, _since: int) -> bool:
    return any((wh / "snapshots").glob("*.partial"))


KILL_POINTS = {
    # the ingest run has recorded provenance and is writing a staged partition
    "staging": lambda: KillPoint(r"^ingesting", _second_write, until=r"^building"),
    # the build has begun writing core tables
    "warehouse write": lambda: KillPoint(r"^building core tables", _writing),
    # the new snapshot is being written beside the published one
    "publishing": lambda: KillPoint(None, _publishing),
}


STOP_WITHIN_S = 60  # a hang bound, not a speed target: a stop takes a few seconds


def _refresh_killed_at(
    root: Path, point: KillPoint, sig: signal.Signals = signal.SIGKILL
) -> tuple[list[str], int]:
    """Run the refresh and send `sig` to its process group at `point`; returns its
    output and exit code."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "observatory.cli", "refresh", *REFRESH],
        cwd=REPO,
        env={**os.environ, **observatory_env(root, SAMPLE)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    output, deadline = [], time.monotonic() + KILL_WITHIN_S
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            while not lines.empty():
                output.append(lines.get())
            if point.reached(output, root / "warehouse"):
                os.killpg(proc.pid, sig)
                proc.wait(timeout=STOP_WITHIN_S)
                reader.join(timeout=30)  # everything printed before the kill
                output += list(lines.queue)
                assert not any(point.until.search(o) for o in output), output
                return output, proc.returncode
            time.sleep(0.002)
        pytest.fail(f"the refresh ended before the kill point (rc {proc.poll()}): {output}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        proc.stdout.close()


@pytest.mark.parametrize("where", list(KILL_POINTS))
def test_a_killed_refresh_leaves_the_published_warehouse_and_the_next_run_completes(
    where, before, clean, tmp_path
):
    root = _copy(before, tmp_path)
    previous = _state(root)
    _refresh_killed_at(root, KILL_POINTS[where]())
    assert _state(root) == previous  # opens read-only, same content, whole Parquet export
    names = {p.name for p in (root / "warehouse").iterdir()}
    assert names - ANALYST_FILES <= {"pipeline.duckdb", "pipeline.duckdb.wal", "snapshots"}

    done = cli("refresh", *REFRESH, env=observatory_env(root, SAMPLE))
    assert done.returncode == 0, done.stderr
    # the killed run held the warehouse slot: recovered without a manual step, not waited on
    assert re.search(r"recovered run \w+ \(\w+\): its process \d+ is gone", done.stdout)
    assert "waiting for run" not in done.stdout
    wh = root / "warehouse"
    assert _hashes(wh / "pipeline.duckdb") == clean["pipeline"]
    assert _hashes(wh / "observatory.duckdb") == clean["published"]
    assert _leftovers(root) == []
    assert _state(root)["tables"] != previous["tables"]  # wave 2026 is published now


RANDOM_KILLS = 5  # kill -9 at this many random moments before the plain refresh


def test_kills_at_random_moments_then_a_plain_refresh_equals_a_clean_run(before, clean, tmp_path):
    """kill -9 at random moments of the refresh (seed printed; OBSERVATORY_FAULT_SEED
    replays a failure): after each, the published tables are the old ones or, had the
    refresh finished, the new ones; then a plain refresh, with no manual step, ends
    with the tables of a clean run."""
    seed = int(os.environ.get("OBSERVATORY_FAULT_SEED") or time.time_ns() % 10**6)
    print(f"OBSERVATORY_FAULT_SEED={seed}")
    rng, root = random.Random(seed), _copy(before, tmp_path)
    allowed = [_state(root)["tables"], clean["published"]]
    for _ in range(RANDOM_KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "observatory.cli", "refresh", *REFRESH],
            cwd=REPO,
            env={**os.environ, **observatory_env(root, SAMPLE)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=rng.uniform(1.0, 40.0))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        assert _state(root)["tables"] in allowed, f"seed {seed}"
    done = cli("refresh", *REFRESH, env=observatory_env(root, SAMPLE))
    assert done.returncode == 0, f"seed {seed}: {done.stderr}"
    assert "waiting for run" not in done.stdout
    assert _hashes(root / "warehouse" / "pipeline.duckdb") == clean["pipeline"], f"seed {seed}"
    assert _hashes(root / "warehouse" / "observatory.duckdb") == clean["published"]
    assert _leftovers(root) == []


def test_a_pipeline_file_a_crash_damaged_is_moved_aside_and_the_refresh_completes(
    before, clean, tmp_path
):
    """A block of the pipeline file no longer matches its checksum, as a kill during a
    checkpoint left it once in six runs: the next plain refresh moves it aside, stages
    again what was published (wave 2025) with what it was asked (2026), and ends with
    the tables of a clean run."""
    root = _copy(before, tmp_path)
    pipeline = root / "warehouse" / "pipeline.duckdb"
    with pipeline.open("r+b") as handle:
        handle.seek(12288 + 64)
        handle.write(bytes(range(256)))
    done = cli("refresh", *REFRESH, env=observatory_env(root, SAMPLE))
    assert done.returncode == 0, done.stderr
    (line,) = [o for o in done.stdout.splitlines() if " is damaged " in o]
    assert line.startswith(f"{pipeline} is damaged (Corrupt database file: ") and line.endswith(
        "staging again the 4 partition(s) asked for or published"
    )
    assert [p.name.split("-")[0] for p in pipeline.parent.glob("*.damaged-*")] == [
        "pipeline.duckdb.damaged"
    ]
    assert _hashes(pipeline) == clean["pipeline"]
    assert _hashes(root / "warehouse" / "observatory.duckdb") == clean["published"]


@pytest.mark.parametrize(
    ("sig", "where"),
    [(signal.SIGTERM, "staging"), (signal.SIGINT, "warehouse write")],
    ids=["SIGTERM while staging", "SIGINT while building"],
)
def test_sigterm_or_ctrl_c_stops_a_refresh_in_seconds_and_frees_its_slot(
    sig, where, before, tmp_path
):
    root = _copy(before, tmp_path)
    previous = _state(root)
    output, code = _refresh_killed_at(root, KILL_POINTS[where](), sig)

    assert code == 128 + sig, output
    assert output[-1].strip() == (
        f"refresh stopped by {sig.name}: the published warehouse is unchanged"
    ), output
    assert not any("Traceback" in line for line in output), "".join(output)
    assert _state(root) == previous
    assert _leftovers(root) == []
    # nothing left running or holding the warehouse slot for the next refresh to wait on
    instance = dg.DagsterInstance.from_config(str(root / "dagster_home"))
    assert instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS)) == []
    assert instance.event_log_storage.get_concurrency_info("warehouse").claimed_slots == []


# --- write failures --------------------------------------------------------------------

DISK_FULL = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    from observatory import warehouse
    from observatory.warehouse.publish import PublishError, publish
    wh, limit = Path(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
    con = warehouse.connect(wh / "pipeline.duckdb")
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        publish(con, wh / "observatory.duckdb", wh / "snapshots")
    except PublishError as exc:
        print(exc)
        sys.exit(3)
""")


def _snapshots(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "warehouse" / "snapshots").iterdir())


def test_running_out_of_space_while_publishing_publishes_nothing(before, tmp_path):
    root = _copy(before, tmp_path)
    previous, snapshots = _state(root), _snapshots(root)
    done = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(root / "warehouse"), str(2 * 2**20)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith("publishing the analyst snapshot failed, ")
    assert "is unchanged" in done.stdout and "File too large" in done.stdout
    assert len(done.stdout.strip().splitlines()) == 1
    assert _state(root) == previous
    assert _snapshots(root) == snapshots and _leftovers(root) == []


def test_a_failed_rename_while_publishing_publishes_nothing(before, tmp_path, monkeypatch):
    root = _copy(before, tmp_path)
    wh = root / "warehouse"
    previous, snapshots = _state(root), _snapshots(root)
    (wh / "snapshots" / "observatory-20000101T000000000000Z.partial").write_bytes(b"torn")

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    con = warehouse.connect(wh / "pipeline.duckdb")
    monkeypatch.setattr(publishing.os, "replace", full)
    with pytest.raises(publishing.PublishError, match="is unchanged: OSError: .*No space left"):
        publishing.publish(con, wh / "observatory.duckdb", wh / "snapshots")
    monkeypatch.undo()
    assert _state(root) == previous
    assert _snapshots(root) == snapshots and _leftovers(root) == []  # the torn file too
    publishing.publish(con, wh / "observatory.duckdb", wh / "snapshots")
    con.close()
    assert len(_snapshots(root)) == len(snapshots) + 2  # a new dated file and its Parquet
    assert _state(root) == previous  # same tables, published again


# --- a file that changes while it is read ----------------------------------------------


@pytest.fixture()
def export(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE / "surveys" / "2025" / "FR", raw / "surveys" / "2025" / "FR")
    (survey,) = files_for(raw, 2025, "FR")
    return survey


def _append_row(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"FR-2025-99999;late row\n")


def test_a_file_changed_after_its_provenance_was_recorded_is_refused(export):
    recorded = survey_provenance(export).sha256
    assert stage_file(export, recorded).rows_read > 300
    _append_row(export.path)
    with pytest.raises(
        ChangedSinceRecorded,
        match=re.escape(str(export.path))
        + r": content differs from the recorded provenance .*re-run the raw",
    ):
        stage_file(export, recorded)


def test_a_file_changed_while_it_is_read_is_refused(export, monkeypatch):
    recorded, read = survey_provenance(export).sha256, stage.read_chunks

    def read_then_change(*args: object, **kwargs: object):
        yield from read(*args, **kwargs)
        _append_row(export.path)  # another process writes while the reader finishes

    def parse_then_change(*args: object, **kwargs: object) -> int | None:
        rows = parse(*args, **kwargs)
        _append_row(export.path)
        return rows

    parse = duckread.read_text
    monkeypatch.setattr(stage, "read_chunks", read_then_change)
    monkeypatch.setattr(duckread, "read_text", parse_then_change)
    with pytest.raises(ChangedSinceRecorded, match=re.escape(str(export.path))):
        stage_file(export, recorded)  # the DuckDB path
    monkeypatch.setattr(duckread, "read_text", parse)  # the row appended is ragged:
    with pytest.raises(ChangedSinceRecorded):  # the DuckDB path declines, the Python path
        stage_file(export, None)  # reads; caught even without a recorded hash
