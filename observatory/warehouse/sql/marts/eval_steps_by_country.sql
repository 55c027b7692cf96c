CREATE OR REPLACE TABLE marts.eval_steps_by_country AS
SELECT * RENAME (domain AS country) FROM share_mart('country', 'eval_step');

COMMENT ON TABLE marts.eval_steps_by_country IS 'Weighted share of respondents carrying out each impact-evaluation step, by country and wave, with SE, 95% Korn-Graubard CI, unweighted n and effective n. Rows of marts.shares for this dimension.';
