"""Blocking Great Expectations suites on the core tables; the checks of a table run as one
step with one connection (each still selectable alone)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb

from assets.defs.staged.checks import one_line
from assets.keys import CORE_RESPONDENTS, CORE_WEIGHTS, WEIGHT_DIAGNOSTICS
from assets.resources import ObservatoryResource
from observatory.quality import Spec, changed, suites
from observatory.quality.batches import run_suite_on_table


def _validate(
    con: duckdb.DuckDBPyConnection, run_id: str, table: str, specs: list[Spec]
) -> dg.AssetCheckResult:
    """The suite on the waves of `table` that changed since it last passed on them, in
    batches of bounded size, never the whole table in one DataFrame."""
    current = changed.fingerprints(con, table, specs)
    waves = changed.waves_to_check(con, table, current)
    if not waves:
        return dg.AssetCheckResult(
            passed=True,
            description=f"no wave changed since the suite passed on its {len(current)} wave(s)",
            metadata={"rows": 0, "waves_checked": "none", "waves_unchanged": len(current)},
        )
    result, rows = run_suite_on_table(
        con,
        table.replace(".", "_"),
        f"SELECT * FROM {table} WHERE list_contains(?, wave)",
        specs,
        [waves],
    )
    label = ", ".join(map(str, waves))  # not a partition: core tables are not partitioned
    con.register("incoming", result.records(run_id, table, None))
    con.execute("INSERT INTO audit.validation_results BY NAME SELECT * FROM incoming")
    con.unregister("incoming")
    if result.passed:
        changed.record_passed(con, table, current)
    failures, unchanged = result.failures(), len(current) - len(waves)
    return dg.AssetCheckResult(
        passed=result.passed,
        description=one_line(
            failures,
            f"{len(result.outcomes)} expectations pass on {rows} rows of wave(s) {label}"
            + (f" ({unchanged} unchanged wave(s) passed before)" if unchanged else ""),
        ),
        metadata={
            "rows": rows,
            "waves_checked": label,
            "waves_unchanged": unchanged,
            "expectations": len(result.outcomes),
            "failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures) or "none"),
        },
    )


MISSING_FRAMES = """
SELECT wave, country, string_agg(DISTINCT org_type, ', ' ORDER BY org_type) AS org_types
FROM core.weights WHERE stratum_population IS NULL GROUP BY ALL ORDER BY ALL
"""


def population_frames(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dg.AssetCheckResult:
    missing = con.execute(MISSING_FRAMES).fetchall()
    frames = raw_dir / "frames"
    failures = [
        f"{wave} {country}: no population for {org_types} in "
        f"{frames / f'frame_{wave}.csv'}; add it, then refresh"
        for wave, country, org_types in missing
    ]
    return dg.AssetCheckResult(
        passed=not missing,
        description=one_line(failures, "every stratum has its population"),
        metadata={"failures": dg.MetadataValue.md("\n".join(f"- {f}" for f in failures) or "none")},
    )


SMALL_STRATA = """
SELECT wave, country, 'one respondent' AS what, unnest(lonely_strata) AS org_type
FROM marts.weight_diagnostics
UNION ALL
SELECT wave, country, 'no respondent', unnest(empty_strata) FROM marts.weight_diagnostics
ORDER BY ALL
"""


@dg.asset_check(
    asset=WEIGHT_DIAGNOSTICS,
    blocking=False,
    description="Every wave x country x organisation type of the frame has at "
    "least two respondents (a warning naming those that do not).",
)
def small_strata(observatory: ObservatoryResource) -> dg.AssetCheckResult:
    with observatory.connect() as con:
        small = con.execute(SMALL_STRATA).fetchall()
    lines = [f"- {wave} {country} {org_type}: {what}" for wave, country, what, org_type in small]
    return dg.AssetCheckResult(
        passed=not small,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(small)} stratum(s) with fewer than two respondents: their SEs "
            "use R's lonely.psu = 'adjust' (one respondent) or leave the stratum's "
            "population out (none)"
        )
        if small
        else "every stratum has two or more respondents",
        metadata={
            "small_strata": len(small),
            "strata": dg.MetadataValue.md("\n".join(lines) or "none"),
        },
    )


KEYS = """
SELECT coalesce(key_fingerprint, 'unrecorded') AS key,
       string_agg(DISTINCT wave || ' ' || country, ', ' ORDER BY wave || ' ' || country)
FROM audit.row_accounting GROUP BY ALL ORDER BY count(*) DESC, key
"""


def one_pseudonym_key(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    keys = con.execute(KEYS).fetchall()
    others = [f"{partitions} (key {key})" for key, partitions in keys[1:]]
    return dg.AssetCheckResult(
        passed=len(keys) <= 1,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"respondent keys of {'; '.join(others)} were made with another "
            f"pseudonym key than the rest (key {keys[0][0]}): they do not join across "
            "waves; re-ingest them with the current key"
        )
        if others
        else "one pseudonym key" + (f" (fingerprint {keys[0][0]})" if keys else ""),
        metadata={"keys": dg.MetadataValue.json({k: p for k, p in keys})},
    )


def _as(spec: dg.AssetCheckSpec, result: dg.AssetCheckResult) -> dg.AssetCheckResult:
    """`result` as the result of `spec` (a step of several checks names each one's)."""
    return dg.AssetCheckResult(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=result.passed,
        severity=result.severity,
        description=result.description,
        metadata=result.metadata,
    )


RESPONDENTS_SUITE = dg.AssetCheckSpec(
    "core_respondents_suite",
    asset=CORE_RESPONDENTS,
    blocking=True,
    description="Keys unique per wave, codes inside the taxonomy, Likert in range.",
)
PSEUDONYM_KEY = dg.AssetCheckSpec(
    "one_pseudonym_key",
    asset=CORE_RESPONDENTS,
    description="Every partition's respondent keys were made with one pseudonym key "
    "(fingerprints in audit.row_accounting): a warning naming the partitions to "
    "re-ingest when the key changed.",
)
WEIGHTS_SUITE = dg.AssetCheckSpec(
    "core_weights_suite",
    asset=CORE_WEIGHTS,
    blocking=True,
    description="Every response has one positive, finite weight.",
)
FRAMES = dg.AssetCheckSpec(
    "population_frames",
    asset=CORE_WEIGHTS,
    blocking=True,
    description="Every wave x country x organisation type with responses has its "
    "population in the wave's frame (data/raw/frames).",
)


Check = Callable[
    [duckdb.DuckDBPyConnection, dg.AssetCheckExecutionContext, ObservatoryResource],
    dg.AssetCheckResult,
]


def _table_checks(
    name: str, checks: list[tuple[dg.AssetCheckSpec, Check]]
) -> dg.AssetChecksDefinition:
    """The checks of one table as one step, with one connection (each selectable alone)."""

    @dg.multi_asset_check(specs=[spec for spec, _ in checks], name=name, can_subset=True)
    def _step(
        context: dg.AssetCheckExecutionContext, observatory: ObservatoryResource
    ) -> Iterator[dg.AssetCheckResult]:
        with observatory.connect() as con:
            for spec, check in checks:
                if spec.key in context.selected_asset_check_keys:
                    yield _as(spec, check(con, context, observatory))

    return _step


core_respondents_checks = _table_checks(
    "core_respondents_checks",
    [
        (
            RESPONDENTS_SUITE,
            lambda con, context, _: _validate(
                con, context.run.run_id, "core.respondents", suites.core_respondents()
            ),
        ),
        (PSEUDONYM_KEY, lambda con, *_: one_pseudonym_key(con)),
    ],
)
core_weights_checks = _table_checks(
    "core_weights_checks",
    [
        (
            WEIGHTS_SUITE,
            lambda con, context, _: _validate(
                con, context.run.run_id, "core.weights", suites.weights()
            ),
        ),
        (FRAMES, lambda con, _, observatory: population_frames(con, observatory.paths.raw_dir)),
    ],
)
