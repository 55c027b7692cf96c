CREATE OR REPLACE TABLE core.case_attributes AS
WITH long AS (
    UNPIVOT (SELECT case_id, sim_roles, levers, barriers, transferable_elements FROM raw_cases)
    ON sim_roles, levers, barriers, transferable_elements INTO NAME field VALUE codes
)
SELECT DISTINCT case_id,
       CASE field WHEN 'sim_roles' THEN 'sim_role' WHEN 'levers' THEN 'lever'
                  WHEN 'barriers' THEN 'barrier' ELSE 'transferability' END AS dimension,
       trim(code) AS code
FROM long, unnest(string_split(codes, '|')) AS t(code)
WHERE trim(code) <> ''
ORDER BY ALL;

COMMENT ON TABLE core.case_attributes IS 'What each case study observed, in long form: one row per case x dimension (sim_role, lever, barrier, transferability) x code.';
