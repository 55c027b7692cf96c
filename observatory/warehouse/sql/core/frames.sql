CREATE OR REPLACE TABLE core.frames AS
SELECT wave::INTEGER AS wave, country, org_type, population::BIGINT AS population
FROM raw_frames
ORDER BY wave, country, org_type;

COMMENT ON TABLE core.frames IS 'Population frames: number of organisations by wave x country x organisation type, the targets of post-stratification.';
