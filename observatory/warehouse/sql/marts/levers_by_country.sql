CREATE OR REPLACE TABLE marts.levers_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'lever');

COMMENT ON TABLE marts.levers_by_country IS 'Weighted share of respondents reporting each lever, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
