CREATE OR REPLACE TABLE marts.sim_roles_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'sim_role');

COMMENT ON TABLE marts.sim_roles_by_country IS 'Weighted share of respondents whose SIM participants held each role, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
