CREATE OR REPLACE TABLE marts.risks_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'risk');

COMMENT ON TABLE marts.risks_by_country IS 'Weighted share of respondents reporting each partnership risk (asked from 2025), by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
