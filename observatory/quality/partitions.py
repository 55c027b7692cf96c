"""The staged suites run once over all the partitions a run staged, not once per
partition, and each partition's results still its own.

Every expectation of a staged suite is a property of each row (a code in its set, a
value between bounds, not null) or of each key within a partition (unique): when it
holds on the union of some partitions, it holds on each of them, with no unexpected
value. So the partitions are validated together (in frames of bounded size:
`batches`); a group that fails is halved until each failing partition is validated
alone, and only those results count values (the counts of a partition are its own,
never its group's). Keys
are unique per partition, so on a group a key is checked unique with its partition's
wave and country. A row-count expectation is a property of each partition's count: on
a group it is checked on a frame of one count per partition."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from observatory.quality import Outcome, Spec, SuiteResult, run_suite, suites
from observatory.quality.batches import run_suite_on_table

Partition = tuple[int, str]  # (wave, country)
STAGED = {  # suite -> (the staged rows it checks, with their wave and country; its expectations)
    "staged_respondents": ("SELECT * FROM staging.responses", suites.staged_respondents),
    "staged_answers": (
        "SELECT wave, country, respondent_key, dimension || ':' || code AS dimension_code "
        "FROM staging.answers",
        suites.answer_codes,
    ),
}
ROW_COUNTS = ("ExpectTableRowCountToBeBetween", "ExpectTableRowCountToEqual")
PARTITIONS = "SELECT unnest(?::INTEGER[]) AS wave, unnest(?::VARCHAR[]) AS country"


def _on_group(spec: Spec) -> Spec:
    """`spec` as it holds on several partitions together: keys unique per partition, a
    partition's row count as a value of the frame of counts (column `rows`)."""
    kwargs = spec.kwargs
    match spec.expectation:
        case "ExpectColumnValuesToBeUnique":
            columns = ["wave", "country", kwargs["column"]]  # a null key is not a duplicate
            kwargs = {"column_list": columns, "ignore_row_if": "any_value_is_missing"}
            return Spec("ExpectCompoundColumnsToBeUnique", kwargs, spec.blocking)
        case "ExpectCompoundColumnsToBeUnique":  # stricter on missing values: still sound
            kwargs = {**kwargs, "column_list": ["wave", "country", *kwargs["column_list"]]}
            if kwargs.get("ignore_row_if", "all_values_are_missing") == "all_values_are_missing":
                kwargs["ignore_row_if"] = "never"
            return Spec(spec.expectation, kwargs, spec.blocking)
        case "ExpectTableRowCountToEqual":
            bounds = {"min_value": kwargs["value"], "max_value": kwargs["value"]}
            return Spec("ExpectColumnValuesToBeBetween", {"column": "rows", **bounds})
        case "ExpectTableRowCountToBeBetween":
            return Spec("ExpectColumnValuesToBeBetween", {"column": "rows", **kwargs})
    return spec


class _Suite:
    """One staged suite on the partitions of a run: the query of its rows, its
    expectations (of rows, of row counts) and each partition's row count."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str, partitions: list[Partition]):
        self.con, self.name = con, name
        self.query, self.specs = STAGED[name][0], STAGED[name][1]()
        self.of_rows = [s for s in self.specs if s.expectation not in ROW_COUNTS]
        self.of_counts = [s for s in self.specs if s.expectation in ROW_COUNTS]
        found = con.execute(
            f"SELECT p.wave, p.country, count(t.wave) FROM ({PARTITIONS}) p "
            f"LEFT JOIN ({self.query}) t USING (wave, country) GROUP BY ALL",
            _lists(partitions),
        ).fetchall()
        self.rows: dict[Partition, int] = {(wave, country): n for wave, country, n in found}

    def validate(self, group: list[Partition]) -> SuiteResult:
        """The suite on the group's rows together (on one partition: as it is)."""
        alone = len(group) == 1
        outcomes = []
        if self.of_rows:
            relation = (
                f"SELECT * FROM ({self.query}) SEMI JOIN ({PARTITIONS}) USING (wave, country)"
            )
            specs = self.of_rows if alone else [_on_group(s) for s in self.of_rows]
            result, _ = run_suite_on_table(self.con, self.name, relation, specs, _lists(group))
            outcomes += result.outcomes
        if self.of_counts:
            if alone:  # the partition's rows, as a frame of no column (no memory)
                frame, specs = (
                    pd.DataFrame(index=pd.RangeIndex(self.rows[group[0]])),
                    self.of_counts,
                )
            else:
                frame = pd.DataFrame({"rows": [self.rows[p] for p in group]})
                specs = [_on_group(s) for s in self.of_counts]
            outcomes += run_suite(self.name, frame, specs).outcomes
        # outcomes: the rows' then the counts'; the result lists them in the suite's order
        rows, counts = iter(outcomes[: len(self.of_rows)]), iter(outcomes[len(self.of_rows) :])
        return SuiteResult(
            self.name,
            [
                Outcome(s, o.success, o.unexpected_count)
                for s in self.specs
                for o in [next(counts if s.expectation in ROW_COUNTS else rows)]
            ],
        )


def _lists(partitions: list[Partition]) -> list[object]:
    """The parameters of PARTITIONS: the waves, the countries."""
    return [[wave for wave, _ in partitions], [country for _, country in partitions]]


def _bisect(
    group: list[Partition], validate: Callable[[list[Partition]], SuiteResult]
) -> dict[Partition, SuiteResult]:
    """Each partition's result: the group's when every expectation held on it (no
    unexpected value), else the halves', down to the failing partitions alone."""
    result = validate(group)
    if len(group) == 1:
        return {group[0]: result}
    if all(o.success for o in result.outcomes):
        passed = SuiteResult(result.suite, [Outcome(o.spec, True, 0) for o in result.outcomes])
        return dict.fromkeys(group, passed)
    half = len(group) // 2
    return _bisect(group[:half], validate) | _bisect(group[half:], validate)


def validate_partitions(
    con: duckdb.DuckDBPyConnection, partitions: list[Partition]
) -> dict[Partition, list[SuiteResult]]:
    """The staged suites on these partitions as written: {partition: its results}."""
    results: dict[Partition, list[SuiteResult]] = {p: [] for p in partitions}
    if not partitions:
        return results
    for name in STAGED:
        suite = _Suite(con, name, partitions)
        for partition, result in _bisect(sorted(suite.rows), suite.validate).items():
            results[partition].append(result)
    return results
