/* Survey files of the waves up to ?, and how many of them balance. */
SELECT count(*)::INTEGER, count(*) FILTER (
    WHERE rows_read = rows_loaded + rows_quarantined)::INTEGER
    FROM audit.row_accounting WHERE wave <= ?
