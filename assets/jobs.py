"""Jobs: ingest one wave x country partition; build everything after it."""


import dagster as dg

from assets.partitions import survey_partitions

ingest_job = dg.define_asset_job(
    "ingest_survey_partition",
    selection=dg.AssetSelection.groups("raw", "staged") - dg.AssetSelection.assets(
        ["raw", "reference_files"]),
    partitions_def=survey_partitions,
    description="Provenance and staging of one wave x country export.",
)

build_job = dg.define_asset_job(
    "build_warehouse_and_report",
    selection=dg.AssetSelection.groups("core", "weights", "marts", "published")
    | dg.AssetSelection.assets(["raw", "reference_files"]),
    description="Core tables, weights, marts, analyst snapshot and report from all staged "
                "partitions.",
)
