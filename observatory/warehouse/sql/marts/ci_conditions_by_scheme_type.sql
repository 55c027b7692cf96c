CREATE OR REPLACE TABLE marts.ci_conditions_by_scheme_type AS
SELECT * RENAME (domain AS scheme_type) FROM share_mart('scheme_type', 'ci_condition');

COMMENT ON TABLE marts.ci_conditions_by_scheme_type IS 'Weighted share of respondents meeting each collective-impact condition, by scheme type (all countries pooled) and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
