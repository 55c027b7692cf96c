"""Raw stage: provenance of every file before anything reads its content."""


import dagster as dg

from assets.partitions import survey_partitions, wave_country
from assets.resources import ObservatoryResource
from observatory.ingest.discover import files_for
from observatory.ingest.provenance import describe
from observatory.ingest.stage import record_provenance, survey_provenance
from observatory.warehouse.inputs import case_files, frame_files


@dg.asset(
    key=["raw", "survey_files"],
    group_name="raw",
    partitions_def=survey_partitions,
    pool="warehouse",
    kinds={"duckdb"},
)
def raw_survey_files(context: dg.AssetExecutionContext,
                     observatory: ObservatoryResource) -> dg.MaterializeResult:
    """Provenance of the wave x country survey export(s) under
    data/raw/surveys/<wave>/<country>/: SHA-256, size, arrival time, detected encoding
    and delimiter, codebook version (table audit.raw_files)."""
    wave, country = wave_country(context)
    surveys = files_for(observatory.paths.raw_dir, wave, country)
    if not surveys:
        raise dg.Failure(f"no export for wave {wave}, country {country} under "
                         f"{observatory.paths.raw_dir / 'surveys' / str(wave) / country}")
    records = [survey_provenance(s) for s in surveys]
    with observatory.connect() as con:
        record_provenance(con, records, context.run_id)
    return dg.MaterializeResult(metadata={
        "files": dg.MetadataValue.md("\n".join(
            f"- `{r.file}`: {r.bytes} bytes, sha256 `{r.sha256[:12]}`, encoding "
            f"{r.encoding or '-'}, delimiter {r.delimiter or '-'!r}" for r in records)),
        "sha256": ",".join(r.sha256 for r in records),
    })


@dg.asset(key=["raw", "reference_files"], group_name="raw", pool="warehouse", kinds={"duckdb"})
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
