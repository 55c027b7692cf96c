"""Jobs: ingest wave x country partitions (one, or a range in one run); build
everything after them and, when asked, the report of one or more waves.

The annual report is a publication, not a by-product of each delivery: a build after an
export dropped in during the year refreshes the warehouse, the analyst snapshot and the
data-quality page; the annual refresh, `observatory refresh --report`, `observatory
demo` and `observatory report` also build the report.

Both jobs run their steps in the run's own process (`in_process_executor`), launched by
the daemon, the UI or the CLI alike: every writing step is in the `warehouse` pool
(limit 1) anyway, and the default multiprocess executor re-imports the code location
for each step (a 41-step build took 629 s that way against 43 s in process)."""

from collections.abc import Iterable

import dagster as dg

from assets.keys import RAW_SURVEY_FILES, REFERENCE_FILES, REPORT, STAGED
from assets.partitions import survey_partitions, wave_partitions

INGEST = "ingest_survey_partition"
BUILD = "build_warehouse_and_report"

ingest_job = dg.define_asset_job(
    INGEST,
    selection=dg.AssetSelection.assets(RAW_SURVEY_FILES, STAGED),
    partitions_def=survey_partitions,
    executor_def=dg.in_process_executor,
    description="Provenance and staging of wave x country exports (one partition, or a key "
    "range in a single run), with their blocking checks.",
)

BUILD_SELECTION = dg.AssetSelection.groups(
    "core", "weights", "marts", "published"
) | dg.AssetSelection.assets(REFERENCE_FILES)

build_job = dg.define_asset_job(
    BUILD,
    selection=BUILD_SELECTION,
    partitions_def=wave_partitions,
    executor_def=dg.in_process_executor,
    description="Core tables, weights, marts, the analyst snapshot and the data-quality "
    "page from all staged partitions, and (when the run selects it, with the "
    "wave as partition) the report of the run's wave(s).",
)


def build_assets(assets: Iterable[dg.AssetsDefinition], report: bool) -> list[dg.AssetKey]:
    """What a run of the build job materialises: all of it, or all but the report.
    Without the report nothing selected is partitioned: such a run takes no partition
    key (Dagster refuses a key for a selection without partitioned assets)."""
    selection = BUILD_SELECTION if report else BUILD_SELECTION - dg.AssetSelection.assets(REPORT)
    return sorted(selection.resolve(list(assets)), key=lambda k: k.to_user_string())
