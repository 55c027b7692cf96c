-- waves_changed(mart_name): the waves whose fingerprint (what marts.shares is computed
-- from: respondents, weights, answers and questions of the wave, the taxonomy and the
-- publication settings) differs from the one staging.marts_built holds for the mart,
-- with their new fingerprint (NULL: the wave is gone). The answers' part is made of the
-- content fingerprints of core.answers' wave x country partitions (core/answers.sql keeps
-- them). Used by the marts built wave by wave (marts.shares; the co-occurrence mart,
-- computed from less, uses it too).
CREATE OR REPLACE TEMP MACRO waves_changed(mart_name) AS TABLE
WITH everywhere AS (  -- what every wave's shares depend on
    SELECT hash(getvariable('confidence_level'), getvariable('suppress_below_n'),
                getvariable('unreliable_below_n_eff'), getvariable('unreliable_below_df'),
                (SELECT sum(hash(dimension, code, label_en, label_fr))::HUGEINT
                 FROM core.taxonomy)) AS h
),
inputs AS (
    SELECT wave, 'r' AS part, sum(hash(r.respondent_key, r.country, r.org_type,
                                       r.scheme_type, w.weight))::HUGEINT || ':' || count(*) AS h
    FROM core.respondents r JOIN core.weights w USING (respondent_key, wave) GROUP BY ALL
    UNION ALL  -- core.answers' partitions' fingerprints, kept by its model (no 20 M-row scan)
    SELECT wave, 'a', string_agg(country || '=' || fingerprint, ' ' ORDER BY country)
    FROM staging.core_answers_loaded GROUP BY ALL
    UNION ALL
    SELECT wave, 'q', sum(hash(question, kind, dimension))::HUGEINT || ':' || count(*)
    FROM core.questions GROUP BY ALL
),
current AS (
    SELECT wave, string_agg(part || i.h, ' ' ORDER BY part) || ' ' || any_value(e.h)
                 AS fingerprint
    FROM inputs i, everywhere e GROUP BY wave
    HAVING count(*) FILTER (WHERE part = 'r') > 0  -- a wave without respondents: none
)
SELECT wave, c.fingerprint
FROM current c FULL JOIN (SELECT wave, fingerprint FROM staging.marts_built
                          WHERE mart = mart_name) b USING (wave)
WHERE c.fingerprint IS DISTINCT FROM b.fingerprint;
