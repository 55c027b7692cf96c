CREATE OR REPLACE TABLE marts.transferable_elements_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'transferability');

COMMENT ON TABLE marts.transferable_elements_by_country IS 'Weighted share of respondents naming each element as transferable, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
