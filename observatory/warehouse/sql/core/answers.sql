CREATE OR REPLACE TABLE core.answers AS
SELECT respondent_key, wave, country, question, dimension, code
FROM staging.answers
ORDER BY wave, country, respondent_key, question, code;

COMMENT ON TABLE core.answers IS 'Every categorical answer in long form: one row per respondent x question x chosen code (single-choice questions have one row, multi-select questions one per option ticked).';
