"""Resources: where the raw files, the warehouse and the reports live."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from observatory import warehouse
from observatory.paths import Paths


class ObservatoryResource(dg.ConfigurableResource):
    """Paths of the observatory and a connection to the pipeline warehouse.

    The pipeline warehouse has a single writer at a time: a run that finds it locked
    waits (up to `lock_timeout_s`) instead of failing."""

    raw_dir: str
    warehouse_dir: str
    reports_dir: str
    lock_timeout_s: float = 300.0

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.raw_dir), Path(self.warehouse_dir), Path(self.reports_dir))

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                con = warehouse.connect(self.paths.pipeline_db)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            yield con
        finally:
            con.close()


def default_resource() -> ObservatoryResource:
    """Paths from OBSERVATORY_RAW_DIR, OBSERVATORY_WAREHOUSE_DIR and
    OBSERVATORY_REPORTS_DIR when set, else the repository's folders."""
    paths = Paths.from_env()
    return ObservatoryResource(
        raw_dir=str(paths.raw_dir),
        warehouse_dir=str(paths.warehouse_dir),
        reports_dir=str(paths.reports_dir),
    )
