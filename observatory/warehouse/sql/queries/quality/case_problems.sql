/* Problems of the case-study rows left out of core.cases. */
SELECT file, "row", "column", value, reason FROM audit.case_quarantine
ORDER BY file, "row", "column"
