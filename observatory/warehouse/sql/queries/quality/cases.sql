/* Row accounting of the case-study files. */
SELECT file, rows_read, rows_loaded, rows_quarantined,
       rows_read = rows_loaded + rows_quarantined AS balanced, loaded_at
FROM audit.case_accounting ORDER BY file
