"""The event log of `observatory refresh` on the single-user SQLite instance: Dagster's
own SQLite event log storage (same files, same schema, same queries), keeping one
SQLAlchemy engine per database file instead of creating and disposing of one for every
event it writes.

Dagster's SqliteEventLogStorage opens a new engine (and so a new connection and an
empty statement cache) for each event, each asset-event mirror in the index and each
dynamic-partition lookup: storing an asset event cost 17.5 ms of CPU, 6.4 ms with the
engine kept, and a refresh of the 50 bench partitions writes ~400 events.
Connections rest in the engine's pool between transactions, holding no lock, so the
daemon, the webserver and other runs read and write the same files as before.

It also remembers, for the life of the process, the index's tables and the asset-key
table's columns once it has seen them, which Dagster otherwise looks up again for every
asset event (`has_table`, `_has_asset_key_col_on_connection`) and every
dynamic-partition lookup (`_check_partitions_table`): a new engine and a schema query
each time, 1.3 s of a 7.5 k refresh's CPU profile (py-spy). Only what exists is
remembered, never an absence: Dagster's migrations (`dagster instance migrate`, run by
any process) add tables and columns and never drop them, and a wipe deletes rows, not
tables; a table still missing is looked up again at the next call, so one that another
process adds is seen then.

Its connections to files in WAL mode (all of Dagster's, once created) commit with
`PRAGMA synchronous=NORMAL` instead of SQLite's default FULL: the WAL is flushed to disk
at checkpoints rather than at every commit. Each asset event is two commits; at FULL,
storing 200 materialisations took 1.6 CPU-s and 4.8 s of wall time here, at NORMAL 1.0
and 1.6 (medians of three). A process killed at any moment (kill -9,
tests/test_faults.py) loses nothing it committed, since the WAL is in the operating
system's hands; a power cut or a kernel crash may lose the last events committed, never
the file's consistency (SQLite's documentation of WAL mode). The runs' status is in the
run storage, which keeps Dagster's own connections at FULL, as do the daemon and the
webserver.

Only the CLI's instance settings name it (assets/runner.py `project_instance`), and only
when the instance is the default SQLite one; the team's PostgreSQL instance pools
connections already."""

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

OPEN_FILES = 8  # engines kept (the index and the latest runs); the oldest is disposed


def _wal_commits_at_normal(dbapi_connection: Any, _record: Any) -> None:
    """A new connection to a file in WAL mode commits without its own fsync (see the
    module); a file still in the rollback-journal mode (being created) keeps FULL."""
    if dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with an engine kept per shard (see the module)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables: set[str] = set()  # index tables seen (see the module)
        self._asset_key_columns: set[str] = set()  # columns of asset_keys seen
        super().__init__(base_dir, inst_data)
        # Dagster creates the index only when its file is missing, and checks for the
        # dynamic partitions table without opening it: a process killed while creating
        # the index (kill -9 in the first second of a refresh) left a file without tables,
        # and every later refresh failed ("... requires the dynamic partitions table").
        # Opening it now creates what is missing.
        self._engine(INDEX_SHARD_NAME)

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> "PooledSqliteEventLogStorage":
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _wal_commits_at_normal)
            if shard not in self._initialized_dbs:
                self._initdb(engine)  # a new file is switched to WAL mode here:
                engine.dispose()  # its connections are made again, at NORMAL
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            if len(self._engines) > OPEN_FILES:
                self._engines.popitem(last=False)[1].dispose()
        self._engines.move_to_end(shard)
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def has_table(self, table_name: str) -> bool:
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        if column_name not in self._asset_key_columns and super()._has_asset_key_col_on_connection(
            conn, column_name
        ):
            self._asset_key_columns.add(column_name)
        return column_name in self._asset_key_columns

    def _close_files(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_files()  # the run files are deleted
        super().wipe()

    def dispose(self) -> None:
        self._close_files()
        super().dispose()
