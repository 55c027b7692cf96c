"""Staged stage: each wave x country decoded, mapped to codes, bad rows quarantined
with a reason, PII removed, respondent ids pseudonymised."""

import dagster as dg
import pandas as pd

from assets.batch import each_partition
from assets.defs.staged import checks
from assets.keys import RAW_SURVEY_FILES, STAGED
from assets.owners import owners
from assets.partitions import exports, partition_key, survey_partitions
from assets.resources import ObservatoryResource
from observatory.ingest.harmonise import SchemaError
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import (
    ChangedSinceRecorded,
    StagedFile,
    recorded_sha256,
    stage_file,
    write_partition,
)
from observatory.privacy import KeyRefused, pseudonym_key
from observatory.quality import SuiteResult

EXPECTED = (SchemaError, ReadError, ChangedSinceRecorded)  # one line per problem, file first


def _failure(files: str, exc: Exception) -> dg.Failure:
    """A partition's failure naming its file(s): expected problems as they are, anything
    else as one line with its type (the traceback is in the step's log)."""
    if isinstance(exc, EXPECTED):
        return dg.Failure(description=str(exc), allow_retries=False)
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return dg.Failure(
        description=f"{files}: unexpected {type(exc).__name__}: {first} "
        "(nothing of this partition was loaded)",
        allow_retries=False,
    )


def _reasons(staged: list[StagedFile]) -> dict[str, int]:
    """Quarantined rows by reason (without the row list)."""
    reasons: dict[str, int] = {}
    for frame in (f.staged.quarantine for f in staged):
        for reason, count in (
            frame["reason"].str.replace(r" in rows .*", "", regex=True).value_counts().items()
        ):
            reasons[reason] = reasons.get(reason, 0) + int(count)
    return reasons


def _metadata(staged: list[StagedFile], results: list[SuiteResult]) -> dict:
    respondents = pd.concat([f.staged.respondents for f in staged], ignore_index=True)
    return {
        "rows_read": sum(f.staged.rows_read for f in staged),
        "rows_loaded": sum(f.staged.rows_loaded for f in staged),
        "rows_quarantined": sum(f.staged.rows_quarantined for f in staged),
        "quarantine_reasons": dg.MetadataValue.json(_reasons(staged)),
        "validation": checks.summary(results),
        "preview": dg.MetadataValue.md(respondents.head(10).to_markdown(index=False)),
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(str(c), str(t)) for c, t in respondents.dtypes.items()]
        ),
    }


@dg.asset(
    key=STAGED,
    group_name="staged",
    owners=owners("staged"),
    partitions_def=survey_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[RAW_SURVEY_FILES],
    check_specs=checks.check_specs,
    pool="warehouse",
    kinds={"duckdb", "pandas"},
)
def staged_survey_responses(
    context: dg.AssetExecutionContext, observatory: ObservatoryResource
) -> dg.MaterializeResult:
    """Responses of one wave x country in canonical codes (staging.responses, long
    answers in staging.answers); every rejected row in audit.quarantine with file, row,
    column, value and reason; row accounting in audit.row_accounting. Per partition:
    rows read / loaded / quarantined, quarantine reasons, validation summary, preview
    and column schema. A range of partitions (single-run backfill) is staged one
    partition per transaction, holding one partition's frames at a time; a bad export
    fails only its partition."""
    files: dict[str, tuple[int, int, int]] = {}
    suites: dict[str, list[SuiteResult]] = {}
    try:
        pseudonym_key()  # refused once for the run, not once per partition
    except KeyRefused as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    with observatory.connect() as con:

        def stage(wave: int, country: str) -> dict:
            surveys, staged = exports(observatory.paths.raw_dir, wave, country), []
            for survey in surveys:  # nothing is written until every file is read
                try:
                    staged.append(stage_file(survey, recorded_sha256(con, survey)))
                except Exception as exc:
                    context.log.exception(f"{survey.path}")
                    raise _failure(str(survey.path), exc) from None
            label = str(partition_key(wave, country))  # as Dagster writes it: FR|2026
            try:
                write_partition(con, wave, country, staged, context.run_id)
                suites[label] = checks.validate_partition(con, staged, context.run_id, label)
            except Exception as exc:
                context.log.exception(label)
                raise _failure(", ".join(str(s.path) for s in surveys), exc) from None
            files.update(checks.accounting(staged))
            return _metadata(staged, suites[label])

        try:
            each_partition(context, stage)
        except dg.Failure as failure:
            bad = sorted({line.split(":")[0] for line in (failure.description or "").splitlines()})
            for evaluation in checks.on_failure(
                [checks.row_accounting(files), checks.staged_suite(suites)], ", ".join(bad)
            ):
                context.log_event(evaluation)
            raise
    return dg.MaterializeResult(
        check_results=[checks.row_accounting(files), checks.staged_suite(suites)]
    )
