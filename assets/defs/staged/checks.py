"""Checks of the staged stage, evaluated inside the staged asset so that they see
exactly the partitions it wrote (one, or a range in a single-run backfill). Blocking:
a failure stops everything downstream."""

import dagster as dg
import duckdb
import pandas as pd

from assets.keys import STAGED
from observatory.quality import SuiteResult
from observatory.quality.partitions import validate_partitions

check_specs = [
    dg.AssetCheckSpec(
        "row_accounting",
        asset=STAGED,
        blocking=True,
        description="For every file: rows read = rows loaded + rows quarantined.",
    ),
    dg.AssetCheckSpec(
        "staged_suite",
        asset=STAGED,
        blocking=True,
        description="Great Expectations suite on the staged partition: keys "
        "unique, codes inside the taxonomy, Likert values in range.",
    ),
]


def one_line(failures: list[str], checked: str) -> str:
    """A check's description: its first failure (and how many more), or what it checked."""
    if not failures:
        return checked
    return failures[0] + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else "")


def row_accounting(table: dict[str, tuple[int, int, int]]) -> dg.AssetCheckResult:
    broken = {path: t for path, t in table.items() if t[0] != t[1] + t[2]}
    return dg.AssetCheckResult(
        check_name="row_accounting",
        passed=not broken,
        description=one_line(
            [
                f"{p}: {t[0]} rows read != {t[1]} loaded + {t[2]} quarantined"
                for p, t in broken.items()
            ],
            f"{len(table)} staged file(s) balance",
        ),
        metadata={
            "files": dg.MetadataValue.json(
                {
                    p: dict(zip(("read", "loaded", "quarantined"), t, strict=True))
                    for p, t in table.items()
                }
            )
        },
    )


def validate_staged(
    con: duckdb.DuckDBPyConnection, partitions: dict[str, tuple[int, str]], run_id: str
) -> dict[str, list[SuiteResult]]:
    """Run the staged suites once over the partitions the run staged ({label as Dagster
    writes it, FR|2026: (wave, country)}) and record each partition's own results in
    audit.validation_results."""
    found = validate_partitions(con, list(partitions.values()))
    results = {label: found[partition] for label, partition in partitions.items()}
    records = [
        r.records(run_id, "staged.survey_responses", p) for p, rs in results.items() for r in rs
    ]
    if records:
        con.register("incoming", pd.concat(records, ignore_index=True))
        con.execute("INSERT INTO audit.validation_results BY NAME SELECT * FROM incoming")
        con.unregister("incoming")
    return results


def summary(results: list[SuiteResult]) -> str:
    """One line: expectations passed out of run, and the failures."""
    passed = sum(o.success for r in results for o in r.outcomes)
    total = sum(len(r.outcomes) for r in results)
    failures = [line for r in results for line in r.failures()]
    return f"{passed}/{total} expectations passed" + (
        f"; {'; '.join(failures)}" if failures else ""
    )


def staged_suite(
    results: dict[str, list[SuiteResult]], unvalidated: list[str] | None = None
) -> dg.AssetCheckResult:
    """The suite check over every partition of the run ({partition label: results}),
    failed for the partitions staged but not validated (the validation itself failed)."""
    failures = [f"{label}: not validated (see the step's log)" for label in unvalidated or []]
    failures += [
        f"{label}: {line}" for label, rs in results.items() for r in rs for line in r.failures()
    ]
    return dg.AssetCheckResult(
        check_name="staged_suite",
        passed=not unvalidated and all(r.passed for rs in results.values() for r in rs),
        description=one_line(failures, f"{len(results)} staged partition(s) pass"),
        metadata={
            "expectations": sum(len(r.outcomes) for rs in results.values() for r in rs),
            "partitions": len(results),
            "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures) or "none"),
        },
    )


def on_failure(results: list[dg.AssetCheckResult], failed: str) -> list[dg.AssetCheckEvaluation]:
    """The checks' evaluations when some partitions failed: they ran on what was staged
    (the failed partitions wrote nothing), so the UI shows them as run, not as failed to
    execute, and says which partitions they did not see."""
    return [
        dg.AssetCheckEvaluation(
            asset_key=STAGED,
            check_name=str(r.check_name),  # both results are built named, above
            passed=r.passed,
            description=f"{r.description}; not staged, so not checked: {failed}",
            metadata=r.metadata,
            blocking=True,
        )
        for r in results
    ]
