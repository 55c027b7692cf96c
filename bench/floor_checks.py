"""The floor's validation: the pipeline's expectation suites (observatory.quality.suites)
as SQL aggregates, one query per suite over all partitions, recorded in
audit.validation_results as the pipeline records them. A failed blocking
expectation stops the floor, as it stops the pipeline."""

import datetime as dt

import duckdb
import pandas as pd
from floor_read import ident, lit

from observatory.quality import Spec, suites

COLUMNS = [
    "run_id",
    "checked_at",
    "suite",
    "target",
    "partition",
    "expectation",
    "column",
    "success",
    "unexpected_count",
    "blocking",
]


def _unexpected(spec: Spec, i: int) -> str:
    """SQL aggregate: the values (rows) the expectation does not accept."""
    a = spec.kwargs
    col = ident(a.get("column", ""))
    match spec.expectation:
        case "ExpectColumnValuesToNotBeNull":
            return f"count(*) FILTER ({col} IS NULL)"
        case "ExpectColumnValuesToBeInSet":
            return f"count(*) FILTER ({col} NOT IN ({', '.join(map(lit, a['value_set']))}))"
        case "ExpectColumnValuesToBeBetween":
            low = "<=" if a.get("strict_min") else "<"
            return f"count(*) FILTER ({col} {low} {a['min_value']} OR {col} > {a['max_value']})"
        case "ExpectColumnValuesToBeUnique" | "ExpectCompoundColumnsToBeUnique":
            return f"count(*) FILTER (_dup{i} > 1)"
        case "ExpectTableRowCountToBeBetween":
            return f"(count(*) < {a['min_value']})::INT"
    raise ValueError(f"no SQL for {spec.expectation}")


def validate(
    con: duckdb.DuckDBPyConnection,
    suite: str,
    table: str,
    target: str,
    specs: list[Spec],
    by_partition: bool,
) -> None:
    group = ["wave", "country"] if by_partition else []
    windows = [
        f"count(*) OVER (PARTITION BY {', '.join([*group, *s.column.split(',')])}) AS _dup{i}"
        for i, s in enumerate(specs)
        if "Unique" in s.expectation
    ]
    source = f"(SELECT *, {', '.join(windows)} FROM {table})" if windows else table
    keys = ", ".join(group) if group else "NULL, NULL"
    rows = con.execute(
        f"SELECT {keys}, "
        + ", ".join(_unexpected(s, i) for i, s in enumerate(specs))
        + f" FROM {source} "
        + ("GROUP BY ALL" if group else "")
    ).fetchall()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    records = [
        (
            "floor",
            now,
            suite,
            target,
            f"{c}|{w}" if group else None,  # country|wave, as Dagster keys it
            s.describe(),
            s.column,
            n == 0,
            n,
            s.blocking,
        )
        for w, c, *counts in rows
        for s, n in zip(specs, counts, strict=True)
    ]
    con.register("incoming", pd.DataFrame(records, columns=COLUMNS))
    con.execute("INSERT INTO audit.validation_results BY NAME SELECT * FROM incoming")
    con.unregister("incoming")
    failed = [r for r in records if r[-1] and not r[-3]]
    if failed:
        raise SystemExit(f"floor: blocking expectations failed: {failed}")


def staged(con: duckdb.DuckDBPyConnection) -> None:
    target = "staged.survey_responses"
    validate(
        con,
        "staged_respondents",
        "staging.responses",
        target,
        suites.staged_respondents(),
        by_partition=True,
    )
    answers = "(SELECT *, dimension || ':' || code AS dimension_code FROM staging.answers)"
    validate(con, "staged_answers", answers, target, suites.answer_codes(), by_partition=True)


def core(con: duckdb.DuckDBPyConnection) -> None:
    validate(
        con,
        "core_respondents",
        "core.respondents",
        "core.respondents",
        suites.core_respondents(),
        by_partition=False,
    )
    validate(
        con, "core_weights", "core.weights", "core.weights", suites.weights(), by_partition=False
    )
    (missing,) = con.execute(
        "SELECT count(*) FROM core.weights WHERE stratum_population IS NULL"
    ).fetchall()[0]
    if missing:
        raise SystemExit(f"floor: {missing} respondents without a population frame")
