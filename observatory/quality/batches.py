"""A Great Expectations suite run on a DuckDB table in batches of bounded size, never on
the whole table in one DataFrame.

Rows go to batch `hash(key) % batches`, so every copy of a key lands in the same batch:
a key unique in each batch is unique in the table, and each other expectation (a value
in a set, not null, between bounds) holds on the table when it holds on every batch.
The outcomes are merged: an expectation succeeds when it succeeds on every batch, and
its unexpected values are counted over all of them."""

from __future__ import annotations

import math

import duckdb

from observatory.config import load_settings
from observatory.quality import Outcome, Spec, SuiteResult, run_suite, suite_columns

BYTES_PER_VALUE = 512  # a cell in the DataFrame, and what the suite makes of it (measured)
PER_ROW = {  # expectations that hold on a table when they hold on each batch of its rows
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToBeNull",
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToNotBeInSet",
    "ExpectColumnValuesToBeBetween",
    "ExpectColumnValuesToMatchRegex",
    "ExpectColumnValuesToNotMatchRegex",
    "ExpectColumnValuesToBeUnique",  # per key: all the copies of a key are in one batch
    "ExpectCompoundColumnsToBeUnique",
}


def batch_rows(columns: int) -> int:
    """Rows of a batch of `columns` columns within memory_budget_mib."""
    return max(1, (load_settings().memory_budget_mib << 20) // (BYTES_PER_VALUE * columns))


def run_suite_on_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    relation: str,
    specs: list[Spec],
    params: list[object] | None = None,
    key: str = "respondent_key",
) -> tuple[SuiteResult, int]:
    """(the suite's result on the rows of `relation`, a SELECT on `con` with `params`;
    the number of rows), validated in batches by `key`. Only expectations of each row
    or key (PER_ROW, without `mostly`): a row count or a mean of a batch is not the
    table's."""
    if wrong := [
        s.describe() for s in specs if s.expectation not in PER_ROW or "mostly" in s.kwargs
    ]:
        raise ValueError(f"{name}: cannot be validated in batches: {', '.join(wrong)}")
    columns = ", ".join(f'"{c}"' for c in suite_columns(specs))
    ((rows,),) = con.execute(f"SELECT count(*) FROM ({relation})", params or []).fetchall()
    batches = max(1, math.ceil(rows / batch_rows(len(suite_columns(specs)))))
    results = [
        run_suite(
            name,
            con.execute(
                f'SELECT {columns} FROM ({relation}) WHERE hash("{key}") % {batches} = {batch}',
                params or [],
            ).df(),
            specs,
        )
        for batch in range(batches)
    ]
    return merge(results), rows


def merge(results: list[SuiteResult]) -> SuiteResult:
    """The result of one suite over all its batches."""
    first = results[0]
    return SuiteResult(
        first.suite,
        [
            Outcome(
                outcome.spec,
                all(r.outcomes[i].success for r in results),
                sum(r.outcomes[i].unexpected_count for r in results),
            )
            for i, outcome in enumerate(first.outcomes)
        ],
    )
