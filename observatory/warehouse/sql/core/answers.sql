-- About twenty answers per respondent (20 M rows at a million responses): rather than
-- rebuilt, the table is brought up to date partition by partition. A wave x country is
-- replaced when its staged answers differ from those the table took (their content
-- fingerprint differs from the one in staging.core_answers_loaded), and removed when it
-- is no longer staged. One transaction: all of it or none.
-- Changing the SELECT below? DROP TABLE core.answers; the next build rebuilds it whole.
BEGIN TRANSACTION;

CREATE TABLE IF NOT EXISTS core.answers (
    respondent_key VARCHAR, wave INTEGER, country VARCHAR, question VARCHAR,
    dimension VARCHAR, code VARCHAR
);
CREATE TABLE IF NOT EXISTS staging.core_answers_loaded (
    wave INTEGER, country VARCHAR, fingerprint VARCHAR, PRIMARY KEY (wave, country)
);
DELETE FROM staging.core_answers_loaded  -- a table dropped by hand is rebuilt whole
WHERE NOT EXISTS (SELECT 1 FROM core.answers LIMIT 1);

CREATE OR REPLACE TEMP TABLE answers_partitions_changed AS
WITH staged AS (
    SELECT wave, country, sum(hash(respondent_key, question, dimension, code))::HUGEINT
                          || ':' || count(*) AS fingerprint
    FROM staging.answers GROUP BY ALL
)
SELECT wave, country, s.fingerprint
FROM staged s FULL JOIN staging.core_answers_loaded c USING (wave, country)
WHERE s.fingerprint IS DISTINCT FROM c.fingerprint;

DELETE FROM core.answers
WHERE (wave, country) IN (SELECT (wave, country) FROM answers_partitions_changed);

INSERT INTO core.answers
SELECT respondent_key, wave, country, question, dimension, code
FROM staging.answers
WHERE (wave, country) IN (SELECT (wave, country) FROM answers_partitions_changed)
ORDER BY dimension, wave, country;  -- clustered for the usual filters

DELETE FROM staging.core_answers_loaded
WHERE (wave, country) IN (SELECT (wave, country) FROM answers_partitions_changed);
INSERT INTO staging.core_answers_loaded
SELECT wave, country, fingerprint FROM answers_partitions_changed WHERE fingerprint IS NOT NULL;

COMMIT;

COMMENT ON TABLE core.answers IS 'Every categorical answer in long form: one row per respondent x question x chosen code (single-choice questions have one row, multi-select questions one per option ticked).';
