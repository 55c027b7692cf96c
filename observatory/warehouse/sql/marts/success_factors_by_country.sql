CREATE OR REPLACE TABLE marts.success_factors_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'success_factor');

COMMENT ON TABLE marts.success_factors_by_country IS 'Weighted share of respondents citing each success factor, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
