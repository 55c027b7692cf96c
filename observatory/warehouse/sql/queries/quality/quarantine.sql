/* Quarantined rows by file x column x reason (the row lists of a reason folded into
   one), with the first $first_rows row numbers and $examples example values. */
SELECT file, "column", regexp_replace(reason, ' in rows [0-9, ]+$', '') AS reason,
       count(DISTINCT "row") AS rows,
       list(DISTINCT "row" ORDER BY "row")[1:$first_rows] AS first_rows,
       list(DISTINCT value ORDER BY value)[1:$examples] AS examples
FROM audit.quarantine GROUP BY ALL ORDER BY file, rows DESC, reason
