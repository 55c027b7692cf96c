CREATE OR REPLACE TABLE core.cases AS
SELECT case_id, country, year::INTEGER AS year, scheme_type, theme, subtheme, outcome
FROM raw_cases
ORDER BY case_id;

COMMENT ON TABLE core.cases IS 'Structured case studies: one row per cooperation scheme studied. Levers, barriers, roles and transferable elements observed are in core.case_attributes.';
COMMENT ON COLUMN core.cases.year IS 'Year of the case study.';
COMMENT ON COLUMN core.cases.outcome IS 'What became of the scheme (taxonomy dimension outcome).';
