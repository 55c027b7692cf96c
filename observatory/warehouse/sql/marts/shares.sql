-- Weighted share of respondents choosing each code, for every categorical question,
-- by wave x domain (a country, or a scheme type pooled across countries).
--
-- Design: strata = country x organisation type (the post-stratification cells),
-- weights from core.weights. Standard errors by Taylor linearisation of the ratio
-- p = sum(w y) / sum(w) over the domain, as R's survey::svyby(svymean) computes them:
--   z_i = w_i (y_i - p) / W  inside the domain, 0 outside;
--   Var = sum_h n_h / (n_h - 1) * (sum_i z_i^2 - (sum_i z_i)^2 / n_h).
-- Only per-stratum sums of chosen answers are needed, so unchosen options are never
-- materialised. Intervals: Korn-Graubard, as R's svyby(svyciprop, method = "beta"):
-- Clopper-Pearson on the effective n = p(1 - p) / Var, times
-- (qt(alpha/2, n - 1) / qt(alpha/2, df))^2 with df = n - (strata present in the domain),
-- R's degf() of the domain (observatory.stats.kg_low / kg_high).
CREATE OR REPLACE TABLE marts.shares AS
WITH resp AS (
    SELECT r.respondent_key, r.wave, r.country, r.org_type, r.scheme_type, w.weight
    FROM core.respondents r JOIN core.weights w USING (respondent_key, wave)
),
domains AS (
    SELECT *, 'country' AS domain_type, country AS domain FROM resp
    UNION ALL
    SELECT *, 'scheme_type' AS domain_type, scheme_type AS domain FROM resp
),
strata AS (
    SELECT wave, country, org_type, count(*) AS n_h FROM resp GROUP BY ALL
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
    GROUP BY ALL
),
cells AS (
    SELECT wave, domain_type, domain, country, org_type, n_d, w_d, q_d, dimension, code, n_h,
           coalesce(c.k, 0) AS k, coalesce(c.s1, 0) AS s1, coalesce(c.s2, 0) AS s2
    FROM domain_strata
    JOIN strata USING (wave, country, org_type)
    JOIN core.questions q USING (wave)
    JOIN core.taxonomy USING (dimension)
    LEFT JOIN chosen c USING (wave, domain_type, domain, country, org_type, dimension, code)
    WHERE q.kind IN ('single', 'multi')
),
estimates AS (
    SELECT wave, domain_type, domain, dimension, code,
           sum(n_d)::INTEGER AS n, count(*) AS n_strata, sum(k)::INTEGER AS n_selected,
           sum(s1) / sum(w_d) AS p, sum(w_d) AS w_total
    FROM cells GROUP BY ALL
),
variances AS (
    SELECT c.wave, c.domain_type, c.domain, c.dimension, c.code,
           sum(CASE WHEN c.n_h > 1 THEN c.n_h / (c.n_h - 1.0) * (
                   ((1 - e.p) ^ 2 * c.s2 + e.p ^ 2 * (c.q_d - c.s2)) / e.w_total ^ 2
                   - ((c.s1 - e.p * c.w_d) / e.w_total) ^ 2 / c.n_h)
               ELSE 0 END) AS v
    FROM cells c JOIN estimates e USING (wave, domain_type, domain, dimension, code)
    GROUP BY ALL
),
noise_free AS (  -- a variance at rounding-noise level (a share of 0 or 1, or one fixed by
                 -- the weights such as org_type within a country) is zero, not 1e-20 of noise
    SELECT v.* REPLACE (CASE WHEN e.p > 0 AND e.p < 1 AND v.v > 1e-12 * e.p * (1 - e.p)
                             THEN v.v ELSE 0 END AS v)
    FROM variances v JOIN estimates e USING (wave, domain_type, domain, dimension, code)
),
scored AS (
    SELECT e.*, v.v,
           CASE WHEN v.v > 0 AND e.p > 0 AND e.p < 1 THEN e.p * (1 - e.p) / v.v
                ELSE e.n END AS n_eff,
           e.n < getvariable('suppress_below_n') AS suppressed
    FROM estimates e JOIN noise_free v USING (wave, domain_type, domain, dimension, code)
)
SELECT s.wave, s.domain_type, s.domain, s.dimension, s.code, t.label_en, t.label_fr,
       s.n, s.n_selected,
       CASE WHEN NOT s.suppressed THEN s.p END AS share,
       CASE WHEN NOT s.suppressed THEN sqrt(s.v) END AS se,
       CASE WHEN NOT s.suppressed THEN kg_low(s.p, s.n_eff, s.n, s.n - s.n_strata,
                                         getvariable('confidence_level')) END AS ci_low,
       CASE WHEN NOT s.suppressed THEN kg_high(s.p, s.n_eff, s.n, s.n - s.n_strata,
                                         getvariable('confidence_level')) END AS ci_high,
       s.n_eff, s.suppressed,
       s.n_eff < getvariable('unreliable_below_n_eff') AS unreliable
FROM scored s JOIN core.taxonomy t USING (dimension, code)
ORDER BY s.wave, s.domain_type, s.domain, s.dimension, s.code;

COMMENT ON TABLE marts.shares IS 'Weighted share of respondents choosing each code of every categorical question, by wave x domain (domain_type country: one country; scheme_type: one scheme type pooled across countries), with design-based SE and Korn-Graubard 95% CI. Cells with n below the suppression threshold have NULL estimates and suppressed = true.';
COMMENT ON COLUMN marts.shares.domain_type IS 'What the domain is: country (domain = ISO country code) or scheme_type (domain = scheme-type code, all countries pooled).';
COMMENT ON COLUMN marts.shares.domain IS 'The subpopulation the share is computed in (see domain_type).';

CREATE OR REPLACE MACRO share_mart(domain_kind, dim) AS TABLE
    SELECT wave, domain, code, label_en, label_fr, n, n_selected, share, se, ci_low, ci_high,
           n_eff, suppressed, unreliable
    FROM marts.shares WHERE domain_type = domain_kind AND dimension = dim
    ORDER BY wave, domain, code;
