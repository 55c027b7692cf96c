-- Post-stratification of each wave to its population frame by country x organisation
-- type: weight = N_h / n_h. A cell with respondents but no frame gets a NULL weight,
-- which the blocking weights check rejects.
CREATE OR REPLACE TABLE core.weights AS
WITH cells AS (
    SELECT wave, country, org_type, count(*) AS stratum_n
    FROM core.respondents GROUP BY ALL
)
SELECT r.respondent_key, r.wave, r.country, r.org_type,
       f.population / c.stratum_n AS weight,
       c.stratum_n, f.population AS stratum_population
FROM core.respondents r
JOIN cells c USING (wave, country, org_type)
LEFT JOIN core.frames f USING (wave, country, org_type)
ORDER BY r.wave, r.country, r.respondent_key;

COMMENT ON TABLE core.weights IS 'Survey weight of each response: post-stratified to the population frame by country x organisation type (weight = stratum population / stratum respondents). The strata are also the variance strata.';
COMMENT ON COLUMN core.weights.weight IS 'Post-stratification weight: how many organisations of the population this response stands for.';
COMMENT ON COLUMN core.weights.stratum_n IS 'Respondents in the stratum (wave x country x organisation type).';
COMMENT ON COLUMN core.weights.stratum_population IS 'Organisations in the stratum according to the population frame.';
