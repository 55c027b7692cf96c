-- How often each lever and each barrier are reported together, by wave x country:
-- weighted shares of respondents citing both, of those citing the lever who also cite
-- the barrier, and the lift (co-occurrence relative to independence). Point estimates
-- with their unweighted counts; cells on fewer respondents than the disclosure
-- threshold are suppressed (no estimate, and no n_both that would reveal one).
-- Built wave by wave as marts.shares is: only the waves whose inputs changed are
-- recomputed (see sql/macros/waves_changed.sql). One transaction.
-- Changing the SELECT below? DROP TABLE marts.lever_barrier_cooccurrence first.
BEGIN TRANSACTION;

CREATE TABLE IF NOT EXISTS marts.lever_barrier_cooccurrence (
    wave INTEGER, country VARCHAR, lever VARCHAR, barrier VARCHAR, n INTEGER,
    n_lever INTEGER, n_both INTEGER, share_both DOUBLE, share_barrier_given_lever DOUBLE,
    lift DOUBLE, suppressed BOOLEAN
);
DELETE FROM staging.marts_built  -- a table dropped by hand is rebuilt whole
WHERE mart = 'lever_barrier_cooccurrence'
  AND NOT EXISTS (SELECT 1 FROM marts.lever_barrier_cooccurrence LIMIT 1);
CREATE OR REPLACE TEMP TABLE cooccurrence_waves_changed AS
SELECT * FROM waves_changed('lever_barrier_cooccurrence');

DELETE FROM marts.lever_barrier_cooccurrence
WHERE wave IN (SELECT wave FROM cooccurrence_waves_changed);

INSERT INTO marts.lever_barrier_cooccurrence
WITH resp AS (
    SELECT r.respondent_key, r.wave, r.country, w.weight
    FROM core.respondents r JOIN core.weights w USING (respondent_key, wave)
    WHERE wave IN (SELECT wave FROM cooccurrence_waves_changed)
),
totals AS (
    SELECT wave, country, count(*) AS n, sum(weight) AS w_total FROM resp GROUP BY ALL
),
cited AS (
    SELECT a.respondent_key, a.wave, a.dimension, a.code, r.country, r.weight
    FROM core.answers a JOIN resp r USING (respondent_key, wave)
    WHERE a.dimension IN ('lever', 'barrier')
      AND a.wave IN (SELECT wave FROM cooccurrence_waves_changed)
),
single AS (
    SELECT wave, country, code, count(*) AS k, sum(weight) AS w FROM cited GROUP BY ALL
),
pairs AS (
    SELECT l.wave, l.country, l.code AS lever, b.code AS barrier,
           count(*) AS n_both, sum(l.weight) AS w_both
    FROM cited l JOIN cited b USING (respondent_key, wave)
    WHERE l.dimension = 'lever' AND b.dimension = 'barrier'
    GROUP BY ALL
),
grid AS (
    SELECT t.*, l.code AS lever, b.code AS barrier
    FROM totals t
    CROSS JOIN (SELECT code FROM core.taxonomy WHERE dimension = 'lever') l
    CROSS JOIN (SELECT code FROM core.taxonomy WHERE dimension = 'barrier') b
),
cells AS (
    SELECT g.wave, g.country, g.lever, g.barrier, g.n::INTEGER AS n,
           coalesce(p.n_both, 0)::INTEGER AS n_both, coalesce(sl.k, 0)::INTEGER AS n_lever,
           coalesce(p.w_both, 0) / g.w_total AS share_both,
           coalesce(p.w_both, 0) / nullif(sl.w, 0) AS share_barrier_given_lever,
           coalesce(p.w_both, 0) * g.w_total / nullif(sl.w * sb.w, 0) AS lift
    FROM grid g
    LEFT JOIN pairs p USING (wave, country, lever, barrier)
    LEFT JOIN single sl ON sl.wave = g.wave AND sl.country = g.country AND sl.code = g.lever
    LEFT JOIN single sb ON sb.wave = g.wave AND sb.country = g.country AND sb.code = g.barrier
)
SELECT wave, country, lever, barrier, n, n_lever,
       CASE WHEN NOT suppressed THEN n_both END AS n_both,
       CASE WHEN NOT suppressed THEN share_both END AS share_both,
       CASE WHEN NOT suppressed THEN share_barrier_given_lever END AS share_barrier_given_lever,
       CASE WHEN NOT suppressed THEN lift END AS lift,
       suppressed
FROM (SELECT *, n_lever < getvariable('suppress_below_n') AS suppressed FROM cells)
ORDER BY wave, country, lever, barrier;

DELETE FROM staging.marts_built
WHERE mart = 'lever_barrier_cooccurrence' AND wave IN (SELECT wave FROM cooccurrence_waves_changed);
INSERT INTO staging.marts_built SELECT 'lever_barrier_cooccurrence', wave, fingerprint
FROM cooccurrence_waves_changed WHERE fingerprint IS NOT NULL;

COMMIT;

COMMENT ON TABLE marts.lever_barrier_cooccurrence IS 'Lever x barrier co-occurrence by wave x country: weighted share of respondents citing both, share of the lever''s citers who also cite the barrier, and lift (1 = independent). Point estimates without standard errors; suppressed when fewer than 10 respondents cite the lever.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.lever IS 'Lever code.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.barrier IS 'Barrier code.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.n_lever IS 'Unweighted respondents citing the lever.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.n_both IS 'Unweighted respondents citing both the lever and the barrier; NULL when suppressed (with n_lever it would reveal the share).';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.share_both IS 'Weighted share of all respondents citing both.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.share_barrier_given_lever IS 'Weighted share, among respondents citing the lever, of those also citing the barrier.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.lift IS 'P(lever and barrier) / (P(lever) P(barrier)), weighted; above 1 when they go together more than by chance.';
COMMENT ON COLUMN marts.lever_barrier_cooccurrence.suppressed IS 'True when fewer respondents than the disclosure threshold cite the lever: estimates withheld.';
