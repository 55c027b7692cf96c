CREATE OR REPLACE TABLE core.questions AS
SELECT wave, instrument_version, question, kind, dimension FROM ref_questions ORDER BY wave, question;

COMMENT ON TABLE core.questions IS 'Which question each wave asked (instrument version per wave). A share is only defined for waves that asked its question. Personal-data questions are not listed.';
COMMENT ON COLUMN core.questions.instrument_version IS 'Version of the questionnaire used in that wave (codebook).';
COMMENT ON COLUMN core.questions.kind IS 'single, multi, likert, number or id.';
