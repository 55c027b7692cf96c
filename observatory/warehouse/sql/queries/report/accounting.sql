/* Row accounting of the survey files per wave x country, waves up to ?. */
SELECT wave, country, count(*)::INTEGER AS files,
    sum(rows_read)::BIGINT AS rows_read, sum(rows_loaded)::BIGINT AS rows_loaded,
    sum(rows_quarantined)::BIGINT AS rows_quarantined
    FROM audit.row_accounting WHERE wave <= ? GROUP BY ALL ORDER BY ALL
