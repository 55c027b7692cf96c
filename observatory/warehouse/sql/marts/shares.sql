-- Weighted share of respondents choosing each code, for every categorical question,
-- by wave x domain (a country, or a scheme type pooled across countries) x base.
--
-- Bases: 'all respondents' (a blank counts as not choosing the code; the only base of
-- multi-select questions, where a blank is a choice of none) and, for single-choice
-- questions, also 'respondents who answered' (the domain restricted to those who gave
-- an answer to the question, so the codes' shares add up to 1).
--
-- Design: strata = country x organisation type (the post-stratification cells),
-- weights from core.weights, one respondent per PSU. Standard errors by Taylor
-- linearisation of the ratio p = sum(w y) / sum(w) over the domain, as R's
-- survey::svyby(svyciprop) computes them:
--   z_i = w_i (y_i - p) / W  inside the domain, 0 outside;
--   Var = sum_h n_h / (n_h - 1) * (sum_i z_i^2 - (sum_i z_i)^2 / n_h).
-- A stratum with a single respondent (n_h = 1) has no variance of its own: as R's
-- options(survey.lonely.psu = "adjust") it is centred at the grand mean of z (0 for a
-- ratio) instead of its own mean and contributes z_i^2 (not 0, R's "certainty").
-- Only per-stratum sums of chosen answers are needed, so unchosen options are never
-- materialised. Intervals: Korn-Graubard, as R's svyby(svyciprop, method = "beta"):
-- Clopper-Pearson on the effective n = p(1 - p) / Var, times
-- (qt(alpha/2, n - 1) / qt(alpha/2, df))^2 with df = n - (strata present in the domain),
-- R's degf() of the domain (observatory.stats.kg_low / kg_high).
--
-- Published rules (DESIGN.md section 6, thresholds in observatory/config/settings.yaml):
-- n_eff is capped at n; a cell on fewer than suppress_below_n respondents is suppressed
-- (share, SE, CI, n_selected and n_eff NULL: only n and the flags stay); a cell is
-- unreliable when suppressed, or n_eff < unreliable_below_n_eff, or df <
-- unreliable_below_df. Shares fixed by the weights (organisation type within a country,
-- the post-stratification cells) are calibrated: published without SE or CI.
--
-- Built wave by wave (a wave's shares only read that wave's rows): rather than rebuilt,
-- the table is brought up to date like core.answers. A wave is recomputed when what its
-- shares are computed from differs from what the table took (a fingerprint of its
-- respondents, weights, answers and questions, with the taxonomy and the publication
-- settings, against staging.marts_built), and removed when it has no respondents.
-- One transaction: all of it or none.
-- Changing the SELECT below? DROP TABLE marts.shares; the next build rebuilds it whole.
BEGIN TRANSACTION;

CREATE TABLE IF NOT EXISTS marts.shares (
    wave INTEGER, domain_type VARCHAR, domain VARCHAR, base VARCHAR, dimension VARCHAR,
    code VARCHAR, label_en VARCHAR, label_fr VARCHAR, n INTEGER, n_selected INTEGER,
    share DOUBLE, se DOUBLE, ci_low DOUBLE, ci_high DOUBLE, n_eff DOUBLE, df INTEGER,
    suppressed BOOLEAN, calibrated BOOLEAN, unreliable BOOLEAN
);
DELETE FROM staging.marts_built  -- a table dropped by hand is rebuilt whole
WHERE mart = 'shares' AND NOT EXISTS (SELECT 1 FROM marts.shares LIMIT 1);

-- waves_changed: sql/macros/waves_changed.sql
CREATE OR REPLACE TEMP TABLE shares_waves_changed AS SELECT * FROM waves_changed('shares');

DELETE FROM marts.shares WHERE wave IN (SELECT wave FROM shares_waves_changed);

INSERT INTO marts.shares
WITH resp AS (
    SELECT r.respondent_key, r.wave, r.country, r.org_type, r.scheme_type, w.weight
    FROM core.respondents r JOIN core.weights w USING (respondent_key, wave)
    WHERE wave IN (SELECT wave FROM shares_waves_changed)
),
domains AS (
    SELECT *, 'country' AS domain_type, country AS domain FROM resp
    UNION ALL
    SELECT *, 'scheme_type' AS domain_type, scheme_type AS domain FROM resp
),
strata AS (
    SELECT wave, country, org_type, count(*) AS n_h FROM resp GROUP BY ALL
),
questions AS (
    SELECT wave, dimension, kind FROM core.questions WHERE kind IN ('single', 'multi')
),
domain_strata AS (
    SELECT wave, domain_type, domain, country, org_type,
           count(*) AS n_d, sum(weight) AS w_d, sum(weight * weight) AS q_d
    FROM domains GROUP BY ALL
),
chosen AS (
    SELECT d.wave, d.domain_type, d.domain, d.country, d.org_type, a.dimension, a.code,
           count(*) AS k, sum(d.weight) AS s1, sum(d.weight * d.weight) AS s2
    FROM domains d JOIN core.answers a USING (respondent_key, wave)
    WHERE a.wave IN (SELECT wave FROM shares_waves_changed)
    GROUP BY ALL
),
based AS (  -- each domain x stratum x question x base: respondents, sum w, sum w^2
    SELECT s.*, q.dimension, 'all respondents' AS base
    FROM domain_strata s JOIN questions q USING (wave)
    UNION ALL  -- a single-choice answer is one code: those who answered, summed over codes
    SELECT c.wave, c.domain_type, c.domain, c.country, c.org_type,
           sum(c.k), sum(c.s1), sum(c.s2), c.dimension, 'respondents who answered'
    FROM chosen c JOIN questions q USING (wave, dimension)
    WHERE q.kind = 'single'
    GROUP BY ALL
),
cells AS (
    SELECT wave, domain_type, domain, base, country, org_type, n_d, w_d, q_d, dimension,
           code, n_h,
           coalesce(c.k, 0) AS k, coalesce(c.s1, 0) AS s1, coalesce(c.s2, 0) AS s2
    FROM based
    JOIN strata USING (wave, country, org_type)
    JOIN core.taxonomy USING (dimension)
    LEFT JOIN chosen c USING (wave, domain_type, domain, country, org_type, dimension, code)
),
estimates AS (
    SELECT wave, domain_type, domain, base, dimension, code,
           sum(n_d)::INTEGER AS n, count(*) AS n_strata, sum(k)::INTEGER AS n_selected,
           -- exact at 0 and 1: a ratio of float sums can miss them by a rounding error
           CASE WHEN sum(k) = 0 THEN 0.0 WHEN sum(k) = sum(n_d) THEN 1.0
                ELSE sum(s1) / sum(w_d) END AS p,
           sum(w_d) AS w_total
    FROM cells GROUP BY ALL
),
variances AS (  -- per stratum: z2 = sum z_i^2, zsum = sum z_i
    SELECT wave, domain_type, domain, base, dimension, code,
           sum(CASE WHEN n_h > 1 THEN n_h / (n_h - 1.0) * (z2 - zsum ^ 2 / n_h)
                    ELSE z2 END) AS v  -- a lonely stratum: lonely.psu = "adjust"
    FROM (SELECT c.wave, c.domain_type, c.domain, c.base, c.dimension, c.code, c.n_h,
                 ((1 - e.p) ^ 2 * c.s2 + e.p ^ 2 * (c.q_d - c.s2)) / e.w_total ^ 2 AS z2,
                 (c.s1 - e.p * c.w_d) / e.w_total AS zsum
          FROM cells c JOIN estimates e USING (wave, domain_type, domain, base, dimension, code))
    GROUP BY ALL
),
scored AS (
    SELECT e.*, e.n - e.n_strata AS df,
           e.domain_type = 'country' AND e.dimension = 'org_type' AS calibrated,
           e.n < getvariable('suppress_below_n') AS suppressed,
           -- a variance at rounding-noise level (a share of 0 or 1, or one fixed by the
           -- weights) is zero, not 1e-20 of noise
           CASE WHEN e.p > 0 AND e.p < 1 AND v.v > 1e-12 * e.p * (1 - e.p)
                THEN v.v ELSE 0 END AS v
    FROM estimates e JOIN variances v USING (wave, domain_type, domain, base, dimension, code)
),
published AS (
    SELECT *,
           CASE WHEN v > 0 THEN p * (1 - p) / v ELSE n END AS n_eff_raw,  -- R's, for the CI
           least(CASE WHEN v > 0 THEN p * (1 - p) / v ELSE n END, n) AS n_eff_capped,
           NOT suppressed AND NOT calibrated AS sampled
    FROM scored
)
SELECT s.wave, s.domain_type, s.domain, s.base, s.dimension, s.code, t.label_en, t.label_fr,
       s.n,
       CASE WHEN NOT s.suppressed THEN s.n_selected END AS n_selected,
       CASE WHEN NOT s.suppressed THEN s.p END AS share,
       CASE WHEN s.sampled THEN sqrt(s.v) END AS se,
       CASE WHEN s.sampled THEN kg_low(s.p, s.n_eff_raw, s.n, s.df,
                                      getvariable('confidence_level')) END AS ci_low,
       CASE WHEN s.sampled THEN kg_high(s.p, s.n_eff_raw, s.n, s.df,
                                       getvariable('confidence_level')) END AS ci_high,
       CASE WHEN NOT s.suppressed THEN s.n_eff_capped END AS n_eff,
       s.df::INTEGER AS df, s.suppressed, s.calibrated,
       s.suppressed OR (s.sampled AND (s.n_eff_capped < getvariable('unreliable_below_n_eff')
                                       OR s.df < getvariable('unreliable_below_df')))
           AS unreliable
FROM published s JOIN core.taxonomy t USING (dimension, code)
ORDER BY s.wave, s.domain_type, s.domain, s.base, s.dimension, s.code;

DELETE FROM staging.marts_built
WHERE mart = 'shares' AND wave IN (SELECT wave FROM shares_waves_changed);
INSERT INTO staging.marts_built
SELECT 'shares', wave, fingerprint FROM shares_waves_changed WHERE fingerprint IS NOT NULL;

COMMIT;


COMMENT ON TABLE marts.shares IS 'Weighted share of respondents choosing each code of every categorical question, by wave x domain (domain_type country: one country; scheme_type: one scheme type pooled across countries) x base, with design-based SE (strata = country x organisation type; a one-respondent stratum as R''s lonely.psu = "adjust") and Korn-Graubard 95% CI (R: svyby(svyciprop, method = "beta")). Suppressed cells (n below the disclosure threshold) keep only n and the flags; calibrated shares have no SE or CI.';
COMMENT ON COLUMN marts.shares.domain_type IS 'What the domain is: country (domain = ISO country code) or scheme_type (domain = scheme-type code, all countries pooled).';
COMMENT ON COLUMN marts.shares.domain IS 'The subpopulation the share is computed in (see domain_type).';
