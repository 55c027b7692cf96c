"""Published stage: the analyst snapshot and the annual report."""

import dagster as dg

from assets.defs.core import assets as core
from assets.defs.marts import assets as marts
from assets.keys import ANALYST_SNAPSHOT, REPORT, STAGED
from assets.owners import owners
from assets.partitions import wave_partitions
from assets.resources import ObservatoryResource
from observatory.warehouse.publish import publish


@dg.asset(
    key=ANALYST_SNAPSHOT,
    group_name="published",
    owners=owners("published"),
    deps=[*core.core_assets, *marts.mart_assets, STAGED],
    pool="warehouse",
    kinds={"duckdb"},
)
def analyst_snapshot(observatory: ObservatoryResource) -> dg.MaterializeResult:
    """The DuckDB file analysts query (data/warehouse/observatory.duckdb): the core,
    marts and audit schemas with their documentation, written whole under a dated name
    in data/warehouse/snapshots/ (never overwritten) and swapped in atomically."""
    paths = observatory.paths
    with observatory.connect() as con:
        dated, counts = publish(con, paths.published_db, paths.snapshots_dir)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(paths.published_db)),
            "dated_copy": dg.MetadataValue.path(str(dated)),
            "tables": dg.MetadataValue.json(counts),
        }
    )


@dg.asset(
    key=REPORT,
    group_name="published",
    deps=[analyst_snapshot],
    owners=owners("published"),
    partitions_def=wave_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"html"},
)
def annual_report(context: dg.AssetExecutionContext, observatory: ObservatoryResource) -> None:
    """The annual trend report of a wave (one partition per wave) in the six report
    languages (`reports/{wave}/{lang}/index.html` and its PDF, figures as PNG and SVG,
    CSVs with their metadata, the data zip, CITATION.cff), built from the published
    snapshot; works offline."""
    from observatory.report import build_report  # altair and the report: only when asked for

    paths = observatory.paths
    for wave in context.partition_keys:
        pages = build_report(
            paths.published_db, paths.reports_dir, year=int(wave), warn=context.log.warning
        )  # no PDF printer: a warning line
        context.add_asset_metadata(
            {
                "pages": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in pages)),
                "path": dg.MetadataValue.path(str(pages[0])),
            },
            partition_key=wave,
        )
