CREATE OR REPLACE TABLE marts.difficulties_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'difficulty');

COMMENT ON TABLE marts.difficulties_by_country IS 'Weighted share of respondents reporting each source of partnership difficulty, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
