"""Where things live. Every location can be moved with an environment variable, so
tests and deployments swap paths without touching code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    warehouse_dir: Path
    reports_dir: Path

    @property
    def pipeline_db(self) -> Path:
        """The file the pipeline writes; analysts never open it."""
        return self.warehouse_dir / "pipeline.duckdb"

    @property
    def published_db(self) -> Path:
        """The analyst snapshot, replaced atomically at the end of each refresh."""
        return self.warehouse_dir / "observatory.duckdb"

    @property
    def snapshots_dir(self) -> Path:
        """Dated copies of every published snapshot, never overwritten."""
        return self.warehouse_dir / "snapshots"

    @classmethod
    def from_env(cls) -> Paths:
        def pick(var: str, default: Path) -> Path:
            return Path(os.environ.get(var) or default)

        return cls(
            raw_dir=pick("OBSERVATORY_RAW_DIR", REPO / "data" / "raw"),
            warehouse_dir=pick("OBSERVATORY_WAREHOUSE_DIR", REPO / "data" / "warehouse"),
            reports_dir=pick("OBSERVATORY_REPORTS_DIR", REPO / "reports"),
        )
