"""The observatory's Dagster code location: wiring only."""

import dagster as dg

from assets.defs.core.assets import core_assets
from assets.defs.core.checks import (
    core_respondents_suite,
    core_weights_suite,
    one_pseudonym_key,
    population_frames,
    small_strata,
)
from assets.defs.marts.assets import mart_assets
from assets.defs.orchestration.jobs import build_job, ingest_job
from assets.defs.orchestration.recovery import recover_dead_runs
from assets.defs.orchestration.schedules import annual_refresh, monthly_revalidation
from assets.defs.orchestration.sensors import build_after_ingest, survey_files_sensor
from assets.defs.published.assets import analyst_snapshot, annual_report
from assets.defs.published.quality import data_quality_page
from assets.defs.raw.assets import raw_reference_files, raw_survey_files
from assets.defs.staged.assets import staged_survey_responses
from assets.defs.staged.freshness import latest_wave_delivered
from assets.resources import ObservatoryResource, default_resource


def build_defs(observatory: ObservatoryResource) -> dg.Definitions:
    """The definitions with the given paths (tests pass temporary ones)."""
    return dg.Definitions(
        assets=[
            raw_survey_files,
            raw_reference_files,
            staged_survey_responses,
            *core_assets,
            *mart_assets,
            analyst_snapshot,
            annual_report,
            data_quality_page,
        ],
        asset_checks=[
            core_respondents_suite,
            core_weights_suite,
            population_frames,
            latest_wave_delivered,
            small_strata,
            one_pseudonym_key,
        ],
        jobs=[ingest_job, build_job],
        schedules=[annual_refresh, monthly_revalidation],
        sensors=[survey_files_sensor, build_after_ingest, recover_dead_runs],
        resources={"observatory": observatory},
        # also for what the UI materialises outside the two jobs (assets/defs/orchestration/jobs.py)
        executor=dg.in_process_executor,
    )


defs = build_defs(default_resource())
