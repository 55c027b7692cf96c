/* The case studies documented up to the year ?. */
SELECT * FROM core.cases WHERE year <= ? ORDER BY case_id
