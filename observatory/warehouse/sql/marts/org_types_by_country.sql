CREATE OR REPLACE TABLE marts.org_types_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'org_type');

COMMENT ON TABLE marts.org_types_by_country IS 'Weighted share of respondents of each organisation type (weighted: the population mix), by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
