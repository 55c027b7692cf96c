"""Staged stage: each wave x country decoded, mapped to codes, bad rows quarantined
with a reason, PII removed, respondent ids pseudonymised."""


import dagster as dg

from assets.partitions import survey_partitions, wave_country
from assets.raw.assets import raw_survey_files
from assets.resources import ObservatoryResource
from assets.staged import checks
from observatory.ingest.discover import files_for
from observatory.ingest.harmonise import SchemaError
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import (
    ChangedSinceRecorded,
    recorded_sha256,
    stage_file,
    write_partition,
)


@dg.asset(
    key=checks.ASSET,
    group_name="staged",
    partitions_def=survey_partitions,
    deps=[raw_survey_files],
    check_specs=checks.check_specs,
    pool="warehouse",
    kinds={"duckdb", "pandas"},
)
def staged_survey_responses(context: dg.AssetExecutionContext,
                            observatory: ObservatoryResource) -> dg.MaterializeResult:
    """Responses of one wave x country in canonical codes (staging.responses, long
    answers in staging.answers); every rejected row in audit.quarantine with file, row,
    column, value and reason; row accounting in audit.row_accounting."""
    wave, country = wave_country(context)
    with observatory.connect() as con:
        surveys = files_for(observatory.paths.raw_dir, wave, country)
        try:
            staged = [stage_file(s, recorded_sha256(con, s)) for s in surveys]
        except (SchemaError, ReadError, ChangedSinceRecorded) as exc:
            # One line per problem, file:row:column: what is wrong; nothing is written.
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        write_partition(con, wave, country, staged, context.run_id)
        suite_check, _ = checks.staged_suite(con, staged, context.run_id, f"{wave}|{country}")
    quarantine = [f.staged.quarantine for f in staged]
    reasons = {}
    for frame in quarantine:
        for reason, count in frame["reason"].str.replace(r" in rows .*", "", regex=True) \
                .value_counts().items():
            reasons[reason] = reasons.get(reason, 0) + int(count)
    preview = staged[0].staged.respondents.head(10) if staged else None
    return dg.MaterializeResult(
        metadata={
            "rows_read": sum(f.staged.rows_read for f in staged),
            "rows_loaded": sum(f.staged.rows_loaded for f in staged),
            "rows_quarantined": sum(f.staged.rows_quarantined for f in staged),
            "quarantine_reasons": dg.MetadataValue.json(reasons),
            "preview": dg.MetadataValue.md(preview.to_markdown(index=False)
                                           if preview is not None else "no rows"),
        },
        check_results=[checks.row_accounting(staged), suite_check],
    )
