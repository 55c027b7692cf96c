"""Raw stage: provenance of every file before anything reads its content."""

import dagster as dg
import pandas as pd

from assets.batch import each_partition
from assets.keys import RAW_SURVEY_FILES, REFERENCE_FILES
from assets.owners import owners
from assets.partitions import exports, survey_partitions
from assets.resources import ObservatoryResource
from observatory.ingest.cases import CaseFile, read_case_files, record_cases
from observatory.ingest.provenance import Provenance, describe
from observatory.ingest.readers import ReadError
from observatory.ingest.stage import record_provenance, survey_provenance
from observatory.warehouse.inputs import case_files, frame_files


@dg.asset(
    key=RAW_SURVEY_FILES,
    group_name="raw",
    owners=owners("raw"),
    partitions_def=survey_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb"},
)
def raw_survey_files(context: dg.AssetExecutionContext, observatory: ObservatoryResource) -> None:
    """Provenance of the wave x country survey export(s) under
    data/raw/surveys/<wave>/<country>/: SHA-256, size, arrival time, detected encoding
    and delimiter, codebook version (table audit.raw_files). Takes one partition or a
    range (single-run backfill): every file described, then all recorded at once."""
    recorded: list[Provenance] = []

    def record(wave: int, country: str) -> dict:
        records = [survey_provenance(s) for s in exports(observatory.paths.raw_dir, wave, country)]
        recorded.extend(records)
        return {
            "files": dg.MetadataValue.md(
                "\n".join(
                    f"- `{r.file}`: {r.bytes} bytes, sha256 `{r.sha256[:12]}`, encoding "
                    f"{r.encoding or '-'}, delimiter {r.delimiter or '-'!r}"
                    for r in records
                )
            ),
            "sha256": ",".join(r.sha256 for r in records),
        }

    def write(keys: list[str]) -> dict[str, dict]:
        """The provenance of every partition described, in one statement."""
        if recorded:
            with observatory.connect() as con:
                record_provenance(con, recorded, context.run_id)
        return {}

    each_partition(context, record, write)


def case_accounting(cases: list[CaseFile]) -> dg.AssetCheckResult:
    quarantined = [
        f"{f.path}: {f.rows_quarantined} of {f.rows_read} row(s) quarantined"
        for f in cases
        if f.rows_quarantined
    ]
    problems = (
        [
            f"{f}:{r}:{c}: {reason}"
            for f, r, c, reason in pd.concat([f.quarantine for f in cases])[
                ["file", "row", "column", "reason"]
            ]
            .head(20)
            .itertuples(index=False)
        ]
        if quarantined
        else []
    )
    return dg.AssetCheckResult(
        check_name="case_accounting",
        passed=not quarantined,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(quarantined)
        if quarantined
        else f"{sum(f.rows_read for f in cases)} case rows read, all loaded",
        metadata={"problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none")},
    )


@dg.asset(
    key=REFERENCE_FILES,
    group_name="raw",
    owners=owners("raw"),
    pool="warehouse",
    kinds={"duckdb"},
    check_specs=[
        dg.AssetCheckSpec(
            "case_accounting",
            asset=REFERENCE_FILES,
            description="Case-study rows: read = loaded + quarantined; a warning naming "
            "the rows whose codes are not in the codebook",
        )
    ],
)
def raw_reference_files(
    context: dg.AssetExecutionContext, observatory: ObservatoryResource
) -> dg.MaterializeResult:
    """Provenance of the population frames (data/raw/frames) and case studies
    (data/raw/cases); case rows checked against the codebook, the bad ones quarantined
    (audit.case_accounting, audit.case_quarantine)."""
    raw_dir = observatory.paths.raw_dir
    records = [describe(p, "frame") for p in frame_files(raw_dir)]
    records += [describe(p, "cases") for p in case_files(raw_dir)]
    if not records:
        raise dg.Failure(f"no population frames or case studies under {raw_dir}")
    try:
        cases = read_case_files(case_files(raw_dir))
    except ReadError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    with observatory.connect() as con:
        record_provenance(con, records, context.run_id)
        record_cases(con, cases, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "files": len(records),
            "case_rows_read": sum(f.rows_read for f in cases),
            "case_rows_quarantined": sum(f.rows_quarantined for f in cases),
        },
        check_results=[case_accounting(cases)],
    )
