CREATE OR REPLACE TABLE marts.scheme_types_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'scheme_type');

COMMENT ON TABLE marts.scheme_types_by_country IS 'Weighted share of respondents reporting each scheme type, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
