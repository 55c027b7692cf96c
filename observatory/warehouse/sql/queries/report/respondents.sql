/* Respondents per wave x country, waves up to ?. */
SELECT wave, country, count(*)::INTEGER AS n FROM core.respondents
    WHERE wave <= ? GROUP BY ALL ORDER BY ALL
