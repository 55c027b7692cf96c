CREATE OR REPLACE TABLE marts.subthemes_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'subtheme');

COMMENT ON TABLE marts.subthemes_by_country IS 'Weighted share of respondents working on each subtheme, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
