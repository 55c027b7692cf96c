"""Staged stage: each wave x country decoded, mapped to codes, bad rows quarantined
with a reason, PII removed, respondent ids pseudonymised."""

from contextlib import ExitStack

import dagster as dg
import duckdb

from assets import metadata
from assets.batch import each_partition
from assets.defs.staged import checks
from assets.keys import RAW_SURVEY_FILES, STAGED
from assets.owners import owners
from assets.partitions import exports, survey_partitions, wave_country
from assets.resources import ObservatoryResource
from observatory.config import load_countries
from observatory.ingest.harmonise import SchemaError
from observatory.ingest.load import FileCounts, Loader, move_records, within_budget
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import ChangedSinceRecorded, file_chunks, move, recorded_sha256
from observatory.privacy import KeyRefused, pseudonym_key
from observatory.quality import SuiteResult

EXPECTED = (SchemaError, ReadError, ChangedSinceRecorded)  # one line per problem, file first


def _failure(
    files: str, exc: Exception, then: str = "nothing of this partition was loaded"
) -> dg.Failure:
    """A partition's failure naming its file(s): expected problems as they are, anything
    else as one line with its type and what became of the partition, `then` (the
    traceback is in the step's log)."""
    if isinstance(exc, EXPECTED):
        return dg.Failure(description=str(exc), allow_retries=False)
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return dg.Failure(
        description=f"{files}: unexpected {type(exc).__name__}: {first} ({then})",
        allow_retries=False,
    )


PARTITIONS = "SEMI JOIN (SELECT unnest(?::INTEGER[]) AS wave, unnest(?::VARCHAR[]) AS country) k"
PREVIEW = f"""
SELECT * EXCLUDE (source_file) FROM staging.responses {PARTITIONS} USING (wave, country)
QUALIFY row_number() OVER (PARTITION BY wave, country ORDER BY source_file, source_row) <= 10
ORDER BY wave, country, source_file, source_row
"""
REASONS = f"""
SELECT wave, country, regexp_replace(reason, ' in rows .*', '') AS reason, count(*)
FROM audit.quarantine {PARTITIONS} USING (wave, country) GROUP BY ALL ORDER BY ALL
"""


def _counts(staged: dict[tuple[int, str], list[FileCounts]]) -> dict[str, tuple[int, int, int]]:
    """Rows read, loaded and quarantined of each file staged."""
    return {
        str(f.path): (f.rows_read, f.rows_loaded, f.rows_quarantined)
        for files in staged.values()
        for f in files
    }


def _metadata(con: duckdb.DuckDBPyConnection, staged: dict[str, list[FileCounts]]) -> dict:
    """Of each partition staged ({key: its files}): rows read / loaded / quarantined, the
    quarantine reasons (without the row lists), a preview (its first ten rows by file and
    row) and the column schema; a query each for all the partitions."""
    if not staged:
        return {}
    where = [list(t) for t in zip(*(wave_country(key) for key in staged), strict=True)]
    result = con.execute(PREVIEW, where)
    columns = metadata.columns(result.description)
    names = [name for name, _, _ in columns]
    previews: dict[tuple[int, str], list[tuple]] = {}
    for row in result.fetchall():  # wave and country are the first two columns
        previews.setdefault((row[0], row[1]), []).append(row)
    reasons: dict[tuple[int, str], dict[str, int]] = {}
    for wave, country, reason, count in con.execute(REASONS, where).fetchall():
        reasons.setdefault((wave, country), {})[reason] = count
    found = {}
    for key, files in staged.items():
        wave, country = wave_country(key)
        found[key] = {
            "rows_read": sum(f.rows_read for f in files),
            "rows_loaded": sum(f.rows_loaded for f in files),
            "rows_quarantined": sum(f.rows_quarantined for f in files),
            "quarantine_reasons": dg.MetadataValue.json(reasons.get((wave, country), {})),
            "preview": metadata.preview(names, previews.get((wave, country), [])),
            "dagster/column_schema": metadata.column_schema(columns),
        }
    return found


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
    and column schema. Each partition's exports are written a chunk at a time as they
    are read (memory holds one chunk, whatever the export's size) into temporary tables,
    then moved in one transaction with the partitions staged before it once they hold a
    quarter of the memory budget's records (`move_records`), or all are staged: a range
    of partitions (single-run backfill) is a few transactions, and a bad export fails
    only its partition. The suites run once over all the partitions staged
    (observatory.quality.partitions), each partition's results its own."""
    staged: dict[tuple[int, str], list[FileCounts]] = {}
    suites: dict[str, list[SuiteResult]] = {}
    unvalidated: list[str] = []
    try:
        key = pseudonym_key()  # refused once for the run, not once per partition
    except KeyRefused as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    with observatory.connect() as con, ExitStack() as budget:
        # DuckDB held to the memory budget while the partitions are staged, not once each
        budget.enter_context(within_budget(con))
        loader = Loader(con, key, context.run_id)
        budget.callback(loader.close)

        def stage(wave: int, country: str) -> dict:
            surveys = exports(observatory.paths.raw_dir, wave, country)
            try:
                with loader.partition(wave, load_countries()[country]):
                    for survey in surveys:  # written chunk by chunk; moved later
                        try:
                            loader.add(file_chunks(survey, recorded_sha256(con, survey)))
                        except Exception as exc:
                            context.log.exception(f"{survey.path}")
                            raise _failure(str(survey.path), exc) from None
            except dg.Failure:
                raise
            except Exception as exc:
                context.log.exception(f"{wave} {country}")
                raise _failure(", ".join(str(s.path) for s in surveys), exc) from None
            return {}

        def write(everything: bool = False) -> None:
            """Move the partitions staged so far, in one transaction, once their exports
            hold `move_records()` records (`everything`: whatever they hold)."""
            if not everything and loader.rows_read < move_records():
                return
            names = ", ".join(f"{wave} {country}" for wave, country in loader.partitions)
            try:
                moved = move(con, loader, context.run_id)
            except Exception as exc:
                context.log.exception(f"moving {names}")
                then = "nothing of these partitions was loaded; re-run them"
                raise _failure(f"partitions {names}", exc, then) from None
            staged.update(moved)

        def validate(keys: list[str]) -> dict[str, dict]:
            """The partitions still staged moved; the metadata of every partition, then the
            suites once over all of them: a summary for each."""
            write(everything=True)
            budget.close()  # the suites run with the connection's own settings
            found = _metadata(con, {key: staged[wave_country(key)] for key in keys})
            try:
                results = checks.validate_staged(
                    con, {key: wave_country(key) for key in keys}, context.run_id
                )
            except Exception as exc:
                context.log.exception("validation")
                unvalidated.extend(keys)
                then = "staged, not validated: the staged_suite check fails"
                raise _failure(f"validation of {len(keys)} partition(s)", exc, then) from None
            suites.update(results)
            for key in keys:
                found[key]["validation"] = checks.summary(results[key])
            return found

        try:
            each_partition(context, stage, validate, write)
        except dg.Failure as failure:
            bad = sorted({line.split(":")[0] for line in (failure.description or "").splitlines()})
            for evaluation in checks.on_failure(
                [checks.row_accounting(_counts(staged)), checks.staged_suite(suites, unvalidated)],
                ", ".join(bad),
            ):
                context.log_event(evaluation)
            raise
    return dg.MaterializeResult(
        check_results=[checks.row_accounting(_counts(staged)), checks.staged_suite(suites)]
    )
