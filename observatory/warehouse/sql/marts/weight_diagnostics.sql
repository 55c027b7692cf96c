CREATE OR REPLACE TABLE marts.weight_diagnostics AS
SELECT wave, country, count(*)::INTEGER AS n,
       sum(weight) AS population,
       sum(weight) ^ 2 / sum(weight ^ 2) AS n_eff,
       count(*) * sum(weight ^ 2) / sum(weight) ^ 2 AS deff_weighting,
       min(weight) AS weight_min, max(weight) AS weight_max
FROM core.weights
GROUP BY ALL ORDER BY wave, country;

COMMENT ON TABLE marts.weight_diagnostics IS 'Weighting diagnostics per wave x country: Kish design effect due to unequal weights and the effective sample size it leaves.';
COMMENT ON COLUMN marts.weight_diagnostics.n_eff IS 'Kish effective sample size (sum w)^2 / sum w^2.';
COMMENT ON COLUMN marts.weight_diagnostics.deff_weighting IS 'Kish design effect due to weighting: n * sum w^2 / (sum w)^2.';
COMMENT ON COLUMN marts.weight_diagnostics.weight_min IS 'Smallest weight in the wave x country.';
COMMENT ON COLUMN marts.weight_diagnostics.weight_max IS 'Largest weight in the wave x country.';
COMMENT ON COLUMN marts.weight_diagnostics.population IS 'Sum of weights: the population the respondents stand for.';
