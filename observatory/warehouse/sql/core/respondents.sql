-- A million rows at the bench's largest size: rather than rebuilt, the table is brought
-- up to date partition by partition, as core/answers.sql does. A wave x country is
-- replaced when its staged responses differ from those the table took (their content
-- fingerprint differs from the one in staging.core_respondents_loaded), and removed
-- when it is no longer staged. One transaction: all of it or none.
-- Changing the SELECT below? DROP TABLE core.respondents; the next build rebuilds it.
BEGIN TRANSACTION;

CREATE TABLE IF NOT EXISTS core.respondents (
    respondent_key VARCHAR, wave INTEGER, country VARCHAR, org_type VARCHAR,
    scheme_type VARCHAR, theme VARCHAR, subtheme VARCHAR, ci_stage VARCHAR,
    satisfaction INTEGER, coordination_fte DOUBLE
);
CREATE TABLE IF NOT EXISTS staging.core_respondents_loaded (
    wave INTEGER, country VARCHAR, fingerprint VARCHAR, PRIMARY KEY (wave, country)
);
DELETE FROM staging.core_respondents_loaded  -- a table dropped by hand is rebuilt whole
WHERE NOT EXISTS (SELECT 1 FROM core.respondents LIMIT 1);

CREATE OR REPLACE TEMP TABLE respondents_partitions_changed AS
WITH staged AS (
    SELECT wave, country,
           sum(hash(respondent_key, org_type, scheme_type, theme, subtheme, ci_stage,
                    satisfaction, coordination_fte))::HUGEINT || ':' || count(*) AS fingerprint
    FROM staging.responses GROUP BY ALL
)
SELECT wave, country, s.fingerprint
FROM staged s FULL JOIN staging.core_respondents_loaded c USING (wave, country)
WHERE s.fingerprint IS DISTINCT FROM c.fingerprint;

DELETE FROM core.respondents
WHERE (wave, country) IN (SELECT (wave, country) FROM respondents_partitions_changed);

INSERT INTO core.respondents
SELECT respondent_key, wave, country, org_type, scheme_type, theme, subtheme, ci_stage,
       satisfaction::INTEGER AS satisfaction, coordination_fte
FROM staging.responses
WHERE (wave, country) IN (SELECT (wave, country) FROM respondents_partitions_changed)
ORDER BY wave, country, respondent_key;

DELETE FROM staging.core_respondents_loaded
WHERE (wave, country) IN (SELECT (wave, country) FROM respondents_partitions_changed);
INSERT INTO staging.core_respondents_loaded
SELECT wave, country, fingerprint FROM respondents_partitions_changed
WHERE fingerprint IS NOT NULL;

COMMIT;

COMMENT ON TABLE core.respondents IS 'One row per loaded survey response (wave x respondent), PII-free: single-choice answers as codes and numeric answers. Multi-select answers are in core.answers.';
