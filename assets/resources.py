"""Resources: where the raw files, the warehouse and the reports live."""

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from observatory import warehouse
from observatory.paths import Paths


class ObservatoryResource(dg.ConfigurableResource):
    """Paths of the observatory and a connection to the pipeline warehouse.

    The pipeline warehouse has a single writer at a time: a run that finds it locked
    waits (up to `lock_timeout_s`) instead of failing. Inside a run, the steps share one
    connection, opened by the first step that connects and closed when the run ends (the
    set-up of a connection, its functions and the schema, is paid once per run rather
    than once per step); a step that fails leaves no transaction open on it."""

    raw_dir: str
    warehouse_dir: str
    reports_dir: str
    lock_timeout_s: float = 300.0
    _in_run: bool = PrivateAttr(default=False)
    _shared: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.raw_dir), Path(self.warehouse_dir), Path(self.reports_dir))

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._in_run = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._shared is not None:
            self._shared.close()
        self._in_run, self._shared = False, None

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                return warehouse.connect(self.paths.pipeline_db)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if not self._in_run:  # outside a run: a connection of its own
            con = self._open()
            try:
                yield con
            finally:
                con.close()
            return
        if self._shared is None:
            self._shared = self._open()
        try:
            yield self._shared
        except BaseException:
            with suppress(duckdb.TransactionException):  # raised when none is open
                self._shared.execute("ROLLBACK")
            raise


def default_resource() -> ObservatoryResource:
    """Paths from OBSERVATORY_RAW_DIR, OBSERVATORY_WAREHOUSE_DIR and
    OBSERVATORY_REPORTS_DIR when set, else the repository's folders."""
    paths = Paths.from_env()
    return ObservatoryResource(
        raw_dir=str(paths.raw_dir),
        warehouse_dir=str(paths.warehouse_dir),
        reports_dir=str(paths.reports_dir),
    )
