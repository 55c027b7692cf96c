"""The CLI's event log keeps one engine per SQLite file (assets/storage.py) and shares
the files with Dagster's own storage, which the daemon and the webserver use: what one
writes the other reads, while the other process writes too."""

import sqlite3
import subprocess
import sys
import textwrap
from collections import Counter

import dagster as dg
import pytest
import yaml
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from assets.runner import CLI_SETTINGS, cli_settings, project_instance
from assets.storage import OPEN_FILES, PooledSqliteEventLogStorage

waves = dg.DynamicPartitionsDefinition(name="wave")


@dg.asset(partitions_def=waves)
def counted(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"wave": context.partition_key})


def _materialised(instance: dg.DagsterInstance) -> list[str]:
    events = instance.fetch_materializations(dg.AssetKey("counted"), limit=100).records
    return sorted(str(e.asset_materialization.partition) for e in events)  # type: ignore[union-attr]


def _stock(home) -> dg.DagsterInstance:
    """The instance as the daemon and the webserver open it (dagster.yaml)."""
    return dg.DagsterInstance.from_config(str(home))


def test_the_cli_and_dagsters_own_storage_share_the_event_log(tmp_path):
    home = tmp_path / "home"
    cli = project_instance(home)
    storage = cli.event_log_storage
    assert isinstance(storage, PooledSqliteEventLogStorage)
    cli.add_dynamic_partitions("wave", ["2025", "2026"])
    for wave in ("2025", "2026"):
        assert dg.materialize([counted], instance=cli, partition_key=wave).success
    assert 0 < len(storage._engines) <= OPEN_FILES  # kept between events

    stock = _stock(home)
    assert type(stock.event_log_storage).__name__ == "SqliteEventLogStorage"
    assert _materialised(stock) == ["2025", "2026"]
    assert stock.get_dynamic_partitions("wave") == ["2025", "2026"]

    # another process (a daemon's run) writes while the CLI holds its idle connections
    writer = textwrap.dedent(
        f"""
        import dagster as dg
        @dg.asset(partitions_def=dg.DynamicPartitionsDefinition(name="wave"))
        def counted(context):
            return dg.MaterializeResult(metadata={{"wave": context.partition_key}})
        instance = dg.DagsterInstance.from_config({str(home)!r})
        instance.add_dynamic_partitions("wave", ["2027"])
        assert dg.materialize([counted], instance=instance, partition_key="2027").success
        """
    )
    subprocess.run([sys.executable, "-c", writer], check=True, timeout=300)
    assert _materialised(cli) == ["2025", "2026", "2027"]
    assert dg.materialize([counted], instance=cli, partition_key="2027").success
    assert _materialised(stock) == ["2025", "2026", "2027", "2027"]
    runs = cli.get_runs()
    assert len(runs) == 4 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_wiping_closes_the_files_it_deletes_and_the_storage_goes_on(tmp_path):
    cli = project_instance(tmp_path / "home")
    cli.add_dynamic_partitions("wave", ["2026"])
    assert dg.materialize([counted], instance=cli, partition_key="2026").success
    cli.wipe()
    assert set(cli.event_log_storage._engines) == {"index"}
    assert _materialised(cli) == [] and cli.get_dynamic_partitions("wave") == []
    cli.add_dynamic_partitions("wave", ["2026"])
    assert dg.materialize([counted], instance=cli, partition_key="2026").success
    assert _materialised(_stock(tmp_path / "home")) == ["2026"]


@pytest.mark.parametrize(
    "configured",
    [
        {"storage": {"postgres": {"postgres_db": {"hostname": "db"}}}},
        {"storage": {"sqlite": {"base_dir": "/elsewhere"}}},
        {"event_log_storage": {"module": "m", "class": "C"}},
    ],
)
def test_a_configured_storage_is_left_as_it_is(configured, tmp_path):
    settings = cli_settings({"telemetry": {"enabled": False}, **configured}, tmp_path)
    assert settings == {
        "telemetry": {"enabled": False},
        **configured,
        "compute_logs": settings["compute_logs"],
    }


def test_the_cli_settings_file_names_the_pooled_event_log(tmp_path):
    project_instance(tmp_path / "home")
    written = yaml.safe_load((tmp_path / "home" / CLI_SETTINGS).read_text())
    assert written["event_log_storage"]["class"] == "PooledSqliteEventLogStorage"
    assert written["event_log_storage"]["config"]["base_dir"] == str(
        (tmp_path / "home" / "history" / "runs").resolve()
    )
    assert "storage" not in written and "run_storage" not in written


def test_an_index_a_killed_process_left_without_tables_is_completed(tmp_path):
    """kill -9 while Dagster created the index leaves the file without its tables; the
    next refresh used to fail on every run, asking for `dagster instance migrate`."""
    index = tmp_path / "home" / "history" / "runs" / "index.db"
    index.parent.mkdir(parents=True)
    index.touch()
    cli = project_instance(tmp_path / "home")
    assert cli.get_dynamic_partitions("wave") == []
    cli.add_dynamic_partitions("wave", ["2026"])
    assert _stock(tmp_path / "home").get_dynamic_partitions("wave") == ["2026"]


def test_tables_seen_are_looked_up_once_and_a_missing_one_again(tmp_path, monkeypatch):
    """Dagster asks before each asset event and partition lookup whether the index has a
    table: the storage asks the file once per table that exists, and again each time
    for one that does not (a migration in another process may add it)."""
    cli = project_instance(tmp_path / "home")
    storage = cli.event_log_storage
    looked_up: Counter[str] = Counter()
    asked = SqliteEventLogStorage.has_table

    def counting(self: SqliteEventLogStorage, name: str) -> bool:
        looked_up[name] += 1
        return asked(self, name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting)
    cli.add_dynamic_partitions("wave", ["2025", "2026"])
    for wave in ("2025", "2026"):
        assert dg.materialize([counted], instance=cli, partition_key=wave).success
    assert looked_up["dynamic_partitions"] == 1 and set(looked_up.values()) == {1}
    assert not storage.has_table("added_later") and not storage.has_table("added_later")
    with sqlite3.connect(tmp_path / "home" / "history" / "runs" / "index.db") as other:
        other.execute("CREATE TABLE added_later (id INTEGER)")
    assert storage.has_table("added_later") and storage.has_table("added_later")
    assert looked_up["added_later"] == 3


def test_commits_to_the_wal_files_wait_for_no_fsync_of_their_own(tmp_path):
    """The CLI's connections commit at synchronous=NORMAL (assets/storage.py), to the
    index and to a run's file created in WAL mode by the run itself."""
    cli = project_instance(tmp_path / "home")
    cli.add_dynamic_partitions("wave", ["2026"])
    run_id = dg.materialize([counted], instance=cli, partition_key="2026").run_id
    storage = cli.event_log_storage
    for connection in (storage.index_connection(), storage.run_connection(run_id)):
        with connection as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
