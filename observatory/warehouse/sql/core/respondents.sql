CREATE OR REPLACE TABLE core.respondents AS
SELECT respondent_key, wave, country, org_type, scheme_type, theme, subtheme, ci_stage,
       satisfaction::INTEGER AS satisfaction, coordination_fte
FROM staging.responses
ORDER BY wave, country, respondent_key;

COMMENT ON TABLE core.respondents IS 'One row per loaded survey response (wave x respondent), PII-free: single-choice answers as codes and numeric answers. Multi-select answers are in core.answers.';
