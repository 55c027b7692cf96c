CREATE OR REPLACE TABLE marts.difficulties_by_scheme_type AS
SELECT * RENAME (domain AS scheme_type) FROM share_mart('scheme_type', 'difficulty');

COMMENT ON TABLE marts.difficulties_by_scheme_type IS 'Weighted share of respondents reporting each source of partnership difficulty, by scheme type (all countries pooled) and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
