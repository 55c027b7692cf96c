/* The roles, levers, barriers and transferable elements of the case studies up to ?. */
SELECT a.case_id, a.dimension, a.code FROM core.case_attributes a
    JOIN core.cases c USING (case_id) WHERE c.year <= ? ORDER BY ALL
