-- Case studies are a purposive set, not a sample: plain counts, no weights or CIs.
CREATE OR REPLACE TABLE marts.case_observations AS
WITH groups AS (
    SELECT country, scheme_type, count(*)::INTEGER AS cases FROM core.cases GROUP BY ALL
)
SELECT c.country, c.scheme_type, a.dimension, a.code, t.label_en, t.label_fr,
       count(*)::INTEGER AS cases_observed, g.cases,
       count(*) / g.cases AS share_of_cases
FROM core.case_attributes a
JOIN core.cases c USING (case_id)
JOIN groups g USING (country, scheme_type)
JOIN core.taxonomy t USING (dimension, code)
GROUP BY c.country, c.scheme_type, a.dimension, a.code, t.label_en, t.label_fr, g.cases
ORDER BY c.country, c.scheme_type, a.dimension, a.code;

COMMENT ON TABLE marts.case_observations IS 'Case studies: how many cases of each country x scheme type observed each lever, barrier, SIM role and transferable element. Unweighted counts (the cases are chosen, not sampled).';
COMMENT ON COLUMN marts.case_observations.cases_observed IS 'Case studies of the country x scheme type that observed the code.';
COMMENT ON COLUMN marts.case_observations.cases IS 'Case studies of the country x scheme type.';
COMMENT ON COLUMN marts.case_observations.share_of_cases IS 'cases_observed / cases.';
