CREATE OR REPLACE TABLE marts.ci_stages_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'ci_stage');

COMMENT ON TABLE marts.ci_stages_by_country IS 'Weighted share of respondents at each collective-impact stage, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
