"""Schedules: the annual refresh and the monthly re-validation.

Both ingest every delivered partition in as few runs as possible (one key range per
block of partitions, the whole sample in one run). The annual refresh then rebuilds
the warehouse and the latest wave's report (sensor `build_after_ingest`); the monthly
re-validation only re-reads each export, confirms it is still the file whose hash was
recorded, and re-runs the blocking checks and the delivery freshness check, so a
codebook or suite change that breaks an old wave shows up within a month."""

import dagster as dg

from assets.defs.orchestration import jobs
from assets.defs.orchestration.sensors import THEN_BUILD, WITH_REPORT
from assets.partitions import delivered, key_ranges, register_waves
from assets.resources import ObservatoryResource

TIMEZONE = "Europe/Paris"
ANNUAL_CRON = "0 6 1 11 *"  # 1 November, 06:00: after the survey closes in October
MONTHLY_CRON = "0 5 1 * *"  # the 1st of every month, 05:00


# The run tags that make a run of a partitioned job cover a key range, as Dagster's
# single-run backfills set them (no public constant; github.com/dagster-io/dagster
# discussions/11653 shows them used this way).
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def range_tags(key_range: dg.PartitionKeyRange) -> dict[str, str]:
    """Tags that make a run of a partitioned job cover a key range."""
    return {RANGE_START: key_range.start, RANGE_END: key_range.end}


def ingest_everything(
    context: dg.ScheduleEvaluationContext, observatory: ObservatoryResource, tags: dict[str, str]
) -> list[dg.RunRequest] | dg.SkipReason:
    """Range runs of the ingest job over every delivered partition; registers new waves
    (schedules cannot return partition requests as sensors do)."""
    pairs = delivered(observatory.paths.raw_dir)
    if not pairs:
        return dg.SkipReason(f"no export under {observatory.paths.raw_dir / 'surveys'}")
    register_waves(context.instance, pairs)
    return [
        dg.RunRequest(tags={**tags, **range_tags(r)}) for r in key_ranges(context.instance, pairs)
    ]


@dg.schedule(
    job=jobs.ingest_job,
    cron_schedule=ANNUAL_CRON,
    execution_timezone=TIMEZONE,
    description="Annual refresh: ingest every delivered wave x country, then rebuild "
    "the warehouse, the analyst snapshot and the latest wave's report.",
)
def annual_refresh(
    context: dg.ScheduleEvaluationContext, observatory: ObservatoryResource
) -> list[dg.RunRequest] | dg.SkipReason:
    return ingest_everything(context, observatory, {**THEN_BUILD, **WITH_REPORT})


@dg.schedule(
    job=jobs.ingest_job,
    cron_schedule=MONTHLY_CRON,
    execution_timezone=TIMEZONE,
    description="Monthly re-validation: re-read every export, check its hash against "
    "its provenance and re-run the blocking checks; publishes nothing.",
)
def monthly_revalidation(
    context: dg.ScheduleEvaluationContext, observatory: ObservatoryResource
) -> list[dg.RunRequest] | dg.SkipReason:
    return ingest_everything(context, observatory, {"observatory/purpose": "revalidation"})
