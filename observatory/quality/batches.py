"""A Great Expectations suite run on the rows of a DuckDB relation, never on the whole
relation in one DataFrame.

- An expectation of each value (not null, in a set, between bounds, a pattern) gives a
  row the outcome of its value: GX validates each column's distinct values, and an
  expectation's unexpected count is the number of rows its unexpected values stand for.
  A column checked only for nulls is reduced to its nullness: a null, and any one of
  its other values. At 1 M responses `core.respondents` is validated on frames of at
  most 101 rows, the 20 M staged answers on at most a few hundred: the rows' DataFrames
  and GX's work over them were 70 of the 383 CPU-s of a refresh.
- An expectation of keys (unique) needs the rows: their key columns, alone, go to GX in
  batches of bounded size. Rows go to batch `hash(key) % batches`, so every copy of a
  key lands in the same batch: a key unique in each batch is unique in the relation.

Each expectation succeeds when it succeeds on every frame, and its unexpected rows are
counted over all of them."""

from __future__ import annotations

import math

import duckdb

from observatory.config import load_settings
from observatory.quality import Outcome, Spec, SuiteResult, run_suite, suite_columns

BYTES_PER_VALUE = 512  # a cell in the DataFrame, and what the suite makes of it (measured)
OF_NULLS = {"ExpectColumnValuesToNotBeNull", "ExpectColumnValuesToBeNull"}
OF_VALUES = OF_NULLS | {  # a row's outcome is its value's
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToNotBeInSet",
    "ExpectColumnValuesToBeBetween",
    "ExpectColumnValuesToMatchRegex",
    "ExpectColumnValuesToNotMatchRegex",
}
OF_KEYS = {"ExpectColumnValuesToBeUnique", "ExpectCompoundColumnsToBeUnique"}
PER_ROW = OF_VALUES | OF_KEYS  # expectations that hold on a relation when they hold on each part
VALUES = "quality_values_{}"  # temp table of a column's distinct values: pos, value, n


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
    the number of rows). Only expectations of each row or key (PER_ROW, without
    `mostly`): a row count or a mean of a part is not the relation's."""
    if wrong := [
        s.describe() for s in specs if s.expectation not in PER_ROW or "mostly" in s.kwargs
    ]:
        raise ValueError(f"{name}: cannot be validated in batches: {', '.join(wrong)}")
    params = params or []
    ((rows,),) = con.execute(f"SELECT count(*) FROM ({relation})", params).fetchall()
    of_values = [s for s in specs if s.expectation in OF_VALUES]
    of_keys = [s for s in specs if s.expectation in OF_KEYS]
    parts = []
    if of_values:
        parts += _on_values(con, name, relation, params, of_values)
    if of_keys:
        parts += _on_keys(con, name, relation, params, of_keys, key, rows)
    return SuiteResult(name, [_merged(parts, spec) for spec in specs]), rows


def _merged(parts: list[SuiteResult], spec: Spec) -> Outcome:
    """`spec`'s outcome over the parts that validated it: a success on each, the
    unexpected values of all."""
    found = [o for part in parts for o in part.outcomes if o.spec is spec]
    return Outcome(spec, all(o.success for o in found), sum(o.unexpected_count for o in found))


def _on_values(
    con: duckdb.DuckDBPyConnection,
    name: str,
    relation: str,
    params: list[object],
    specs: list[Spec],
) -> list[SuiteResult]:
    """The suite on frames of each column's distinct values, side by side."""
    columns = suite_columns(specs)
    sizes = _count_values(con, relation, params, specs)
    step, length = batch_rows(2 * len(columns)), max(sizes)
    results = []
    for first in range(0, max(length, 1), step):  # once with no row: what GX says of none
        frame = con.execute(_frame(columns, sizes, first, min(first + step, length))).df()
        weights = {c: frame[f"n{i}"].to_numpy() for i, c in enumerate(columns)}
        results.append(run_suite(name, frame[columns], specs, weights))
    for number in range(len(columns)):
        con.execute(f"DROP TABLE {VALUES.format(number)}")
    return results


def _count_values(
    con: duckdb.DuckDBPyConnection, relation: str, params: list[object], specs: list[Spec]
) -> list[int]:
    """Each column's distinct values (its nullness only, when only nulls are checked)
    with the rows each stands for, in the temp table VALUES of the column's number; how
    many each has."""
    sizes = []
    for number, column in enumerate(suite_columns(specs)):
        quoted = f'"{column}"'
        if all(s.expectation in OF_NULLS for s in specs if s.column == column):
            picked, grouped = f"any_value({quoted})", f"{quoted} IS NULL"
        else:
            picked, grouped = quoted, quoted
        table = VALUES.format(number)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT row_number() OVER "
            "(ORDER BY value NULLS LAST) - 1 AS pos, value, n FROM "
            f"(SELECT {picked} AS value, count(*) AS n FROM ({relation}) GROUP BY {grouped})",
            params,
        )
        ((size,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        sizes.append(size)
    return sizes


def _frame(columns: list[str], sizes: list[int], first: int, last: int) -> str:
    """The SELECT of a frame's rows first..last-1: each column's value at that position
    (beyond its size, its first value) and the rows it stands for ("n<number>"; beyond
    its size, none)."""
    picks, joins = [], []
    for number, (column, size) in enumerate(zip(columns, sizes, strict=True)):
        alias, within = f"v{number}", f"p.pos < {size}"
        picks += [
            f'{alias}.value AS "{column}"',
            f'CASE WHEN {within} THEN {alias}.n ELSE 0 END AS "n{number}"',
        ]
        joins.append(
            f"LEFT JOIN {VALUES.format(number)} {alias} "
            f"ON {alias}.pos = CASE WHEN {within} THEN p.pos ELSE 0 END"
        )
    return (
        f"SELECT {', '.join(picks)} FROM range({first}, {last}) p(pos) "
        f"{' '.join(joins)} ORDER BY p.pos"
    )


def _on_keys(
    con: duckdb.DuckDBPyConnection,
    name: str,
    relation: str,
    params: list[object],
    specs: list[Spec],
    key: str,
    rows: int,
) -> list[SuiteResult]:
    """The suite on the key columns of the rows, in batches by `key`."""
    columns = suite_columns(specs)
    batches = max(1, math.ceil(rows / batch_rows(len(columns))))
    quoted = ", ".join(f'"{c}"' for c in columns)
    return [
        run_suite(
            name,
            con.execute(
                f'SELECT {quoted} FROM ({relation}) WHERE hash("{key}") % {batches} = {batch}',
                params,
            ).df(),
            specs,
        )
        for batch in range(batches)
    ]
