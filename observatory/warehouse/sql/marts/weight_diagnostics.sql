-- Weighting diagnostics per wave x country, and the strata (organisation types of the
-- frame) with fewer than two respondents: one respondent has no variance of its own
-- (marts.shares treats it as R's lonely.psu = "adjust"), none leaves the stratum's
-- population out of the weights.
CREATE OR REPLACE TABLE marts.weight_diagnostics AS
WITH strata AS (
    SELECT wave, country, org_type, coalesce(w.n_h, 0) AS n_h
    FROM (SELECT wave, country, org_type FROM core.frames WHERE population > 0
          UNION SELECT wave, country, org_type FROM core.weights) cells
    LEFT JOIN (SELECT wave, country, org_type, count(*) AS n_h FROM core.weights GROUP BY ALL) w
        USING (wave, country, org_type)
    WHERE (wave, country) IN (SELECT (wave, country) FROM core.weights)
),
small AS (
    SELECT wave, country,
           coalesce(list(org_type ORDER BY org_type) FILTER (WHERE n_h = 1), [])
               AS lonely_strata,
           coalesce(list(org_type ORDER BY org_type) FILTER (WHERE n_h = 0), [])
               AS empty_strata
    FROM strata GROUP BY ALL
)
SELECT wave, country, count(*)::INTEGER AS n,
       sum(weight) AS population,
       sum(weight) ^ 2 / sum(weight ^ 2) AS n_eff,
       count(*) * sum(weight ^ 2) / sum(weight) ^ 2 AS deff_weighting,
       min(weight) AS weight_min, max(weight) AS weight_max,
       any_value(s.lonely_strata) AS lonely_strata, any_value(s.empty_strata) AS empty_strata
FROM core.weights JOIN small s USING (wave, country)
GROUP BY ALL ORDER BY wave, country;

COMMENT ON TABLE marts.weight_diagnostics IS 'Weighting diagnostics per wave x country: Kish design effect due to unequal weights and the effective sample size it leaves, and the organisation types (strata) with fewer than two respondents.';
COMMENT ON COLUMN marts.weight_diagnostics.n_eff IS 'Kish effective sample size (sum w)^2 / sum w^2.';
COMMENT ON COLUMN marts.weight_diagnostics.deff_weighting IS 'Kish design effect due to weighting: n * sum w^2 / (sum w)^2.';
COMMENT ON COLUMN marts.weight_diagnostics.weight_min IS 'Smallest weight in the wave x country.';
COMMENT ON COLUMN marts.weight_diagnostics.weight_max IS 'Largest weight in the wave x country.';
COMMENT ON COLUMN marts.weight_diagnostics.population IS 'Sum of weights: the population the respondents stand for.';
COMMENT ON COLUMN marts.weight_diagnostics.lonely_strata IS 'Organisation types with a single respondent: no variance of their own, handled as R''s lonely.psu = "adjust" in marts.shares (one respondent stands for the whole stratum).';
COMMENT ON COLUMN marts.weight_diagnostics.empty_strata IS 'Organisation types of the population frame without any respondent: their population is not represented by the weights.';
