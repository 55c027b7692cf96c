"""The validation engine: Great Expectations 1.x suites run on DataFrames.

Suites are declared as plain specs so that building them costs nothing; GX itself
(about 3 CPU-s to import, with what `deferred` defers) is imported only when a suite
runs, and its set-up is paid once per process: one ephemeral context, each suite and
its expectations built on first use and kept. Each expectation is blocking (bad data
would corrupt the views) or a warning.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from observatory.quality.deferred import great_expectations


@dataclass(frozen=True)
class Spec:
    expectation: str  # GX class name, e.g. ExpectColumnValuesToBeUnique
    kwargs: dict = field(default_factory=dict)
    blocking: bool = True

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column") or ",".join(self.kwargs.get("column_list", [])) or None

    def describe(self) -> str:
        args = {k: v for k, v in self.kwargs.items() if k not in ("column", "column_list")}
        if "value_set" in args:
            args["value_set"] = f"<{len(args['value_set'])} codes>"
        return f"{self.expectation}({', '.join(f'{k}={v}' for k, v in args.items())})"


@dataclass(frozen=True)
class Outcome:
    spec: Spec
    success: bool
    unexpected_count: int


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    outcomes: list[Outcome]

    @property
    def passed(self) -> bool:
        """True when every blocking expectation held (warnings do not block)."""
        return all(o.success for o in self.outcomes if o.spec.blocking)

    def failures(self) -> list[str]:
        return [
            f"{'BLOCKING' if o.spec.blocking else 'warning'}: {o.spec.column}: "
            f"{o.spec.describe()} failed for {o.unexpected_count} value(s)"
            for o in self.outcomes
            if not o.success
        ]

    def records(self, run_id: str, target: str, partition: str | None) -> pd.DataFrame:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return pd.DataFrame(
            [
                {
                    "run_id": run_id,
                    "checked_at": now,
                    "suite": self.suite,
                    "target": target,
                    "partition": partition,
                    "expectation": o.spec.describe(),
                    "column": o.spec.column,
                    "success": o.success,
                    "unexpected_count": o.unexpected_count,
                    "blocking": o.spec.blocking,
                }
                for o in self.outcomes
            ]
        )


# What a validation computes: the unexpected count, not GX's default sample of
# unexpected values and their counts (that takes about 40 % off a validation, which is
# mostly GX building its graph of metrics per expectation).
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}


# With weights, GX names the rows of its unexpected values (the frame is small).
WEIGHED_FORMAT = {"result_format": "COMPLETE"}


def run_suite(
    name: str,
    frame: pd.DataFrame,
    specs: list[Spec],
    weights: Mapping[str, np.ndarray] | None = None,
) -> SuiteResult:
    """Validate `frame` against `specs` with Great Expectations (one validation of the
    columns the suite reads; the suite is built on first use and kept).

    With `weights` (a column's name -> the number of rows each of its values in the
    frame stands for), an expectation on one of those columns counts as unexpected the
    rows that its unexpected values stand for."""
    key = (name, repr(specs))
    if key not in _SUITES:
        _SUITES[key] = _build_suite(name, specs)
    suite = _SUITES[key]
    batch = suite.batch_definition.get_batch(
        batch_parameters={"dataframe": frame[suite_columns(specs)]}
    )
    # An ephemeral suite's expectations have no id: match results by type and arguments.
    results = {
        _key(r.expectation_config.type, r.expectation_config.kwargs): r
        for r in batch.validate(
            suite.suite, result_format=WEIGHED_FORMAT if weights else RESULT_FORMAT
        ).results
    }
    outcomes = []
    for spec, expected in zip(specs, suite.keys, strict=True):
        result = results[expected].result or {}
        rows = (weights or {}).get(spec.column or "")
        if rows is not None:  # the rows each value of the frame stands for
            unexpected = int(rows[result.get("unexpected_index_list") or []].sum())
        else:
            unexpected = int(result.get("unexpected_count") or 0)
        outcomes.append(Outcome(spec, bool(results[expected].success), unexpected))
    return SuiteResult(name, outcomes)


def suite_columns(specs: list[Spec]) -> list[str]:
    """The columns a suite reads, in order."""
    return list(dict.fromkeys(c for s in specs for c in (s.column or "").split(",") if c))


def _key(kind: str, kwargs: dict) -> str:
    return kind + json.dumps(
        {k: v for k, v in kwargs.items() if k != "batch_id"}, sort_keys=True, default=str
    )


@dataclass(frozen=True)
class _Suite:
    batch_definition: Any  # GX's, for a whole DataFrame
    suite: Any  # gx.ExpectationSuite
    keys: list[str]  # of its expectations' results (_key), in spec order


_SUITES: dict[tuple[str, str], _Suite] = {}  # (name, repr(specs)) -> built suite


@functools.cache
def _context() -> Any:
    """The process's GX context: ephemeral (in memory), quiet, no analytics; and no
    fingerprint of each batch (GX hashes every cell of a frame to label the batch,
    which nothing here reads)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    gx = great_expectations()
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0  # frames of fewer bytes get hashed
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _build_suite(name: str, specs: list[Spec]) -> _Suite:
    """A suite and a DataFrame asset of its own in the process's context."""
    context = _context()
    gx = great_expectations()
    source = f"{name}_{len(_SUITES)}"  # a suite's specs may change in a process (tests)
    batch_definition = (
        context.data_sources.add_pandas(source)
        .add_dataframe_asset(source)
        .add_batch_definition_whole_dataframe(source)
    )
    suite = gx.ExpectationSuite(name=source)
    added = [
        suite.add_expectation(getattr(gx.expectations, s.expectation)(**s.kwargs)) for s in specs
    ]
    keys = [_key(e.configuration.type, e.configuration.kwargs) for e in added]
    return _Suite(batch_definition, suite, keys)
