CREATE OR REPLACE TABLE marts.sim_roles_by_scheme_type AS
SELECT * RENAME (domain AS scheme_type) FROM share_mart('scheme_type', 'sim_role');

COMMENT ON TABLE marts.sim_roles_by_scheme_type IS 'Weighted share of respondents whose SIM participants held each role, by scheme type (all countries pooled) and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
