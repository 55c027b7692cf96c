CREATE OR REPLACE TABLE core.countries AS
SELECT country, name_en, name_fr, language FROM ref_countries ORDER BY country;

COMMENT ON TABLE core.countries IS 'The countries of the observatory (from configuration, not code).';
COMMENT ON COLUMN core.countries.language IS 'Survey language of the country (ISO 639-1), in which its exports are written.';
