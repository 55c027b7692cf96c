-- Post-stratification of each wave to its population frame by country x organisation
-- type: weight = N_h / n_h. A cell with respondents but no frame gets a NULL weight,
-- which the blocking weights check rejects.
-- A stratum lies within one wave x country, so the table is brought up to date
-- partition by partition (as core/respondents.sql): a wave x country is weighted again
-- when its respondents' keys and organisation types or its frame changed
-- (staging.core_weights_loaded keeps their fingerprint), and removed when it has no
-- respondents. One transaction: all of it or none.
-- Changing the SELECT below? DROP TABLE core.weights; the next build rebuilds it.
BEGIN TRANSACTION;

CREATE TABLE IF NOT EXISTS core.weights (
    respondent_key VARCHAR, wave INTEGER, country VARCHAR, org_type VARCHAR,
    weight DOUBLE, stratum_n BIGINT, stratum_population BIGINT
);
CREATE TABLE IF NOT EXISTS staging.core_weights_loaded (
    wave INTEGER, country VARCHAR, fingerprint VARCHAR, PRIMARY KEY (wave, country)
);
DELETE FROM staging.core_weights_loaded  -- a table dropped by hand is rebuilt whole
WHERE NOT EXISTS (SELECT 1 FROM core.weights LIMIT 1);

CREATE OR REPLACE TEMP TABLE weights_partitions_changed AS
WITH sampled AS (
    SELECT wave, country, sum(hash(respondent_key, org_type))::HUGEINT || ':' || count(*) AS h
    FROM core.respondents GROUP BY ALL
),
framed AS (
    SELECT wave, country, sum(hash(org_type, population))::HUGEINT || ':' || count(*) AS h
    FROM core.frames GROUP BY ALL
),
inputs AS (
    SELECT wave, country, s.h || ' ' || coalesce(f.h, 'no frame') AS fingerprint
    FROM sampled s LEFT JOIN framed f USING (wave, country)
)
SELECT wave, country, i.fingerprint
FROM inputs i FULL JOIN staging.core_weights_loaded c USING (wave, country)
WHERE i.fingerprint IS DISTINCT FROM c.fingerprint;

DELETE FROM core.weights
WHERE (wave, country) IN (SELECT (wave, country) FROM weights_partitions_changed);

INSERT INTO core.weights
WITH changed AS (
    SELECT * FROM core.respondents
    WHERE (wave, country) IN (SELECT (wave, country) FROM weights_partitions_changed)
),
cells AS (
    SELECT wave, country, org_type, count(*) AS stratum_n
    FROM changed GROUP BY ALL
)
SELECT r.respondent_key, r.wave, r.country, r.org_type,
       f.population / c.stratum_n AS weight,
       c.stratum_n, f.population AS stratum_population
FROM changed r
JOIN cells c USING (wave, country, org_type)
LEFT JOIN core.frames f USING (wave, country, org_type)
ORDER BY r.wave, r.country, r.respondent_key;

DELETE FROM staging.core_weights_loaded
WHERE (wave, country) IN (SELECT (wave, country) FROM weights_partitions_changed);
INSERT INTO staging.core_weights_loaded
SELECT wave, country, fingerprint FROM weights_partitions_changed WHERE fingerprint IS NOT NULL;

COMMIT;

COMMENT ON TABLE core.weights IS 'Survey weight of each response: post-stratified to the population frame by country x organisation type (weight = stratum population / stratum respondents). The strata are also the variance strata.';
COMMENT ON COLUMN core.weights.weight IS 'Post-stratification weight: how many organisations of the population this response stands for.';
COMMENT ON COLUMN core.weights.stratum_n IS 'Respondents in the stratum (wave x country x organisation type).';
COMMENT ON COLUMN core.weights.stratum_population IS 'Organisations in the stratum according to the population frame.';
