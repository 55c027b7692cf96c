"""Raw stage: provenance of every file before anything reads its content."""


import dagster as dg

from assets.batch import each_partition
from assets.owners import owners
from assets.partitions import exports, survey_partitions
from assets.resources import ObservatoryResource
from observatory.ingest.provenance import describe
from observatory.ingest.stage import record_provenance, survey_provenance
from observatory.warehouse.inputs import case_files, frame_files


@dg.asset(
    key=["raw", "survey_files"],
    group_name="raw",
    owners=owners("raw"),
    partitions_def=survey_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb"},
)
def raw_survey_files(context: dg.AssetExecutionContext,
                     observatory: ObservatoryResource) -> None:
    """Provenance of the wave x country survey export(s) under
    data/raw/surveys/<wave>/<country>/: SHA-256, size, arrival time, detected encoding
    and delimiter, codebook version (table audit.raw_files). Takes one partition or a
    range (single-run backfill)."""
    with observatory.connect() as con:
        def record(wave: int, country: str) -> dict:
            records = [survey_provenance(s) for s in exports(observatory.paths.raw_dir, wave,
                                                             country)]
            record_provenance(con, records, context.run_id)
            return {
                "files": dg.MetadataValue.md("\n".join(
                    f"- `{r.file}`: {r.bytes} bytes, sha256 `{r.sha256[:12]}`, encoding "
                    f"{r.encoding or '-'}, delimiter {r.delimiter or '-'!r}" for r in records)),
                "sha256": ",".join(r.sha256 for r in records),
            }

        each_partition(context, record)


@dg.asset(key=["raw", "reference_files"], group_name="raw", owners=owners("raw"),
          pool="warehouse", kinds={"duckdb"})
def raw_reference_files(context: dg.AssetExecutionContext,
                        observatory: ObservatoryResource) -> dg.MaterializeResult:
    """Provenance of the population frames (data/raw/frames) and case studies
    (data/raw/cases)."""
    raw_dir = observatory.paths.raw_dir
    records = [describe(p, "frame") for p in frame_files(raw_dir)]
    records += [describe(p, "cases") for p in case_files(raw_dir)]
    if not records:
        raise dg.Failure(f"no population frames or case studies under {raw_dir}")
    with observatory.connect() as con:
        record_provenance(con, records, context.run_id)
    return dg.MaterializeResult(metadata={"files": len(records)})
