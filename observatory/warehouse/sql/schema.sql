-- Schemas and the tables written row by row by the ingest stage. Idempotent.
-- staging: per wave x country, PII-free, pseudonymised; replaced partition by partition.
-- audit:   provenance, row accounting, quarantine, validation results.
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE IF NOT EXISTS audit.raw_files (
    file VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    wave INTEGER,
    country VARCHAR,
    sha256 VARCHAR NOT NULL,
    bytes BIGINT NOT NULL,
    rows INTEGER,
    encoding VARCHAR,
    delimiter VARCHAR,
    arrived_at TIMESTAMP,
    codebook_version VARCHAR,
    run_id VARCHAR,
    recorded_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS staging.responses (
    respondent_key VARCHAR NOT NULL,
    wave INTEGER NOT NULL,
    country VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    org_type VARCHAR,
    scheme_type VARCHAR,
    theme VARCHAR,
    subtheme VARCHAR,
    ci_stage VARCHAR,
    satisfaction DOUBLE,
    coordination_fte DOUBLE
);

CREATE TABLE IF NOT EXISTS staging.answers (
    respondent_key VARCHAR NOT NULL,
    wave INTEGER NOT NULL,
    country VARCHAR NOT NULL,
    question VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    code VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS audit.quarantine (
    wave INTEGER NOT NULL,
    country VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    "row" INTEGER NOT NULL,
    "column" VARCHAR NOT NULL,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    run_id VARCHAR
);

CREATE TABLE IF NOT EXISTS audit.row_accounting (
    wave INTEGER NOT NULL,
    country VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    run_id VARCHAR,
    loaded_at TIMESTAMP,
    key_fingerprint VARCHAR
);
ALTER TABLE audit.row_accounting ADD COLUMN IF NOT EXISTS key_fingerprint VARCHAR;

CREATE TABLE IF NOT EXISTS audit.case_accounting (
    file VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_quarantined INTEGER NOT NULL,
    run_id VARCHAR,
    loaded_at TIMESTAMP
);

CREATE TABLE IF NOT EXISTS audit.case_quarantine (
    file VARCHAR NOT NULL,
    "row" INTEGER NOT NULL,
    "column" VARCHAR NOT NULL,
    value VARCHAR,
    reason VARCHAR NOT NULL,
    run_id VARCHAR
);

CREATE TABLE IF NOT EXISTS audit.validation_results (
    run_id VARCHAR,
    checked_at TIMESTAMP,
    suite VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    partition VARCHAR,
    expectation VARCHAR NOT NULL,
    "column" VARCHAR,
    success BOOLEAN NOT NULL,
    unexpected_count BIGINT,
    blocking BOOLEAN NOT NULL
);

-- Warehouse 1.3: partition labels read country|wave like Dagster's keys (were wave|country).
UPDATE audit.validation_results
SET partition = split_part(partition, '|', 2) || '|' || split_part(partition, '|', 1)
WHERE regexp_full_match(partition, '[0-9]{4}\|[A-Z]{2}');

CREATE TABLE IF NOT EXISTS staging.marts_built (  -- see marts/shares.sql
    mart VARCHAR, wave INTEGER, fingerprint VARCHAR, PRIMARY KEY (mart, wave)
);
CREATE TABLE IF NOT EXISTS staging.core_answers_loaded (  -- see core/answers.sql
    wave INTEGER, country VARCHAR, fingerprint VARCHAR, PRIMARY KEY (wave, country)
);

COMMENT ON TABLE audit.raw_files IS 'Provenance of every raw file read: content hash, size, rows, detected encoding and delimiter, arrival time, codebook version, and the run that read it.';
COMMENT ON TABLE audit.quarantine IS 'Every problem found in a raw row that kept it out of the warehouse: file, row number as seen in the file, column header, value, reason. A row may have several problems.';
COMMENT ON TABLE audit.row_accounting IS 'Per raw survey file: rows read = rows loaded + rows quarantined.';
COMMENT ON TABLE audit.case_accounting IS 'Per case-study file (data/raw/cases): rows read = rows loaded into core.cases + rows quarantined.';
COMMENT ON TABLE audit.case_quarantine IS 'Every problem that kept a case-study row out of core.cases (an unknown code, a subtheme of another theme, a repeated id ...): file, row number as seen in the file, column, value, reason.';
COMMENT ON TABLE audit.validation_results IS 'Result of every Great Expectations expectation run by the pipeline, with the run id.';
COMMENT ON TABLE staging.responses IS 'Internal: one row per loaded response, per wave x country partition (pipeline file only).';
COMMENT ON TABLE staging.answers IS 'Internal: single and multi-select answers in long form, per partition (pipeline file only).';
