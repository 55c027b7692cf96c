CREATE OR REPLACE TABLE marts.success_factors_by_scheme_type AS
SELECT * RENAME (domain AS scheme_type) FROM share_mart('scheme_type', 'success_factor');

COMMENT ON TABLE marts.success_factors_by_scheme_type IS 'Weighted share of respondents citing each success factor, by scheme type (all countries pooled) and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
