/* Row accounting and provenance of every survey file. */
SELECT a.wave, a.country, a.file, a.rows_read, a.rows_loaded, a.rows_quarantined,
       a.rows_read = a.rows_loaded + a.rows_quarantined AS balanced, r.encoding, r.delimiter,
       r.codebook_version, left(r.sha256, 12) AS sha256, r.bytes, a.loaded_at
FROM audit.row_accounting a LEFT JOIN audit.raw_files r USING (file)
ORDER BY a.wave, a.country, a.file
