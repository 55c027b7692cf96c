"""Statistical settings and input limits (settings.yaml), overridable per run by the
YAML file that $OBSERVATORY_SETTINGS names."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
LIMITS = (
    "memory_budget_mib",
    "max_columns",
    "max_line_chars",
    "xlsx_max_inflated_mib",
    "xlsx_max_ratio",
    "max_problems_per_file",
)


@dataclass(frozen=True)
class Settings:
    confidence_level: float
    suppress_below_n: int
    unreliable_below_n_eff: float
    unreliable_below_df: int
    strata: tuple[str, ...]
    warehouse_memory_limit: str
    keep_snapshots: int  # dated snapshots kept, besides those behind a published report
    memory_budget_mib: int  # records of one export held at once while it is read
    max_columns: int
    max_line_chars: int
    xlsx_max_inflated_mib: int
    xlsx_max_ratio: int
    max_problems_per_file: int
    keep_validation_runs: int  # runs whose validation results are all kept


@cache
def load_settings() -> Settings:
    """settings.yaml, with the keys of the YAML file named by $OBSERVATORY_SETTINGS (if
    set) replacing its values."""
    raw = yaml.safe_load((HERE / "settings.yaml").read_text(encoding="utf-8"))
    if overrides := os.environ.get("OBSERVATORY_SETTINGS"):
        raw.update(yaml.safe_load(Path(overrides).read_text(encoding="utf-8")) or {})
    return Settings(
        confidence_level=float(raw["confidence_level"]),
        suppress_below_n=int(raw["suppress_below_n"]),
        unreliable_below_n_eff=float(raw["unreliable_below_n_eff"]),
        unreliable_below_df=int(raw["unreliable_below_df"]),
        strata=tuple(raw["strata"]),
        warehouse_memory_limit=str(raw["warehouse_memory_limit"]),
        keep_snapshots=int(raw["keep_snapshots"]),
        **{name: int(raw[name]) for name in LIMITS},
        keep_validation_runs=int(raw["keep_validation_runs"]),
    )
