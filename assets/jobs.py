"""Jobs: ingest wave x country partitions (one, or a range in one run); build
everything after them, with the report of one or more waves."""


import dagster as dg

from assets.partitions import survey_partitions, wave_partitions

INGEST = "ingest_survey_partition"
BUILD = "build_warehouse_and_report"

ingest_job = dg.define_asset_job(
    INGEST,
    selection=dg.AssetSelection.assets(["raw", "survey_files"], ["staged", "survey_responses"]),
    partitions_def=survey_partitions,
    description="Provenance and staging of wave x country exports (one partition, or a key "
                "range in a single run), with their blocking checks.",
)

build_job = dg.define_asset_job(
    BUILD,
    selection=dg.AssetSelection.groups("core", "weights", "marts", "published")
    | dg.AssetSelection.assets(["raw", "reference_files"]),
    partitions_def=wave_partitions,
    description="Core tables, weights, marts and the analyst snapshot from all staged "
                "partitions, then the report of the run's wave(s).",
)
