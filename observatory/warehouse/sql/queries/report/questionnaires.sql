/* The instrument version and the dimensions asked of each wave up to ?. */
SELECT wave, min(instrument_version) AS version,
    list(DISTINCT dimension) FILTER (WHERE dimension IS NOT NULL) AS dimensions
    FROM core.questions WHERE wave <= ? GROUP BY wave ORDER BY wave
